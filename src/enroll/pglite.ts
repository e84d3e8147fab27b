/**
 * The embedded enrollment store: PGlite (PostgreSQL compiled to WebAssembly), in
 * memory or in a data directory. Its own entry so that `twpki/enroll` loads no
 * database driver until the application picks one.
 * @packageDocumentation
 */
export { PgliteStore, type PgliteStoreOptions } from './store/pglite-store.js';
