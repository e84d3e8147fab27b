/**
 * The PostgreSQL enrollment store, on `pg`. Its own entry so that `twpki/enroll`
 * loads no database driver until the application picks one.
 * @packageDocumentation
 */
export { PgStore, type PgStoreOptions } from './store/pg-store.js';
