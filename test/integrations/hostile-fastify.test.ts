/**
 * twpki/fastify card login against a hostile client, over real HTTP on 127.0.0.1: a reply that fails after the
 * handler, answers that are not objects, the application's own hook refusals, and Fastify's own body errors.
 */
import type { AddressInfo } from 'node:net';
import rateLimit from '@fastify/rate-limit';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardLogin, CardLoginRequestError, type CardLoginChallenge, type CardLoginErrorBody, type FastifyCardLoginOptions } from '../../src/integrations/fastify.js';
import { ORIGIN, signWithComponent, startLoginRig, type LoginRig } from './login-rig.js';

let rig: LoginRig;
let app: FastifyInstance;
let base: string;
let guarded: FastifyInstance;
let guardedBase: string;
const logged: unknown[] = [];
let answerWith: (() => unknown) | undefined;

beforeAll(async () => {
  rig = await startLoginRig();
  app = Fastify();
  await app.register(cardLogin, {
    prefix: '/login/card',
    verifier: rig.verifier,
    challenges: rig.challenges,
    origin: ORIGIN,
    sessionId: (req) => (typeof req.headers['x-session'] === 'string' ? req.headers['x-session'] : undefined),
    onLogin: (login) => (answerWith === undefined ? { user: login.profile.subject.commonName } : answerWith()),
    onError: (error) => logged.push(error),
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  // An application with a rate limit (as the login guide asks for) and a hook of its own that can fail.
  guarded = Fastify();
  await guarded.register(rateLimit, { max: 2, timeWindow: 60_000, keyGenerator: (req) => String(req.headers['x-client']) });
  guarded.addHook('onRequest', async (req) => {
    if (req.headers['x-fail'] === '1') throw new Error('session store at 10.0.0.5:6379 refused the connection');
  });
  // An application hook that runs after the body is parsed (a CSRF or auth check): its 403 is its own.
  guarded.addHook('preValidation', async (req) => {
    if (req.headers['x-csrf'] === 'bad') throw Object.assign(new Error('CSRF token mismatch'), { statusCode: 403 });
  });
  await guarded.register(cardLogin, {
    prefix: '/login/card',
    verifier: rig.verifier,
    challenges: rig.challenges,
    origin: ORIGIN,
    sessionId: () => 'guarded',
    onLogin: () => ({}),
    onError: (error) => logged.push(error),
  });
  await guarded.listen({ port: 0, host: '127.0.0.1' });
  guardedBase = `http://127.0.0.1:${(guarded.server.address() as AddressInfo).port}`;
}, 120_000);

afterAll(async () => {
  await app?.close();
  await guarded?.close();
  await rig?.close();
});

async function signedAnswer(session: string): Promise<string> {
  const r = await fetch(`${base}/login/card/challenge`, { headers: { 'x-session': session } });
  expect(r.status).toBe(200);
  const c = (await r.json()) as CardLoginChallenge;
  return JSON.stringify(await signWithComponent(rig, c.tbs));
}

async function post(session: string, body: string, contentType = 'application/json') {
  const r = await fetch(`${base}/login/card/verify`, {
    method: 'POST',
    headers: { 'content-type': contentType, 'x-session': session },
    body,
    signal: AbortSignal.timeout(8_000),
  });
  return { status: r.status, type: r.headers.get('content-type'), text: await r.text() };
}

const codeOf = (text: string): string | undefined => (JSON.parse(text) as Partial<CardLoginErrorBody>).error?.code;

/**
 * A Fastify application of its own with the card-login plugin (`prepare` runs on it first, then `overrides` on
 * the rig's settings), listening while `use` runs, closed after.
 */
async function withOwnApp(
  overrides: Partial<FastifyCardLoginOptions>,
  use: (base: string) => Promise<void>,
  prepare?: (own: FastifyInstance) => void,
): Promise<void> {
  const own = Fastify();
  prepare?.(own);
  await own.register(cardLogin, { prefix: '/login/card', verifier: rig.verifier, challenges: rig.challenges, origin: ORIGIN, sessionId: () => 'own', onLogin: () => ({}), ...overrides });
  await own.listen({ port: 0, host: '127.0.0.1' });
  try {
    await use(`http://127.0.0.1:${(own.server.address() as AddressInfo).port}`);
  } finally {
    await own.close();
  }
}

describe('twpki/fastify card login, hostile client', () => {
  it('answers an onLogin result that cannot be serialized with 500 INTERNAL, not 400 BODY_INVALID', async () => {
    answerWith = () => ({ id: 1n });
    try {
      const r = await post('bigint', await signedAnswer('bigint'));
      expect([r.status, codeOf(r.text)]).toEqual([500, 'INTERNAL']);
      expect(logged.at(-1)).not.toBeInstanceOf(CardLoginRequestError);
    } finally {
      answerWith = undefined;
    }
  });

  it('issues no challenge for a HEAD (Fastify adds a HEAD route to every GET): 404, as Express answers', async () => {
    const issued: string[] = [];
    const issue = rig.challenges.issue.bind(rig.challenges);
    rig.challenges.issue = async (...args: Parameters<typeof issue>) => {
      issued.push(args[0]);
      return issue(...args);
    };
    try {
      const r = await fetch(`${base}/login/card/challenge`, { method: 'HEAD', headers: { 'x-session': 'head' } });
      expect(r.status).toBe(404);
      expect(issued).toEqual([]);
    } finally {
      rig.challenges.issue = issue;
    }
  });

  it('sends an onLogin answer that is a string as JSON, as the Express middleware does', async () => {
    answerWith = () => 'welcome';
    try {
      const r = await post('string', await signedAnswer('string'));
      expect(r.status).toBe(200);
      expect(r.type).toMatch(/^application\/json/);
      expect(JSON.parse(r.text)).toBe('welcome');
    } finally {
      answerWith = undefined;
    }
  });

  it("still answers Fastify's own body errors as 400 BODY_INVALID, in JSON (held before the fixes)", async () => {
    const cases: Array<[string, string]> = [
      ['{"signatureType":', 'application/json'],
      ['{"__proto__":{"signatureType":"PKCS7"}}', 'application/json'],
      ['{"constructor":{"prototype":{"polluted":1}}}', 'application/json'],
      ['x'.repeat(300 * 1024), 'application/json'],
      ['tbsPackage={"func":"MakeSignature"}', 'application/x-www-form-urlencoded'],
      ['', 'application/json'],
    ];
    for (const [body, type] of cases) {
      const r = await post('body', body, type);
      expect([body.slice(0, 40), r.status, codeOf(r.text)]).toEqual([body.slice(0, 40), 400, 'BODY_INVALID']);
      expect(r.type).toMatch(/^application\/json/);
    }
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('refuses a valid answer encoded twice (a JSON string) as BODY_INVALID, as Express does; the same text as text/plain logs in', async () => {
    const answer = await signedAnswer('twice-encoded');
    const twice = await post('twice-encoded', JSON.stringify(answer), 'application/json; charset=utf-8');
    expect([twice.status, codeOf(twice.text)]).toEqual([400, 'BODY_INVALID']);
    // The challenge was not consumed: the answer as it should be sent still logs in.
    expect((await post('twice-encoded', answer, 'text/plain')).status).toBe(200);
  });

  it('answers a session id holding NUL or a lone surrogate 401 SESSION_REQUIRED, before any store is asked', async () => {
    for (const id of ['a\u0000b', 'a\uD800b']) {
      await withOwnApp({ sessionId: () => id, challenges: rig.challenges }, async (own) => {
        const r = await fetch(`${own}/login/card/challenge`);
        expect([r.status, codeOf(await r.text())]).toEqual([401, 'SESSION_REQUIRED']);
      });
    }
  });

  it('lets exactly one of two concurrent posts of the same answer log in (held before the fixes)', async () => {
    const answer = await signedAnswer('twice');
    const results = await Promise.all([post('twice', answer), post('twice', answer)]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 401]);
    expect(codeOf(results.find((r) => r.status === 401)?.text ?? '{}')).toBe('CHALLENGE_USED');
  });

  it("leaves the application's rate limit its 429 (not 400 BODY_INVALID), and answers a failing hook 500 INTERNAL without its detail", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await fetch(`${guardedBase}/login/card/challenge`, { headers: { 'x-client': 'flood' } });
      statuses.push(r.status);
      await r.arrayBuffer();
    }
    expect(statuses).toEqual([200, 200, 429]);
    const limited = await fetch(`${guardedBase}/login/card/verify`, { method: 'POST', headers: { 'x-client': 'flood', 'content-type': 'application/json' }, body: '{}' });
    expect(limited.status).toBe(429);
    const csrf = await fetch(`${guardedBase}/login/card/verify`, {
      method: 'POST',
      headers: { 'x-client': 'csrf', 'x-csrf': 'bad', 'content-type': 'application/json' },
      body: '{"signatureType":"PKCS7"}',
    });
    expect(csrf.status).toBe(403);
    // Its body errors are still twpki's BODY_INVALID.
    const junk = await fetch(`${guardedBase}/login/card/verify`, {
      method: 'POST',
      headers: { 'x-client': 'junk', 'x-csrf': 'bad', 'content-type': 'application/json' },
      body: '{"signatureType":',
    });
    expect([junk.status, codeOf(await junk.text())]).toEqual([400, 'BODY_INVALID']);
    const failed = await fetch(`${guardedBase}/login/card/challenge`, { headers: { 'x-client': 'other', 'x-fail': '1' } });
    const text = await failed.text();
    expect([failed.status, codeOf(text)]).toEqual([500, 'INTERNAL']);
    expect(text).not.toContain('10.0.0.5');
  });

  it("leaves the application's preValidation refusal of a POST without a body its own status (it was BODY_INVALID)", async () => {
    const csrf = await fetch(`${guardedBase}/login/card/verify`, { method: 'POST', headers: { 'x-client': 'bodiless', 'x-csrf': 'bad' } });
    expect(csrf.status).toBe(403);
  });

  it("writes the answer with the application's reply serializer: a BigInt id it knows is sent, not refused", async () => {
    const bigintAsText = (payload: unknown): string => JSON.stringify(payload, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value));
    await withOwnApp({ sessionId: () => 'serializer', onLogin: () => ({ userId: 9007199254740993n }) }, async (ownBase) => {
      const c = (await (await fetch(`${ownBase}/login/card/challenge`)).json()) as CardLoginChallenge;
      const r = await fetch(`${ownBase}/login/card/verify`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(await signWithComponent(rig, c.tbs)),
      });
      expect([r.status, await r.json()]).toEqual([200, { userId: '9007199254740993' }]);
    }, (own) => own.setReplySerializer(bigintAsText));
  });

  it('answers as usual when the onError hook throws, and its message never reaches the client', async () => {
    const onError = (): void => {
      throw new Error('log sink at 10.0.0.9 is full');
    };
    await withOwnApp({ sessionId: () => undefined, onError }, async (ownBase) => {
      const r = await fetch(`${ownBase}/login/card/challenge`);
      const text = await r.text();
      expect([r.status, codeOf(text)]).toEqual([401, 'SESSION_REQUIRED']);
      expect(text).not.toContain('10.0.0.9');
    });
  });
});

