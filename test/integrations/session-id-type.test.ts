/**
 * `sessionId: () => 12345` (a numeric session or user key) was answered 401 SESSION_REQUIRED, the detail
 * saying "the request has no session": every user would be sent to log in again, and nothing named the
 * callback. A value that is not a string is the application's wiring: 500 INVALID_CONFIGURATION, the detail
 * naming the callback and the type it returned (never the value: it may be a session secret), and never
 * converted to a string. No session (undefined, null, '') stays 401 SESSION_REQUIRED.
 */
import express from 'express';
import Fastify from 'fastify';
import type { AddressInfo } from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import { ChallengeIssuer, LoginVerifierBuilder, type LoginVerifier } from '../../src/cert/index.js';
import { CardLoginHandler, type CardLoginOptions } from '../../src/integrations/card-login.js';
import { cardLogin as expressCardLogin } from '../../src/integrations/express.js';
import { cardLogin as fastifyCardLogin } from '../../src/integrations/fastify.js';
import { createTestPki } from '../../src/testing/index.js';

const ORIGIN = 'https://service.example.gov.tw';
let challenges: ChallengeIssuer;
let verifier: LoginVerifier;
const issued: string[] = [];

beforeAll(async () => {
  const pki = await createTestPki({ authorities: ['moica'] });
  challenges = new ChallengeIssuer();
  const issue = challenges.issue.bind(challenges);
  challenges.issue = (sessionId: string) => {
    issued.push(sessionId);
    return issue(sessionId);
  };
  verifier = new LoginVerifierBuilder().withTrustAnchors(pki.root.certificate).withAllowedOrigins(ORIGIN).withChallenges(challenges).withoutRevocationCheck().build();
}, 60_000);

function handlerWith(sessionId: () => unknown, seen: unknown[]): CardLoginHandler<object> {
  return new CardLoginHandler<object>({
    verifier,
    challenges,
    origin: ORIGIN,
    sessionId: sessionId as CardLoginOptions<object>['sessionId'],
    onLogin: () => undefined,
    onError: (e) => seen.push(e),
    language: () => 'en',
  });
}

describe('a sessionId callback that returns something other than a string', () => {
  for (const [label, value, kind] of [
    ['a number', 12345, 'a number'],
    ['a bigint', 12345n, 'a bigint'],
    ['an object', { id: 'abc' }, 'an object'],
    ['an array', ['abc'], 'an array'],
    ['a boolean', true, 'a boolean'],
  ] as const) {
    it(`${label}: 500 INVALID_CONFIGURATION on both routes, the detail naming the callback and the type, nothing issued`, async () => {
      const seen: unknown[] = [];
      const handler = handlerWith(() => value, seen);
      issued.length = 0;
      for (const reply of [await handler.challenge({}), await handler.verify({}, { signatureType: 'PKCS7', tbs: 'x', signature: 'AAAA' })]) {
        expect(reply.status).toBe(500);
        expect(reply.body).toMatchObject({ error: { code: 'INVALID_CONFIGURATION' } });
      }
      expect(issued).toEqual([]);
      expect(seen).toHaveLength(2);
      for (const e of seen) {
        expect(e).toMatchObject({ name: 'VerifierConfigurationError', code: 'INVALID_CONFIGURATION' });
        expect((e as Error).message).toContain(`sessionId(request) returned ${kind}, not a string`);
        expect((e as Error).message).not.toContain('12345');
        expect((e as Error).message).not.toContain('abc');
      }
    });
  }

  it('a promise of a number likewise', async () => {
    const seen: unknown[] = [];
    const reply = await handlerWith(() => Promise.resolve(7), seen).challenge({});
    expect(reply.status).toBe(500);
    expect((seen[0] as Error).message).toMatch(/returned a number, not a string/);
  });

  it('through Express and Fastify as the tester wired it: 500, not 401 SESSION_REQUIRED', async () => {
    const seen: unknown[] = [];
    const options = { verifier, challenges, origin: ORIGIN, sessionId: () => 12345, onLogin: async () => ({}), onError: (e: unknown) => seen.push(e) };
    const app = express();
    app.use('/login/card', expressCardLogin(options as never));
    const http = app.listen(0, '127.0.0.1');
    await new Promise((r) => http.once('listening', r));
    const fastify = Fastify();
    await fastify.register(fastifyCardLogin, { prefix: '/login/card', ...(options as never as object) } as never);
    try {
      const viaExpress = await fetch(`http://127.0.0.1:${(http.address() as AddressInfo).port}/login/card/challenge`);
      expect(viaExpress.status).toBe(500);
      expect(await viaExpress.json()).toMatchObject({ error: { code: 'INVALID_CONFIGURATION', message: '系統憑證登入設定錯誤，暫時無法使用憑證登入' } });
      const viaFastify = await fastify.inject({ method: 'GET', url: '/login/card/challenge' });
      expect(viaFastify.statusCode).toBe(500);
      expect(viaFastify.json()).toMatchObject({ error: { code: 'INVALID_CONFIGURATION' } });
      expect(seen.map((e) => (e as Error).message)).toEqual([expect.stringMatching(/returned a number/), expect.stringMatching(/returned a number/)]);
    } finally {
      await new Promise((r) => http.close(r));
      await fastify.close();
    }
  });
});

describe('no session stays 401 SESSION_REQUIRED, its detail saying what the callback returned', () => {
  for (const [value, said] of [
    [undefined, 'returned undefined'],
    [null, 'returned null'],
    ['', 'returned an empty string'],
  ] as const) {
    it(`${JSON.stringify(value) ?? 'undefined'}`, async () => {
      const seen: unknown[] = [];
      const reply = await handlerWith(() => value, seen).challenge({});
      expect(reply.status).toBe(401);
      expect(reply.body).toMatchObject({ error: { code: 'SESSION_REQUIRED' } });
      expect((seen[0] as Error).message).toContain(said);
    });
  }

  it('a string session id is issued a challenge as before', async () => {
    issued.length = 0;
    const reply = await handlerWith(() => 'session-1', []).challenge({});
    expect(reply.status).toBe(200);
    expect(issued).toEqual(['session-1']);
  });
});

describe('sessionId that is not a function', () => {
  it('is refused when the routes are built, naming the option', () => {
    expect(() => handlerWith(12345 as never, [])).toThrow(expect.objectContaining({ code: 'INVALID_CONFIGURATION', message: expect.stringMatching(/sessionId must be a function/) }));
  });
});
