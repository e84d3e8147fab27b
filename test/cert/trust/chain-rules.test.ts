import { beforeAll, describe, expect, it } from 'vitest';
import { AlgorithmPolicy, ChainValidationError, ChainValidator, TrustStore, TrustedCertificate } from '../../../src/cert/index.js';
import { cycleRule, defaultChainRules, type ChainRule } from '../../../src/cert/advanced.js';
import { createTestPki } from '../../../src/testing/pki/index.js';
import type { CardHolderCredentials, TestPki } from '../../../src/testing/pki/index.js';
import { chainFailure } from './helpers/chain-failure.js';
import { realCa } from './helpers/fixtures.js';

const now = new Date('2026-06-01T00:00:00Z');
let pki: TestPki;
let validator: ChainValidator;
let holder: CardHolderCredentials;

beforeAll(async () => {
  pki = await createTestPki({ now });
  holder = await pki.issueCardHolder({ authority: 'moica' });
  validator = new ChainValidator(new TrustStore({ anchors: [pki.root.certificate], intermediates: [pki.issuer('moica').certificate] }));
});

describe('chain validation over the generated test PKI', () => {
  it('accepts a MOICA signing certificate and returns leaf → issuing CA → root', () => {
    const chain = validator.validate(holder.sign.certificate, { at: now });
    expect(chain.path.map((c) => c.der)).toEqual([holder.sign.certificate, ...holder.chain]);
  });

  it('uses intermediates supplied per call', () => {
    const rootOnly = new ChainValidator(new TrustStore({ anchors: [pki.root.certificate] }));
    expect(chainFailure(() => rootOnly.validate(holder.sign.certificate, { at: now })).code).toBe('ISSUER_NOT_FOUND');
    expect(rootOnly.validate(holder.sign.certificate, { at: now, intermediates: [pki.issuer('moica').certificate] }).path).toHaveLength(3);
  });

  it('rejects an expired and a not-yet-valid certificate', async () => {
    const expired = await pki.issueCertificate({
      issuer: pki.issuer('moica'),
      subject: 'C=TW, CN=過期',
      keyUsage: ['digitalSignature'],
      notBefore: new Date('2025-07-01T00:00:00Z'),
      notAfter: new Date('2026-01-01T00:00:00Z'),
    });
    expect(chainFailure(() => validator.validate(expired.certificate, { at: now })).code).toBe('CHAIN_CERT_EXPIRED');
    expect(validator.validate(expired.certificate, { at: new Date('2025-10-01T00:00:00Z') }).path).toHaveLength(3);
    const future = await pki.issueCertificate({
      issuer: pki.issuer('moica'),
      subject: 'C=TW, CN=未來',
      notBefore: new Date('2027-01-01T00:00:00Z'),
      notAfter: new Date('2028-01-01T00:00:00Z'),
    });
    expect(chainFailure(() => validator.validate(future.certificate, { at: now })).code).toBe('CHAIN_CERT_NOT_YET_VALID');
  });

  it('rejects a bad signature', () => {
    const tampered = new Uint8Array(holder.sign.certificate);
    tampered[tampered.length - 1] = (tampered[tampered.length - 1] ?? 0) ^ 0xff;
    const err = chainFailure(() => validator.validate(tampered, { at: now }));
    expect(err.code).toBe('BAD_SIGNATURE');
    expect(err.subject).toContain('CN=');
  });

  it('rejects a certificate from a CA with the issuing CA name but another key (wrong issuer)', async () => {
    const moica = TrustedCertificate.from(pki.issuer('moica').certificate);
    const impostor = await pki.issueCertificate({ issuer: 'root', subject: moica.subject(), isCa: true, keyUsage: ['keyCertSign', 'cRLSign'] });
    const leaf = await pki.issueCertificate({ issuer: impostor, subject: 'C=TW, CN=冒名', keyUsage: ['digitalSignature'] });
    expect(TrustedCertificate.from(leaf.certificate).issuer()).toBe(moica.subject());
    const err = chainFailure(() => validator.validate(leaf.certificate, { at: now }));
    expect(err.code).toBe('ISSUER_NOT_FOUND');
    expect(err.message).toContain(TrustedCertificate.from(impostor.certificate).subjectKeyId);
  });

  it('rejects a path through a certificate that is not a CA', async () => {
    const child = await pki.issueCertificate({ issuer: holder.sign, subject: 'C=TW, CN=冒充' });
    const err = chainFailure(() => validator.validate(child.certificate, { at: now, intermediates: [holder.sign.certificate] }));
    expect(err.code).toBe('NOT_A_CA');
  });

  it('enforces pathLenConstraint of the issuing CA', async () => {
    expect(TrustedCertificate.from(pki.issuer('moica').certificate).basicConstraints?.pathLength).toBe(0);
    const sub = await pki.issueCertificate({
      issuer: pki.issuer('moica'),
      subject: 'C=TW, O=行政院, OU=子CA',
      isCa: true,
      keyUsage: ['keyCertSign', 'cRLSign'],
    });
    const leaf = await pki.issueCertificate({ issuer: sub, subject: 'C=TW, CN=孫', keyUsage: ['digitalSignature'] });
    expect(chainFailure(() => validator.validate(leaf.certificate, { at: now, intermediates: [sub.certificate] })).code).toBe(
      'PATH_LENGTH_EXCEEDED',
    );
  });

  it('requires keyCertSign of an issuer that has keyUsage', async () => {
    const ca = await pki.issueCertificate({ issuer: 'root', subject: 'C=TW, OU=無簽發權', isCa: true, keyUsage: ['digitalSignature'] });
    const leaf = await pki.issueCertificate({ issuer: ca, subject: 'C=TW, CN=葉' });
    expect(chainFailure(() => validator.validate(leaf.certificate, { at: now, intermediates: [ca.certificate] })).code).toBe(
      'ISSUER_KEY_USAGE',
    );
  });

  it('detects a cycle of cross-certified CAs that never reaches an anchor', async () => {
    const a0 = await pki.issueCertificate({ issuer: 'root', subject: 'C=TW, OU=A', isCa: true, keyUsage: ['keyCertSign'] });
    const b0 = await pki.issueCertificate({ issuer: 'root', subject: 'C=TW, OU=B', isCa: true, keyUsage: ['keyCertSign'] });
    const aByB = await pki.issueCertificate({ issuer: b0, subject: 'C=TW, OU=A', isCa: true, keyUsage: ['keyCertSign'], keyPair: a0 });
    const bByA = await pki.issueCertificate({ issuer: a0, subject: 'C=TW, OU=B', isCa: true, keyUsage: ['keyCertSign'], keyPair: b0 });
    const leaf = await pki.issueCertificate({ issuer: a0, subject: 'C=TW, CN=環' });
    const v = new ChainValidator(new TrustStore({ anchors: [realCa('grca-g3')], intermediates: [aByB.certificate, bByA.certificate] }));
    expect(chainFailure(() => v.validate(leaf.certificate, { at: now })).code).toBe('CHAIN_CYCLE');
  });

  it('the cycle rule refuses a path with any certificate twice, adjacent or not', () => {
    const chain = validator.validate(holder.sign.certificate, { at: now });
    const [leaf, ca, root] = chain.path as [TrustedCertificate, TrustedCertificate, TrustedCertificate];
    const judge = (path: TrustedCertificate[]): string => {
      const context = { path, at: now, leafAlgorithms: AlgorithmPolicy.modern(), caAlgorithms: AlgorithmPolicy.withSha1() };
      try {
        cycleRule.check(context);
        return 'ok';
      } catch (err) {
        return (err as ChainValidationError).code;
      }
    };
    expect([judge([leaf, ca, root]), judge([leaf, ca, leaf]), judge([leaf, ca, ca, root]), judge([leaf, root, ca, root])]).toEqual([
      'ok',
      'CHAIN_CYCLE',
      'CHAIN_CYCLE',
      'CHAIN_CYCLE',
    ]);
  });

  it('refuses SHA-1 on end-entity certificates but not on CA certificates by default', async () => {
    const leaf = await pki.issueCertificate({ issuer: pki.issuer('moica'), subject: 'C=TW, CN=舊', signatureHash: 'SHA-1' });
    expect(chainFailure(() => validator.validate(leaf.certificate, { at: now })).code).toBe('CHAIN_ALGORITHM_NOT_ALLOWED');
  });

  it('rejects a critical extension it does not process, accepts a non-critical one', async () => {
    const ext = { oid: '1.2.3.4.5', value: new Uint8Array([0x05, 0x00]) };
    const critical = await pki.issueCertificate({ issuer: pki.issuer('moica'), subject: 'C=TW, CN=關鍵', extraExtensions: [{ ...ext, critical: true }] });
    expect(chainFailure(() => validator.validate(critical.certificate, { at: now })).code).toBe('UNKNOWN_CRITICAL_EXTENSION');
    const plain = await pki.issueCertificate({ issuer: pki.issuer('moica'), subject: 'C=TW, CN=普通', extraExtensions: [{ ...ext, critical: false }] });
    expect(validator.validate(plain.certificate, { at: now }).path).toHaveLength(3);
  });

  it('stops at maxDepth', () => {
    const shallow = new ChainValidator(validator.store, { maxDepth: 2 });
    expect(chainFailure(() => shallow.validate(holder.sign.certificate, { at: now })).code).toBe('CHAIN_TOO_LONG');
  });

  it('runs exactly the rules of its registry', () => {
    const tampered = new Uint8Array(holder.sign.certificate);
    tampered[tampered.length - 1] = (tampered[tampered.length - 1] ?? 0) ^ 0xff;
    const seen: number[] = [];
    const spy: ChainRule = { name: 'spy', check: ({ path }) => void seen.push(path.length) };
    const noSignatures = new ChainValidator(validator.store, { rules: [...defaultChainRules.filter((r) => r.name !== 'signature'), spy] });
    expect(noSignatures.validate(tampered, { at: now }).path).toHaveLength(3);
    expect(seen).toEqual([3]);
  });

  it('names what is wrong with input that is not a certificate', () => {
    const err = chainFailure(() => validator.validate(new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x01]), { at: now }));
    expect(err.code).toBe('MALFORMED_CERTIFICATE');
    expect(err.message).toMatch(/not a certificate/);
  });
});
