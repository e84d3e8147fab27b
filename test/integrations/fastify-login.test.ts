import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EnrollError } from '../../src/enroll/errors.js';
import { refusalError } from '../../src/enroll/refusals.js';
import { cardLogin, type CardLoginChallenge, type CardLoginErrorBody } from '../../src/integrations/fastify.js';
import { CARD_NUMBER, ORIGIN, signWithComponent, startLoginRig, type LoginRig } from './login-rig.js';

let rig: LoginRig;
let app: FastifyInstance;
const refused = new Set<string>();
const logged: unknown[] = [];

beforeAll(async () => {
  rig = await startLoginRig();
  app = Fastify();
  await app.register(cardLogin, {
    prefix: '/login/card',
    verifier: rig.verifier,
    challenges: rig.challenges,
    origin: ORIGIN,
    sessionId: (req) => (typeof req.headers['x-session'] === 'string' ? req.headers['x-session'] : undefined),
    onLogin: (login) => {
      if (refused.has(login.cardNumber ?? '')) throw new EnrollError('NOT_AUTHORIZED', 'this card is not bound to an account');
      if (refused.has('company card')) throw refusalError('COMPANY_ID_MISMATCH', 'card 12345678, application 87654321');
      if (refused.has('method off')) throw refusalError('COMPANY_CARD_LOGIN_DISABLED');
      if (refused.has('crash')) throw new Error('database password rejected for user app');
      return { user: login.profile.subject.commonName, cardNumber: login.cardNumber };
    },
    onError: (error) => logged.push(error),
  });
  await app.ready();
}, 120_000);

afterAll(async () => {
  await app?.close();
  await rig?.close();
});

async function challenge(session: string): Promise<CardLoginChallenge> {
  const r = await app.inject({ method: 'GET', url: '/login/card/challenge', headers: { 'x-session': session } });
  expect(r.statusCode).toBe(200);
  expect(r.headers['cache-control']).toBe('no-store');
  return r.json<CardLoginChallenge>();
}

async function post(session: string | undefined, payload: unknown, extra: Record<string, string> = {}) {
  const headers: Record<string, string> = { ...(session === undefined ? {} : { 'x-session': session }), ...extra };
  // A string is sent as is (possibly broken JSON); an object as JSON.
  if (typeof payload === 'string') headers['content-type'] = 'application/json';
  const r = await app.inject({ method: 'POST', url: '/login/card/verify', headers, payload: payload as string | object });
  return { status: r.statusCode, body: r.json<Record<string, unknown> & Partial<CardLoginErrorBody>>() };
}

