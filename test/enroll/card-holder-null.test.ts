/**
 * `cardHolderFromLogin(null)` and `cardHolderFromLogin({})` (a JavaScript caller, or request data passed where
 * the verifier's result belongs) threw a bare TypeError ("Cannot read properties of null"), with no code. They
 * are now refused as the flows refuse a hand-built holder: EnrollError NOT_AUTHORIZED, refusal
 * VERIFIED_LOGIN_REQUIRED, the detail saying what is missing. A real verified login still gives its holder.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ChallengeIssuer, LoginVerifierBuilder, buildLoginMessage, type VerifiedLogin } from '../../src/cert/index.js';
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

  it('a real verified login still gives the holder (options null = the defaults)', () => {
    const holder = cardHolderFromLogin(login);
    expect(holder).toMatchObject({ authority: 'MOICA', subjectName: '王小明', cardNumber: 'TP03000012345678' });
    expect(cardHolderFromLogin(login, null as never)).toMatchObject({ cardNumber: 'TP03000012345678' });
  });
});
