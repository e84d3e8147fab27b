import { DerError } from '../../../shared/der/der-error.js';
import { childrenOf, contentOf, encodingOf, expectTag, readRoot, type DerNode } from '../../../shared/der/der-reader.js';
import { integerHex } from '../../../shared/der/der-values.js';
import { copyBytes } from '../../../shared/bytes.js';
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
  /** Signed attribute values by OID (each the DER of one value). */
  readonly signedAttributes: ReadonlyMap<string, readonly Uint8Array[]>;
}

/**
 * Decodes a CMS ContentInfo/SignedData (RFC 5652) with exactly one
 * SignerInfo — a login has one signer — keeping the exact signed bytes.
 *
 * Walked with the DER reader rather than pkijs: measured on the login
 * benchmark, pkijs' schema matching took ~25 ms per token against well under
 * a millisecond here, and the structure is small and fixed. BER
 * indefinite lengths (Windows CAPI output) are normalised first; the test
 * suite cross-checks the result against pkijs.
 * @throws Error describing the structural problem (callers wrap it).
 */
export function parseCmsSignedData(input: Uint8Array): CmsSignedData {
  try {
    return parseDer(input);
  } catch (err) {
    // Only BER input pays for the rewrite; DER (and garbage) is walked once.
    if (!(err instanceof DerError)) throw err;
    const normalised = definiteLengths(input);
    if (normalised === input) throw err;
    return parseDer(normalised);
  }
}

function parseDer(der: Uint8Array): CmsSignedData {
  const [typeEl, wrapped] = childrenOf(expectTag(readRoot(der), 0x30, 'ContentInfo'));
  const type = knownOid(contentOf(expectTag(typeEl, 0x06, 'contentType')));
  if (type !== OID_SIGNED_DATA) throw new Error(`content type ${type} is not SignedData`);
  const sdEl = expectTag(childrenOf(expectTag(wrapped, 0xa0, 'content'))[0], 0x30, 'SignedData');
  const fields = childrenOf(sdEl);
  expectTag(fields[0], 0x02, 'version');
  expectTag(fields[1], 0x31, 'digestAlgorithms');
  const [eTypeEl, eContentEl] = childrenOf(expectTag(fields[2], 0x30, 'encapContentInfo'));
  const contentType = knownOid(contentOf(expectTag(eTypeEl, 0x06, 'eContentType')));
  let content: Uint8Array | undefined;
  if (eContentEl !== undefined) content = octets(expectTag(childrenOf(expectTag(eContentEl, 0xa0, 'eContent'))[0], eContentTag(eContentEl), 'eContent'));

  let i = 3;
  const certificates: Uint8Array[] = [];
  if (fields[i]?.tag === 0xa0) {
    for (const c of childrenOf(fields[i] as DerNode)) {
      if (c.tag === 0x30) certificates.push(encodingOf(c)); // other CertificateChoices are ignored
    }
    i++;
  }
  if (fields[i]?.tag === 0xa1) i++; // CRLs: revocation is checked online
  const signerInfos = childrenOf(expectTag(fields[i], 0x31, 'signerInfos'));
  if (signerInfos.length !== 1) throw new Error(`expected one signer, found ${signerInfos.length}`);
  const si = childrenOf(expectTag(signerInfos[0], 0x30, 'SignerInfo'));
  expectTag(si[0], 0x02, 'SignerInfo version');
  const sidEl = si[1];
  let signer: SignerIdentifier;
  if (sidEl?.tag === 0x30) {
    const [issuerEl, serialEl] = childrenOf(sidEl);
    signer = {
      issuerDer: encodingOf(expectTag(issuerEl, 0x30, 'issuer')),
      serialHex: integerHex(contentOf(expectTag(serialEl, 0x02, 'serialNumber'))),
    };
  } else if (sidEl?.tag === 0x80) {
    signer = { subjectKeyId: Buffer.from(contentOf(sidEl)).toString('hex') };
  } else {
    throw new Error('unsupported signer identifier');
  }
  const digestOid = algorithmOid(expectTag(si[2], 0x30, 'digestAlgorithm'));
  let j = 3;
  const signedAttributes = new Map<string, Uint8Array[]>();
  let signedAttributesDer: Uint8Array | undefined;
  if (si[j]?.tag === 0xa0) {
    const attrsEl = si[j] as DerNode;
    // What was signed is the SET OF encoding: same bytes, universal SET tag.
    signedAttributesDer = copyBytes(encodingOf(attrsEl));
    signedAttributesDer[0] = 0x31;
    for (const attr of childrenOf(attrsEl)) {
      const [oidEl, valuesEl] = childrenOf(expectTag(attr, 0x30, 'Attribute'));
      const oid = knownOid(contentOf(expectTag(oidEl, 0x06, 'attrType')));
      if (signedAttributes.has(oid)) throw new Error(`signed attribute ${oid} appears twice`);
      signedAttributes.set(
        oid,
        childrenOf(expectTag(valuesEl, 0x31, 'attrValues')).map((v) => encodingOf(v)),
      );
    }
    j++;
  }
  const signatureAlgorithmOid = algorithmOid(expectTag(si[j], 0x30, 'signatureAlgorithm'));
  const signature = contentOf(expectTag(si[j + 1], 0x04, 'signature'));
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

function algorithmOid(seq: DerNode): string {
  return knownOid(contentOf(expectTag(childrenOf(seq)[0], 0x06, 'algorithm')));
}

function eContentTag(wrapper: DerNode): number {
  return childrenOf(wrapper)[0]?.tag === 0x24 ? 0x24 : 0x04;
}

/** OCTET STRING content; a BER constructed OCTET STRING is concatenated. */
function octets(el: DerNode): Uint8Array {
  if (el.tag === 0x04) return contentOf(el);
  return new Uint8Array(Buffer.concat(childrenOf(el).map((c) => octets(expectTag(c, 0x04, 'OCTET STRING segment')))));
}
