import { createHash } from 'node:crypto';
import { nodeDigestName, verifyWith } from '../../algorithms.js';
import { contentBytes, decodeOid, decodeTime, readRoot } from '../../der/der-reader.js';
import { CMS_DATA, CmsAttribute } from '../cms-signed-data.js';
import { SignatureInvalidError } from '../errors.js';
import { need, type LoginContext } from './login-context.js';

/**
 * Step 3, signature. PKCS1: the RSA signature over the signed bytes.
 * PKCS7: the signer is the certificate, attached content (if any) is the
 * `tbs`, contentType is id-data, messageDigest matches, and the signature
 * covers the signed attributes (or, legacy, the content itself). Reads
 * signingTime, randomNonce and the card number attribute.
 */
export function verifySignature(ctx: LoginContext): void {
  const token = need(ctx, 'token');
  const cert = need(ctx, 'certificate');
  const scheme = need(ctx, 'scheme');
  const digest = need(ctx, 'digest');
  if (token.token.signatureType === 'PKCS1') {
    if (!verifyWith(cert.publicKey(), scheme, digest, token.signedBytes, token.signature)) {
      throw new SignatureInvalidError('the PKCS#1 signature does not verify with the certificate');
    }
    ctx.content = token.signedBytes;
    return;
  }
  const cms = need(ctx, 'cms');
  const signer = cms.signer;
  const named =
    'subjectKeyId' in signer
      ? cert.subjectKeyId === signer.subjectKeyId
      : cert.serialHex === signer.serialHex && Buffer.from(cert.issuerDer).equals(Buffer.from(signer.issuerDer));
  if (!named) throw new SignatureInvalidError('the CMS signer is not the certificate in the token');
  if (cms.contentType !== CMS_DATA) throw new SignatureInvalidError(`CMS content type ${cms.contentType} is not id-data`);
  const content = cms.content ?? token.signedBytes;
  if (cms.content !== undefined && !Buffer.from(cms.content).equals(Buffer.from(token.signedBytes))) {
    throw new SignatureInvalidError('the CMS attached content differs from "tbs"');
  }
  ctx.content = content;

  let signed: Uint8Array = content;
  if (cms.signedAttributesDer !== undefined) {
    const attrs = cms.signedAttributes;
    const one = (oid: string): Uint8Array | undefined => {
      const values = attrs.get(oid);
      if (values !== undefined && values.length !== 1) throw new SignatureInvalidError(`signed attribute ${oid} must have one value`);
      return values?.[0];
    };
    try {
      const ct = one(CmsAttribute.contentType);
      const md = one(CmsAttribute.messageDigest);
      if (ct === undefined || md === undefined) {
        throw new SignatureInvalidError('signed attributes lack contentType or messageDigest (RFC 5652 5.3)');
      }
      if (decodeOid(contentBytes(ct, readRoot(ct))) !== cms.contentType) {
        throw new SignatureInvalidError('the contentType attribute differs from the content type');
      }
      const mdEl = readRoot(md);
      const expected = createHash(nodeDigestName(digest)).update(content).digest();
      if (mdEl.tag !== 0x04 || !expected.equals(Buffer.from(contentBytes(md, mdEl)))) {
        throw new SignatureInvalidError('messageDigest does not match the signed content');
      }
      const st = one(CmsAttribute.signingTime);
      if (st !== undefined) {
        const el = readRoot(st);
        ctx.signingTime = decodeTime(el.tag, contentBytes(st, el));
      }
      const nonce = one(CmsAttribute.randomNonce);
      if (nonce !== undefined) ctx.randomNonce = Buffer.from(contentBytes(nonce, readRoot(nonce))).toString('hex');
      const card = one(CmsAttribute.cardNumber);
      if (card !== undefined) ctx.cardNumber = decodeCardNumber(card);
    } catch (err) {
      if (err instanceof SignatureInvalidError) throw err;
      throw new SignatureInvalidError(`a signed attribute is malformed: ${(err as Error).message}`);
    }
    signed = cms.signedAttributesDer;
  }
  if (!verifyWith(cert.publicKey(), scheme, digest, signed, cms.signature)) {
    throw new SignatureInvalidError('the CMS signature does not verify with the certificate');
  }
}

/**
 * The card number attribute's value type is not documented publicly; read
 * any string type as text, and an OCTET STRING as text when printable.
 */
function decodeCardNumber(der: Uint8Array): string {
  const el = readRoot(der);
  const bytes = Buffer.from(contentBytes(der, el));
  if (el.tag === 0x1e) return bytes.swap16().toString('utf16le');
  const text = bytes.toString(el.tag === 0x0c ? 'utf8' : 'latin1');
  if (el.tag === 0x04 && !/^[\x20-\x7e]+$/.test(text)) return bytes.toString('hex').toUpperCase();
  return text;
}
