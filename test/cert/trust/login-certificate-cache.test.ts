import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CertificateCache,
  ChallengeIssuer,
  LoginConfigurationError,
  LoginVerifierBuilder,
  RevocationChecker,
  TrustedCertificate,
  buildLoginMessage,
  type ChallengeStore,
  type LoginVerifier,
} from '../../../src/cert/index.js';
import type { IssuedCertificate, TestPki } from '../../../src/testing/pki/index.js';
import { buildCrl, type LocalRevocationServer } from '../../../src/testing/revocation/index.js';
import { startRevocationRig } from './helpers/fixtures.js';
import { signLogin, type SignOptions } from './helpers/login-signer.js';
import { failure } from './helpers/verification.js';

const ORIGIN = 'https://cache.example.gov.tw';
let server: LocalRevocationServer;
let pki: TestPki;
let clockOffsetMs = 0;
const clock = (): Date => new Date(Date.now() + clockOffsetMs);
let challenges: ChallengeIssuer;

beforeAll(async () => {
  ({ server, pki } = await startRevocationRig({ ocspResponder: true }));
  challenges = new ChallengeIssuer({ now: clock });
});

afterAll(async () => {
  await server.close();
});

function verifier(configure: (b: LoginVerifierBuilder) => LoginVerifierBuilder = (b) => b): LoginVerifier {
  return configure(
    new LoginVerifierBuilder()
      .withTrustAnchors(pki.root.certificate)
      .withIntermediates(pki.issuer('moica').certificate)
      .withAllowedOrigins(ORIGIN)
      .withChallenges(challenges)
      .withRevocationChecker(new RevocationChecker({ mode: 'ocsp' })),
  ).build();
}

async function token(signer: IssuedCertificate, overrides: Partial<SignOptions> = {}): Promise<Record<string, string>> {
  const challenge = await challenges.issue('s');
  return signLogin({
    tbs: buildLoginMessage({ origin: ORIGIN, challenge: challenge.value }),
    certificate: signer.certificate,
    privateKey: signer.privateKey,
    signatureType: 'PKCS1',
    ...overrides,
  });
}

async function signer(subject: string, extra: { serialNumber?: string; notAfter?: Date } = {}): Promise<IssuedCertificate> {
  return pki.issueCertificate({ issuer: pki.issuer('moica'), subject, keyUsage: ['digitalSignature'], ...extra });
}

describe('CertificateCache', () => {
  it('judges a hit on the whole encoding: texts or DER ending alike never share an entry', async () => {
    const a = await signer('CN=tail a');
    const b = await signer('CN=tail b');
    const cache = new CertificateCache(4);
    const certA = TrustedCertificate.from(a.certificate);
    const certB = TrustedCertificate.from(b.certificate);
    const textA = Buffer.from(a.certificate).toString('base64');
    // Same last 200 characters, different start: another encoding.
    const textB = Buffer.from(b.certificate).toString('base64').slice(0, -200) + textA.slice(-200);
    expect(cache.fromBase64(textA, () => certA)).toBe(certA);
    expect(cache.fromBase64(textB, () => certB)).toBe(certB);
    expect(cache.fromBase64(textA, () => certA)).toBe(certA);
    expect(cache.fromBase64(textA, () => certB)).toBe(certA);
    // DER: one octet changed before the tail is another certificate (and, here, not one at all).
    const derA = Uint8Array.from(a.certificate);
    const first = cache.fromDer(derA);
    expect(cache.fromDer(Uint8Array.from(a.certificate))).toBe(first);
    const altered = Uint8Array.from(a.certificate);
    altered[10] = (altered[10] ?? 0) ^ 0xff;
    expect(() => cache.fromDer(altered)).toThrow();
    const other = cache.fromDer(Uint8Array.from(b.certificate));
    expect(other).not.toBe(first);
    expect(other.fingerprint).toBe(certB.fingerprint);
  });

  it('keeps at most its capacity, dropping the least recently used', async () => {
    const certs = await Promise.all(['甲', '乙', '丙'].map((n) => signer(`C=TW, CN=${n}`)));
    const texts = certs.map((c) => Buffer.from(c.certificate).toString('base64'));
    const cache = new CertificateCache(2);
    let decodes = 0;
    const decode = (text: string): TrustedCertificate => {
      decodes++;
      return TrustedCertificate.from(text);
    };
    const [a, b, c] = texts as [string, string, string];
    const first = cache.fromBase64(a, decode);
    cache.fromBase64(b, decode);
    expect(cache.fromBase64(a, decode)).toBe(first); // a hit, and a is now the most recent
    expect(decodes).toBe(2);
    cache.fromBase64(c, decode); // evicts b, the least recently used
    expect(cache.size).toBe(2);
    cache.fromBase64(a, decode);
    expect(decodes).toBe(3);
    cache.fromBase64(b, decode);
    expect(decodes).toBe(4);
    expect(cache.size).toBe(2);
  });

  it('keys DER by its exact bytes, keeps a private copy, and caches nothing at capacity 0', async () => {
    const cert = await signer('C=TW, CN=丁');
    const cache = new CertificateCache(4);
    const buffer = new Uint8Array([0xff, ...cert.certificate, 0xff]);
    const inner = buffer.subarray(1, buffer.length - 1);
    const decoded = cache.fromDer(inner);
    expect(Buffer.from(decoded.der).equals(Buffer.from(cert.certificate))).toBe(true);
    expect(decoded.der.buffer).not.toBe(buffer.buffer);
    expect(cache.fromDer(new Uint8Array(cert.certificate))).toBe(decoded);
    const none = new CertificateCache(0);
    expect(none.fromDer(cert.certificate)).not.toBe(none.fromDer(cert.certificate));
    expect(none.size).toBe(0);
  });
});

