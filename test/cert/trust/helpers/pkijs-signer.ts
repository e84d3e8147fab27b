import { createHash, webcrypto, type KeyObject } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';

// "Other software": pkijs signs with WebCrypto, independent of twpki's own CMS code.
pkijs.setEngine('node', new pkijs.CryptoEngine({ name: 'node', crypto: webcrypto as unknown as ConstructorParameters<typeof pkijs.CryptoEngine>[0]['crypto'] }));

/** How a third-party CMS is made. */
export interface ThirdPartyCmsOptions {
  content: Uint8Array;
  certificate: Uint8Array;
  privateKey: KeyObject;
  hash?: 'SHA-1' | 'SHA-256';
  /** Put the content inside (default true). */
  attached?: boolean;
  /** Signed attributes contentType, messageDigest, signingTime (+ card number); default true. */
  signedAttributes?: boolean;
  signingTime?: Date;
  cardNumber?: string;
  /** Certificates to embed besides the signer's. */
  extraCertificates?: Uint8Array[];
}

function attribute(type: string, value: asn1js.AsnType): pkijs.Attribute {
  return new pkijs.Attribute({ type, values: [value] });
}

/** A one-signer CMS SignedData made by pkijs' own `SignedData.sign`. */
export async function pkijsCms(o: ThirdPartyCmsOptions): Promise<Uint8Array> {
  const hash = o.hash ?? 'SHA-256';
  const cert = pkijs.Certificate.fromBER(o.certificate);
  const key = await webcrypto.subtle.importKey(
    'pkcs8',
    o.privateKey.export({ type: 'pkcs8', format: 'der' }),
    { name: 'RSASSA-PKCS1-v1_5', hash },
    false,
    ['sign'],
  );
  const withAttributes = o.signedAttributes ?? true;
  const attributes = withAttributes
    ? [
        attribute('1.2.840.113549.1.9.3', new asn1js.ObjectIdentifier({ value: '1.2.840.113549.1.7.1' })),
        attribute('1.2.840.113549.1.9.4', new asn1js.OctetString({ valueHex: createHash(hash.replace('-', '').toLowerCase()).update(o.content).digest() })),
        attribute('1.2.840.113549.1.9.5', new asn1js.UTCTime({ valueDate: o.signingTime ?? new Date() })),
        ...(o.cardNumber === undefined ? [] : [attribute('2.16.886.1.100.2.204', new asn1js.PrintableString({ value: o.cardNumber }))]),
      ]
    : undefined;
  const attached = o.attached ?? true;
  const signedData = new pkijs.SignedData({
    version: 1,
    encapContentInfo: new pkijs.EncapsulatedContentInfo({
      eContentType: '1.2.840.113549.1.7.1',
      ...(attached ? { eContent: new asn1js.OctetString({ valueHex: o.content }) } : {}),
    }),
    signerInfos: [
      new pkijs.SignerInfo({
        version: 1,
        sid: new pkijs.IssuerAndSerialNumber({ issuer: cert.issuer, serialNumber: cert.serialNumber }),
        ...(attributes === undefined ? {} : { signedAttrs: new pkijs.SignedAndUnsignedAttributes({ type: 0, attributes }) }),
      }),
    ],
    certificates: [cert, ...(o.extraCertificates ?? []).map((c) => pkijs.Certificate.fromBER(c))],
  });
  await signedData.sign(key, 0, hash, attached ? undefined : o.content);
  const info = new pkijs.ContentInfo({ contentType: pkijs.ContentInfo.SIGNED_DATA, content: signedData.toSchema(true) });
  return new Uint8Array(info.toSchema().toBER(false));
}
