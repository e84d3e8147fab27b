/**
 * The reference portal as an operations team deploys it: behind a
 * TLS-terminating proxy (public origin https://portal.example.gov.tw, the app
 * on http://127.0.0.1), two instances behind a load balancer on one
 * PostgreSQL, and restarts. A page's calls are made as the proxy forwards
 * them (X-Forwarded-Proto, the public Origin), each to whichever instance the
 * test names; cards sign through a real local agent over an in-process card.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmulatorCardSlots, startAgent, type AgentServer } from 'twpki/agent';
import { EmulatorReader } from 'twpki/pcsc';
import { createTestPki, type TestPki } from 'twpki/testing';
import type { Mailer } from 'twpki/enroll';
import type { PgliteStore } from 'twpki/enroll/pglite';
import { DEMO_EMS_RECORDS, demoCard, demoTrust } from '../../examples/portal/demo-setup.js';
import { gpsSystem } from '../../examples/portal/gps/index.js';
import { startPortal, type Portal, type PortalOptions } from '../../examples/portal/server.js';
import { hashReviewerPassword } from '../../examples/portal/core/reviewer.js';
import { getDatabaseUrl, openPglite } from '../enroll/helpers.js';

const PUBLIC = 'https://portal.example.gov.tw';
const PIN = '246813';
const REVIEWER_PASSWORD = 'deploy-reviewer-1';
/**
 * Its scrypt hash, made once: given `reviewerPassword`, each of the dozen starts (restarts included) hashed it again.
 * The reviewer logs in with the password as before.
 */
const REVIEWER_PASSWORD_HASH = hashReviewerPassword(REVIEWER_PASSWORD);
const [EMS, OTHER] = DEMO_EMS_RECORDS;
const SECRETS = { sessionSecret: randomBytes(32).toString('base64url'), holderKey: new Uint8Array(randomBytes(32)) };
const noMail: Mailer = { send: () => Promise.resolve() };

interface Reply {
  status: number;
  body: Record<string, unknown>;
  setCookie: string | null;
}

/** A browser on the public origin: one cookie jar, requests forwarded by the proxy to the instance named per call. */
class ProxiedPage {
  public cookie = '';
  public constructor(
    public instance: string,
    private readonly forwardedProto: string | null = 'https',
  ) {}

  public async call(method: 'GET' | 'POST', path: string, body?: unknown, origin: string = PUBLIC, to = this.instance): Promise<Reply> {
    const headers: Record<string, string> = { 'X-Forwarded-Host': new URL(PUBLIC).host };
    if (this.forwardedProto !== null) headers['X-Forwarded-Proto'] = this.forwardedProto;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (method === 'POST') headers.Origin = origin;
    if (this.cookie) headers.Cookie = this.cookie;
    const res = await fetch(`${to}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), redirect: 'manual' });
    const setCookie = res.headers.get('set-cookie');
    if (setCookie) this.cookie = setCookie.split(';')[0] ?? '';
    const text = await res.text();
    return { status: res.status, body: text.startsWith('{') ? (JSON.parse(text) as Record<string, unknown>) : { text }, setCookie };
  }

  /** 審核人員登入 through the login form. */
  public async reviewerLogin(password: string, to = this.instance): Promise<number> {
    const res = await fetch(`${to}/review/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: PUBLIC, 'X-Forwarded-Proto': 'https', ...(this.cookie ? { Cookie: this.cookie } : {}) },
      body: new URLSearchParams({ password, next: '/gps/review' }).toString(),
      redirect: 'manual',
    });
    const setCookie = res.headers.get('set-cookie');
    if (setCookie) this.cookie = setCookie.split(';')[0] ?? '';
    return res.status;
  }

  /** The agent's `/sign` for a challenge's text, as the page on the public origin asks it. */
  public static async sign(agent: AgentServer, tbs: string): Promise<Record<string, unknown>> {
    const pkg = { func: 'MakeSignature', signatureType: 'PKCS7', tbs, tbsEncoding: 'NONE', hashAlgorithm: 'SHA256', withCardSN: 'true', pin: PIN, slotDescription: '' };
    const res = await fetch(`${agent.url}/sign`, { method: 'POST', body: `tbsPackage=${JSON.stringify(pkg)}`, headers: { Origin: PUBLIC } });
    const reply = (await res.json()) as Record<string, unknown>;
    expect(reply.ret_code).toBe(0);
    return { signatureType: 'PKCS7', tbs, signature: reply.signature, certb64: reply.certb64, cardSN: reply.cardSN };
  }
}

