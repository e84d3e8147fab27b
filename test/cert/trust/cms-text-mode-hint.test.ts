/**
 * A detached document whose content arrives with LF line ends while the signer signed CRLF (S/MIME text mode) is
 * refused, and the message says why — for content up to 1 MiB. The hint is a second pass over the content, paid by
 * whoever sends a mismatch: above that size it is left out (before, 8 MiB of LF cost a second of blocked event loop
 * and 250 MB, and 268 MB ran the process out of heap). Found by the session's second review.
 */
import { describe, expect, it } from 'vitest';
import { SignatureInvalidError, SignedDocumentVerifierBuilder } from '../../../src/cert/index.js';
import { createTestPki } from '../../../src/testing/pki/index.js';
import { pkijsCms } from './helpers/pkijs-signer.js';

describe('the text-mode hint of a messageDigest refusal', () => {
  it('is given up to 1 MiB of content and left out above, the refusal the same', async () => {
    const pki = await createTestPki({ authorities: ['moica'] });
    const holder = await pki.issueCardHolder({ authority: 'moica' });
    const verifier = new SignedDocumentVerifierBuilder()
      .withTrustAnchors(pki.root.certificate)
      .withIntermediates(pki.issuer('moica').certificate)
      .withoutRevocationCheck()
      .build();
    const refusal = async (lines: number): Promise<SignatureInvalidError> => {
      const lf = Buffer.from('第一行 line\n'.repeat(lines));
      const crlf = Buffer.from(lf.toString('utf8').replace(/\n/g, '\r\n'));
      const signature = await pkijsCms({ content: new Uint8Array(crlf), certificate: holder.sign.certificate, privateKey: holder.sign.privateKey, attached: false });
      await expect(verifier.verify({ format: 'cms', signature, content: new Uint8Array(crlf) })).resolves.toBeDefined();
      const error = await verifier.verify({ format: 'cms', signature, content: new Uint8Array(lf) }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SignatureInvalidError);
      return error as SignatureInvalidError;
    };
    expect((await refusal(1_000)).message).toMatch(/messageDigest does not match the signed content \(it matches the content with CRLF line ends/);
    const large = await refusal(120_000); // about 1.8 MiB
    expect(large.message).toBe('messageDigest does not match the signed content');
  }, 60_000);
});