describe('login with the certificate cache', () => {
  it('decodes a returning certificate once and still returns a private copy of it', async () => {
    const holder = await signer('C=TW, CN=常客');
    const v = verifier();
    const first = await v.verify(await token(holder), { sessionId: 's' });
    expect(v.certificates.size).toBe(1);
    expect(first.chain[0]).toBe(first.certificate);
    first.certificate.fill(0); // the caller's copy (also the chain's first); the cached certificate is untouched
    const second = await v.verify(await token(holder), { sessionId: 's' });
    expect(second.profile).toBe(first.profile);
    expect(Buffer.from(second.certificate).equals(Buffer.from(holder.certificate))).toBe(true);
    expect(Buffer.from(second.chain[0] ?? []).equals(Buffer.from(holder.certificate))).toBe(true);
    expect(v.certificates.size).toBe(1);
    // A spread or JSON of the result carries the certificate and chain like any other field.
    expect({ ...second }.certificate).toBe(second.certificate);
    expect(Object.keys(JSON.parse(JSON.stringify(second)))).toEqual(expect.arrayContaining(['certificate', 'chain', 'profile']));
  });

  it('does not confuse two certificates with the same serial number', async () => {
    const one = await signer('C=TW, CN=同號甲', { serialNumber: '7a7a7a7a' });
    const two = await signer('C=TW, CN=同號乙', { serialNumber: '7a7a7a7a' });
    const v = verifier();
    const a = await v.verify(await token(one), { sessionId: 's' });
    const b = await v.verify(await token(two), { sessionId: 's' });
    expect(a.profile.serialNumber).toBe(b.profile.serialNumber);
    expect(a.profile.subject.commonName).toBe('同號甲');
    expect(b.profile.subject.commonName).toBe('同號乙');
    expect(Buffer.from(b.certificate).equals(Buffer.from(two.certificate))).toBe(true);
    expect(v.certificates.size).toBe(2);
    // Certificate two, signed with one's key: two's cached key must not verify it.
    const forged = await token(one, { certificate: two.certificate });
    expect((await failure(v.verify(forged, { sessionId: 's' }))).step).toBe('signature');
  });

  it('still fails a cached certificate that has expired at a later login', async () => {
    const shortLived = await signer('C=TW, CN=短效', { notAfter: new Date(Date.now() + 3_600_000) });
    const v = verifier();
    try {
      await v.verify(await token(shortLived), { sessionId: 's' });
      expect(v.certificates.size).toBe(1);
      clockOffsetMs = 2 * 3_600_000;
      const err = await failure(v.verify(await token(shortLived), { sessionId: 's' }));
      expect([err.step, err.code]).toEqual(['certificate-validity', 'CERT_EXPIRED']);
    } finally {
      clockOffsetMs = 0;
    }
  });

  it('still fails a cached certificate once it has been revoked', async () => {
    const holder = await signer('C=TW, CN=後撤');
    const cert = TrustedCertificate.from(holder.certificate);
    const crlName = (cert.crlUrls[0] as string).slice(server.crlBaseUrl.length + 1);
    // The first CRL (warm in the checker's cache until its nextUpdate, ten minutes on) does not list it; the next
    // one, read once the first has expired, does.
    server.publishCrl(crlName, buildCrl({ issuer: pki.issuer('moica'), entries: [], nextUpdate: new Date(Date.now() + 600_000) }));
    const v = verifier((b) => b.withRevocationChecker(new RevocationChecker({ mode: 'crl' })));
    try {
      const ok = await v.verify(await token(holder, { signatureType: 'PKCS7' }), { sessionId: 's' });
      expect(ok.revocation?.kind).toBe('good');
      expect(v.certificates.size).toBeGreaterThan(0);
      server.publishCrl(crlName, buildCrl({ issuer: pki.issuer('moica'), entries: [{ serialHex: cert.serialHex, revokedAt: new Date(Date.now() - 60_000) }] }));
      clockOffsetMs = 1_200_000;
      const err = await failure(v.verify(await token(holder, { signatureType: 'PKCS7' }), { sessionId: 's' }));
      expect([err.step, err.code]).toEqual(['revocation', 'CERT_REVOKED']);
    } finally {
      clockOffsetMs = 0;
    }
  });

  it('can be turned off, and refuses a size that is not a non-negative integer', async () => {
    const holder = await signer('C=TW, CN=不存');
    const v = verifier((b) => b.withCertificateCacheSize(0));
    await v.verify(await token(holder), { sessionId: 's' });
    await v.verify(await token(holder), { sessionId: 's' });
    expect(v.certificates.size).toBe(0);
    for (const bad of [-1, 1.5, Number.NaN]) {
      expect(() => new LoginVerifierBuilder().withCertificateCacheSize(bad)).toThrow(LoginConfigurationError);
    }
  });
});

