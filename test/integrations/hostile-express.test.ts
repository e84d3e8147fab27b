/**
 * twpki/express card login against a hostile client, over real HTTP on 127.0.0.1: answers the routes cannot
 * send, oversized and aborted bodies on kept-alive connections, and bodies another parser left as a Buffer.
 */
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardLogin, CardLoginRequestError, type CardLoginChallenge, type CardLoginErrorBody } from '../../src/integrations/express.js';
import { ORIGIN, signWithComponent, startLoginRig, type LoginRig } from './login-rig.js';

let rig: LoginRig;
let bare: string;
let raw: string;
const servers: http.Server[] = [];
const logged: unknown[] = [];
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => {
  unhandled.push(reason);
};
let answerWith: (() => unknown) | undefined;

async function listen(app: express.Express): Promise<string> {
  const server = await new Promise<http.Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function appWith(parser?: express.RequestHandler): express.Express {
  const app = express();
  if (parser !== undefined) app.use(parser);
  app.use(
    '/login/card',
    cardLogin({
      verifier: rig.verifier,
      challenges: rig.challenges,
      origin: ORIGIN,
      sessionId: (req) => req.get('x-session'),
      onLogin: (login) => (answerWith === undefined ? { user: login.profile.subject.commonName } : answerWith()),
      onError: (error) => logged.push(error),
    }),
  );
  // The application's own error handler: what reaches it is a JSON 500, never a hang.
  app.use((_error: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    res.status(500).json({ error: { code: 'APP_ERROR_HANDLER' } });
  });
  return app;
}

beforeAll(async () => {
  process.on('unhandledRejection', onUnhandled);
  rig = await startLoginRig();
  bare = await listen(appWith());
  raw = await listen(appWith(express.raw({ type: '*/*', limit: '256kb' })));
}, 120_000);

afterAll(async () => {
  process.off('unhandledRejection', onUnhandled);
  for (const s of servers) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
  await rig?.close();
});

async function signedAnswer(base: string, session: string): Promise<string> {
  const r = await fetch(`${base}/login/card/challenge`, { headers: { 'x-session': session } });
  expect(r.status).toBe(200);
  const c = (await r.json()) as CardLoginChallenge;
  return JSON.stringify(await signWithComponent(rig, c.tbs));
}

async function post(base: string, session: string, body: string, contentType = 'application/json') {
  const r = await fetch(`${base}/login/card/verify`, {
    method: 'POST',
    headers: { 'content-type': contentType, 'x-session': session },
    body,
    signal: AbortSignal.timeout(8_000),
  });
  return { status: r.status, type: r.headers.get('content-type'), body: (await r.json()) as Record<string, unknown> & Partial<CardLoginErrorBody> };
}

/** One request on a raw socket; resolves with everything the server sent until it closed or `waitMs` passed. */
function onTheWire(base: string, head: string, body: Buffer | string, waitMs = 3_000): Promise<{ text: string; reset: boolean }> {
  return new Promise((resolve) => {
    const sock = net.connect(Number(new URL(base).port), '127.0.0.1');
    let text = '';
    let reset = false;
    const done = (): void => resolve({ text, reset });
    const timer = setTimeout(() => {
      sock.destroy();
      done();
    }, waitMs);
    sock.on('data', (d: Buffer) => (text += d.toString('latin1')));
    sock.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'ECONNRESET') reset = true;
    });
    sock.on('close', () => {
      clearTimeout(timer);
      done();
    });
    sock.write(head);
    sock.write(body);
  });
}

