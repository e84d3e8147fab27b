import { beforeAll, describe, expect, it } from 'vitest';
import {
  AlgorithmPolicy,
  ChallengeIssuer,
  LoginVerifierBuilder,
  RevocationChecker,
  SignedDocumentVerifierBuilder,
  VerifierConfigurationError,
  buildLoginMessage,
  type DigestName,
  type SignerVerifierBuilder,
} from '../../src/cert/index.js';
import { createTestPki, signLoginToken, type CardHolderCredentials, type TestPki } from '../../src/testing/index.js';

// A setting the server got wrong is refused when the verifier is configured, naming the setting and what it
// accepts: before, an unknown digest or policy built fine and then every valid login failed as the user's
// ALGORITHM_NOT_ALLOWED / CERT_POLICY_NOT_ALLOWED, and a second, contradicting revocation choice silently won.

const ORIGIN = 'https://gps.example.gov.tw';
let pki: TestPki;
let card: CardHolderCredentials;

beforeAll(async () => {
  pki = await createTestPki({ authorities: ['moica'] });
  card = await pki.issueCardHolder({ authority: 'moica', commonName: '王小明' });
}, 60_000);

const loginBuilder = (challenges = new ChallengeIssuer()): LoginVerifierBuilder =>
  new LoginVerifierBuilder()
    .withTrustAnchors(pki.root.certificate)
    .withIntermediates(pki.issuer('moica').certificate)
    .withAllowedOrigins(ORIGIN)
    .withChallenges(challenges);

const documentBuilder = (): SignedDocumentVerifierBuilder =>
  new SignedDocumentVerifierBuilder().withTrustAnchors(pki.root.certificate).withIntermediates(pki.issuer('moica').certificate);

/** Both builders: the checks live in their shared base class. */
const builders: readonly (readonly [string, () => SignerVerifierBuilder<unknown>])[] = [
  ['LoginVerifierBuilder', loginBuilder],
  ['SignedDocumentVerifierBuilder', documentBuilder],
];

/** The configuration error `run` throws (fails the test when it throws none or another). */
function refusal(run: () => unknown): VerifierConfigurationError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(VerifierConfigurationError);
    expect((error as VerifierConfigurationError).code).toBe('INVALID_CONFIGURATION');
    return error as VerifierConfigurationError;
  }
  throw new Error('expected a VerifierConfigurationError, nothing was thrown');
}

const ACCEPTED = 'SHA-1, SHA-224, SHA-256, SHA-384, SHA-512';

describe('withAllowedDigests takes digest names only', () => {
  for (const [name, builder] of builders) {
    it(`${name}: another spelling of a known digest is refused with the name to write, never taken as it`, () => {
      for (const [given, meant] of [
        ['sha256', 'SHA-256'],
        ['SHA256', 'SHA-256'],
        ['sha-384', 'SHA-384'],
        ['Sha_512', 'SHA-512'],
      ] as const) {
        const err = refusal(() => builder().withAllowedDigests(given as DigestName));
        expect(err.message).toContain('withAllowedDigests');
        expect(err.message).toContain(`"${given}"`);
        expect(err.message).toContain(`write '${meant}'`);
        expect(err.message).toContain(ACCEPTED);
      }
    });

    it(`${name}: an unknown digest, or a value that is not text, is refused listing the accepted names`, () => {
      for (const given of ['MD5', 'SHA-3', '', null, undefined, 256]) {
        const err = refusal(() => builder().withAllowedDigests(given as DigestName));
        expect(err.message).toMatch(/^withAllowedDigests: .* is not a digest/);
        expect(err.message).toContain(ACCEPTED);
      }
      // One bad name among good ones is refused too, not dropped.
      expect(refusal(() => builder().withAllowedDigests('SHA-256', 'md5' as DigestName)).message).toContain('"md5"');
    });
  }

  it('the names as written still configure a verifier that accepts a SHA-256 login', async () => {
    const challenges = new ChallengeIssuer();
    const verifier = loginBuilder(challenges).withAllowedDigests('SHA-256', 'SHA-512').withoutRevocationCheck().build();
    const challenge = await challenges.issue('s');
    const token = await signLoginToken(card, { tbs: buildLoginMessage({ origin: ORIGIN, challenge: challenge.value }) });
    await expect(verifier.verify(token, { sessionId: 's' })).resolves.toMatchObject({ origin: ORIGIN });
  });

  it('AlgorithmPolicy, which revocation and chain settings take, refuses the same names (RangeError, as those settings do)', () => {
    expect(() => new AlgorithmPolicy(['sha256' as DigestName])).toThrow(new RangeError(`AlgorithmPolicy: "sha256" is not a digest name: write 'SHA-256' (accepted: ${ACCEPTED})`));
    expect(() => new AlgorithmPolicy(['MD5' as DigestName])).toThrow(/AlgorithmPolicy: "MD5" is not a digest twpki verifies/);
    expect(new AlgorithmPolicy(['SHA-1', 'SHA-256']).list()).toEqual(['SHA-1', 'SHA-256']);
  });
});