function code(reply: Reply): unknown {
  return (reply.body.error as { code?: unknown } | undefined)?.code;
}

let pki: TestPki;
let agent: AgentServer;
let slots: EmulatorCardSlots;
beforeAll(async () => {
  pki = await createTestPki();
  const reader = new EmulatorReader({ name: 'deploy test reader' });
  reader.insert(await demoCard(pki, { authority: 'moica', cardNumber: 'TP03000033334444', pin: PIN, idHint: '6789', commonName: '王小明' }));
  slots = new EmulatorCardSlots(reader);
  agent = await startAgent({ slots, port: 0 });
  // The official component trusts the site by the origin the page runs on: the public one.
  agent.trusted.add(PUBLIC);
}, 60_000);
afterAll(async () => {
  await agent?.close();
  await slots?.close();
});

function options(extra: Partial<PortalOptions>): PortalOptions {
  return {
    port: 0,
    systems: [gpsSystem({ ems: [EMS, OTHER] })],
    ...demoTrust(pki),
    mailer: noMail,
    reviewerPasswordHash: REVIEWER_PASSWORD_HASH,
    publicOrigin: PUBLIC,
    ...SECRETS,
    ...extra,
  };
}

/** Applies for E5600123 and passes the EMS comparison (the card step needs an application in the session). */
async function applyWithBasicData(page: ProxiedPage, first: string, second: string, record: typeof EMS | typeof OTHER = EMS): Promise<void> {
  expect(await page.call('POST', '/gps/api/applications', { controlNumber: record.controlNumber }, PUBLIC, first)).toMatchObject({ status: 201 });
  const verified = await page.call('POST', '/gps/api/application/basic-data', { basicData: record }, PUBLIC, second);
  expect(verified.body).toMatchObject({ status: 'basicDataVerified' });
}

