/** The @peculiar/x509 module's type. */
export type X509Module = typeof import('@peculiar/x509');

let loading: Promise<X509Module> | undefined;

/**
 * Loads @peculiar/x509 after `reflect-metadata`, which its tsyringe
 * dependency requires to be installed first.
 *
 * A dynamic import on purpose: bundlers hoist static imports of external
 * packages, and with code splitting a chunk importing x509 could run before
 * the one importing the polyfill. Loading on first use keeps the order right
 * in source, ESM and CJS builds alike.
 */
export function loadX509(): Promise<X509Module> {
  loading ??= import('reflect-metadata').then(() => import('@peculiar/x509'));
  return loading;
}
