import { createHash } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import type { SignatureHash } from '../apdu/index.js';

const OID = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  randomNonce: '1.2.840.113549.1.9.25.3',
  cardNumber: '2.16.886.1.100.2.204',
  rsaEncryption: '1.2.840.113549.1.1.1',
} as const;

const DIGEST_OID: Readonly<Record<SignatureHash, string>> = {
  sha1: '1.3.14.3.2.26',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
};

/** What goes into a PKCS#7 signature made through the agent. */
export interface CmsSignatureInput {
  /** Content to sign (encapsulated in the SignedData). */
  content: Uint8Array;
  /** The signer's certificate (DER). */
  certificate: Uint8Array;
  /** Digest algorithm for the content digest and for the card's signature. */
  hash: SignatureHash;
  /** Time put in the PKCS#9 signingTime signed attribute (encoded as UTCTime). */
  signingTime: Date;
  /** Card number to carry as signed attribute 2.16.886.1.100.2.204. */
  cardNumber?: string;
  /** Caller nonce to carry as PKCS#9 randomNonce. */
  nonce?: Uint8Array;
  /** Signs the DER of the signed attributes with the card (hashing included). */
  sign(signedAttributesDer: Uint8Array): Promise<Uint8Array>;
}

function attribute(type: string, value: asn1js.AsnType): pkijs.Attribute {
  return new pkijs.Attribute({ type, values: [value] });
}

function compareDer(a: pkijs.Attribute, b: pkijs.Attribute): number {
  // Equal-length prefixes are impossible here (distinct attribute types), so a byte compare is the DER order.
  return Buffer.compare(Buffer.from(a.toSchema().toBER(false)), Buffer.from(b.toSchema().toBER(false)));
}

/**
 * The encapsulated content as a primitive OCTET STRING, as DER requires.
 * pkijs splits content given to its constructor into a constructed (BER)
 * string, so the content is set after construction.
 */
function primitiveContent(content: Uint8Array): pkijs.EncapsulatedContentInfo {
  const info = new pkijs.EncapsulatedContentInfo({ eContentType: OID.data });
  info.eContent = new asn1js.OctetString({ valueHex: content });
  return info;
}

/**
 * Builds a DER CMS SignedData (PKCS#7) with the content attached and signed
 * attributes, signed by the card: the card signs the DER SET OF the signed
 * attributes, as RFC 5652 §5.4 requires.
 */
export async function buildCmsSignature(input: CmsSignatureInput): Promise<Uint8Array> {
  const certificate = pkijs.Certificate.fromBER(input.certificate);
  const digest = createHash(input.hash).update(input.content).digest();
  const attributes = [
    attribute(OID.contentType, new asn1js.ObjectIdentifier({ value: OID.data })),
    attribute(OID.signingTime, new asn1js.UTCTime({ valueDate: input.signingTime })),
    attribute(OID.messageDigest, new asn1js.OctetString({ valueHex: digest })),
  ];
  if (input.cardNumber !== undefined) attributes.push(attribute(OID.cardNumber, new asn1js.PrintableString({ value: input.cardNumber })));
  if (input.nonce !== undefined) attributes.push(attribute(OID.randomNonce, new asn1js.OctetString({ valueHex: input.nonce })));
  // DER orders a SET OF by the elements' encodings; the [0] field and the signed SET must agree.
  attributes.sort((a, b) => compareDer(a, b));
  const signedAttrs = new pkijs.SignedAndUnsignedAttributes({ type: 0, attributes });

  // The signature covers the attributes encoded as a SET (tag 0x31), not as [0].
  const setOf = new asn1js.Set({ value: attributes.map((a) => a.toSchema()) });
  const signature = await input.sign(new Uint8Array(setOf.toBER(false)));

  const signerInfo = new pkijs.SignerInfo({
    version: 1,
    sid: new pkijs.IssuerAndSerialNumber({ issuer: certificate.issuer, serialNumber: certificate.serialNumber }),
    digestAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: DIGEST_OID[input.hash], algorithmParams: new asn1js.Null() }),
    signedAttrs,
    signatureAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: OID.rsaEncryption, algorithmParams: new asn1js.Null() }),
    signature: new asn1js.OctetString({ valueHex: signature }),
  });
  const signedData = new pkijs.SignedData({
    version: 1,
    digestAlgorithms: [new pkijs.AlgorithmIdentifier({ algorithmId: DIGEST_OID[input.hash], algorithmParams: new asn1js.Null() })],
    encapContentInfo: primitiveContent(input.content),
    certificates: [certificate],
    signerInfos: [signerInfo],
  });
  const contentInfo = new pkijs.ContentInfo({ contentType: OID.signedData, content: signedData.toSchema(true) });
  return new Uint8Array(contentInfo.toSchema().toBER(false));
}
