import { beforeAll, describe, expect, it } from 'vitest';
import {
  ChainValidationError,
  ChainValidator,
  ChallengeIssuer,
  CertificateParseError,
  InMemoryChallengeStore,
  LoginVerifierBuilder,
  MoicaLifecycleError,
  RevocationChecker,
  SignedDocumentVerifierBuilder,
  TrustStore,
  TrustedCertificate,
  VerifierConfigurationError,
  buildLoginMessage,
  moicaLifecycle,
  type LoginVerifier,
  type SignedDocumentVerifier,
} from '../../src/cert/index.js';
import { createTestPki, signLoginToken, type CardHolderCredentials, type TestPki } from '../../src/testing/index.js';

// Public entry points called from JavaScript with null or a missing argument: a typed (or, where the layer's
// argument errors are RangeErrors, a RangeError) error naming the argument, never "Cannot read properties of…".

const ORIGIN = 'https://a.gov.tw';
const anyValue = (value: unknown): never => value as never;
let pki: TestPki;
let card: CardHolderCredentials;
let challenges: ChallengeIssuer;
let login: LoginVerifier;
let documents: SignedDocumentVerifier;

beforeAll(async () => {
  pki = await createTestPki({ authorities: ['moica'] });
  card = await pki.issueCardHolder({ authority: 'moica', commonName: '王小明' });
  challenges = new ChallengeIssuer();
  login = new LoginVerifierBuilder()
    .withTrustAnchors(pki.root.certificate)
    .withIntermediates(pki.issuer('moica').certificate)
    .withAllowedOrigins(ORIGIN)
    .withChallenges(challenges)
    .withoutRevocationCheck()
    .build();
  documents = new SignedDocumentVerifierBuilder().withTrustAnchors(pki.root.certificate).withoutRevocationCheck().build();
}, 60_000);

/** What `run` throws or rejects with. */
async function thrown(run: () => unknown): Promise<Error> {
  try {
    await run();
  } catch (error) {
    expect((error as Error).message).not.toMatch(/Cannot read properties|is not iterable|is not a function/);
    return error as Error;
  }
  throw new Error('expected an error, nothing was thrown');
}

describe('LoginVerifier.verify', () => {
  it('without the request, or with a session id no challenge can have: a configuration error before any step', async () => {
    const token = { signatureType: 'PKCS7', tbs: 'x', signature: 'AAAA' };
    for (const request of [undefined, null, 's']) {
      const err = await thrown(() => login.verify(token, anyValue(request)));
      expect(err).toBeInstanceOf(VerifierConfigurationError);
      expect(err).toMatchObject({ code: 'INVALID_CONFIGURATION', step: 'configuration' });
      expect(err.message).toMatch(/^verify needs \{ sessionId \} \(the session the challenge was issued to\) as its second argument, got /);
    }
    for (const sessionId of [undefined, null, 12345, '', 'x'.repeat(1025)]) {
      const err = await thrown(() => login.verify(token, anyValue({ sessionId })));
      expect(err).toMatchObject({ code: 'INVALID_CONFIGURATION' });
      expect(err.message).toMatch(/^verify: request\.sessionId must be a string of 1 to 1024 characters, as ChallengeIssuer\.issue takes it, got /);
    }
    // The issuer's whole rule: no challenge was ever issued to an id with NUL or a lone surrogate.
    for (const sessionId of ['a\u0000b', 'a\uD800b']) {
      const err = await thrown(() => login.verify(token, anyValue({ sessionId })));
      expect(err).toMatchObject({ code: 'INVALID_CONFIGURATION' });
      expect(err.message).toMatch(/^verify: request\.sessionId cannot have been given a challenge: sessionId must (not contain NUL|be well-formed)/);
    }
  });

  it('a refused request consumes no challenge: the same token then logs in', async () => {
    const challenge = await challenges.issue('s');
    const token = await signLoginToken(card, { tbs: buildLoginMessage({ origin: ORIGIN, challenge: challenge.value }) });
    await thrown(() => login.verify(token, anyValue({ sessionId: 5 })));
    await expect(login.verify(token, { sessionId: 's' })).resolves.toMatchObject({ sessionId: 's' });
  });
});

