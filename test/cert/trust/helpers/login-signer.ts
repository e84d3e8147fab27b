import { createHash, sign, type KeyObject } from 'node:crypto';
import { TrustedCertificate } from '../../../../src/cert/trust/trusted-certificate.js';
import {
  explicit,
  generalizedTime,
  integerFromHex,
  NULL,
  octetString,
  objectIdentifier,
  sequence,
  tlv,
} from '../../../../src/testing/der/der-writer.js';

/** Mimics the local component's `/sign` for tests: returns the token fields. */
export interface SignOptions {
  tbs: string;
  certificate: Uint8Array;
  privateKey: KeyObject;
  signatureType?: 'PKCS1' | 'PKCS7';
  hash?: 'SHA1' | 'SHA256' | 'SHA384' | 'SHA512';
  /** PKCS7: put the content inside (default false: detached). */
  attached?: boolean;
  /** PKCS7: omit signed attributes (legacy shape). */
  noSignedAttributes?: boolean;
  cardNumber?: string;
  nonce?: Uint8Array;
  signingTime?: Date;
  /** PKCS7: override messageDigest. */
  messageDigest?: Uint8Array;
  /** PKCS7: extra certificates to embed. */
  extraCertificates?: Uint8Array[];
  /** Omit certb64 from the token. */
  omitCertb64?: boolean;
  cardSN?: string;
  /** PKCS7: BER indefinite lengths on ContentInfo and SignedData, as Windows CAPI writes them. */
  indefiniteLength?: boolean;
}

function indefinite(tag: number, ...parts: Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat([Buffer.from([tag, 0x80]), ...parts, Buffer.from([0, 0])]));
}

/** The content octets of a definite-length element (test inputs only). */
function inner(der: Uint8Array): Uint8Array {
  const first = der[1] ?? 0;
  const skip = first < 0x80 ? 2 : 2 + (first & 0x7f);
  return der.subarray(skip);
}

const DIGEST_OID = { SHA1: '1.3.14.3.2.26', SHA256: '2.16.840.1.101.3.4.2.1', SHA384: '2.16.840.1.101.3.4.2.2', SHA512: '2.16.840.1.101.3.4.2.3' };

function setOf(items: Uint8Array[]): Uint8Array {
  const sorted = [...items].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  return tlv(0x31, new Uint8Array(Buffer.concat(sorted)));
}

function attribute(type: string, value: Uint8Array): Uint8Array {
  return sequence(objectIdentifier(type), setOf([value]));
}

export function signLogin(o: SignOptions): Record<string, string> {
  const hash = o.hash ?? 'SHA256';
  const node = hash.toLowerCase();
  const content = Buffer.from(o.tbs, 'utf8');
  const token: Record<string, string> = { signatureType: o.signatureType ?? 'PKCS7', tbs: o.tbs, hashAlgorithm: hash };
  if (!o.omitCertb64) token['certb64'] = Buffer.from(o.certificate).toString('base64');
  if (o.cardSN !== undefined) token['cardSN'] = o.cardSN;
  if ((o.signatureType ?? 'PKCS7') === 'PKCS1') {
    token['signature'] = sign(node, content, o.privateKey).toString('base64');
    return token;
  }
  const cert = TrustedCertificate.from(o.certificate);
  const digestAlg = sequence(objectIdentifier(DIGEST_OID[hash]), NULL);
  let signedAttrs: Uint8Array | undefined;
  let toSign: Uint8Array = content;
  if (!o.noSignedAttributes) {
    const attrs = [
      attribute('1.2.840.113549.1.9.3', objectIdentifier('1.2.840.113549.1.7.1')),
      attribute('1.2.840.113549.1.9.4', octetString(o.messageDigest ?? new Uint8Array(createHash(node).update(content).digest()))),
      attribute('1.2.840.113549.1.9.5', tlv(0x17, generalizedTime(o.signingTime ?? new Date()).subarray(4))),
    ];
    if (o.cardNumber !== undefined) attrs.push(attribute('2.16.886.1.100.2.204', tlv(0x13, new Uint8Array(Buffer.from(o.cardNumber)))));
    if (o.nonce !== undefined) attrs.push(attribute('1.2.840.113549.1.9.25.3', octetString(o.nonce)));
    const set = setOf(attrs);
    toSign = set;
    signedAttrs = new Uint8Array(set);
    signedAttrs[0] = 0xa0;
  }
  const signature = sign(node, toSign, o.privateKey);
  const signerInfo = sequence(
    integerFromHex('01'),
    sequence(cert.issuerDer, integerFromHex(cert.serialHex)),
    digestAlg,
    ...(signedAttrs === undefined ? [] : [signedAttrs]),
    sequence(objectIdentifier('1.2.840.113549.1.1.1'), NULL),
    octetString(new Uint8Array(signature)),
  );
  const certs = [o.certificate, ...(o.extraCertificates ?? [])];
  const signedData = sequence(
    integerFromHex('01'),
    setOf([digestAlg]),
    sequence(objectIdentifier('1.2.840.113549.1.7.1'), ...(o.attached ? [explicit(0, octetString(new Uint8Array(content)))] : [])),
    tlv(0xa0, new Uint8Array(Buffer.concat(certs))),
    setOf([signerInfo]),
  );
  const contentInfo = o.indefiniteLength
    ? indefinite(0x30, objectIdentifier('1.2.840.113549.1.7.2'), indefinite(0xa0, indefinite(0x30, inner(signedData))))
    : sequence(objectIdentifier('1.2.840.113549.1.7.2'), explicit(0, signedData));
  token['signature'] = Buffer.from(contentInfo).toString('base64');
  return token;
}
