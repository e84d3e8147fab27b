/**
 * Two requests of one browser session at once (two tabs, or a page with two
 * card readers whose 確認 buttons are both clicked): each reads the session,
 * changes its own part and saves. Neither save may undo the other's change,
 * and a save may not bring back a session a logout ended. The first request's
 * read is held (after it read) until the second has finished, so the race is
 * the same on every run; on PostgreSQL they go to two instances.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EnrollStore, Mailer, Row, SqlSession } from 'twpki/enroll';
import { PgStore } from 'twpki/enroll/pg';
import { createTestPki, signLoginToken, type TestPki } from 'twpki/testing';
import { DEMO_AGENCY_OID, demoTrust } from '../../examples/portal/demo-setup.js';
import { gepiSystem } from '../../examples/portal/gepi/index.js';
import { startPortal, type Portal, type PortalOptions } from '../../examples/portal/server.js';
import { getDatabaseUrl, openPglite } from '../enroll/helpers.js';

const PUBLIC = 'http://portal.example.test';
const REVIEWER_PASSWORD = 'concurrency-reviewer-1';
const SECRETS = { sessionSecret: randomBytes(32).toString('base64url'), holderKey: new Uint8Array(randomBytes(32)) };
const noMail: Mailer = { send: () => Promise.resolve() };

/** The portal's store with the test's hand on session reads: `holdNextRead` stops the next one, after it has read. */
class SessionReadGate implements EnrollStore {
  private armed: { reached: () => void; released: Promise<void> } | undefined;

  public constructor(private readonly inner: EnrollStore) {}

  /** `reached` when a request has read its session; it goes on (to its handler and its save) on `release`. */
  public holdNextRead(): { reached: Promise<void>; release: () => void } {
    let reached!: () => void;
    let release!: () => void;
    const hit = new Promise<void>((resolve) => (reached = resolve));
    this.armed = { reached, released: new Promise<void>((resolve) => (release = resolve)) };
    return { reached: hit, release };
  }

  public async transaction<T>(fn: (tx: SqlSession) => Promise<T>): Promise<T> {
    let readSession = false;
    const result = await this.inner.transaction((tx) =>
      fn({
        query: <R extends Row = Row>(text: string, params?: readonly unknown[]) => {
          if (/^\s*SELECT\b[\s\S]*\bFROM portal_sessions\b/i.test(text)) readSession = true;
          return tx.query<R>(text, params);
        },
        runScript: (script) => tx.runScript(script),
      }),
    );
    // Outside the transaction: PGlite runs one at a time, and the other request needs it.
    const armed = this.armed;
    if (readSession && armed) {
      this.armed = undefined;
      armed.reached();
      await armed.released;
    }
    return result;
  }

  public migrate(): Promise<void> {
    return this.inner.migrate();
  }

  public close(): Promise<void> {
    return this.inner.close();
  }
}

interface Reply {
  status: number;
  body: Record<string, unknown>;
}

/** One browser on the public origin: one cookie jar, each call to the instance it names. */
class Browser {
  private cookie = '';

  public async call(to: Portal, method: 'GET' | 'POST', path: string, body?: unknown): Promise<Reply> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (method === 'POST') headers.Origin = PUBLIC;
    if (this.cookie) headers.Cookie = this.cookie;
    const res = await fetch(`${to.listenUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), redirect: 'manual' });
    this.keep(res);
    const text = await res.text();
    return { status: res.status, body: text.startsWith('{') ? (JSON.parse(text) as Record<string, unknown>) : { text } };
  }

  public async reviewerLogin(to: Portal): Promise<number> {
    const res = await fetch(`${to.listenUrl}/review/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: PUBLIC, ...(this.cookie ? { Cookie: this.cookie } : {}) },
      body: new URLSearchParams({ password: REVIEWER_PASSWORD, next: '/gepi/review' }).toString(),
      redirect: 'manual',
    });
    this.keep(res);
    return res.status;
  }

  private keep(res: Response): void {
    const set = res.headers.get('set-cookie');
    if (set) this.cookie = set.split(';')[0] ?? '';
  }
}

let pki: TestPki;
let organization: Awaited<ReturnType<TestPki['issueCardHolder']>>;
let citizen: Awaited<ReturnType<TestPki['issueCardHolder']>>;
beforeAll(async () => {
  pki = await createTestPki();
  organization = await pki.issueCardHolder({ authority: 'gca', organizationOid: DEMO_AGENCY_OID });
  citizen = await pki.issueCardHolder({ authority: 'moica', commonName: '王小明', idHint: '6789' });
}, 60_000);

function options(store: EnrollStore): PortalOptions {
  return {
    port: 0,
    systems: [gepiSystem({ agencies: [{ agencyCode: 'A1001', name: '範例機關', oid: DEMO_AGENCY_OID }] })],
    ...demoTrust(pki),
    mailer: noMail,
    reviewerPassword: REVIEWER_PASSWORD,
    publicOrigin: PUBLIC,
    ...SECRETS,
    store,
  };
}

