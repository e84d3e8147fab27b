import { hash } from 'node:crypto';
import { bufferOf, isHexOf, toHex } from '../../../../shared/bytes.js';
import { nodeDigestName, verifyWith, type DigestName } from '../../algorithms.js';
import { namesSigner } from '../cms-signer.js';
import { CMS_DATA, type CmsSignedData } from '../cms-signed-data.js';
import { readSignedAttributes, type CmsSignedAttributes } from '../cms-signed-attributes.js';
import { SignatureInvalidError } from '../errors.js';
import { need, type SignerContext } from '../signer-context.js';

/**
 * Signature, CMS: the SignerInfo names the signer certificate, the content
 * type is id-data, and either the signed attributes (contentType and
 * messageDigest over `content`) or, legacy shape, `content` itself verify
 * with the certificate's key. Returns the signed attributes, `undefined`
 * for the legacy shape.
 */
export function verifyCmsSignature(ctx: SignerContext, cms: CmsSignedData, content: Uint8Array): CmsSignedAttributes | undefined {
  const cert = need(ctx, 'certificate');
  const scheme = need(ctx, 'scheme');
  const digest = need(ctx, 'digest');
  if (!namesSigner(cert, cms.signer)) throw new SignatureInvalidError('the CMS signer is not the given certificate');
  if (cms.contentType !== CMS_DATA) throw new SignatureInvalidError(`CMS content type ${cms.contentType} is not id-data`);
  const attributes = readSignedAttributes(cms);
  let signed: Uint8Array = content;
  if (attributes !== undefined && cms.signedAttributesDer !== undefined) {
    if (attributes.contentType !== cms.contentType) {
      throw new SignatureInvalidError('the contentType attribute differs from the content type');
    }
    // Compared as hex: a digest string is made on V8's heap, a digest Buffer
    // outside it (twice the cost per login); the attribute's octets are
    // compared with it in place.
    if (!isHexOf(hash(nodeDigestName(digest), content, 'hex'), attributes.messageDigest)) {
      const expected = toHex(attributes.messageDigest);
      throw new SignatureInvalidError(`messageDigest does not match the signed content${textModeHint(digest, content, expected)}`);
    }
    signed = cms.signedAttributesDer;
  }
  if (!verifyWith(cert.publicKey(), scheme, digest, signed, cms.signature)) {
    throw new SignatureInvalidError('the CMS signature does not verify with the certificate');
  }
  return attributes;
}

/** Content larger than this gets no text-mode hint: the refusal stands anyway, and the hint is a second pass. */
const HINT_MAX_BYTES = 1024 * 1024;

/**
 * For a refusal's message only: whether `content` with its bare LF line ends
 * made CRLF has the digest the signer signed — what S/MIME text mode
 * (`openssl cms -sign` without `-binary`) signs. The content given is still
 * not what was signed, so the signature is refused all the same. Bounded:
 * content up to {@link HINT_MAX_BYTES}, copied once into a buffer at most
 * twice its size.
 */
function textModeHint(digest: DigestName, content: Uint8Array, expected: string): string {
  if (content.length > HINT_MAX_BYTES) return '';
  const bytes = bufferOf(content);
  if (!bytes.includes(0x0a)) return '';
  const crlf = Buffer.allocUnsafe(bytes.length * 2);
  let n = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] as number;
    if (b === 0x0a && (i === 0 || bytes[i - 1] !== 0x0d)) crlf[n++] = 0x0d;
    crlf[n++] = b;
  }
  if (hash(nodeDigestName(digest), crlf.subarray(0, n), 'hex') !== expected) return '';
  return ' (it matches the content with CRLF line ends: the signer canonicalised text, as S/MIME text mode does; pass the bytes that were signed)';
}