describe('withAllowedPolicies takes dotted OIDs only', () => {
  for (const [name, builder] of builders) {
    it(`${name}: text that is not a dotted OID is refused, naming the method and the value`, () => {
      for (const given of ['garbage', 'id-gpki-assurance-3', '2.16.886.101.0.3.3.', '02.16.886', '2.16.886 ', '0.56.886', '', null, undefined, 2]) {
        const err = refusal(() => builder().withAllowedPolicies(given as string));
        expect(err.message).toMatch(/^withAllowedPolicies needs dotted OIDs such as '2\.16\.886\.101\.0\.3\.3', got /);
      }
      expect(refusal(() => builder().withAllowedPolicies('2.16.886.101.0.3.3', 'garbage')).message).toContain('"garbage"');
    });

    it(`${name}: dotted OIDs are taken; none at all is refused when built, naming the method`, () => {
      expect(() => builder().withAllowedPolicies('2.16.886.101.0.3.3', '2.16.886.101.0.3.2')).not.toThrow();
      const err = refusal(() => builder().withAllowedPolicies().withoutRevocationCheck().build());
      expect(err.message).toContain('withAllowedPolicies');
    });
  }
});

describe('one revocation choice per builder', () => {
  for (const [name, builder] of builders) {
    it(`${name}: a checker then withoutRevocationCheck() is refused, saying both were chosen`, () => {
      const b = builder().withRevocationChecker(new RevocationChecker());
      const err = refusal(() => b.withoutRevocationCheck());
      expect(err.message).toBe(
        'withoutRevocationCheck() after withRevocationChecker(…): both revocation choices were made on one builder; keep the one you mean',
      );
    });

    it(`${name}: withoutRevocationCheck() then a checker is refused the same way`, () => {
      const b = builder().withoutRevocationCheck();
      const err = refusal(() => b.withRevocationChecker(new RevocationChecker()));
      expect(err.message).toContain('withRevocationChecker(…) after withoutRevocationCheck(): both revocation choices were made');
    });

    it(`${name}: a missing checker is refused instead of turning revocation off`, () => {
      // Judged by what it does (a `check` method), not `instanceof`: twpki loaded as ES module and as CommonJS has
      // two RevocationChecker classes.
      for (const given of [undefined, null, {}, { check: 'no' }]) {
        const err = refusal(() => builder().withRevocationChecker(given as unknown as RevocationChecker));
        expect(err.message).toMatch(/^withRevocationChecker needs a RevocationChecker, got .*; to skip revocation say so with withoutRevocationCheck\(\)$/);
      }
    });

    it(`${name}: one choice, made once or repeated alike, still builds`, () => {
      expect(() => builder().withoutRevocationCheck().withoutRevocationCheck().build()).not.toThrow();
      expect(() => builder().withRevocationChecker(new RevocationChecker()).build()).not.toThrow();
    });
  }
});

describe('other builder arguments a JavaScript caller can get wrong', () => {
  for (const [name, builder] of builders) {
    it(`${name}: withClock needs a function (null was read as "no clock")`, () => {
      for (const given of [null, undefined, new Date()]) {
        expect(refusal(() => builder().withClock(given as unknown as () => Date)).message).toMatch(/^withClock needs a function returning the current Date, got /);
      }
    });
  }

  it('withChallenges and withChallengeStore need the issuer / a store', () => {
    for (const given of [null, undefined, {}, { store: null, now: () => new Date() }]) {
      expect(refusal(() => new LoginVerifierBuilder().withChallenges(given as unknown as ChallengeIssuer)).message).toMatch(
        /^withChallenges needs the ChallengeIssuer that hands out the challenges, got /,
      );
    }
    for (const given of [null, undefined, {}, new ChallengeIssuer()]) {
      expect(refusal(() => new LoginVerifierBuilder().withChallengeStore(given as unknown as ChallengeIssuer['store'])).message).toMatch(
        /^withChallengeStore needs a ChallengeStore \(an object with consume\), got /,
      );
    }
    expect(() => new LoginVerifierBuilder().withChallengeStore(new ChallengeIssuer().store)).not.toThrow();
    // A process that only verifies needs consume alone (challenges issued elsewhere).
    const consumeOnly = { consume: () => Promise.resolve(undefined) } as unknown as ChallengeIssuer['store'];
    expect(() => new LoginVerifierBuilder().withChallengeStore(consumeOnly)).not.toThrow();
  });

  it('withAllowedOrigins names itself and the origin rule', () => {
    expect(refusal(() => new LoginVerifierBuilder().withAllowedOrigins(null as unknown as string)).message).toBe(
      "withAllowedOrigins: origin must be a string such as 'https://service.example.gov.tw', got null",
    );
    expect(refusal(() => new LoginVerifierBuilder().withAllowedOrigins('https://a.gov.tw/')).message).toBe(
      'withAllowedOrigins: origin must be exactly scheme://host[:port] ("https://a.gov.tw"), got "https://a.gov.tw/"',
    );
  });
});
