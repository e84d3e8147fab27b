import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { ChainValidationError, ChallengeIssuer, LoginVerificationError, LoginVerifierBuilder, RevocationError, TrustedCertificate, buildLoginMessage, type ChallengeStore, type LoginVerifier, type VerifiedLogin } from '../../../src/cert/index.js';
import { CertificateRevocationList, parseOcspResponse } from '../../../src/cert/advanced.js';
import { parseCmsSignedData } from '../../../src/cert/trust/verification/cms-signed-data.js';
import { definiteLengths } from '../../../src/shared/der/ber-definite.js';
import { DerError } from '../../../src/shared/der/der-error.js';
import { createTestPki, type CardHolderCredentials, type TestPki } from '../../../src/testing/pki/index.js';
import { buildCrl, buildOcspResponse } from '../../../src/testing/revocation/index.js';
import { realCa } from './helpers/fixtures.js';
import { signLogin } from './helpers/login-signer.js';

let pki: TestPki;
let holder: CardHolderCredentials;
let crlDer: Uint8Array;
let ocspDer: Uint8Array;
let verifier: LoginVerifier;
let challenges: ChallengeIssuer;

const certDer = new Uint8Array(Buffer.from(realCa('moica-g3').replace(/-----[A-Z ]+-----|\s/g, ''), 'base64'));

beforeAll(async () => {
  pki = await createTestPki();
  holder = await pki.issueCardHolder({ authority: 'moica' });
  crlDer = buildCrl({
    issuer: pki.issuer('moica'),
    entries: [{ serialHex: '0a', revokedAt: new Date(), reason: 'keyCompromise' }, { serialHex: '0b', revokedAt: new Date() }],
  });
  ocspDer = buildOcspResponse({
    signer: pki.issuer('moica'),
    responses: [{ certIdDer: new Uint8Array([0x30, 0x00]), status: { kind: 'revoked', revokedAt: new Date(), reason: 'superseded' } }],
    nonce: new Uint8Array([1, 2]),
  });
  challenges = new ChallengeIssuer();
  verifier = new LoginVerifierBuilder()
    .withTrustAnchors(pki.root.certificate)
    .withIntermediates(pki.issuer('moica').certificate)
    .withAllowedOrigins('https://a.test')
    .withChallenges(challenges)
    .withoutRevocationCheck()
    .build();
});

/** Byte strings made by flipping, truncating or splicing a valid encoding. */
function mutated(base: () => Uint8Array): fc.Arbitrary<Uint8Array> {
  return fc.oneof(
    fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })).map(([pos, x]) => {
      const b = new Uint8Array(base());
      const i = pos % b.length;
      b[i] = (b[i] ?? 0) ^ x;
      return b;
    }),
    fc.nat().map((n) => base().slice(0, n % base().length)),
    fc.uint8Array({ maxLength: 300 }),
    fc.tuple(fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 8 })).map(([pos, junk]) => {
      const b = base();
      const i = pos % b.length;
      return new Uint8Array(Buffer.concat([b.subarray(0, i), junk, b.subarray(i)]));
    }),
  );
}

/** Either `fn` throws `type`, or its result passes `check` (nothing passes silently). */
function onlyTyped<T>(fn: () => T, type: new (...args: never[]) => Error, check: (result: T) => void): void {
  let result: T;
  try {
    result = fn();
  } catch (err) {
    expect(err).toBeInstanceOf(type);
    return;
  }
  check(result);
}

/** Whether `part` is a view into `whole`'s bytes (a decoder must not invent signed bytes). */
function within(part: Uint8Array, whole: Uint8Array): boolean {
  return Buffer.from(whole).indexOf(Buffer.from(part)) >= 0;
}