describe('twpki/express card login, hostile client', () => {
  it('answers an onLogin result that is not JSON (BigInt, cycle) with 500 INTERNAL, without an unhandled rejection or a hang', async () => {
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    for (const [name, value] of [['bigint', { id: 1n }], ['cycle', cyclic]] as const) {
      answerWith = () => value;
      try {
        const r = await post(bare, `nj-${name}`, await signedAnswer(bare, `nj-${name}`));
        expect([name, r.status, r.body.error?.code]).toEqual([name, 500, 'INTERNAL']);
        expect(r.type).toMatch(/^application\/json/);
        expect(logged.at(-1)).toBeInstanceOf(TypeError);
      } finally {
        answerWith = undefined;
      }
    }
    await new Promise((r) => setTimeout(r, 50));
    expect(unhandled).toEqual([]);
  });

  it("writes the answer with the application's json replacer: a BigInt id it knows is sent, not refused", async () => {
    const app = appWith();
    app.set('json replacer', (_key: string, value: unknown) => (typeof value === 'bigint' ? value.toString() : value));
    const withReplacer = await listen(app);
    answerWith = () => ({ userId: 9007199254740993n });
    try {
      const r = await post(withReplacer, 'replacer', await signedAnswer(withReplacer, 'replacer'));
      expect([r.status, r.body]).toEqual([200, { userId: '9007199254740993' }]);
    } finally {
      answerWith = undefined;
    }
  });

  it('reads a body an earlier middleware paused (an async check that called req.pause()) instead of hanging', async () => {
    const app = express();
    app.use((req, _res, next) => {
      req.pause();
      setTimeout(next, 10);
    });
    app.use(appWith());
    const paused = await listen(app);
    const r = await post(paused, 'paused', '{"x":1}');
    expect([r.status, r.body.error?.code]).toEqual([400, 'TOKEN_MALFORMED']);
  });

  it('refuses a body over the limit with Connection: close, so a kept-alive connection is not reset under the next request', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const request = (method: string, path: string, body?: Buffer): Promise<{ status: number; connection?: string; text: string }> =>
        new Promise((resolve, reject) => {
          const req = http.request(`${bare}${path}`, { method, agent, headers: { 'x-session': 'big', 'content-type': 'text/plain' } }, (res) => {
            let text = '';
            res.on('data', (d: Buffer) => (text += d.toString()));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, text }));
          });
          req.on('error', reject);
          req.end(body);
        });
      const big = await request('POST', '/login/card/verify', Buffer.alloc(2 * 1024 * 1024, 'x'));
      expect([big.status, (JSON.parse(big.text) as CardLoginErrorBody).error.code]).toEqual([400, 'BODY_INVALID']);
      expect(big.connection).toBe('close');
      // The same agent: the next request must not land on the connection the server is tearing down.
      const next = await request('GET', '/login/card/challenge');
      expect(next.status).toBe(200);
    } finally {
      agent.destroy();
    }
  });

  it('refuses a declared Content-Length over the limit at once, without waiting for the body', async () => {
    // 10 MB announced, 10 bytes sent: the answer must come without the client sending the rest.
    const head = `POST /login/card/verify HTTP/1.1\r\nHost: x\r\nx-session: s\r\ncontent-type: application/json\r\ncontent-length: ${10 * 1024 * 1024}\r\n\r\n`;
    const { text } = await onTheWire(bare, head, '{"a":"xxx"');
    expect(text).toMatch(/^HTTP\/1\.1 400 /);
    expect(text.toLowerCase()).toContain('connection: close');
    expect(text).toContain('"code":"BODY_INVALID"');
  });

  it('reports a body the client aborted as BODY_INVALID to onError, not as an internal error', async () => {
    logged.length = 0;
    const head = 'POST /login/card/verify HTTP/1.1\r\nHost: x\r\nx-session: s\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n';
    await onTheWire(bare, head, '5\r\n{"a":\r\n', 300);
    await expect.poll(() => logged.length).toBeGreaterThan(0);
    expect(logged[0]).toBeInstanceOf(CardLoginRequestError);
    expect((logged[0] as CardLoginRequestError).code).toBe('BODY_INVALID');
  });

  it('reads the Buffer an express.raw() parser left in req.body: a valid answer logs in', async () => {
    const r = await post(raw, 'raw', await signedAnswer(raw, 'raw'));
    expect([r.status, r.body]).toEqual([200, { user: '王小明' }]);
    const junk = await post(raw, 'raw', '{"signatureType":');
    expect([junk.status, junk.body.error?.code]).toEqual([400, 'BODY_INVALID']);
  });

  it('reads a body that starts with a UTF-8 BOM, as express.json() and Fastify do: bare and raw', async () => {
    for (const [base, session] of [[bare, 'bom-bare'], [raw, 'bom-raw']] as const) {
      const r = await post(base, session, `\uFEFF${await signedAnswer(base, session)}`);
      expect([base === bare ? 'bare' : 'raw', r.status, r.body]).toEqual([base === bare ? 'bare' : 'raw', 200, { user: '王小明' }]);
    }
    // One mark only: a second is not whitespace JSON allows, and stays BODY_INVALID.
    const twice = await post(bare, 'bom-twice', `\uFEFF\uFEFF${await signedAnswer(bare, 'bom-twice')}`);
    expect([twice.status, twice.body.error?.code]).toEqual([400, 'BODY_INVALID']);
  });

  it('lets exactly one of two concurrent posts of the same answer log in (held before the fixes)', async () => {
    const answer = await signedAnswer(bare, 'twice');
    const results = await Promise.all([post(bare, 'twice', answer), post(bare, 'twice', answer)]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 401]);
    expect(results.find((r) => r.status === 401)?.body.error?.code).toBe('CHALLENGE_USED');
  });
});