describe('SignedDocumentVerifier.verify', () => {
  it('a request that is not an object is a configuration error naming it', async () => {
    const err = await thrown(() => documents.verify({ format: 'cms', signature: 'AAAA' }, anyValue(null)));
    expect(err).toBeInstanceOf(VerifierConfigurationError);
    expect(err.message).toBe('verify: request must be { at? } or left out, not null');
  });
});

describe('TrustedCertificate.from and what reads certificates through it', () => {
  it('says what was given instead of leaking the TypeError', async () => {
    for (const [given, shown] of [
      [null, 'null'],
      [undefined, 'undefined (missing)'],
      [5, '5'],
      [{}, 'an object'],
    ] as const) {
      const err = await thrown(() => TrustedCertificate.from(anyValue(given)));
      expect(err).toBeInstanceOf(ChainValidationError);
      expect(err).toMatchObject({ code: 'MALFORMED_CERTIFICATE', message: `not a certificate: the input must be DER bytes or PEM text, got ${shown}` });
    }
    const validator = new ChainValidator(new TrustStore({ anchors: [pki.root.certificate] }));
    expect(await thrown(() => validator.validate(anyValue(null)))).toMatchObject({ code: 'MALFORMED_CERTIFICATE' });
    const built = await thrown(() =>
      new LoginVerifierBuilder().withTrustAnchors(anyValue(null)).withAllowedOrigins(ORIGIN).withChallenges(challenges).withoutRevocationCheck().build(),
    );
    expect(built.message).toBe('a configured certificate is unreadable: not a certificate: the input must be DER bytes or PEM text, got null');
  });
});

describe('moicaLifecycle', () => {
  it('a missing certificate is a CertificateParseError naming the argument', async () => {
    for (const given of [null, undefined, {}, 7]) {
      const err = await thrown(() => moicaLifecycle(anyValue(given)));
      expect(err).toBeInstanceOf(CertificateParseError);
      expect(err).toMatchObject({ code: 'NOT_A_CERTIFICATE' });
      expect(err.message).toMatch(/^moicaLifecycle: certificate must be a certificate \(DER bytes, PEM text, a TrustedCertificate or its profile\), got /);
    }
  });

  it('options that are not an object, and a null date, are refused (null is not read as "now")', async () => {
    const err = await thrown(() => moicaLifecycle(card.sign.certificate, anyValue(null)));
    expect(err).toBeInstanceOf(MoicaLifecycleError);
    expect(err).toMatchObject({ code: 'INVALID_LIFECYCLE_DATE', message: 'moicaLifecycle: options must be { at?, cardIssuedAt? } or left out, got null' });
    expect(await thrown(() => moicaLifecycle(card.sign.certificate, { at: anyValue(null) }))).toMatchObject({
      code: 'INVALID_LIFECYCLE_DATE',
      message: 'at must be a valid Date, not null',
    });
    expect(await thrown(() => moicaLifecycle(card.sign.certificate, { cardIssuedAt: anyValue(null) }))).toMatchObject({
      code: 'INVALID_LIFECYCLE_DATE',
      message: 'cardIssuedAt must be a valid Date, not null',
    });
    expect(moicaLifecycle(card.sign.certificate).stage).toBe('valid');
  });
});

