import { extensionListOf, type DerExtension } from '../../../shared/der/der-extensions.js';
import { decodeObjectIdentifier, decodeTime, type TimeOptions } from '../../../shared/der/der-primitives.js';
import { childrenOf, contentOf, encodingOf, expectTag, readRoot, type DerNode } from '../../../shared/der/der-reader.js';
import { enumeratedOf, integerHex } from '../../../shared/der/der-values.js';
import { digestFromOid, type DigestName } from '../algorithms.js';
import { RevocationError } from '../errors.js';
import { TrustedCertificate } from '../trusted-certificate.js';
import { OID_OCSP_NONCE } from './ocsp-request.js';
import { reasonFromCode, type RevocationReason } from './revocation-status.js';

const OID_OCSP_BASIC = '1.3.6.1.5.5.7.48.1.1';

/**
 * responseExtensions twpki processes. RFC 6960 4.4: an extension that is not
 * understood is ignored unless marked critical; a response with a critical one
 * outside this set is refused (`OcspClient.verify`), as its meaning could
 * narrow or change the answer.
 */
const UNDERSTOOD_RESPONSE_EXTENSIONS: ReadonlySet<string> = new Set([OID_OCSP_NONCE]);

/**
 * singleExtensions that change nothing about the status given: the CRL entry
 * extensions RFC 6960 4.4.5 allows there, which are informational (the reason
 * is read from revokedInfo).
 */
const UNDERSTOOD_SINGLE_EXTENSIONS: ReadonlySet<string> = new Set([
  '2.5.29.21', // reasonCode
  '2.5.29.24', // invalidityDate
  '2.5.29.23', // holdInstructionCode
]);

/**
 * How OCSP times are read: GeneralizedTime, `Z`, seconds present, and fractional seconds accepted. RFC 6960 does not
 * forbid them (RFC 5280's rule is for certificates and CRLs) and real responders send them; they are read to the
 * millisecond, not refused and not dropped.
 */
const OCSP_TIME: TimeOptions = Object.freeze({ fractionalSeconds: true });

/** OCSPResponseStatus names (RFC 6960 4.2.1). */
const RESPONSE_STATUS = ['successful', 'malformedRequest', 'internalError', 'tryLater', '(4)', 'sigRequired', 'unauthorized'];

/** One SingleResponse. */
export interface OcspSingleResponse {
  /** CertID digest, or `undefined` for an unknown digest OID. */
  readonly digest: DigestName | undefined;
  /** CertID issuerNameHash. */
  readonly issuerNameHash: Uint8Array;
  /** CertID issuerKeyHash. */
  readonly issuerKeyHash: Uint8Array;
  /** CertID serial, spelt as `TrustedCertificate.serialHex` spells a serial (`-` before a negative one). */
  readonly serialHex: string;
  /** certStatus. */
  readonly status: 'good' | 'revoked' | 'unknown';
  /** revocationTime, for `revoked`. */
  readonly revokedAt: Date | undefined;
  /** revocationReason, for `revoked` when given. */
  readonly reason: RevocationReason | undefined;
  /** thisUpdate. */
  readonly thisUpdate: Date;
  /** nextUpdate, when given. */
  readonly nextUpdate: Date | undefined;
  /** OIDs of its critical singleExtensions twpki does not process (decoded here, judged by `OcspClient.verify`). */
  readonly unknownCriticalExtensions: readonly string[];
}

/** A decoded (not yet verified) BasicOCSPResponse. */
export interface OcspBasicResponse {
  /** DER of tbsResponseData (what the responder signed). */
  readonly tbs: Uint8Array;
  /** Signature algorithm OID. */
  readonly signatureAlgorithmOid: string;
  /** Signature value. */
  readonly signature: Uint8Array;
  /** responderID: the DER Name (byName) or the SHA-1 key hash (byKey). */
  readonly responderId:
    | {
        /** DER of the responder's Name. */
        readonly byName: Uint8Array;
      }
    | {
        /** SHA-1 hash of the responder's public key (RFC 6960 KeyHash). */
        readonly byKeyHash: Uint8Array;
      };
  /** producedAt. */
  readonly producedAt: Date;
  /** responses. */
  readonly responses: readonly OcspSingleResponse[];
  /** The nonce extension's value, when present. */
  readonly nonce: Uint8Array | undefined;
  /** OIDs of the critical responseExtensions twpki does not process (decoded here, judged by `OcspClient.verify`). */
  readonly unknownCriticalExtensions: readonly string[];
  /** Certificates the responder included (a delegated responder's own certificate). */
  readonly certs: readonly TrustedCertificate[];
}