describe('twpki/fastify card login, end to end with a virtual card', () => {
  it('issues a challenge, verifies the card-signed answer and calls onLogin', async () => {
    const c = await challenge('s1');
    expect(c.tbs).toBe(`twpki-login/1\norigin=${ORIGIN}\nchallenge=${c.challenge}`);
    expect(new Date(c.expiresAt).getTime()).toBeGreaterThan(Date.now());
    const answer = await signWithComponent(rig, c.tbs);
    const r = await post('s1', answer);
    expect(r).toEqual({ status: 200, body: { user: '王小明', cardNumber: CARD_NUMBER } });
    // The PIN was used on the card, never sent to the backend.
    expect(JSON.stringify(answer)).not.toContain('246810');
  });

  it('refuses a replay with 401 CHALLENGE_USED and the catalogue message in the request language', async () => {
    const c = await challenge('s2');
    const answer = await signWithComponent(rig, c.tbs);
    expect((await post('s2', answer)).status).toBe(200);
    const zh = await post('s2', answer);
    expect(zh.status).toBe(401);
    expect(zh.body.error).toEqual({
      code: 'CHALLENGE_USED',
      message: '登入驗證碼已使用過，請重新登入',
      messages: { zhTW: '登入驗證碼已使用過，請重新登入', en: 'The login challenge was already used; please log in again' },
    });
    const en = await post('s2', answer, { 'accept-language': 'en-US,en;q=0.9' });
    expect(en.body.error?.message).toBe('The login challenge was already used; please log in again');
  });

  it('binds the challenge to the session: another session gets 401 CHALLENGE_SESSION_MISMATCH', async () => {
    const c = await challenge('s3');
    const r = await post('someone-else', await signWithComponent(rig, c.tbs));
    expect(r.status).toBe(401);
    expect(r.body.error?.code).toBe('CHALLENGE_SESSION_MISMATCH');
  });

  it('answers 401 SESSION_REQUIRED without a session, on both routes', async () => {
    const r = await app.inject({ method: 'GET', url: '/login/card/challenge' });
    expect(r.statusCode).toBe(401);
    expect(r.json<CardLoginErrorBody>().error.code).toBe('SESSION_REQUIRED');
    expect((await post(undefined, { signatureType: 'PKCS7' })).body.error?.code).toBe('SESSION_REQUIRED');
  });

  it('maps malformed bodies and bad signatures to 400 and 401', async () => {
    const junk = await post('s4', '{"signatureType":');
    expect(junk.status).toBe(400);
    expect(junk.body.error?.code).toBe('BODY_INVALID');
    // Sent as text, the same junk reaches the handler unparsed and is refused alike.
    const asText = await app.inject({ method: 'POST', url: '/login/card/verify', headers: { 'content-type': 'text/plain', 'x-session': 's4' }, payload: '{"signatureType":' });
    expect([asText.statusCode, asText.json<CardLoginErrorBody>().error.code]).toEqual([400, 'BODY_INVALID']);
    const shape = await post('s4', { signatureType: 'PKCS7' });
    expect(shape.status).toBe(400);
    expect(shape.body.error?.code).toBe('TOKEN_MALFORMED');
    const c = await challenge('s4');
    const answer = await signWithComponent(rig, c.tbs);
    const sig = Buffer.from(String(answer['signature']), 'base64');
    sig.writeUInt8((sig.at(-5) ?? 0) ^ 0xff, sig.length - 5);
    const bad = await post('s4', { ...answer, signature: sig.toString('base64') });
    expect(bad.status).toBe(401);
    expect(bad.body.error?.code).toBe('SIGNATURE_INVALID');
  });

  it('fails closed with 503 when the OCSP responder is down, and keeps the challenge from being reused', async () => {
    const c = await challenge('s5');
    const answer = await signWithComponent(rig, c.tbs);
    rig.server.ocsp.httpStatus = 500;
    try {
      const r = await post('s5', answer);
      expect(r.status).toBe(503);
      expect(r.body.error?.code).toBe('REVOCATION_CHECK_FAILED');
      expect(r.body.error?.messages.zhTW).toBe('憑證狀態查詢失敗，請稍後再試');
    } finally {
      delete rig.server.ocsp.httpStatus;
    }
    expect((await post('s5', answer)).body.error?.code).toBe('CHALLENGE_USED');
  });

  it('answers an onLogin refusal (EnrollError NOT_AUTHORIZED) with 403 and its message; the detail goes to onError only', async () => {
    refused.add(CARD_NUMBER);
    try {
      const c = await challenge('s6');
      const r = await post('s6', await signWithComponent(rig, c.tbs));
      expect(r.status).toBe(403);
      expect(r.body.error).toMatchObject({ code: 'NOT_AUTHORIZED', message: '此自然人憑證序號未經授權' });
      expect(JSON.stringify(r.body)).not.toContain('not bound to an account');
      expect(logged.some((e) => e instanceof EnrollError && e.message.includes('not bound to an account'))).toBe(true);
    } finally {
      refused.clear();
    }
  });

  it('answers a flow\'s refusal with the wording of its exact cause, not the code\'s general sentence', async () => {
    try {
      refused.add('company card');
      let c = await challenge('s8');
      let r = await post('s8', await signWithComponent(rig, c.tbs));
      expect(r.status).toBe(403);
      expect(r.body.error).toMatchObject({
        code: 'NOT_AUTHORIZED',
        message: '工商憑證之統一編號與申請資料不符',
        messages: { zhTW: '工商憑證之統一編號與申請資料不符', en: 'The company card\'s business ID does not match the application' },
      });
      expect(JSON.stringify(r.body)).not.toContain('87654321');
      refused.clear();
      refused.add('method off');
      c = await challenge('s9');
      r = await post('s9', await signWithComponent(rig, c.tbs), { 'accept-language': 'en' });
      expect(r.status).toBe(403);
      expect(r.body.error).toMatchObject({ code: 'LOGIN_METHOD_DISABLED', message: 'Company card login is disabled for this account' });
    } finally {
      refused.clear();
    }
  });

  it('answers an unexpected failure in onLogin with 500 INTERNAL and no detail', async () => {
    refused.add('crash');
    try {
      const c = await challenge('s7');
      const r = await post('s7', await signWithComponent(rig, c.tbs), { 'accept-language': 'en' });
      expect(r.status).toBe(500);
      expect(r.body.error).toEqual({
        code: 'INTERNAL',
        message: 'A server error occurred; please try again later',
        messages: { zhTW: '系統發生錯誤，請稍後再試', en: 'A server error occurred; please try again later' },
      });
      expect(JSON.stringify(r.body)).not.toContain('password');
    } finally {
      refused.clear();
    }
  });
});
