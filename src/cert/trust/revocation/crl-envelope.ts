import { extensionListOf } from '../../../shared/der/der-extensions.js';
import { decodeObjectIdentifier } from '../../../shared/der/der-primitives.js';
import { childrenOf, contentOf, encodingOf, expectTag, readRoot, type DerNode } from '../../../shared/der/der-reader.js';
import { ExtensionOid } from '../../profile/oids.js';
import { RevocationError } from '../errors.js';
import { crlAuthorityKeyId } from './crl-extensions.js';

/** What checking a CRL's issuer and signature needs, read without walking its entries. */
export interface CrlEnvelope {
  /** DER of tbsCertList (what the issuer signed). */
  readonly tbs: Uint8Array;
  /** Outer signature algorithm OID. */
  readonly signatureAlgorithmOid: string;
  /** Signature value. */
  readonly signature: Uint8Array;
  /** DER of the issuer Name. */
  readonly issuerDer: Uint8Array;
  /** authorityKeyIdentifier keyIdentifier, hex, when present. */
  readonly authorityKeyId: string | undefined;
}

/**
 * Reads a DER CRL's signed envelope: the top-level fields of tbsCertList
 * only (revokedCertificates is one element whose header is read and whose
 * entries are not). A downloaded CRL's signature is checked on this before
 * `CertificateRevocationList.parse` indexes its entries, so a body nobody
 * signed (anyone on the plain-HTTP path can send one, up to the fetch's
 * size limit) costs one hash, not seconds of parsing and an index of
 * millions of serials. Everything else is read, and checked, by the parse.
 * @throws RevocationError `CRL_MALFORMED`.
 */
export function readCrlEnvelope(der: Uint8Array, url?: string): CrlEnvelope {
  try {
    const [tbsEl, algEl, sigEl] = childrenOf(expectTag(readRoot(der), 0x30, 'CertificateList'));
    const tbs = expectTag(tbsEl, 0x30, 'tbsCertList');
    const fields = childrenOf(tbs);
    const first = fields[0]?.tag === 0x02 ? 1 : 0; // version
    const sig = expectTag(sigEl, 0x03, 'signatureValue');
    return {
      tbs: encodingOf(tbs),
      signatureAlgorithmOid: decodeObjectIdentifier(
        contentOf(expectTag(childrenOf(expectTag(algEl, 0x30, 'signatureAlgorithm'))[0], 0x06, 'algorithm')),
      ),
      signature: der.subarray(sig.contentStart + 1, sig.end),
      issuerDer: encodingOf(expectTag(fields[first + 1], 0x30, 'issuer')),
      authorityKeyId: authorityKeyIdOf(fields.find((f) => f.tag === 0xa0)),
    };
  } catch (err) {
    throw new RevocationError('CRL_MALFORMED', `not a CRL: ${(err as Error).message}`, { cause: err, ...(url === undefined ? {} : { url }) });
  }
}

/**
 * The keyIdentifier of the authorityKeyIdentifier among `[0] crlExtensions`, hex. The list is read whole, by the
 * one Extension reader: a malformed or repeated extension, or anything after the list in `[0]`, is refused here as
 * by the parse, not skipped.
 */
function authorityKeyIdOf(extensions: DerNode | undefined): string | undefined {
  if (extensions === undefined) return undefined;
  const aki = extensionListOf(extensions, 'crlExtensions [0]', 'crlExtensions', 'CRL extension').find((ext) => ext.oid === ExtensionOid.authorityKeyIdentifier);
  return aki === undefined ? undefined : crlAuthorityKeyId(aki.value);
}
