import { DerError } from '../../../shared/der/der-error.js';
import { childrenOf, contentOf, encodingOf, expectTag, firstChild, nextChild, readRoot, type DerNode } from '../../../shared/der/der-reader.js';
import { integerHex } from '../../../shared/der/der-values.js';
import { bufferOf, freshBytes } from '../../../shared/bytes.js';
import { definiteLengths } from '../../../shared/der/ber-definite.js';
import { knownOid } from './known-oids.js';

/** OIDs of the CMS signed attributes twpki reads. */
export const CmsAttribute = {
  /** PKCS#9 contentType: the type of the signed content. */
  contentType: '1.2.840.113549.1.9.3',
  /** PKCS#9 messageDigest: the hash of the signed content. */
  messageDigest: '1.2.840.113549.1.9.4',
  /** PKCS#9 signingTime: when the signer claims to have signed. */
  signingTime: '1.2.840.113549.1.9.5',
  /** PKCS#9 randomNonce, added by the official component when asked for a nonce. */
  randomNonce: '1.2.840.113549.1.9.25.3',
  /** GPKI card number, added by the official component with `withCardSN`. */
  cardNumber: '2.16.886.1.100.2.204',
} as const;

const OID_SIGNED_DATA = '1.2.840.113549.1.7.2';

/** The id-data content type, the only one a login message may have. */
export const CMS_DATA = '1.2.840.113549.1.7.1';

/** How a SignerInfo names its certificate. */
export type SignerIdentifier =
  | { readonly issuerDer: Uint8Array; readonly serialHex: string }
  | { readonly subjectKeyId: string };

/** The parts of a one-signer CMS SignedData a login check needs. */
export interface CmsSignedData {
  /** eContentType. */
  readonly contentType: string;
  /** Attached content, or `undefined` when detached. */
  readonly content: Uint8Array | undefined;
  /** Certificates carried in the CMS, DER. */
  readonly certificates: readonly Uint8Array[];
  /** The signer's certificate reference. */
  readonly signer: SignerIdentifier;
  /** SignerInfo digestAlgorithm OID. */
  readonly digestOid: string;
  /** SignerInfo signatureAlgorithm OID. */
  readonly signatureAlgorithmOid: string;
  /** The signature value. */
  readonly signature: Uint8Array;
  /** DER of the signed attributes re-tagged as SET (what was signed), when present. */
  readonly signedAttributesDer: Uint8Array | undefined;
  /** Signed attribute values by OID, each one value's element (its `encodingOf` is the value's DER). */
  readonly signedAttributes: ReadonlyMap<string, readonly DerNode[]>;
}

/**
 * Decodes a CMS ContentInfo/SignedData (RFC 5652) with exactly one
 * SignerInfo — a login has one signer — keeping the exact signed bytes.
 *
 * Walked with the DER reader rather than pkijs: measured on the login
 * benchmark, pkijs' schema matching took ~25 ms per token against well under
 * a millisecond here, and the structure is small and fixed. BER
 * indefinite lengths (Windows CAPI output) are normalised first; the test
 * suite cross-checks the result against pkijs. The signed attributes are
 * copied (re-tagged) into `into(length)`, fresh memory by default.
 * @throws Error describing the structural problem (callers wrap it).
 */
export function parseCmsSignedData(input: Uint8Array, into: (length: number) => Uint8Array = freshBytes): CmsSignedData {
  try {
    return parseDer(input, into);
  } catch (err) {
    // Only BER input pays for the rewrite; DER (and garbage) is walked once.
    if (!(err instanceof DerError)) throw err;
    const normalised = definiteLengths(input);
    if (normalised === input) throw err;
    return parseDer(normalised, into);
  }
}

