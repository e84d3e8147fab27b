/**
 * A card-login route whose store transaction PostgreSQL aborted for a lost
 * race (40001, 40P01) answered 500 INTERNAL, the driver's error being no
 * twpki error. The store now raises EnrollError CONCURRENT_UPDATE, and the
 * routes answer it 409 with the catalogue's "try again" message: the request
 * was fine and may succeed now; the service is not down (503).
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ChallengeIssuer, LoginVerifierBuilder } from '../../src/cert/index.js';
import { SqlChallengeStore } from '../../src/challenge-store/index.js';
import { EnrollError } from '../../src/enroll/errors.js';
import { PgliteStore } from '../../src/enroll/pglite.js';
import { lostRaceError } from '../../src/enroll/store/sql-errors.js';
import { CardLoginHandler, cardLoginStatus } from '../../src/integrations/card-login.js';

const ANCHOR = readFileSync(new URL('../../fixtures/ca/grca-g2.pem', import.meta.url), 'utf8');
const ORIGIN = 'https://service.example.gov.tw';

let db: PgliteStore;

beforeAll(async () => {
  db = await PgliteStore.open();
});
afterAll(async () => {
  await db.close();
});

it('a lost race is 409 CONCURRENT_UPDATE, like the version check\'s', () => {
  for (const code of ['40001', '40P01']) {
    expect(cardLoginStatus(lostRaceError(Object.assign(new Error('driver'), { code })))).toBe(409);
  }
  expect(cardLoginStatus(new EnrollError('CONCURRENT_UPDATE', 'x'))).toBe(409);
});

it('the challenge route answers a serialization failure of its store 409 with the try-again message, not 500', async () => {
  const store = await SqlChallengeStore.open({ store: db });
  // A real 40001 from the database on the challenge insert.
  await db.transaction(async (tx) => {
    await tx.query(`CREATE FUNCTION lost_race() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'could not serialize access' USING ERRCODE = 'serialization_failure'; END $$`);
    await tx.query('CREATE TRIGGER lost_race BEFORE INSERT ON twpki_login_challenges FOR EACH ROW EXECUTE FUNCTION lost_race()');
  });
  const challenges = new ChallengeIssuer({ store });
  const verifier = new LoginVerifierBuilder().withTrustAnchors(ANCHOR).withAllowedOrigins(ORIGIN).withChallenges(challenges).withoutRevocationCheck().build();
  const seen: unknown[] = [];
  const handler = new CardLoginHandler<object>({
    verifier,
    challenges,
    origin: ORIGIN,
    sessionId: () => 'session-1',
    onLogin: () => undefined,
    onError: (e) => seen.push(e),
    language: () => 'en',
  });
  const reply = await handler.challenge({});
  expect(reply.status).toBe(409);
  expect(reply.body).toMatchObject({ error: { code: 'CONCURRENT_UPDATE', message: expect.stringContaining('try again') } });
  expect(seen[0]).toMatchObject({ code: 'CONCURRENT_UPDATE', cause: { code: '40001' } });
});
