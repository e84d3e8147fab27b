import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseCmsSignedData } from '../../../src/cert/trust/verification/cms-signed-data.js';
import { definiteLengths } from '../../../src/shared/der/ber-definite.js';
import { createTestPki, type CardHolderCredentials } from '../../../src/testing/pki/index.js';
import { signLogin } from './helpers/login-signer.js';

let holder: CardHolderCredentials;

beforeAll(async () => {
  holder = await (await createTestPki()).issueCardHolder({ authority: 'moica' });
});

function cms(options: { attached?: boolean; indefiniteLength?: boolean } = {}): Uint8Array {
  const token = signLogin({ tbs: 'hello', certificate: holder.sign.certificate, privateKey: holder.sign.privateKey, cardNumber: 'TP03', ...options });
  return new Uint8Array(Buffer.from(token['signature'] ?? '', 'base64'));
}

describe('CMS SignedData parser', () => {
  it('agrees with pkijs on signer, algorithms, signed attributes and signature', () => {
    for (const attached of [false, true]) {
      const der = cms({ attached });
      const ours = parseCmsSignedData(der);
      const sd = new pkijs.SignedData({ schema: new pkijs.ContentInfo({ schema: asn1js.fromBER(der).result }).content });
      const si = sd.signerInfos[0] as pkijs.SignerInfo;
      expect(ours.digestOid).toBe(si.digestAlgorithm.algorithmId);
      expect(ours.signatureAlgorithmOid).toBe(si.signatureAlgorithm.algorithmId);
      expect(Buffer.from(ours.signature)).toEqual(Buffer.from(si.signature.valueBlock.valueHexView));
      expect(Buffer.from(ours.signedAttributesDer ?? [])).toEqual(Buffer.from(si.signedAttrs?.encodedValue ?? new ArrayBuffer(0)));
      expect([...ours.signedAttributes.keys()].sort()).toEqual(si.signedAttrs?.attributes.map((a) => a.type).sort());
      expect(ours.content === undefined).toBe(sd.encapContentInfo.eContent === undefined);
      if (attached) expect(Buffer.from(ours.content ?? []).toString()).toBe('hello');
      expect(ours.certificates).toHaveLength(1);
    }
  });

  it('counts several SignerInfos, asks the choice about each, and refuses more than 16 before asking about any', () => {
    const der = cms();
    const withSigners = (n: number): Uint8Array => {
      const sd = new pkijs.SignedData({ schema: new pkijs.ContentInfo({ schema: asn1js.fromBER(der).result }).content });
      const one = sd.signerInfos[0] as pkijs.SignerInfo;
      sd.signerInfos = Array.from({ length: n }, () => one);
      return new Uint8Array(new pkijs.ContentInfo({ contentType: '1.2.840.113549.1.7.2', content: sd.toSchema(true) }).toSchema().toBER());
    };
    let asked = 0;
    const never = (): boolean => (asked++, false);
    expect(parseCmsSignedData(withSigners(16), undefined, never).signerCount).toBe(16);
    expect(asked).toBe(16);
    asked = 0;
    expect(() => parseCmsSignedData(withSigners(17), undefined, never)).toThrow('more than 16 signers');
    expect(asked).toBe(0);
    // Without a choice (a login token), two are already refused.
    expect(() => parseCmsSignedData(withSigners(2))).toThrow('expected one signer, found 2');
  });

  it('reads BER indefinite-length encodings and keeps the signed bytes intact', () => {
    const ber = cms({ indefiniteLength: true });
    expect(ber[1]).toBe(0x80);
    const parsed = parseCmsSignedData(ber);
    expect(parsed.signedAttributes.get('2.16.886.1.100.2.204')).toHaveLength(1);
    expect(parsed.signedAttributesDer?.[0]).toBe(0x31);
  });

  it('returns DER input unchanged from the BER normaliser and rejects broken BER', () => {
    const der = cms();
    expect(definiteLengths(der)).toBe(der);
    expect(() => definiteLengths(new Uint8Array([0x30, 0x80, 0x02, 0x01, 0x01]))).toThrow(/end-of-contents/);
    expect(() => definiteLengths(new Uint8Array([0x04, 0x80, 0x00, 0x00]))).toThrow(/primitive/);
  });

  it('rejects more than one signer and non-SignedData content', () => {
    expect(() => parseCmsSignedData(new Uint8Array([0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01, 0xa0, 0x00]))).toThrow(
      /not SignedData/,
    );
  });
});