describe('two logins interleaved at the challenge store', () => {
  // The signature is decoded into a buffer every login reuses; a login that
  // awaits its challenge while another decodes must still report its own card.
  for (const cacheSize of [0, 1000]) {
    it(`reports each login's own certificate, chain and signed attributes (certificate cache ${cacheSize})`, async () => {
      const holders = await Promise.all(['C=TW, CN=先到', 'C=TW, CN=後到'].map((s) => signer(s)));
      let release: () => void = () => undefined;
      const gate = new Promise<void>((resolve) => (release = resolve));
      let first = true;
      const held: ChallengeStore = {
        put: (record) => challenges.store.put(record),
        consume: async (value) => {
          if (first) {
            first = false;
            await gate;
          }
          return challenges.store.consume(value);
        },
      };
      const v = verifier((b) => b.withChallengeStore(held).withCertificateCacheSize(cacheSize));
      const issuer = pki.issuer('moica').certificate;
      const [a, b] = await Promise.all(
        holders.map((h, i) =>
          token(h, {
            signatureType: 'PKCS7',
            omitCertb64: true,
            extraCertificates: [issuer],
            cardNumber: `TP030000000${i}`,
            nonce: Uint8Array.from([i, i, i]),
            signingTime: new Date(Date.UTC(2026, 0, 1 + i)),
          }),
        ),
      );
      const pendingA = v.verify(a, { sessionId: 's' });
      const loginB = await v.verify(b, { sessionId: 's' });
      release();
      const loginA = await pendingA;
      for (const [login, i] of [[loginA, 0], [loginB, 1]] as const) {
        const holder = holders[i] as IssuedCertificate;
        expect(Buffer.from(login.certificate).equals(Buffer.from(holder.certificate))).toBe(true);
        expect(login.chain.map((c) => Buffer.from(c).toString('base64'))).toEqual(
          [holder.certificate, issuer, pki.root.certificate].map((c) => Buffer.from(c).toString('base64')),
        );
        expect([login.cardNumber, login.randomNonce, login.signingTime?.toISOString()]).toEqual([
          `TP030000000${i}`,
          `0${i}0${i}0${i}`,
          new Date(Date.UTC(2026, 0, 1 + i)).toISOString(),
        ]);
        expect(login.profile.subject.commonName).toBe(i === 0 ? '先到' : '後到');
      }
    });
  }
});