describe('behind a TLS-terminating proxy (public origin https://portal.example.gov.tw)', () => {
  let portal: Portal;
  let store: PgliteStore;
  beforeAll(async () => {
    // The embedded store from the migrated snapshot (a fresh initdb costs seconds; the proxy is what is tested).
    store = await openPglite();
    portal = await startPortal(options({ databaseUrl: '', store }));
  }, 60_000);
  afterAll(async () => {
    await portal?.close();
    await store?.close();
  });

  it('signs the public origin, sets a Secure cookie, accepts the public Origin and completes a card step', async () => {
    expect(portal.url).toBe(PUBLIC);
    expect(portal.listenUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const page = new ProxiedPage(portal.listenUrl);
    const config = await page.call('GET', '/api/config');
    expect(config.body.origin).toBe(PUBLIC);

    // The first write sets the session cookie: Secure, as the site is https (told by the trusted proxy).
    const applied = await page.call('POST', '/gps/api/applications', { controlNumber: EMS.controlNumber });
    expect(applied.status).toBe(201);
    expect(applied.setCookie).toMatch(/;\s*Secure/i);
    expect(applied.setCookie).toMatch(/SameSite=Strict/i);
    expect((await page.call('POST', '/gps/api/application/basic-data', { basicData: EMS })).body).toMatchObject({ status: 'basicDataVerified' });
    const challenge = await page.call('GET', '/gps/card/apply/challenge');
    expect(String(challenge.body.tbs)).toContain(PUBLIC);
    const token = await ProxiedPage.sign(agent, String(challenge.body.tbs));
    const info = await page.call('POST', '/gps/card/apply/verify', token);
    expect(info).toMatchObject({ status: 200, body: { cardNumber: 'TP03000033334444', controlNumber: 'E5600123' } });
  });

  it('answers a page on another origin, or the app port opened over plain http, with a clear 4xx naming the site', async () => {
    const page = new ProxiedPage(portal.listenUrl);
    await applyWithBasicData(page, portal.listenUrl, portal.listenUrl, OTHER);
    const challenge = await page.call('GET', '/gps/card/apply/challenge');
    const token = await ProxiedPage.sign(agent, String(challenge.body.tbs));
    // The page was opened at the app's own address (or an alias host): its Origin is not the site's.
    const foreign = await page.call('POST', '/gps/card/apply/verify', token, portal.listenUrl);
    expect(foreign.status).toBe(403);
    expect(foreign.body.error).toMatchObject({ code: 'FOREIGN_ORIGIN' });
    expect(String((foreign.body.error as { message: string }).message)).toContain(PUBLIC);

    // The app port reached without the proxy: no Secure cookie could be set, so say where the site is.
    const direct = new ProxiedPage(portal.listenUrl, null);
    const plain = await direct.call('GET', '/gps/card/apply/challenge');
    expect(plain.status).toBe(400);
    expect(plain.body.error).toMatchObject({ code: 'HTTPS_REQUIRED' });
    expect(String((plain.body.error as { message: string }).message)).toContain(PUBLIC);
    // Except the load balancer's health check, which may come over plain http.
    expect(await direct.call('GET', '/healthz')).toMatchObject({ status: 200, body: { status: 'ok' }, setCookie: null });
  });
});

describe('two instances behind a load balancer on one PostgreSQL, and restarts', () => {
  let base: string | undefined;
  let url: string | undefined;
  const open: Portal[] = [];
  /** An empty schema of its own for each test (one application per 管制編號 at a time). */
  const freshSchema = async (schema: string): Promise<void> => {
    if (base === undefined) return;
    const admin = new pg.Client({ connectionString: base });
    await admin.connect();
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.query(`CREATE SCHEMA ${schema}`);
    await admin.end();
    const u = new URL(base);
    u.searchParams.set('options', `-c search_path=${schema}`);
    url = u.toString();
  };
  const start = async (extra: Partial<PortalOptions> = {}): Promise<Portal> => {
    const portal = await startPortal(options({ databaseUrl: url ?? '', ...extra }));
    open.push(portal);
    return portal;
  };
  beforeAll(async () => {
    base = await getDatabaseUrl();
  }, 120_000);
  afterAll(async () => {
    for (const p of open) await p.close().catch(() => undefined);
  });

  it('a card step started on instance A finishes on instance B; the reviewer login holds on both', async (ctx) => {
    if (base === undefined) ctx.skip();
    await freshSchema('portal_deploy_lb');
    const [a, b] = [await start(), await start()];
    const page = new ProxiedPage(a.listenUrl);
    // The application is kept in the session: made on A, continued on B.
    await applyWithBasicData(page, a.listenUrl, b.listenUrl);
    const challenge = await page.call('GET', '/gps/card/apply/challenge', undefined, PUBLIC, a.listenUrl);
    const token = await ProxiedPage.sign(agent, String(challenge.body.tbs));
    const info = await page.call('POST', '/gps/card/apply/verify', token, PUBLIC, b.listenUrl);
    expect(info).toMatchObject({ status: 200, body: { cardNumber: 'TP03000033334444' } });
    // The sealed holder (same PORTAL_HOLDER_KEY) is accepted by A for 確認送出.
    const bound = await page.call('POST', '/gps/api/application/bind', { name: '王小明', phone: '02-2345-6789', email: 'a@example.com.tw' }, PUBLIC, a.listenUrl);
    expect(bound).toMatchObject({ status: 200, body: { status: 'underReview' } });
    // A challenge is single use across instances: replaying the token on A is refused.
    const replay = await page.call('POST', '/gps/card/apply/verify', token, PUBLIC, a.listenUrl);
    expect(replay.status).toBe(401);

    const reviewer = new ProxiedPage(a.listenUrl);
    expect(await reviewer.reviewerLogin(REVIEWER_PASSWORD, a.listenUrl)).toBe(302);
    const queue = await reviewer.call('GET', '/gps/api/review/applications', undefined, PUBLIC, b.listenUrl);
    expect(queue.status).toBe(200);
  });

  it('a restart keeps sessions, challenges and sealed holders; a session from a lost secret is a clear 4xx', async (ctx) => {
    if (base === undefined) ctx.skip();
    await freshSchema('portal_deploy_restart');
    const first = await start();
    const page = new ProxiedPage(first.listenUrl);
    await applyWithBasicData(page, first.listenUrl, first.listenUrl);
    const challenge = await page.call('GET', '/gps/card/apply/challenge');
    const token = await ProxiedPage.sign(agent, String(challenge.body.tbs));
    await first.close();

    // The same settings after the restart: the challenge issued before it verifies, the sealed holder opens.
    const second = await start();
    const info = await page.call('POST', '/gps/card/apply/verify', token, PUBLIC, second.listenUrl);
    expect(info).toMatchObject({ status: 200, body: { cardNumber: 'TP03000033334444' } });
    await second.close();
    const third = await start();
    const bound = await page.call('POST', '/gps/api/application/bind', { name: '王小明', phone: '02-2345-6789', email: 'a@example.com.tw' }, PUBLIC, third.listenUrl);
    expect(bound).toMatchObject({ status: 200, body: { status: 'underReview' } });

    // An instance with another session secret (a misconfigured one) cannot read the cookie: a new, empty session,
    // answered as the page's state, not a 500.
    const other = await start({ sessionSecret: randomBytes(32).toString('base64url') });
    const lost = await page.call('POST', '/gps/api/application/bind', { name: '王小明', phone: '02-2345-6789', email: 'a@example.com.tw' }, PUBLIC, other.listenUrl);
    expect(lost.status).toBeGreaterThanOrEqual(400);
    expect(lost.status).toBeLessThan(500);
    expect(typeof (lost.body.error as { message?: unknown }).message).toBe('string');
  });
});

describe('a restart on the embedded store with PORTAL_DATA_DIR', () => {
  /** A data directory holding the migrated snapshot (openPglite): what a restart finds, without an initdb. */
  let dir: string;
  beforeAll(async () => {
    dir = join(mkdtempSync(join(tmpdir(), 'portal-deploy-')), 'data');
    await (await openPglite(dir)).close();
  }, 60_000);
  afterAll(() => {
    rmSync(join(dir, '..'), { recursive: true, force: true });
  });

  it('keeps the session and the challenge issued before the restart', async () => {
    const first = await startPortal(options({ databaseUrl: '', dataDir: dir }));
    const page = new ProxiedPage(first.listenUrl);
    await applyWithBasicData(page, first.listenUrl, first.listenUrl);
    const challenge = await page.call('GET', '/gps/card/apply/challenge');
    const token = await ProxiedPage.sign(agent, String(challenge.body.tbs));
    await first.close();
    const second = await startPortal(options({ databaseUrl: '', dataDir: dir }));
    try {
      const info = await page.call('POST', '/gps/card/apply/verify', token, PUBLIC, second.listenUrl);
      expect(info).toMatchObject({ status: 200, body: { cardNumber: 'TP03000033334444' } });
    } finally {
      await second.close();
    }
  });

  it('rotates its secrets: the previous ones still open the session and the sealed card, and without them nothing does', async () => {
    // Restarts on one embedded store the portal is given (and does not close): what is tested is which secrets open
    // the cookie and the sealed card. A restart that finds its data in PORTAL_DATA_DIR is the test above; starting
    // each instance here from the directory too cost a PGlite boot per start.
    const store = await openPglite();
    const rotated = {
      sessionSecret: randomBytes(32).toString('base64url'),
      holderKey: new Uint8Array(randomBytes(32)),
      previousSessionSecrets: [randomBytes(32).toString('base64url'), SECRETS.sessionSecret],
      previousHolderKeys: [SECRETS.holderKey],
    };
    try {
      const first = await startPortal(options({ databaseUrl: '', store }));
      const page = new ProxiedPage(first.listenUrl);
      await applyWithBasicData(page, first.listenUrl, first.listenUrl);
      const challenge = await page.call('GET', '/gps/card/apply/challenge');
      const token = await ProxiedPage.sign(agent, String(challenge.body.tbs));
      expect(await page.call('POST', '/gps/card/apply/verify', token)).toMatchObject({ status: 200 });
      const cookieBefore = page.cookie;
      await first.close();

      // The new secrets alone: the old cookie is a new empty session, the page is told to start again.
      const strict = await startPortal(options({ databaseUrl: '', store, sessionSecret: rotated.sessionSecret, holderKey: rotated.holderKey }));
      const refused = await page.call('POST', '/gps/api/application/bind', { name: '王小明', phone: '02-2345-6789', email: 'a@example.com.tw' }, PUBLIC, strict.listenUrl);
      await strict.close();
      expect(refused.status).toBeGreaterThanOrEqual(400);
      expect(refused.status).toBeLessThan(500);

      // With the old ones as previous: the cookie signed before and the card sealed before both still work.
      page.cookie = cookieBefore;
      const after = await startPortal(options({ databaseUrl: '', store, ...rotated }));
      try {
        const bound = await page.call('POST', '/gps/api/application/bind', { name: '王小明', phone: '02-2345-6789', email: 'a@example.com.tw' }, PUBLIC, after.listenUrl);
        expect(bound).toMatchObject({ status: 200, body: { status: 'underReview' } });
      } finally {
        await after.close();
      }
    } finally {
      await store.close();
    }
  });
});