/**
 * Decodes a DER OCSPResponse down to its BasicOCSPResponse.
 * @throws RevocationError `OCSP_ERROR_STATUS` for a non-successful status, `OCSP_MALFORMED` otherwise.
 */
export function parseOcspResponse(der: Uint8Array, url?: string): OcspBasicResponse {
  const ctx = url === undefined ? {} : { url };
  let status: number;
  let basic: Uint8Array | undefined;
  try {
    const top = childrenOf(expectTag(readRoot(der), 0x30, 'OCSPResponse'));
    // One DER ENUMERATED, as revocationReason below: a first octet taken of `00 01` read malformedRequest as successful.
    status = enumeratedOf(expectTag(top[0], 0x0a, 'responseStatus'), 'responseStatus');
    if (status === 0) {
      const bytes = expectTag(childrenOf(expectTag(top[1], 0xa0, 'responseBytes'))[0], 0x30, 'ResponseBytes');
      const [typeEl, valueEl] = childrenOf(bytes);
      const type = decodeObjectIdentifier(contentOf(expectTag(typeEl, 0x06, 'responseType')));
      if (type !== OID_OCSP_BASIC) throw new Error(`unsupported response type ${type}`);
      basic = contentOf(expectTag(valueEl, 0x04, 'response'));
    }
  } catch (err) {
    throw new RevocationError('OCSP_MALFORMED', `not an OCSP response: ${(err as Error).message}`, { ...ctx, cause: err });
  }
  if (status !== 0 || basic === undefined) {
    throw new RevocationError('OCSP_ERROR_STATUS', `OCSP responder answered ${RESPONSE_STATUS[status] ?? status}`, ctx);
  }
  try {
    return parseBasic(basic);
  } catch (err) {
    throw new RevocationError('OCSP_MALFORMED', `bad BasicOCSPResponse: ${(err as Error).message}`, { ...ctx, cause: err });
  }
}

function parseBasic(der: Uint8Array): OcspBasicResponse {
  const [tbsEl, algEl, sigEl, certsEl] = childrenOf(expectTag(readRoot(der), 0x30, 'BasicOCSPResponse'));
  const tbs = expectTag(tbsEl, 0x30, 'tbsResponseData');
  const signatureAlgorithmOid = decodeObjectIdentifier(
    contentOf(expectTag(childrenOf(expectTag(algEl, 0x30, 'signatureAlgorithm'))[0], 0x06, 'algorithm')),
  );
  const sig = expectTag(sigEl, 0x03, 'signature');
  const certs: TrustedCertificate[] = [];
  if (certsEl !== undefined) {
    const seq = expectTag(childrenOf(expectTag(certsEl, 0xa0, 'certs'))[0], 0x30, 'certs');
    for (const c of childrenOf(seq)) certs.push(TrustedCertificate.from(encodingOf(c)));
  }

  const fields = childrenOf(tbs);
  let i = 0;
  if (fields[0]?.tag === 0xa0) i++; // version
  const rid = fields[i++];
  let responderId: OcspBasicResponse['responderId'];
  if (rid?.tag === 0xa1) {
    responderId = { byName: encodingOf(expectTag(childrenOf(rid)[0], 0x30, 'responder name')) };
  } else if (rid?.tag === 0xa2) {
    responderId = { byKeyHash: contentOf(expectTag(childrenOf(rid)[0], 0x04, 'responder key hash')) };
  } else {
    throw new Error('missing responderID');
  }
  const producedEl = expectTag(fields[i++], 0x18, 'producedAt');
  const producedAt = decodeTime(producedEl.tag, contentOf(producedEl), OCSP_TIME);
  const responses = childrenOf(expectTag(fields[i++], 0x30, 'responses')).map((r) => parseSingle(r));
  let nonce: Uint8Array | undefined;
  const unknownCriticalExtensions: string[] = [];
  const extsEl = fields[i];
  if (extsEl?.tag === 0xa1) {
    for (const ext of readExtensions(extsEl, 'responseExtensions', 'response extension')) {
      if (ext.oid === OID_OCSP_NONCE) nonce = unwrapNonce(ext.value);
      else if (ext.critical && !UNDERSTOOD_RESPONSE_EXTENSIONS.has(ext.oid)) unknownCriticalExtensions.push(ext.oid);
    }
    i++;
  }
  // Nothing may follow: an element out of place would otherwise be signed and never read.
  if (fields[i] !== undefined) throw new Error(`unexpected element (tag 0x${fields[i]?.tag.toString(16)}) in tbsResponseData`);
  return {
    tbs: encodingOf(tbs),
    signatureAlgorithmOid,
    signature: der.subarray(sig.contentStart + 1, sig.end),
    responderId,
    producedAt,
    responses,
    nonce,
    unknownCriticalExtensions,
    certs,
  };
}