describe('fuzzed input yields typed errors, never crashes', () => {
  it('certificates', () => {
    fc.assert(
      fc.property(mutated(() => certDer), (bytes) =>
        onlyTyped(() => TrustedCertificate.from(bytes), ChainValidationError, (cert) => {
          // A decoded mutant keeps its own bytes: the signed part and signature are read from them, never rebuilt.
          expect(Buffer.from(cert.der).equals(Buffer.from(bytes))).toBe(true);
          expect(within(cert.tbs, bytes) && within(cert.signature, bytes)).toBe(true);
          expect(cert.notBefore.getTime()).not.toBeNaN();
        }),
      ),
      { numRuns: 400 },
    );
  });

  it('CRLs (parse and lookup)', () => {
    fc.assert(
      fc.property(mutated(() => crlDer), (bytes) =>
        onlyTyped(
          () => {
            const crl = CertificateRevocationList.parse(bytes);
            return { crl, entries: [crl.lookup('0a'), crl.lookup('0b')] };
          },
          RevocationError,
          ({ crl, entries }) => {
            expect(within(crl.tbs, bytes)).toBe(true);
            expect(crl.thisUpdate.getTime()).not.toBeNaN();
            for (const entry of entries) if (entry !== undefined) expect(entry.revokedAt.getTime()).not.toBeNaN();
          },
        ),
      ),
      { numRuns: 400 },
    );
  });

  it('OCSP responses', () => {
    fc.assert(
      fc.property(mutated(() => ocspDer), (bytes) =>
        onlyTyped(() => parseOcspResponse(bytes), RevocationError, (response) => {
          expect(within(response.tbs, bytes) && within(response.signature, bytes)).toBe(true);
        }),
      ),
      {
      numRuns: 400,
    });
  });

  it('login tokens: random JSON values', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), async (value) => {
        await expect(verifier.verify(value, { sessionId: 's' })).rejects.toBeInstanceOf(LoginVerificationError);
        await expect(verifier.verify(JSON.stringify(value), { sessionId: 's' })).rejects.toBeInstanceOf(LoginVerificationError);
      }),
      { numRuns: 200 },
    );
  });

  it('login tokens: a field that is an object no String() can convert ({"toString":1}) is a typed refusal', async () => {
    const token = signLogin({ tbs: 'x', certificate: holder.sign.certificate, privateKey: holder.sign.privateKey });
    const hostile = JSON.parse('{"toString":1,"valueOf":1}') as unknown;
    for (const name of ['ret_code', 'format', 'signatureType', 'tbs', 'tbsEncoding', 'hashAlgorithm', 'certb64', 'signature', 'origin']) {
      const value = { ...token, [name]: hostile };
      await expect(verifier.verify(value, { sessionId: 's' }), name).rejects.toBeInstanceOf(LoginVerificationError);
      await expect(verifier.verify(JSON.stringify(value), { sessionId: 's' }), name).rejects.toBeInstanceOf(LoginVerificationError);
    }
  });

  it('BER normalisation of mutated indefinite-length CMS', () => {
    const token = signLogin({ tbs: 'x', certificate: holder.sign.certificate, privateKey: holder.sign.privateKey, indefiniteLength: true });
    const ber = new Uint8Array(Buffer.from(token['signature'] ?? '', 'base64'));
    fc.assert(
      fc.property(mutated(() => ber), (bytes) =>
        onlyTyped(() => definiteLengths(bytes), DerError, (der) => {
          // What comes out is one definite-length element: re-normalising changes nothing.
          expect(definiteLengths(der)).toBe(der);
        }),
      ),
      { numRuns: 400 },
    );
  });

  it('login tokens: mutated CMS signatures and certificates are refused, or verify to the same login', async () => {
    // A store that always finds the challenge unused: the property is about what the signature covers, so a
    // mutant that verifies must not be hidden behind CHALLENGE_USED after the first success.
    const replayable: ChallengeStore = {
      put: () => Promise.resolve(),
      consume: (value) =>
        Promise.resolve({ record: { value, sessionId: 's', issuedAt: new Date(), expiresAt: new Date(Date.now() + 60_000) }, alreadyUsed: false }),
    };
    const fuzzVerifier = new LoginVerifierBuilder()
      .withTrustAnchors(pki.root.certificate)
      .withIntermediates(pki.issuer('moica').certificate)
      .withAllowedOrigins('https://a.test')
      .withChallengeStore(replayable)
      .withoutRevocationCheck()
      .build();
    const token = signLogin({
      tbs: buildLoginMessage({ origin: 'https://a.test', challenge: 'c'.repeat(43) }),
      certificate: holder.sign.certificate,
      privateKey: holder.sign.privateKey,
      cardNumber: 'TP03',
    });
    const cms = () => new Uint8Array(Buffer.from(token['signature'] ?? '', 'base64'));
    const original = parseCmsSignedData(cms());
    const reference = await fuzzVerifier.verify(token, { sessionId: 's' });
    const same = (login: VerifiedLogin, sig: Uint8Array): void => {
      // Decision (docs/decisions.md): fields the signature does not cover may change; nothing reported may.
      const mutant = parseCmsSignedData(sig);
      expect(Buffer.from(mutant.signedAttributesDer ?? []).equals(Buffer.from(original.signedAttributesDer ?? []))).toBe(true);
      expect(Buffer.from(mutant.signature).equals(Buffer.from(original.signature))).toBe(true);
      expect(Buffer.from(TrustedCertificate.from(login.certificate).tbs).equals(Buffer.from(TrustedCertificate.from(reference.certificate).tbs))).toBe(true);
      expect([login.origin, login.cardNumber, login.signingTime, login.profile.serialNumber]).toEqual([
        reference.origin,
        reference.cardNumber,
        reference.signingTime,
        reference.profile.serialNumber,
      ]);
    };
    let verified = 0;
    await fc.assert(
      fc.asyncProperty(mutated(cms), mutated(() => holder.sign.certificate), fc.boolean(), async (sig, cert, swapCert) => {
        const t = { ...token, signature: Buffer.from(sig).toString('base64'), ...(swapCert ? { certb64: Buffer.from(cert).toString('base64') } : {}) };
        let login: VerifiedLogin | undefined;
        try {
          login = await fuzzVerifier.verify(t, { sessionId: 's' });
        } catch (err) {
          expect(err).toBeInstanceOf(LoginVerificationError);
          return;
        }
        verified++;
        same(login, sig);
      }),
      { numRuns: 300 },
    );
    expect(verified).toBeLessThan(300);
  });

  it('login tokens: a change to an unsigned CMS field (the SignedData digestAlgorithms hint) verifies to the same login', async () => {
    const challenge = await challenges.issue('s');
    const token = signLogin({
      tbs: buildLoginMessage({ origin: 'https://a.test', challenge: challenge.value }),
      certificate: holder.sign.certificate,
      privateKey: holder.sign.privateKey,
      cardNumber: 'TP03',
    });
    const der = Buffer.from(token['signature'] ?? '', 'base64');
    const sha256Oid = Buffer.from('0609608648016503040201', 'hex');
    const at = der.indexOf(sha256Oid); // the first one is in SignedData.digestAlgorithms, outside the SignerInfo
    expect(at).toBeGreaterThan(0);
    expect(at).toBeLessThan(der.indexOf(Buffer.from('06092a864886f70d010701', 'hex'))); // before encapContentInfo
    der[at + sha256Oid.length - 1] = 0x02; // now names SHA-384
    const login = await verifier.verify({ ...token, signature: der.toString('base64') }, { sessionId: 's' });
    expect([login.origin, login.cardNumber]).toEqual(['https://a.test', 'TP03']);
  });
});
