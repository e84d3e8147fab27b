import { sign as rsaSign } from 'node:crypto';
import * as pkijs from 'pkijs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildCmsSignature } from '../../src/agent/index.js';
import { createTestPki, type CardHolderCredentials } from '../../src/testing/index.js';
import { derProblems, encapsulatedContent } from './strict-der.js';

let holder: CardHolderCredentials;

beforeAll(async () => {
  holder = await (await createTestPki()).issueCardHolder({ authority: 'moica' });
}, 60_000);

async function build(content: Uint8Array, extra: { cardNumber?: string; nonce?: Uint8Array } = {}): Promise<Uint8Array> {
  return buildCmsSignature({
    content,
    certificate: holder.sign.certificate,
    hash: 'sha256',
    signingTime: new Date('2026-11-30T10:00:00Z'),
    ...extra,
    sign: (attrs) => Promise.resolve(new Uint8Array(rsaSign('sha256', attrs, holder.sign.privateKey))),
  });
}

describe('PKCS#7 output of the agent', () => {
  it.each([
    ['short text', new Uint8Array(Buffer.from('twpki-login/1 challenge=abc'))],
    // pkijs splits content over 64 KiB into a constructed string; DER never does.
    ['content over 64 KiB', new Uint8Array(70_000).fill(0x41)],
  ])('encapsulates %s as one primitive OCTET STRING in a strictly DER SignedData', async (_name, content) => {
    const der = await build(content, { cardNumber: 'TP03000012340001', nonce: new Uint8Array([1, 2, 3]) });
    const { tag, content: carried } = encapsulatedContent(der);
    expect(tag).toBe(0x04);
    expect(Buffer.from(carried).equals(Buffer.from(content))).toBe(true);
    expect(derProblems(der)).toEqual([]);
    const sd = new pkijs.SignedData({ schema: pkijs.ContentInfo.fromBER(der).content });
    expect(await sd.verify({ signer: 0, checkChain: false })).toBe(true);
  });

  it('the strict check catches what the old output was (constructed content)', () => {
    // 04 inside a constructed 24: OCTET STRING { OCTET STRING 'a' } under the same nesting.
    const bad = Uint8Array.from([0x30, 0x06, 0x24, 0x04, 0x04, 0x02, 0x61, 0x62]);
    expect(derProblems(bad)).toEqual([expect.stringMatching(/constructed string/)]);
    expect(derProblems(Uint8Array.from([0x04, 0x81, 0x01, 0x61]))).toEqual([expect.stringMatching(/shortest form/)]);
    expect(derProblems(Uint8Array.from([0x31, 0x06, 0x02, 0x01, 0x05, 0x02, 0x01, 0x03]))).toEqual([expect.stringMatching(/DER order/)]);
  });
});
