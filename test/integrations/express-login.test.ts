import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardLogin, type CardLoginChallenge, type CardLoginErrorBody } from '../../src/integrations/express.js';
import { CARD_NUMBER, ORIGIN, signWithComponent, startLoginRig, type LoginRig } from './login-rig.js';

let rig: LoginRig;
const servers: Server[] = [];
let bare: string;
let parsed: string;

async function listen(app: express.Express): Promise<string> {
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function appWith(jsonParser: boolean): express.Express {
  const app = express();
  if (jsonParser) app.use(express.json({ limit: '256kb' }));
  app.use(
    '/login/card',
    cardLogin({
      verifier: rig.verifier,
      challenges: rig.challenges,
      origin: ORIGIN,
      sessionId: (req) => req.get('x-session'),
      onLogin: (login) => ({ user: login.profile.subject.commonName, cardNumber: login.cardNumber }),
    }),
  );
  app.get('/other', (_req, res) => {
    res.send('untouched');
  });
  return app;
}

beforeAll(async () => {
  rig = await startLoginRig();
  bare = await listen(appWith(false));
  parsed = await listen(appWith(true));
}, 120_000);

afterAll(async () => {
  for (const s of servers) await new Promise((r) => s.close(r));
  await rig?.close();
});

async function challenge(base: string, session: string): Promise<CardLoginChallenge> {
  const r = await fetch(`${base}/login/card/challenge`, { headers: { 'x-session': session } });
  expect(r.status).toBe(200);
  expect(r.headers.get('cache-control')).toBe('no-store');
  return (await r.json()) as CardLoginChallenge;
}

async function post(base: string, session: string, body: string, headers: Record<string, string> = {}) {
  const r = await fetch(`${base}/login/card/verify`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-session': session, ...headers },
    body,
  });
  return { status: r.status, body: (await r.json()) as Record<string, unknown> & Partial<CardLoginErrorBody> };
}

describe.each([
  ['without a body parser', () => bare],
  ['after express.json()', () => parsed],
])('twpki/express card login %s, end to end with a virtual card over HTTP', (_name, base) => {
  it('logs in with the card-signed challenge and refuses the replay', async () => {
    const c = await challenge(base(), 'e1');
    const answer = JSON.stringify(await signWithComponent(rig, c.tbs));
    expect(await post(base(), 'e1', answer)).toEqual({ status: 200, body: { user: '王小明', cardNumber: CARD_NUMBER } });
    const replay = await post(base(), 'e1', answer, { 'accept-language': 'en' });
    expect(replay.status).toBe(401);
    expect(replay.body.error).toEqual({
      code: 'CHALLENGE_USED',
      message: 'The login challenge was already used; please log in again',
      messages: { zhTW: '登入驗證碼已使用過，請重新登入', en: 'The login challenge was already used; please log in again' },
    });
  });

  it('refuses another session, a missing session and a malformed token with their statuses', async () => {
    const c = await challenge(base(), 'e2');
    const answer = JSON.stringify(await signWithComponent(rig, c.tbs));
    const other = await post(base(), 'e3', answer);
    expect([other.status, other.body.error?.code]).toEqual([401, 'CHALLENGE_SESSION_MISMATCH']);
    // An oversized session cookie is the request's fault (401), not a store failure (500).
    const huge = await fetch(`${base()}/login/card/challenge`, { headers: { 'x-session': 'x'.repeat(1025) } });
    expect([huge.status, ((await huge.json()) as CardLoginErrorBody).error.code]).toEqual([401, 'SESSION_REQUIRED']);
    const none = await fetch(`${base()}/login/card/challenge`);
    expect(none.status).toBe(401);
    expect(((await none.json()) as CardLoginErrorBody).error).toMatchObject({ code: 'SESSION_REQUIRED', message: '連線已逾時或尚未建立，請重新整理頁面後再登入' });
    const junk = await post(base(), 'e2', '{"signatureType": "PKCS7", "tbs": 1}');
    expect([junk.status, junk.body.error?.code]).toEqual([400, 'TOKEN_MALFORMED']);
    // Text express.json() leaves alone: unparsable JSON is the body's fault, as Fastify's parser answers it, and
    // so are JSON texts that are no object (express.json() itself answers its own content type's bad JSON).
    for (const [body, type] of [['{"signatureType":', 'text/plain'], ['[1]', 'application/json'], ['"x"', 'text/plain']]) {
      const r = await post(base(), 'e2', body as string, { 'content-type': type as string });
      expect([body, r.status, r.body.error?.code]).toEqual([body, 400, 'BODY_INVALID']);
    }
  });

  it('passes other routes and methods through', async () => {
    expect(await (await fetch(`${base()}/other`)).text()).toBe('untouched');
    expect((await fetch(`${base()}/login/card/verify`)).status).toBe(404);
  });
});

describe('twpki/express body limits', () => {
  it('answers a body over the token limit with 400 BODY_INVALID, without a parser', async () => {
    const r = await post(bare, 'e4', JSON.stringify({ signatureType: 'PKCS7', tbs: 'x'.repeat(300 * 1024) }));
    expect([r.status, r.body.error?.code]).toEqual([400, 'BODY_INVALID']);
  });

  it('answers unparsable JSON with 400 BODY_INVALID without a parser (TOKEN_MALFORMED is for a JSON object of the wrong shape)', async () => {
    for (const type of ['application/json', 'text/plain']) {
      const r = await post(bare, 'e4', '{"signatureType":', { 'content-type': type });
      expect([type, r.status, r.body.error?.code]).toEqual([type, 400, 'BODY_INVALID']);
    }
    const shape = await post(bare, 'e4', '{"signatureType": "PKCS7", "tbs": 1}');
    expect([shape.status, shape.body.error?.code]).toEqual([400, 'TOKEN_MALFORMED']);
  });
});
