import { TestPkiError } from './errors.js';

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
 * in source, ESM and CJS builds alike. Both packages are optional peers of
 * twpki: a backend that never imports `twpki/testing` does not install them.
 */
export function loadX509(): Promise<X509Module> {
  loading ??= import('reflect-metadata')
    .then(() => import('@peculiar/x509'))
    .catch((error: unknown) => {
      loading = undefined; // let a later call succeed once the packages are installed
      throw new TestPkiError(
        'TEST_KIT_DEPENDENCY_MISSING',
        'twpki/testing builds certificates with its optional peer dependencies @peculiar/x509 and reflect-metadata; ' +
          'install them next to twpki (npm install --save-dev @peculiar/x509 reflect-metadata)',
        { cause: error },
      );
    });
  return loading;
}
