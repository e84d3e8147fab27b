import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { ChainValidationError, ChainValidator, TrustStore, TrustedCertificate } from '../../../src/cert/index.js';
import { IssuingChainCache, defaultChainRules, type ChainRule } from '../../../src/cert/advanced.js';
import { createTestPki, type CardHolderCredentials, type TestPki } from '../../../src/testing/pki/index.js';

const now = new Date('2026-06-01T00:00:00Z');
let pki: TestPki;
let alice: CardHolderCredentials;
let bob: CardHolderCredentials;

beforeAll(async () => {
  pki = await createTestPki({ now });
  alice = await pki.issueCardHolder({ authority: 'moica' });
  bob = await pki.issueCardHolder({ authority: 'moica', commonName: '林小美' });
});

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof ChainValidationError) return err.code;
    throw err;
  }
  throw new Error('expected a ChainValidationError');
}

/** A validator whose extra last rule records whether the issuing chain counted as verified. */
function probed(store: TrustStore): { validator: ChainValidator; seen: boolean[] } {
  const seen: boolean[] = [];
  const probe: ChainRule = { name: 'probe', check: (ctx) => void seen.push(ctx.issuingChainVerified === true) };
  return { validator: new ChainValidator(store, { rules: [...defaultChainRules, probe] }), seen };
}

function flipLastByte(der: Uint8Array): Uint8Array {
  const copy = Uint8Array.from(der);
  copy[copy.length - 1] = (copy[copy.length - 1] ?? 0) ^ 0x01;
  return copy;
}

const moicaStore = (): TrustStore => new TrustStore({ anchors: [pki.root.certificate], intermediates: [pki.issuer('moica').certificate] });

describe('issuing-chain cache', () => {
  it('verifies the CA links once: the second user reuses them, with the same path', () => {
    const { validator, seen } = probed(moicaStore());
    const first = validator.validate(alice.sign.certificate, { at: now });
    const second = validator.validate(bob.sign.certificate, { at: now });
    expect(seen).toEqual([false, true]);
    expect(validator.issuingChains?.size).toBe(1);
    expect(second.path.slice(1).map((c) => c.fingerprint)).toEqual(first.path.slice(1).map((c) => c.fingerprint));
    expect(second.path[0]?.der).toEqual(bob.sign.certificate);
  });

  it('still verifies every user certificate: a broken signature under a cached chain is rejected', () => {
    const validator = new ChainValidator(moicaStore());
    validator.validate(alice.sign.certificate, { at: now });
    expect(validator.issuingChains?.size).toBe(1);
    expect(code(() => validator.validate(flipLastByte(bob.sign.certificate), { at: now }))).toBe('BAD_SIGNATURE');
  });

  it('never vouches for a different CA certificate: a tampered intermediate is verified and rejected', () => {
    const validator = new ChainValidator(new TrustStore({ anchors: [pki.root.certificate] }));
    validator.validate(alice.sign.certificate, { at: now, intermediates: [pki.issuer('moica').certificate] });
    const tampered = flipLastByte(pki.issuer('moica').certificate);
    expect(code(() => validator.validate(bob.sign.certificate, { at: now, intermediates: [tampered] }))).toBe('BAD_SIGNATURE');
  });

  it('drops a chain once a CA in it has expired, and the expiry is still reported', async () => {
    const shortCa = await pki.issueCertificate({
      issuer: 'root',
      subject: 'C=TW, OU=短期 CA',
      isCa: true,
      keyUsage: ['keyCertSign', 'cRLSign'],
      notBefore: new Date('2026-01-01T00:00:00Z'),
      notAfter: new Date('2026-07-01T00:00:00Z'),
    });
    const leaf = await pki.issueCertificate({
      issuer: shortCa,
      subject: 'C=TW, CN=葉',
      keyUsage: ['digitalSignature'],
      notBefore: new Date('2026-01-01T00:00:00Z'),
      notAfter: new Date('2026-12-01T00:00:00Z'),
    });
    const { validator, seen } = probed(new TrustStore({ anchors: [pki.root.certificate], intermediates: [shortCa.certificate] }));
    validator.validate(leaf.certificate, { at: now });
    validator.validate(leaf.certificate, { at: now });
    expect(validator.issuingChains?.size).toBe(1);
    expect(code(() => validator.validate(leaf.certificate, { at: new Date('2026-08-01T00:00:00Z') }))).toBe('CHAIN_CERT_EXPIRED');
    expect(validator.issuingChains?.size).toBe(0);
    // Back in time the chain is verified again, from scratch.
    validator.validate(leaf.certificate, { at: now });
    expect(seen).toEqual([false, true, false]);
  });

  it('gives the same answers with and without the cache', async () => {
    const cached = new ChainValidator(moicaStore());
    const plain = new ChainValidator(moicaStore(), { issuingChainCacheSize: 0 });
    expect(plain.issuingChains).toBeUndefined();
    const other = await createTestPki({ now });
    const stranger = await other.issueCardHolder({ authority: 'moica' });
    const inputs = [alice.sign.certificate, bob.sign.certificate, flipLastByte(alice.sign.certificate), stranger.sign.certificate, alice.keyx.certificate];
    const outcome = (v: ChainValidator, der: Uint8Array, at: Date): string => {
      try {
        return v.validate(der, { at }).path.map((c) => c.fingerprint).join('>');
      } catch (err) {
        if (err instanceof ChainValidationError) return err.code;
        throw err;
      }
    };
    for (const at of [now, new Date('2040-01-01T00:00:00Z'), now]) {
      for (const der of inputs) expect(outcome(cached, der, at)).toBe(outcome(plain, der, at));
    }
  });

  it('is disabled when the rules do not verify signatures', () => {
    const validator = new ChainValidator(moicaStore(), { rules: defaultChainRules.filter((r) => r.name !== 'signature') });
    expect(validator.issuingChains).toBeUndefined();
  });

  it('is bounded: the least recently used chain goes first', () => {
    const cache = new IssuingChainCache(2);
    const a = TrustedCertificate.from(alice.sign.certificate);
    const b = TrustedCertificate.from(bob.sign.certificate);
    const ca = TrustedCertificate.from(pki.issuer('moica').certificate);
    const root = TrustedCertificate.from(pki.root.certificate);
    cache.add([a, ca]);
    cache.add([b, ca]);
    expect(cache.has([a, ca], now)).toBe(true); // a is now the most recent
    cache.add([ca, root]);
    expect(cache.size).toBe(2);
    expect(cache.has([b, ca], now)).toBe(false);
    expect(cache.has([a, ca], now)).toBe(true);
    expect(cache.has([ca, root], now)).toBe(true);
    expect(cache.has([a], now)).toBe(false);
  });
});