function parseSingle(el: DerNode): OcspSingleResponse {
  const parts = childrenOf(expectTag(el, 0x30, 'SingleResponse'));
  const idParts = childrenOf(expectTag(parts[0], 0x30, 'CertID'));
  const hashOid = decodeObjectIdentifier(contentOf(expectTag(childrenOf(expectTag(idParts[0], 0x30, 'hashAlgorithm'))[0], 0x06, 'algorithm')));
  const statusEl = parts[1];
  let status: OcspSingleResponse['status'];
  let revokedAt: Date | undefined;
  let reason: RevocationReason | undefined;
  if (statusEl?.tag === 0x80) status = 'good';
  else if (statusEl?.tag === 0x82) status = 'unknown';
  else if (statusEl?.tag === 0xa1) {
    status = 'revoked';
    // RevokedInfo ::= SEQUENCE { revocationTime GeneralizedTime, revocationReason [0] EXPLICIT CRLReason OPTIONAL }:
    // nothing else, and the reason is exactly one DER ENUMERATED (a reader that took its first octet, or skipped
    // what followed it, read a reason the responder did not sign). A value outside CRLReason stays revoked,
    // its reason not named, as a CRL entry's does.
    const [timeEl, reasonEl, ...extra] = childrenOf(statusEl);
    const t = expectTag(timeEl, 0x18, 'revocationTime');
    revokedAt = decodeTime(t.tag, contentOf(t), OCSP_TIME);
    if (extra.length > 0 || (reasonEl !== undefined && reasonEl.tag !== 0xa0)) throw new Error('RevokedInfo holds more than revocationTime and [0] revocationReason');
    if (reasonEl !== undefined) {
      const inside = childrenOf(reasonEl);
      if (inside.length !== 1) throw new Error(`revocationReason [0] holds ${inside.length} elements, not one CRLReason`);
      reason = reasonFromCode(enumeratedOf(inside[0] as DerNode, 'revocationReason'));
    }
  } else throw new Error('bad certStatus');
  const tu = expectTag(parts[2], 0x18, 'thisUpdate');
  let nextUpdate: Date | undefined;
  let at = 3;
  const nu = parts[at];
  if (nu?.tag === 0xa0) {
    const t = expectTag(childrenOf(nu)[0], 0x18, 'nextUpdate');
    nextUpdate = decodeTime(t.tag, contentOf(t), OCSP_TIME);
    at++;
  }
  const unknownCriticalExtensions: string[] = [];
  const extsEl = parts[at];
  if (extsEl?.tag === 0xa1) {
    for (const ext of readExtensions(extsEl, 'singleExtensions', 'single response extension')) {
      if (ext.critical && !UNDERSTOOD_SINGLE_EXTENSIONS.has(ext.oid)) unknownCriticalExtensions.push(ext.oid);
    }
    at++;
  }
  if (parts[at] !== undefined) throw new Error(`unexpected element (tag 0x${parts[at]?.tag.toString(16)}) in SingleResponse`);
  return {
    digest: digestFromOid(hashOid),
    issuerNameHash: contentOf(expectTag(idParts[1], 0x04, 'issuerNameHash')),
    issuerKeyHash: contentOf(expectTag(idParts[2], 0x04, 'issuerKeyHash')),
    serialHex: integerHex(contentOf(expectTag(idParts[3], 0x02, 'serialNumber'))),
    status,
    revokedAt,
    reason,
    thisUpdate: decodeTime(tu.tag, contentOf(tu), OCSP_TIME),
    nextUpdate,
    unknownCriticalExtensions,
  };
}

/** The Extensions inside an explicit `[1]` wrapper (nothing else in it), each checked by the one Extension reader (duplicates refused). */
function readExtensions(wrapper: DerNode, list: string, item: string): DerExtension[] {
  return extensionListOf(wrapper, `${list} [1]`, list, item);
}

/** RFC 8954 wraps the nonce in an OCTET STRING; some responders send it bare. Accept both. */
function unwrapNonce(value: Uint8Array): Uint8Array {
  try {
    const el = readRoot(value);
    if (el.tag === 0x04) return contentOf(el);
  } catch {
    // not DER: a bare nonce
  }
  return value;
}