function parseDer(der: Uint8Array, into: (length: number) => Uint8Array): CmsSignedData {
  // Stepped through child by child (`firstChild`/`nextChild`): the shape is
  // fixed, and a login pays for every list and view built here.
  const info = expectTag(readRoot(der), 0x30, 'ContentInfo');
  const typeEl = expectTag(firstChild(info, 'ContentInfo'), 0x06, 'contentType');
  const type = knownOid(typeEl);
  if (type !== OID_SIGNED_DATA) throw new Error(`content type ${type} is not SignedData`);
  const wrapped = expectTag(nextChild(info, typeEl, 'ContentInfo'), 0xa0, 'content');
  const sdEl = expectTag(firstChild(wrapped, 'content'), 0x30, 'SignedData');
  const version = expectTag(firstChild(sdEl, 'SignedData'), 0x02, 'version');
  const digests = expectTag(nextChild(sdEl, version, 'SignedData'), 0x31, 'digestAlgorithms');
  const encap = expectTag(nextChild(sdEl, digests, 'SignedData'), 0x30, 'encapContentInfo');
  const eTypeEl = expectTag(firstChild(encap, 'encapContentInfo'), 0x06, 'eContentType');
  const contentType = knownOid(eTypeEl);
  const eContentEl = nextChild(encap, eTypeEl, 'encapContentInfo');
  let content: Uint8Array | undefined;
  if (eContentEl !== undefined) {
    const inner = firstChild(expectTag(eContentEl, 0xa0, 'eContent'), 'eContent');
    content = octets(expectTag(inner, inner?.tag === 0x24 ? 0x24 : 0x04, 'eContent'));
  }

  let field = nextChild(sdEl, encap, 'SignedData');
  const certificates: Uint8Array[] = [];
  if (field?.tag === 0xa0) {
    for (let c = firstChild(field, 'certificates'); c !== undefined; c = nextChild(field, c, 'certificates')) {
      if (c.tag === 0x30) certificates.push(encodingOf(c)); // other CertificateChoices are ignored
    }
    field = nextChild(sdEl, field, 'SignedData');
  }
  if (field?.tag === 0xa1) field = nextChild(sdEl, field, 'SignedData'); // CRLs: revocation is checked online
  const signerInfos = expectTag(field, 0x31, 'signerInfos');
  const siEl = expectTag(firstChild(signerInfos, 'signerInfos'), 0x30, 'SignerInfo');
  if (nextChild(signerInfos, siEl, 'signerInfos') !== undefined) throw new Error(`expected one signer, found ${childrenOf(signerInfos).length}`);
  const siVersion = expectTag(firstChild(siEl, 'SignerInfo'), 0x02, 'SignerInfo version');
  const sidEl = nextChild(siEl, siVersion, 'SignerInfo');
  let signer: SignerIdentifier;
  if (sidEl?.tag === 0x30) {
    const issuerEl = expectTag(firstChild(sidEl, 'sid'), 0x30, 'issuer');
    const serialEl = expectTag(nextChild(sidEl, issuerEl, 'sid'), 0x02, 'serialNumber');
    signer = { issuerDer: encodingOf(issuerEl), serialHex: integerHex(contentOf(serialEl)) };
  } else if (sidEl?.tag === 0x80) {
    signer = { subjectKeyId: bufferOf(der).toString('hex', sidEl.contentStart, sidEl.end) };
  } else {
    throw new Error('unsupported signer identifier');
  }
  const digestEl = expectTag(nextChild(siEl, sidEl, 'SignerInfo'), 0x30, 'digestAlgorithm');
  const digestOid = algorithmOid(digestEl);
  let next = nextChild(siEl, digestEl, 'SignerInfo');
  const signedAttributes = new Map<string, DerNode[]>();
  let signedAttributesDer: Uint8Array | undefined;
  if (next?.tag === 0xa0) {
    const attrsEl = next;
    // What was signed is the SET OF encoding: same bytes, universal SET tag.
    const encoding = encodingOf(attrsEl);
    signedAttributesDer = into(encoding.length);
    signedAttributesDer.set(encoding);
    signedAttributesDer[0] = 0x31;
    for (let attr = firstChild(attrsEl, 'signedAttrs'); attr !== undefined; attr = nextChild(attrsEl, attr, 'signedAttrs')) {
      const oidEl = expectTag(firstChild(expectTag(attr, 0x30, 'Attribute'), 'Attribute'), 0x06, 'attrType');
      const oid = knownOid(oidEl);
      if (signedAttributes.has(oid)) throw new Error(`signed attribute ${oid} appears twice`);
      signedAttributes.set(oid, valuesOf(expectTag(nextChild(attr, oidEl, 'Attribute'), 0x31, 'attrValues')));
    }
    next = nextChild(siEl, attrsEl, 'SignerInfo');
  }
  const algorithmEl = expectTag(next, 0x30, 'signatureAlgorithm');
  const signatureAlgorithmOid = algorithmOid(algorithmEl);
  const signature = contentOf(expectTag(nextChild(siEl, algorithmEl, 'SignerInfo'), 0x04, 'signature'));
  return {
    contentType,
    content,
    certificates,
    signer,
    digestOid,
    signatureAlgorithmOid,
    signature,
    signedAttributesDer,
    signedAttributes,
  };
}

/** The values of an attribute: nearly always exactly one, kept in a list of one. */
function valuesOf(set: DerNode): DerNode[] {
  const first = firstChild(set, 'attrValues');
  if (first === undefined) return [];
  return nextChild(set, first, 'attrValues') === undefined ? [first] : childrenOf(set, 'attrValues');
}

function algorithmOid(seq: DerNode): string {
  return knownOid(expectTag(firstChild(seq, 'AlgorithmIdentifier'), 0x06, 'algorithm'));
}

/** OCTET STRING content; a BER constructed OCTET STRING is concatenated. */
function octets(el: DerNode): Uint8Array {
  if (el.tag === 0x04) return contentOf(el);
  return new Uint8Array(Buffer.concat(childrenOf(el).map((c) => octets(expectTag(c, 0x04, 'OCTET STRING segment')))));
}
