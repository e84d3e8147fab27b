/**
 * `cardHolderFromLogin(null)` and `cardHolderFromLogin({})` (a JavaScript caller, or request data passed where
 * the verifier's result belongs) threw a bare TypeError ("Cannot read properties of null"), with no code. They
 * are now refused as the flows refuse a hand-built holder: EnrollError NOT_AUTHORIZED, refusal
 * VERIFIED_LOGIN_REQUIRED, the detail saying what is missing. So is a value of the right shape that the verifier
 * did not return (a copy, or one built from a certificate: certificates are public, so the shape proves nothing).
 * A real verified login still gives its holder.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ChallengeIssuer, LoginVerifierBuilder, buildLoginMessage, isVerifiedLogin, parseCertificate, type VerifiedLogin } from '../../src/cert/index.js';
import { cardHolderFromLogin } from '../../src/enroll/adapters/cert.js';
import { EnrollError } from '../../src/enroll/errors.js';
import { defaultMessages } from '../../src/messages/catalogue.js';
import { createTestPki, signLoginToken } from '../../src/testing/index.js';

const ORIGIN = 'https://gps.example.gov.tw';
let login: VerifiedLogin;

beforeAll(async () => {
  const pki = await createTestPki({ authorities: ['moica'] });
  const card = await pki.issueCardHolder({ authority: 'moica', commonName: '王小明' });
  const challenges = new ChallengeIssuer();
  const verifier = new LoginVerifierBuilder()
    .withTrustAnchors(pki.root.certificate)
    .withIntermediates(pki.issuer('moica').certificate)
    .withAllowedOrigins(ORIGIN)
    .withChallenges(challenges)
    .withoutRevocationCheck()
    .build();
  const challenge = await challenges.issue('session-1');
  const token = await signLoginToken(card, { tbs: buildLoginMessage({ origin: ORIGIN, challenge: challenge.value }), cardNumber: 'TP03000012345678' });
  login = await verifier.verify(token, { sessionId: 'session-1' });
}, 60_000);

const NOT_RETURNED = /was not returned by LoginVerifier\.verify in this process/;

/** Every field a verified login has, made from a certificate anyone can send: no signature behind it. */
function builtFrom(certificate: Uint8Array): VerifiedLogin {
  return {
    profile: parseCertificate(certificate),
    certificate,
    chain: [certificate],
    cardNumber: 'TP03000012345678',
    reportedCardNumber: undefined,
    signingTime: undefined,
    randomNonce: undefined,
    origin: ORIGIN,
    sessionId: 'session-1',
    revocation: undefined,
  };
}

function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (error) {
    return error;
  }
  throw new Error('expected a refusal');
}

describe('cardHolderFromLogin with something that is not a verified login', () => {
  const cases: ReadonlyArray<readonly [string, unknown, RegExp]> = [
    ['null', null, /is null, not a verified login/],
    ['undefined', undefined, /is undefined, not a verified login/],
    ['a string', 'TP03000012345678', /is a string/],
    ['{}', {}, /has no certificate profile/],
    ['a profile without an authority', { profile: {} }, /has no profile\.authority/],
    ['a JSON copy of a real login', () => JSON.parse(JSON.stringify(login)) as unknown, /has no profile\.validity|has no certificate/],
    // The shape is complete, but no verifier returned these objects: no signature was checked for them.
    ['a spread copy of a real login', () => ({ ...login }), NOT_RETURNED],
    ['a copy with another card number', () => ({ ...login, cardNumber: 'TP03000099999999' }), NOT_RETURNED],
    ['a login built from the certificate alone', () => builtFrom(login.certificate), NOT_RETURNED],
  ];
  for (const [label, value, detail] of cases) {
    it(`${label}: NOT_AUTHORIZED, refusal VERIFIED_LOGIN_REQUIRED, no TypeError`, () => {
      const input = typeof value === 'function' ? (value as () => unknown)() : value;
      const error = thrown(() => cardHolderFromLogin(input as VerifiedLogin));
      expect(error).toBeInstanceOf(EnrollError);
      expect(error).toMatchObject({ code: 'NOT_AUTHORIZED', refusal: 'VERIFIED_LOGIN_REQUIRED' });
      expect((error as Error).message).toMatch(detail);
      expect(defaultMessages.describe(error).messages.zhTW).toBe('請先以憑證完成登入驗證');
    });
  }

  it('isVerifiedLogin tells the verifier\'s own result from copies of it', () => {
    expect(isVerifiedLogin(login)).toBe(true);
    expect(isVerifiedLogin({ ...login })).toBe(false);
    expect(isVerifiedLogin(builtFrom(login.certificate))).toBe(false);
    expect(isVerifiedLogin(null)).toBe(false);
    expect(isVerifiedLogin('login')).toBe(false);
  });

  it('a real verified login still gives the holder (options null = the defaults)', () => {
    const holder = cardHolderFromLogin(login);
    expect(holder).toMatchObject({ authority: 'MOICA', subjectName: '王小明', cardNumber: 'TP03000012345678' });
    expect(cardHolderFromLogin(login, null as never)).toMatchObject({ cardNumber: 'TP03000012345678' });
  });
});
