import { RevocationError } from '../errors.js';
import type { TrustedCertificate } from '../trusted-certificate.js';
import type { CertificateRevocationList } from './crl.js';

/**
 * RFC 5280 5.2 and 6.3.3: checks that a verified CRL is a complete list
 * twpki can read: no critical CRL or entry extension it does not
 * understand, not a delta CRL, not limited to some reasons, not indirect,
 * and about public-key certificates. These depend on the CRL alone, so the
 * cache checks them once, when a download arrives, and never keeps a CRL
 * that fails.
 * @throws RevocationError `CRL_UNKNOWN_CRITICAL_EXTENSION`, `CRL_NOT_COMPLETE` or `CRL_WRONG_SCOPE`.
 */
export function assertCompleteCrl(crl: CertificateRevocationList, url: string): void {
  const unknown = crl.unknownCriticalExtensions[0];
  if (unknown !== undefined) {
    throw new RevocationError('CRL_UNKNOWN_CRITICAL_EXTENSION', `CRL from ${url} has critical extension ${unknown}, which is not processed`, { url });
  }
  const unknownEntry = crl.unknownCriticalEntryExtension;
  if (unknownEntry !== undefined) {
    throw new RevocationError(
      'CRL_UNKNOWN_CRITICAL_EXTENSION',
      `CRL from ${url} has an entry with critical extension ${unknownEntry}, which is not processed`,
      { url },
    );
  }
  // A delta CRL lists only changes since a base CRL: a serial missing from it says nothing.
  if (crl.isDelta) throw new RevocationError('CRL_NOT_COMPLETE', `CRL from ${url} is a delta CRL, not a complete one`, { url });
  const idp = crl.issuingDistributionPoint;
  if (idp === undefined) return;
  if (idp.onlySomeReasons) {
    throw new RevocationError('CRL_NOT_COMPLETE', `CRL from ${url} lists only some revocation reasons (onlySomeReasons)`, { url });
  }
  // Entries of an indirect CRL may be about another CA's certificates (certificateIssuer): not supported.
  if (idp.indirect) throw new RevocationError('CRL_NOT_COMPLETE', `CRL from ${url} is an indirect CRL, which is not supported`, { url });
  if (idp.onlyAttributeCerts) {
    throw new RevocationError('CRL_WRONG_SCOPE', `CRL from ${url} covers attribute certificates only`, { url });
  }
  // A name relative to the issuer cannot be compared with the URL the CRL was asked for.
  if (idp.relativeName) {
    throw new RevocationError('CRL_WRONG_SCOPE', `CRL from ${url} names its distribution point relative to its issuer, which is not supported`, {
      url,
    });
  }
}

/**
 * RFC 5280 6.3.3 (b)(2): checks that `crl`, fetched from `url`, speaks for
 * `cert`. A CRL without issuingDistributionPoint covers every certificate
 * of its issuer. With one, its distribution point (when named) must be one
 * of `cert`'s own CRL URLs or the URL it was fetched from — else a genuine,
 * current CRL of another partition would answer "good" for any certificate
 * outside it (the complete CRL served at a partition's URL names one of the
 * certificate's URLs, and does cover it) — and its onlyContainsUserCerts /
 * onlyContainsCACerts must fit `cert`. `url` may be an operator's mirror
 * (`crlUrls`) rather than one the certificate names. Called per check: a few
 * comparisons (the CRL itself was checked by {@link assertCompleteCrl}).
 * @throws RevocationError `CRL_WRONG_SCOPE`.
 */
export function assertCrlCovers(crl: CertificateRevocationList, cert: TrustedCertificate, url: string): void {
  const problem = scopeProblem(crl, cert, url);
  if (problem !== undefined) throw new RevocationError('CRL_WRONG_SCOPE', `CRL from ${url} ${problem}`, { url });
}

/** Whether `crl` speaks for `cert` (see {@link assertCrlCovers}). */
export function crlCovers(crl: CertificateRevocationList, cert: TrustedCertificate, url: string): boolean {
  return crl.issuingDistributionPoint === undefined || scopeProblem(crl, cert, url) === undefined;
}

function scopeProblem(crl: CertificateRevocationList, cert: TrustedCertificate, url: string): string | undefined {
  const idp = crl.issuingDistributionPoint;
  if (idp === undefined) return undefined;
  const isCa = cert.basicConstraints?.ca === true;
  if (idp.onlyUserCerts && isCa) return 'covers end-entity certificates only, and the certificate is a CA';
  if (idp.onlyCaCerts && !isCa) return 'covers CA certificates only, and the certificate is not a CA';
  const uris = idp.fullNameUris;
  if (uris === undefined) return undefined;
  const named = (name: string): boolean => uris.some((uri) => sameCrlLocation(uri, name));
  if (named(url) || cert.crlUrls.some(named)) return undefined;
  const asked = new Set([url, ...cert.crlUrls]);
  return `is the CRL of ${uris.join(', ') || 'no URI'}, not of ${[...asked].join(', ')} (issuingDistributionPoint)`;
}

/**
 * Whether two HTTP(S) URLs name the same CRL: the same text, or the same
 * host (any case, default port or none) and the same path and query,
 * whether over http or https (a CA moving its repository to https re-issues
 * no certificate). No other normalisation: a partition differs from another
 * only in its path, which must match exactly.
 */
function sameCrlLocation(a: string, b: string): boolean {
  if (a === b) return true;
  const x = locationOf(a);
  return x !== undefined && x === locationOf(b);
}

const HTTP_URL = /^https?:\/\/([A-Za-z0-9.-]+)(?::(\d+))?(\/[^#\s]*)?$/i;

function locationOf(uri: string): string | undefined {
  const m = HTTP_URL.exec(uri);
  if (m === null) return undefined;
  const scheme = uri.slice(0, 5).toLowerCase() === 'https' ? 'https' : 'http';
  const port = m[2] === undefined || m[2] === (scheme === 'https' ? '443' : '80') ? '' : `:${m[2]}`;
  return `${(m[1] as string).toLowerCase()}${port}${m[3] ?? '/'}`;
}