describe('RevocationChecker.check and checkIssuingCa', () => {
  it('name the certificate or options that is missing (RangeError, as for a bad `at`)', async () => {
    const checker = new RevocationChecker();
    const leaf = TrustedCertificate.from(card.sign.certificate);
    const issuer = TrustedCertificate.from(pki.issuer('moica').certificate);
    const cases: [() => unknown, string][] = [
      [() => checker.check(anyValue(null), issuer), 'RevocationChecker.check: cert must be a TrustedCertificate (TrustedCertificate.from(der)), not null'],
      [() => checker.check(anyValue(card.sign.certificate), issuer), 'RevocationChecker.check: cert must be a TrustedCertificate (TrustedCertificate.from(der)), not a Uint8Array of'],
      [() => checker.check(leaf, anyValue(undefined)), 'RevocationChecker.check: issuer must be a TrustedCertificate (TrustedCertificate.from(der)), not undefined (missing)'],
      [() => checker.check(leaf, issuer, undefined, anyValue(null)), 'RevocationChecker.check: options must be { now? } or left out, not null'],
      [() => checker.checkIssuingCa(anyValue(null), issuer), 'RevocationChecker.checkIssuingCa: ca must be a TrustedCertificate (TrustedCertificate.from(der)), not null'],
    ];
    for (const [run, message] of cases) {
      const err = await thrown(run);
      expect(err).toBeInstanceOf(RangeError);
      expect(err.message.startsWith(message)).toBe(true);
    }
  });
});

describe('constructors and ChainValidator.validate given null options', () => {
  it('throw RangeError naming the class, as for their other bad settings', async () => {
    const validator = new ChainValidator(new TrustStore({ anchors: [pki.root.certificate] }));
    const cases: [() => unknown, string][] = [
      [() => new RevocationChecker(anyValue(null)), 'RevocationChecker: options must be an object or left out, not null'],
      [() => new ChallengeIssuer(anyValue(null)), 'ChallengeIssuer: options must be an object or left out, not null'],
      [() => new InMemoryChallengeStore(anyValue(null)), 'InMemoryChallengeStore: options must be an object or left out, not null'],
      [() => new TrustStore(anyValue(null)), 'TrustStore: options must be an object, not null'],
      [() => new RevocationChecker(anyValue([])), 'RevocationChecker: options must be an object or left out, not an array'],
      [() => new TrustStore(anyValue([pki.root.certificate])), 'TrustStore: options must be an object, not an array'],
      [() => new TrustStore(anyValue({})), 'TrustStore: options.anchors must be an iterable (an array) of certificates'],
      [() => new TrustStore({ anchors: [], intermediates: anyValue(null) }), 'TrustStore: options.intermediates must be an iterable (an array) of certificates, or left out'],
      [() => validator.validate(pki.root.certificate, anyValue(null)), 'ChainValidator.validate: request must be { at?, intermediates? } or left out, not null'],
    ];
    for (const [run, message] of cases) {
      const err = await thrown(run);
      expect(err).toBeInstanceOf(RangeError);
      expect(err.message).toBe(message);
    }
  });
});

