import { readFileSync } from 'node:fs';
import Fastify from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { ChallengeIssuer, InMemoryChallengeStore, LoginVerifierBuilder, type LoginVerifier } from '../../src/cert/index.js';
import { SqlChallengeStore } from '../../src/challenge-store/index.js';
import { PgliteStore } from '../../src/enroll/pglite.js';
import { cardLogin as expressCardLogin } from '../../src/integrations/express.js';
import { cardLogin as fastifyCardLogin } from '../../src/integrations/fastify.js';
import { CardLoginHandler } from '../../src/integrations/card-login.js';

// Two mistakes in wiring the card-login routes used to pass set-up and then fail every user's login, answered
// to the user as their own error: a route origin the verifier does not allow (401 ORIGIN_MISMATCH, "the signature
// was made for another website") and challenges issued into an in-memory store the verifier never reads
// (CHALLENGE_UNKNOWN). Both are now refused when the routes are built, naming the setting.

const ANCHOR = readFileSync(new URL('../../fixtures/ca/grca-g2.pem', import.meta.url), 'utf8');
const ORIGIN = 'https://service.example.gov.tw';

function verifierFor(challenges: ChallengeIssuer, ...origins: string[]): LoginVerifier {
  return new LoginVerifierBuilder()
    .withTrustAnchors(ANCHOR)
    .withAllowedOrigins(...origins)
    .withChallenges(challenges)
    .withoutRevocationCheck()
    .build();
}

function refusal(build: () => unknown): { code?: string; message: string } {
  try {
    build();
  } catch (err) {
    return err as { code?: string; message: string };
  }
  throw new Error('expected the set-up to be refused');
}

const base = { sessionId: () => 's', onLogin: () => undefined };

describe('card-login routes refuse a wiring that would fail every login', () => {
  it('a route origin the verifier does not allow, in every adapter', async () => {
    const challenges = new ChallengeIssuer();
    const verifier = verifierFor(challenges, ORIGIN);
    const origin = 'https://www.service.example.gov.tw';
    const expected = `origin "${origin}" is not one of the verifier's allowed origins (${ORIGIN})`;
    for (const build of [
      () => new CardLoginHandler({ ...base, verifier, challenges, origin }),
      () => expressCardLogin({ ...base, verifier, challenges, origin }),
    ]) {
      const err = refusal(build);
      expect(err.code).toBe('INVALID_CONFIGURATION');
      expect(err.message).toContain(expected);
    }
    // Fastify builds its routes when the plugin registers: the app does not start.
    const app = Fastify();
    await expect(app.register(fastifyCardLogin, { ...base, verifier, challenges, origin, prefix: '/login' }).ready()).rejects.toMatchObject({
      code: 'INVALID_CONFIGURATION',
      message: expect.stringContaining(expected),
    });
    await app.close();
    // One of several allowed origins is fine.
    const two = verifierFor(challenges, ORIGIN, origin);
    expect(() => new CardLoginHandler({ ...base, verifier: two, challenges, origin })).not.toThrow();
    expect(two.origins).toEqual([ORIGIN, origin]);
  });

  it('challenges issued into an in-memory store the verifier does not read', () => {
    const verifier = verifierFor(new ChallengeIssuer(), ORIGIN);
    const err = refusal(() => new CardLoginHandler({ ...base, verifier, challenges: new ChallengeIssuer(), origin: ORIGIN }));
    expect(err.code).toBe('INVALID_CONFIGURATION');
    expect(err.message).toMatch(/CHALLENGE_UNKNOWN.*withChallenges/);
    const other = refusal(() =>
      new CardLoginHandler({ ...base, verifier, challenges: new ChallengeIssuer({ store: new InMemoryChallengeStore() }), origin: ORIGIN }),
    );
    expect(other.code).toBe('INVALID_CONFIGURATION');
  });

  let db: PgliteStore | undefined;
  afterAll(async () => {
    await db?.close();
  });

  it('two SQL store objects on one database are the same challenges, and are let through', async () => {
    db = await PgliteStore.open();
    const issuing = new ChallengeIssuer({ store: await SqlChallengeStore.open({ store: db }) });
    const consuming = new ChallengeIssuer({ store: await SqlChallengeStore.open({ store: db }) });
    const verifier = verifierFor(consuming, ORIGIN);
    const handler = new CardLoginHandler({ ...base, verifier, challenges: issuing, origin: ORIGIN });
    // A challenge issued through one object is consumed through the other.
    const reply = await handler.challenge({});
    expect(reply.status).toBe(200);
    const { challenge } = reply.body as { challenge: string };
    await expect(verifier.challengeStore.consume(challenge)).resolves.toMatchObject({ record: { sessionId: 's' }, alreadyUsed: false });
  });
});