interface Rig {
  /** The instance whose session reads the test can hold. */
  readonly a: Portal;
  /** Another instance on the same database (PostgreSQL), or `a` (PGlite). */
  readonly b: Portal;
  readonly gate: SessionReadGate;
  close(): Promise<void>;
}

const backends: Array<{ name: string; open: () => Promise<Rig | undefined> }> = [
  {
    name: 'PGlite, one instance',
    open: async () => {
      const store = await openPglite();
      const gate = new SessionReadGate(store);
      const a = await startPortal(options(gate));
      const close = async (): Promise<void> => {
        await a.close();
        await store.close();
      };
      return { a, b: a, gate, close };
    },
  },
  {
    name: 'PostgreSQL, two instances',
    open: async () => {
      const base = await getDatabaseUrl();
      if (base === undefined) return undefined;
      const admin = new pg.Client({ connectionString: base });
      await admin.connect();
      await admin.query('DROP SCHEMA IF EXISTS portal_session_race CASCADE');
      await admin.query('CREATE SCHEMA portal_session_race');
      await admin.end();
      const url = new URL(base);
      url.searchParams.set('options', '-c search_path=portal_session_race');
      const stores = [new PgStore({ connectionString: url.toString() }), new PgStore({ connectionString: url.toString() })] as const;
      for (const s of stores) await s.migrate();
      const gate = new SessionReadGate(stores[0]);
      const a = await startPortal(options(gate));
      const b = await startPortal(options(stores[1]));
      return {
        a,
        b,
        gate,
        close: async () => {
          await a.close();
          await b.close();
          for (const s of stores) await s.close();
        },
      };
    },
  },
];

describe.each(backends)('portal: two requests of one session at once ($name)', ({ open }) => {
  let rig: Rig | undefined;
  beforeAll(async () => {
    rig = await open();
  }, 120_000);
  afterAll(async () => rig?.close());

  it('keeps both cards verified at once (機關憑證 and 自然人憑證 in two readers)', async (ctx) => {
    if (rig === undefined) return ctx.skip();
    const { a, b, gate } = rig;
    const browser = new Browser();
    expect((await browser.call(a, 'POST', '/gepi/api/agency-code', { agencyCode: 'A1001' })).status).toBe(200);
    const orgTbs = String((await browser.call(a, 'GET', '/gepi/card/organization/challenge')).body.tbs);
    const adminTbs = String((await browser.call(b, 'GET', '/gepi/card/administrator/challenge')).body.tbs);
    const orgToken = await signLoginToken(organization, { tbs: orgTbs, cardNumber: 'GC03000000000001' });
    const adminToken = await signLoginToken(citizen, { tbs: adminTbs, cardNumber: 'TP03000011112222' });

    // The organization card's verification reads the session first and saves last.
    const hold = gate.holdNextRead();
    const orgVerified = browser.call(a, 'POST', '/gepi/card/organization/verify', orgToken);
    await hold.reached;
    expect(await browser.call(b, 'POST', '/gepi/card/administrator/verify', adminToken)).toMatchObject({ status: 200, body: { ok: true } });
    hold.release();
    expect(await orgVerified).toMatchObject({ status: 200, body: { agencyCode: 'A1001', oidMatches: true } });

    // Both cards are still there: the administrator's ID check needs the citizen card, the registration both.
    expect(await browser.call(a, 'POST', '/gepi/api/administrator', { nationalId: 'A123456789' })).toMatchObject({ status: 200, body: { name: '王小明' } });
    const contact = { name: '王小明', email: 'admin@example.gov.tw', phone: '02-2701-3411' };
    const registered = await browser.call(b, 'POST', '/gepi/api/register', { administrator: contact, acceptedTerms: '2026-01' });
    expect(registered).toMatchObject({ status: 200, body: { agencyCode: 'A1001', status: 'registered' } });
  });

  it('a save racing a logout does not log the session back in', async (ctx) => {
    if (rig === undefined) return ctx.skip();
    const { a, b, gate } = rig;
    const browser = new Browser();
    expect(await browser.reviewerLogin(a)).toBe(302);
    expect((await browser.call(b, 'GET', '/gepi/api/review')).status).toBe(200);

    // A tab saves what was typed (it read the session before the logout and saves after it).
    const hold = gate.holdNextRead();
    const typed = browser.call(a, 'POST', '/gepi/api/agency-code', { agencyCode: 'A1001' });
    await hold.reached;
    expect((await browser.call(b, 'POST', '/review/logout', {})).status).toBe(302);
    hold.release();
    expect((await typed).status).toBe(200);

    expect(await browser.call(b, 'GET', '/gepi/api/review')).toMatchObject({ status: 401, body: { error: { code: 'REVIEWER_LOGIN_REQUIRED' } } });
    expect(await browser.call(a, 'GET', '/gepi/api/review')).toMatchObject({ status: 401 });
  });
});