describe('constructors given settings of the wrong kind (from JavaScript or a configuration file)', () => {
  // Each was taken silently: a mode of 'OCSP' as the default order, 'false' from the environment as true, a store
  // without put as a TypeError at the first issue ("this.store.put is not a function"), a single CRL URL string
  // tried one character at a time.
  it('RevocationChecker names the setting', async () => {
    const cases: [unknown, string | RegExp][] = [
      [{ mode: 'OCSP' }, "RevocationChecker: mode must be one of 'ocsp-then-crl', 'crl-then-ocsp', 'ocsp', 'crl', not \"OCSP\""],
      [{ mode: null }, "RevocationChecker: mode must be one of 'ocsp-then-crl', 'crl-then-ocsp', 'ocsp', 'crl', not null"],
      [{ checkIssuingCas: 'false' }, 'RevocationChecker: checkIssuingCas must be true or false, not "false"'],
      [{ requireOcspNonce: 1 }, 'RevocationChecker: requireOcspNonce must be true or false, not 1'],
      [{ ocspNonce: 'no' }, 'RevocationChecker: ocspNonce must be true or false, not "no"'],
      [{ fetch: {} }, 'RevocationChecker: fetch must be a function (a RevocationFetch, such as httpRevocationFetch()), not an object'],
      [{ algorithms: 'SHA-256' }, 'RevocationChecker: algorithms must be an AlgorithmPolicy (AlgorithmPolicy.withSha1(), AlgorithmPolicy.modern()), not "SHA-256"'],
      [{ ocspUrl: 'ocsp.example.gov.tw' }, 'RevocationChecker: ocspUrl must be an absolute URL, not "ocsp.example.gov.tw"'],
      [{ ocspUrl: 80 }, 'RevocationChecker: ocspUrl must be an absolute URL, not 80'],
      [{ crlUrls: 'http://crl.example.gov.tw/a.crl' }, 'RevocationChecker: crlUrls must be an array of URLs, not "http://crl.example.gov.tw/a.crl"'],
      [{ crlUrls: [] }, "RevocationChecker: crlUrls must list at least one URL, or be left out (the certificate's own)"],
      [{ crlUrls: ['http://crl.example.gov.tw/a.crl', 5] }, 'RevocationChecker: crlUrls[1] must be an absolute URL, not 5'],
      [{ crlUrls: ['crl.example.gov.tw/a.crl'] }, 'RevocationChecker: crlUrls[0] must be an absolute URL, not "crl.example.gov.tw/a.crl"'],
      [{ requireOcspNonse: true }, /^RevocationChecker: "requireOcspNonse" is not an option \(they are fetch, .*requireOcspNonce, .*checkIssuingCas\)$/],
    ];
    for (const [options, message] of cases) {
      const err = await thrown(() => new RevocationChecker(anyValue(options)));
      expect(err).toBeInstanceOf(RangeError);
      if (typeof message === 'string') expect(err.message).toBe(message);
      else expect(err.message).toMatch(message);
    }
    // What the types allow still builds.
    for (const mode of ['ocsp-then-crl', 'crl-then-ocsp', 'ocsp', 'crl'] as const) expect(new RevocationChecker({ mode })).toBeInstanceOf(RevocationChecker);
    expect(new RevocationChecker({ checkIssuingCas: true, ocspNonce: false, ocspUrl: 'http://127.0.0.1:1/ocsp', crlUrls: ['https://a.gov.tw/x.crl'] })).toBeInstanceOf(RevocationChecker);
  });

  it('ChallengeIssuer names its store and clock', async () => {
    const cases: [unknown, string | RegExp][] = [
      [{ store: 5 }, 'ChallengeIssuer: store must be a ChallengeStore (an object with put and consume), not 5'],
      [{ store: {} }, 'ChallengeIssuer: store must be a ChallengeStore (an object with put and consume), not an object'],
      [{ store: null }, 'ChallengeIssuer: store must be a ChallengeStore (an object with put and consume), not null'],
      [
        { store: Promise.resolve(new InMemoryChallengeStore()) },
        'ChallengeIssuer: store must be a ChallengeStore (an object with put and consume), not an object (a Promise: await SqlChallengeStore.open(…) first)',
      ],
      [{ now: new Date() }, /^ChallengeIssuer: now must be a function returning the current Date, not \d{4}-/],
      [{ ttl: 60_000 }, 'ChallengeIssuer: "ttl" is not an option (they are store, ttlMs, bytes, now)'],
    ];
    for (const [options, message] of cases) {
      const err = await thrown(() => new ChallengeIssuer(anyValue(options)));
      expect(err).toBeInstanceOf(RangeError);
      if (typeof message === 'string') expect(err.message).toBe(message);
      else expect(err.message).toMatch(message);
    }
    const store = new InMemoryChallengeStore();
    const issuer = new ChallengeIssuer({ store });
    const { value } = await issuer.issue('s');
    expect(await store.consume(value)).toMatchObject({ record: { sessionId: 's' }, alreadyUsed: false });
  });
});
