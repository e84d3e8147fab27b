/**
 * signLoginToken: the token a page posts after /sign, from a test card
 * holder's key; the real LoginVerifier accepts it as a card's login, and
 * cardHolderFromLogin makes a holder the enrollment flows take.
 */
import { beforeAll, expect, it } from 'vitest';
import { ChallengeIssuer, LoginVerifierBuilder, buildLoginMessage, type LoginVerifier } from '../../../src/cert/index.js';
import { cardHolderFromLogin } from '../../../src/enroll/index.js';
import { isVerifiedHolder } from '../../../src/enroll/domain/verified-holder.js';
import { TestPkiError, createTestPki, signLoginToken, type CardHolderCredentials, type SignLoginTokenOptions } from '../../../src/testing/index.js';

const ORIGIN = 'https://gps.example.gov.tw';
let card: CardHolderCredentials;
let challenges: ChallengeIssuer;
let verifier: LoginVerifier;

beforeAll(async () => {
  const pki = await createTestPki({ authorities: ['moica'] });
  card = await pki.issueCardHolder({ authority: 'moica', commonName: '王小明', idHint: '6789' });
  challenges = new ChallengeIssuer();
  verifier = new LoginVerifierBuilder()
    .withTrustAnchors(pki.root.certificate)
    .withIntermediates(pki.issuer('moica').certificate)
    .withAllowedOrigins(ORIGIN)
    .withChallenges(challenges)
    .withoutRevocationCheck()
    .build();
}, 60_000);

async function login(options: Omit<SignLoginTokenOptions, 'tbs'>, alter?: (token: Record<string, unknown>) => void) {
  const challenge = await challenges.issue('session-1');
  const token = { ...(await signLoginToken(card, { ...options, tbs: buildLoginMessage({ origin: ORIGIN, challenge: challenge.value }) })) };
  alter?.(token);
  return verifier.verify(token, { sessionId: 'session-1' });
}

it('a PKCS#7 token with the card number is a verified login carrying it signed; the holder is one the flows take', async () => {
  const signingTime = new Date('2026-03-02T01:02:03Z');
  const verified = await login({ cardNumber: 'TP03000012345678', signingTime });
  expect([verified.cardNumber, verified.reportedCardNumber, verified.origin]).toEqual(['TP03000012345678', 'TP03000012345678', ORIGIN]);
  expect(verified.signingTime?.toISOString()).toBe(signingTime.toISOString());
  expect(verified.certificate).toEqual(card.sign.certificate);
  const holder = cardHolderFromLogin(verified);
  expect(holder).toMatchObject({ authority: 'MOICA', subjectName: '王小明', cardNumber: 'TP03000012345678', idHint: '6789' });
  expect(isVerifiedHolder(holder)).toBe(true);
});

it('PKCS#1 and other digests verify; SHA-1 is refused as the verifier refuses a real card SHA-1 signature', async () => {
  const pkcs1 = await login({ signatureType: 'PKCS1', cardNumber: 'TP03000012345678' });
  expect([pkcs1.cardNumber, pkcs1.reportedCardNumber]).toEqual([undefined, 'TP03000012345678']);
  expect((await login({ hashAlgorithm: 'SHA384' })).cardNumber).toBeUndefined();
  await expect(login({ hashAlgorithm: 'SHA1' })).rejects.toMatchObject({ code: 'ALGORITHM_NOT_ALLOWED' });
});

it('the token is really signed: another text or another card number under the same signature fails', async () => {
  // PKCS#7 carries the text it signed: a token naming another text fails the signature step.
  await expect(login({}, (t) => (t['tbs'] = `${String(t['tbs'])} `))).rejects.toMatchObject({ code: 'SIGNATURE_INVALID' });
  const pkcs1 = login({ signatureType: 'PKCS1' }, (t) => (t['tbs'] = String(t['tbs']).replace('gps', 'gpx')));
  await expect(pkcs1).rejects.toMatchObject({ code: 'SIGNATURE_INVALID' });
  // The unsigned cardSN disagreeing with the signed one is refused by the verifier.
  await expect(login({ cardNumber: 'TP03000012345678' }, (t) => (t['cardSN'] = 'TP03000000000000'))).rejects.toMatchObject({ code: 'CARD_NUMBER_MISMATCH' });
});

it('anything but a card holder\'s credentials is BAD_OPTIONS naming card, before anything is signed', async () => {
  for (const wrong of [undefined, card.sign, JSON.parse(JSON.stringify(card)), { sign: { certificate: card.sign.certificate, privateKey: card.sign.publicKey } }]) {
    const err = await signLoginToken(wrong as CardHolderCredentials, { tbs: 'x' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(TestPkiError);
    expect((err as Error).message).toMatch(/^signLoginToken: card must be a card holder's credentials/);
  }
});

it('bad options are BAD_OPTIONS naming the option', async () => {
  const cases: Array<[string, unknown]> = [
    ['tbs', { tbs: '' }],
    ['tbs', { tbs: 5 }],
    ['signatureType', { tbs: 'x', signatureType: 'CMS' }],
    ['hashAlgorithm', { tbs: 'x', hashAlgorithm: 'MD5' }],
    ['hashAlgorithm', { tbs: 'x', hashAlgorithm: 'toString' }],
    ['cardNumber', { tbs: 'x', cardNumber: 'TP03@1' }],
    ['cardNumber', { tbs: 'x', cardNumber: '' }],
    ['signingTime', { tbs: 'x', signingTime: new Date(Number.NaN) }],
    ['tbs', undefined],
    // The component's own names for the card number would otherwise be ignored silently.
    ['cardSN', { tbs: 'x', cardSN: 'TP03000012345678' }],
    ['withCardSN', { tbs: 'x', withCardSN: 'true' }],
  ];
  for (const [option, options] of cases) {
    const err = await signLoginToken(card, options as SignLoginTokenOptions).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(TestPkiError);
    expect([(err as TestPkiError).code, (err as Error).message]).toEqual(['BAD_OPTIONS', expect.stringContaining(`signLoginToken: ${option} `)]);
  }
});