describe('decoded CA certificates are reused', () => {
  it('resolves configured and repeated extra certificates to one decoded instance', () => {
    const store = new TrustStore({ anchors: [pki.root.certificate] });
    expect(store.resolve(pki.root.certificate)).toBe(store.anchors[0]);
    const first = store.resolve(pki.issuer('moica').certificate);
    expect(store.resolve(Uint8Array.from(pki.issuer('moica').certificate))).toBe(first);
    expect(first.der).toEqual(pki.issuer('moica').certificate);
  });

  it('keeps at most DECODED_CACHE_SIZE extras and reports undecodable input as MALFORMED_CERTIFICATE', () => {
    const store = new TrustStore({ anchors: [pki.root.certificate] });
    const first = store.resolve(alice.sign.certificate);
    for (let i = 0; i < TrustStore.DECODED_CACHE_SIZE; i++) {
      // Distinct DER each time: re-encode a byte of the signature.
      const der = Uint8Array.from(bob.sign.certificate);
      der[der.length - 1] = i;
      der[der.length - 2] = 0xee;
      store.resolve(der);
    }
    expect(store.resolve(alice.sign.certificate)).not.toBe(first);
    expect(code(() => store.resolve(Uint8Array.of(0x30, 0x03, 0x02, 0x01)))).toBe('MALFORMED_CERTIFICATE');
    expect(code(() => store.resolve('not a certificate'))).toBe('MALFORMED_CERTIFICATE');
  });
});

describe('public key import', () => {
  it('imports RSA keys through PKCS#1 as the same key the SPKI holds', () => {
    for (const der of [alice.sign.certificate, pki.issuer('moica').certificate, pki.root.certificate]) {
      const cert = TrustedCertificate.from(der);
      const viaSpki = createPublicKey({ key: Buffer.from(cert.spki), format: 'der', type: 'spki' });
      expect(cert.publicKey().export({ format: 'jwk' })).toEqual(viaSpki.export({ format: 'jwk' }));
      expect(cert.publicKey().asymmetricKeyDetails?.modulusLength).toBe(viaSpki.asymmetricKeyDetails?.modulusLength);
    }
  });

  it('imports an EC key through its SPKI', async () => {
    const keyPair = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const ec = await pki.issueCertificate({ issuer: pki.issuer('moica'), subject: 'C=TW, CN=橢圓', keyPair });
    const key = TrustedCertificate.from(ec.certificate).publicKey();
    expect(key.asymmetricKeyType).toBe('ec');
    expect(key.export({ format: 'jwk' })).toEqual(keyPair.publicKey.export({ format: 'jwk' }));
  });
});
