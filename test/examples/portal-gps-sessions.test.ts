/**
 * The GPS system of the reference portal over HTTP (real local agent, virtual cards, the mail sink): what a card
 * login may still do once its card or its account is gone, the activation link (shown by GET and HEAD, naming the
 * account it opens, used by the page's POST), the reviewer's 重新寄送認證信 for an approved account whose link
 * expired, and the citizen-card-only wording of a wrong card.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmulatorCardSlots, startAgent, type AgentServer } from 'twpki/agent';
import { InMemoryEmsSource, type EmsLookupResult, type EmsSource } from 'twpki/ems';
import { AccountEnrollmentFlow, EmsLayerAdapter, EnrollError, type EnrollStore, type SqlSession } from 'twpki/enroll';
import { EmulatorReader } from 'twpki/pcsc';
import { createTestPki, type TestPki, type VirtualHiCOSCard } from 'twpki/testing';
import { startMailSink, type MailSink } from '../../examples/portal/core/mail-sink.js';
import { DEMO_AGENCY_OID, demoTrust } from '../../examples/portal/demo-setup.js';
import { gpsSystem } from '../../examples/portal/gps/index.js';
import { startPortal, type Portal } from '../../examples/portal/server.js';
import { openPglite } from '../enroll/helpers.js';
import { demoCards } from './support/speed/demo-cards.js';

const PIN = '135790';
const REVIEWER_PASSWORD = 'reviewer-secret-gps-sessions';

function emsRecord(controlNumber: string, n: number) {
  return {
    controlNumber,
    companyName: `範例公司${n}股份有限公司`,
    responsiblePerson: `負責人${n}`,
    facilityAddress: `臺北市中正區重慶南路一段${n}號`,
    facilityEmail: `facility${n}@example.com.tw`,
    mailingAddress: `臺北市中正區重慶南路一段${n}號`,
    contactName: `聯絡人${n}`,
    contactEmail: `contact${n}@example.com.tw`,
  };
}
const RECORDS = Array.from({ length: 18 }, (_, i) => emsRecord(`A10000${String(i + 1).padStart(2, '0')}`, i + 1));

/**
 * The portal's EMS: the records above, with one hook. Once armed, the next lookup waits until released, so a test
 * can land another browser's request while a 基本資料 step waits for EMS (which is remote and slow in real life).
 */
class GatedEms implements EmsSource {
  private readonly inner = new InMemoryEmsSource(RECORDS);
  private armed: { controlNumber: string; entered: () => void; release: Promise<void> } | undefined;

  /** Holds the next lookup of `controlNumber`; `entered` resolves once it waits, and it goes on once `release` is called. */
  public hold(controlNumber: string): { entered: Promise<void>; release: () => void } {
    let entered!: () => void;
    let release!: () => void;
    const enteredP = new Promise<void>((resolve) => (entered = resolve));
    this.armed = { controlNumber, entered, release: new Promise<void>((resolve) => (release = resolve)) };
    return { entered: enteredP, release };
  }

  public async lookup(controlNumber: string): Promise<EmsLookupResult> {
    const armed = this.armed?.controlNumber === controlNumber ? this.armed : undefined;
    if (armed !== undefined) {
      this.armed = undefined;
      armed.entered();
      await armed.release;
    }
    return this.inner.lookup(controlNumber);
  }
}
const gatedEms = new GatedEms();

/** A statement on the flows' own tables (not the portal's sessions, challenges or login attempts). */
const FLOW_TABLES = /\benroll_(account_applications|card_bindings)\b/;

/**
 * The portal's store, counting the transactions that read or wrote the GPS flow's tables, with one hook: once
 * armed, `between` runs after the next such transaction has committed and before the store's next transaction
 * starts. That is another browser's 刪除 landing right after a request's first read of the flow: between the
 * per-request login check and the card command, or right after 自然人憑證登入 read the login.
 */
class Interleaving implements EnrollStore {
  /** Transactions that touched the flow's tables. */
  public flowTransactions = 0;
  private between: (() => Promise<void>) | undefined;
  private due = false;

  public constructor(private readonly inner: EnrollStore) {}

  public arm(between: () => Promise<void>): void {
    this.between = between;
    this.due = false;
  }

  public async transaction<T>(fn: (tx: SqlSession) => Promise<T>): Promise<T> {
    const between = this.between;
    if (between !== undefined && this.due) {
      this.between = undefined;
      this.due = false;
      await between();
    }
    let touched = false;
    const result = await this.inner.transaction((tx) => fn(this.watch(tx, () => (touched = true))));
    if (touched) {
      this.flowTransactions += 1;
      if (this.between !== undefined) this.due = true;
    }
    return result;
  }

  public migrate(): Promise<void> {
    return this.inner.migrate();
  }

  public close(): Promise<void> {
    return this.inner.close();
  }

  private watch(tx: SqlSession, touched: () => void): SqlSession {
    return {
      query: <R extends Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<R[]> => {
        if (FLOW_TABLES.test(text)) touched();
        return tx.query<R>(text, params);
      },
      runScript: (script) => tx.runScript(script),
    };
  }
}

interface Reply {
  status: number;
  body: Record<string, unknown>;
  text: string;
}

/** A browser: same-origin calls with its session cookie. */
class PageClient {
  private cookie = '';
  public constructor(private readonly base: string) {}

  public async call(method: 'GET' | 'POST' | 'HEAD', path: string, body?: unknown, origin: string | null = this.base): Promise<Reply> {
    const headers: Record<string, string> = {};
    if (origin !== null) headers.Origin = origin;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (this.cookie) headers.Cookie = this.cookie;
    const res = await fetch(`${this.base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), redirect: 'manual' });
    const set = res.headers.get('set-cookie');
    if (set) this.cookie = set.split(';')[0] ?? '';
    const text = await res.text();
    return { status: res.status, text, body: text.startsWith('{') ? (JSON.parse(text) as Record<string, unknown>) : {} };
  }

  public async reviewerLogin(password: string): Promise<number> {
    const res = await fetch(`${this.base}/review/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: this.base, ...(this.cookie ? { Cookie: this.cookie } : {}) },
      body: new URLSearchParams({ password, next: '/gps/review' }).toString(),
      redirect: 'manual',
    });
    const set = res.headers.get('set-cookie');
    if (set) this.cookie = set.split(';')[0] ?? '';
    return res.status;
  }

  /** A card step with the card in the reader: the site's challenge, the agent's signature, the site's verification. */
  public async cardStep(agent: AgentServer, prefix: string): Promise<Reply> {
    const challenge = await this.call('GET', `${prefix}/challenge`);
    if (challenge.status !== 200) return challenge;
    const tbs = String(challenge.body.tbs);
    const pkg = { func: 'MakeSignature', signatureType: 'PKCS7', tbs, tbsEncoding: 'NONE', hashAlgorithm: 'SHA256', withCardSN: 'true', pin: PIN, slotDescription: '' };
    const res = await fetch(`${agent.url}/sign`, { method: 'POST', body: `tbsPackage=${JSON.stringify(pkg)}`, headers: { Origin: this.base } });
    const reply = (await res.json()) as Record<string, unknown>;
    expect(reply.ret_code).toBe(0);
    return this.call('POST', `${prefix}/verify`, { signatureType: 'PKCS7', tbs, signature: reply.signature, certb64: reply.certb64, cardSN: reply.cardSN });
  }
}
const code = (r: Reply): unknown => (r.body.error as { code?: unknown } | undefined)?.code;

let pki: TestPki;
let demoCard: ReturnType<typeof demoCards>;
let agent: AgentServer;
let slots: EmulatorCardSlots;
let reader: EmulatorReader;
let sink: MailSink;
let portal: Portal;
let store: EnrollStore;
let interleaving: Interleaving;
let nowMs = Date.now();
const clock = { now: () => new Date(nowMs) };
const cards: Record<string, VirtualHiCOSCard> = {};

async function insert(cardNumber: string, commonName = '持卡人'): Promise<void> {
  cards[cardNumber] ??= await demoCard({ authority: 'moica', cardNumber, pin: PIN, commonName, idHint: '1234' });
  try {
    reader.remove();
  } catch {
    // the reader was empty
  }
  reader.insert(cards[cardNumber]);
}

/** 帳號申請 to 審核中 with `cardNumber`. */
async function applyAndBind(rec: (typeof RECORDS)[number], cardNumber: string): Promise<void> {
  const page = new PageClient(portal.url);
  expect((await page.call('POST', '/gps/api/applications', { controlNumber: rec.controlNumber })).status).toBe(201);
  expect((await page.call('POST', '/gps/api/application/basic-data', { basicData: rec })).body.status).toBe('basicDataVerified');
  await insert(cardNumber);
  expect((await page.cardStep(agent, '/gps/card/apply')).status).toBe(200);
  expect((await page.call('POST', '/gps/api/application/bind', { phone: '02-2345-6789', email: 'me@example.com.tw' })).body.status).toBe('underReview');
}

async function reviewer(): Promise<PageClient> {
  const r = new PageClient(portal.url);
  expect(await r.reviewerLogin(REVIEWER_PASSWORD)).toBe(302);
  return r;
}

async function idOf(rv: PageClient, list: 'applications' | 'approved', controlNumber: string): Promise<string | undefined> {
  const apps = (await rv.call('GET', `/gps/api/review/${list}`)).body.applications as Array<{ id: string; controlNumber: string }>;
  return apps.find((a) => a.controlNumber === controlNumber)?.id;
}

/** The activation link of the latest mail to `to` after `since`. */
async function activationLink(to: string, since: number): Promise<string> {
  const mail = await sink.waitFor(to, { since });
  return /(http:\/\/\S+\/gps\/activate\?key=\S+)/.exec(mail.text)?.[1] as string;
}

/** What the confirmation page's 開通帳號權限 button sends: the key, as a form, from the page's origin. */
async function confirmActivation(link: string, origin: string | null = portal.url): Promise<Response> {
  const key = new URL(link).searchParams.get('key') ?? '';
  return fetch(`${portal.url}/gps/activate`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...(origin === null ? {} : { Origin: origin }) },
    body: new URLSearchParams({ key }).toString(),
  });
}

async function approveAndActivate(rec: (typeof RECORDS)[number]): Promise<void> {
  const rv = await reviewer();
  const since = sink.messages.length;
  expect((await rv.call('POST', `/gps/api/review/applications/${await idOf(rv, 'applications', rec.controlNumber)}/approve`, {})).body.status).toBe('approved');
  const activated = await confirmActivation(await activationLink(rec.facilityEmail, since));
  expect(activated.status).toBe(200);
}

async function login(cardNumber: string): Promise<PageClient> {
  await insert(cardNumber);
  const page = new PageClient(portal.url);
  expect((await page.cardStep(agent, '/gps/card/login')).status).toBe(200);
  return page;
}

/** The SDK on the portal's store, to read what the portal did and to act as a given actor. */
function sdk(): AccountEnrollmentFlow {
  const ems = new EmsLayerAdapter(new InMemoryEmsSource(RECORDS));
  return new AccountEnrollmentFlow({ store, clock, mailer: { send: async () => undefined }, ems, emsRecords: ems, activationLink: (token) => token });
}

async function statusOf(controlNumber: string): Promise<string | undefined> {
  return (await sdk().history(controlNumber))[0]?.status;
}

beforeAll(async () => {
  pki = await createTestPki();
  demoCard = demoCards(pki);
  store = await openPglite();
  interleaving = new Interleaving(store);
  reader = new EmulatorReader({ name: 'twpki test reader' });
  slots = new EmulatorCardSlots(reader);
  agent = await startAgent({ slots, port: 0 });
  sink = await startMailSink();
  portal = await startPortal({
    port: 0,
    systems: [gpsSystem({ ems: gatedEms })],
    ...demoTrust(pki),
    agentUrl: agent.url,
    smtp: { host: sink.host, port: sink.port },
    reviewerPassword: REVIEWER_PASSWORD,
    databaseUrl: '',
    store: interleaving,
    clock,
    applicationLimit: 0,
    challengeLimit: 0,
  });
  agent.trusted.add(portal.url);
}, 120_000);

afterAll(async () => {
  await portal?.close();
  await sink?.close();
  await agent?.close();
  await slots?.close();
  await store?.close();
});

describe('GPS portal: card logins, activation and 重新寄送認證信', () => {
  it('a login lasts while its card is bound to the account: a card 刪除 by a co-worker, or by itself, ends its sessions', async () => {
    const rec = RECORDS[0]!;
    await applyAndBind(rec, 'TP03000000000001');
    await approveAndActivate(rec);
    const a = await login('TP03000000000001');
    const aElsewhere = await login('TP03000000000001'); // the same card's login in another browser
    const aLater = await login('TP03000000000001'); // and one more, untouched until the card is bound again
    await insert('TP03000000000002');
    expect((await a.cardStep(agent, '/gps/card/add')).status).toBe(200);
    expect((await a.call('POST', '/gps/api/cards', { phone: '02-1111-2222', email: 'b@example.com.tw' })).body.status).toBe('active');

    // B (card 2) removes A's card: every session of card 1 ends, whatever it tries first.
    const b = await login('TP03000000000002');
    expect((await b.call('POST', '/gps/api/cards/TP03000000000001/delete', {})).body).toEqual({ cards: 1 });
    const removeB = await a.call('POST', '/gps/api/cards/TP03000000000002/delete', {});
    expect(removeB.status).toBe(401);
    expect(code(removeB)).toBe('NOT_LOGGED_IN');
    expect(code(await a.call('GET', '/gps/api/cards'))).toBe('NOT_LOGGED_IN');
    expect((await a.call('GET', '/gps/api/me')).body).toEqual({ account: null });
    await insert('TP03000000000003');
    const addStep = await aElsewhere.cardStep(agent, '/gps/card/add');
    expect(addStep.status).toBe(401);
    expect(code(addStep)).toBe('SESSION_REQUIRED');
    expect(code(await aElsewhere.call('POST', '/gps/api/cards', { phone: '02-1111-2222', email: 'c@example.com.tw' }))).toBe('NOT_LOGGED_IN');
    expect(((await b.call('GET', '/gps/api/cards')).body.cards as Array<{ cardNumber: string }>).map((c) => c.cardNumber)).toEqual(['TP03000000000002']);

    // Card 1 bound again later (a new binding): its old session still does not come back.
    nowMs += 1000;
    await insert('TP03000000000001');
    expect((await b.cardStep(agent, '/gps/card/add')).status).toBe(200);
    expect((await b.call('POST', '/gps/api/cards', { phone: '02-1111-2222', email: 'a@example.com.tw' })).body.status).toBe('active');
    expect(code(await aLater.call('GET', '/gps/api/cards'))).toBe('NOT_LOGGED_IN');

    // 刪除 of one's own card: done, and the login ends with it.
    const own = await b.call('POST', '/gps/api/cards/TP03000000000002/delete', {});
    expect(own.body).toEqual({ cards: 1, loggedOut: true });
    expect(code(await b.call('GET', '/gps/api/cards'))).toBe('NOT_LOGGED_IN');
    // A fresh login of the card still bound works.
    const again = await login('TP03000000000001');
    expect((await again.call('GET', '/gps/api/me')).body).toEqual({ account: rec.controlNumber });
  });

  it('a card 刪除 by another browser after a request passed the login check: the command is refused and the login ends', async () => {
    const rec = RECORDS[4]!;
    await applyAndBind(rec, 'TP03000000000041');
    await approveAndActivate(rec);
    const a = await login('TP03000000000041');
    for (const card of ['TP03000000000042', 'TP03000000000043']) {
      await insert(card);
      expect((await a.cardStep(agent, '/gps/card/add')).status).toBe(200);
      expect((await a.call('POST', '/gps/api/cards', { phone: '02-1111-2222', email: 'b@example.com.tw' })).body.status).toBe('active');
    }
    const owner = { role: 'applicant' as const, id: String((await sdk().history(rec.controlNumber))[0]?.ownerId) };
    const cardsNow = async () => (await sdk().listCards(rec.controlNumber)).map((c) => c.cardNumber);

    // 刪除: A's card goes between A's check and A's command.
    interleaving.arm(async () => void (await sdk().removeCard(rec.controlNumber, 'TP03000000000041', owner)));
    const removal = await a.call('POST', '/gps/api/cards/TP03000000000043/delete', {});
    expect(removal.status).toBe(401);
    expect(removal.body.error).toEqual({ code: 'NOT_LOGGED_IN', message: '登入已失效：登入所用之自然人憑證已不再綁定此帳號，請重新以自然人憑證登入' });
    expect(await cardsNow()).toEqual(['TP03000000000042', 'TP03000000000043']);
    expect((await a.call('GET', '/gps/api/me')).body).toEqual({ account: null });

    // 設定自然人憑證's 確認送出: B's card goes after its card step, between the check and the command.
    const b = await login('TP03000000000042');
    await insert('TP03000000000044');
    expect((await b.cardStep(agent, '/gps/card/add')).status).toBe(200);
    interleaving.arm(async () => void (await sdk().removeCard(rec.controlNumber, 'TP03000000000042', owner)));
    const added = await b.call('POST', '/gps/api/cards', { phone: '02-1111-2222', email: 'd@example.com.tw' });
    expect(added.status).toBe(401);
    expect((added.body.error as { code?: string }).code).toBe('NOT_LOGGED_IN');
    expect(await cardsNow()).toEqual(['TP03000000000043']);
    expect((await b.call('GET', '/gps/api/me')).body).toEqual({ account: null });
  });

  it('自然人憑證登入 and every card request read the login from one flow transaction: a 刪除 landing right after the login ends it at its next request', async () => {
    const rec = RECORDS[6]!;
    await applyAndBind(rec, 'TP03000000000051');
    await approveAndActivate(rec);
    const a = await login('TP03000000000051');
    await insert('TP03000000000052');
    expect((await a.cardStep(agent, '/gps/card/add')).status).toBe(200);
    expect((await a.call('POST', '/gps/api/cards', { phone: '02-1111-2222', email: 'b@example.com.tw' })).body.status).toBe('active');
    const owner = { role: 'applicant' as const, id: String((await sdk().history(rec.controlNumber))[0]?.ownerId) };

    // Per request, the login check is one read; so is the list, read with the check (not a check, then a list).
    const reads = async (call: () => Promise<Reply>): Promise<[number, number]> => {
      const before = interleaving.flowTransactions;
      const reply = await call();
      return [reply.status, interleaving.flowTransactions - before];
    };
    expect(await reads(() => a.call('GET', '/gps/api/me'))).toEqual([200, 1]);
    expect(await reads(() => a.call('GET', '/gps/api/cards'))).toEqual([200, 1]);

    // Card 51 is 刪除'd by another browser right after its login's read: the login, answered from that one
    // transaction, opens the session on the card as it was; the session's next request finds the card gone.
    interleaving.arm(async () => void (await sdk().removeCard(rec.controlNumber, 'TP03000000000051', owner)));
    await insert('TP03000000000051');
    const b = new PageClient(portal.url);
    const [status, transactions] = await reads(() => b.cardStep(agent, '/gps/card/login'));
    expect([status, transactions]).toEqual([200, 1]);
    expect((await sdk().listCards(rec.controlNumber)).map((c) => c.cardNumber)).toEqual(['TP03000000000052']);
    const seen = await b.call('GET', '/gps/api/cards');
    expect(seen.status).toBe(401);
    expect(seen.body.error).toEqual({ code: 'NOT_LOGGED_IN', message: '登入已失效：登入所用之自然人憑證已不再綁定此帳號，請重新以自然人憑證登入' });
    expect((await b.call('GET', '/gps/api/me')).body).toEqual({ account: null });

    // A stored login the flow cannot read (a session written by hand or by another release) ends the same way.
    const c = await login('TP03000000000052');
    await store.transaction((tx) =>
      tx.query(`UPDATE portal_sessions SET data = jsonb_set(data, '{gpsCardBoundAt}', '"yesterday"') WHERE data->>'gpsCard' = 'TP03000000000052'`),
    );
    expect(code(await c.call('GET', '/gps/api/cards'))).toBe('NOT_LOGGED_IN');
    expect((await c.call('GET', '/gps/api/me')).body).toEqual({ account: null });
  });

  it('a 管制編號 typed again in another browser replaces the first one\'s draft, whose next step says so', async () => {
    const rec = RECORDS[5]!;
    const first = new PageClient(portal.url);
    expect((await first.call('POST', '/gps/api/applications', { controlNumber: rec.controlNumber })).status).toBe(201);
    expect((await new PageClient(portal.url).call('POST', '/gps/api/applications', { controlNumber: rec.controlNumber })).status).toBe(201);
    const next = await first.call('POST', '/gps/api/application/basic-data', { basicData: rec });
    expect(next.status).toBe(409);
    expect(next.body.error).toEqual({
      code: 'INVALID_TRANSITION',
      message: '此帳號申請已由相同管制編號之新申請取代，無法繼續填寫；如需申請，請重新輸入管制編號送出申請',
    });
  });

  it('later 送出申請 of the same number in other browsers do to the first what they do to a real application, so they tell nothing (found by the review)', async () => {
    const taken = RECORDS[9]!;
    const free = RECORDS[10]!;
    await applyAndBind(taken, 'TP03000000000071');
    await approveAndActivate(taken);
    let card = 72;
    /** Status and body of a page answer, without what names the number, the company or the card read. */
    const seen = (rec: (typeof RECORDS)[number], r: { status: number; body: Record<string, unknown> }): unknown => {
      const body = 'cardNumber' in r.body ? { controlNumber: r.body.controlNumber, companyName: r.body.companyName } : r.body;
      return { status: r.status, body: JSON.parse(JSON.stringify(body).replaceAll(rec.controlNumber, 'CN').replaceAll(rec.companyName, 'COMPANY')) };
    };
    // A draft is replaced at once by another browser's 送出申請; one with 基本資料 verified only once idle for a day.
    const probe = async (rec: (typeof RECORDS)[number], idleFirst: boolean): Promise<unknown[]> => {
      const first = new PageClient(portal.url);
      const second = new PageClient(portal.url);
      const answers: unknown[] = [];
      await first.call('POST', '/gps/api/applications', { controlNumber: rec.controlNumber });
      await second.call('POST', '/gps/api/applications', { controlNumber: rec.controlNumber });
      answers.push(seen(rec, await first.call('POST', '/gps/api/application/basic-data', { basicData: rec })));
      answers.push(seen(rec, await second.call('POST', '/gps/api/application/basic-data', { basicData: rec })));
      const third = (): Promise<unknown> => new PageClient(portal.url).call('POST', '/gps/api/applications', { controlNumber: rec.controlNumber });
      // Idle: a day passes before the third 送出申請 (and the card is read after it: a card read a day ago has expired).
      if (idleFirst) {
        nowMs += 25 * 3600 * 1000;
        await third();
      }
      await insert(`TP030000000000${card++}`);
      answers.push(seen(rec, await second.cardStep(agent, '/gps/card/apply')));
      if (!idleFirst) await third();
      answers.push(seen(rec, await second.call('POST', '/gps/api/application/bind', { phone: '02-2345-6789', email: 'me@example.com.tw' })));
      return answers;
    };
    const statuses = (answers: unknown[]): number[] => answers.map((a) => (a as { status: number }).status);
    // Within the day: the second browser's application stands and reaches 審核中 (or, taken, seems to).
    const recent = await probe(free, false);
    expect(statuses(recent)).toEqual([409, 200, 200, 200]);
    expect(JSON.stringify(recent[0])).toContain('新申請取代');
    expect(await probe(taken, false)).toEqual(recent);
    // Idle for more than a day, it is replaced by the third: 確認送出 says so.
    const idle = await probe(RECORDS[11]!, true);
    expect(statuses(idle)).toEqual([409, 200, 200, 409]);
    expect(JSON.stringify(idle[3])).toContain('新申請取代');
    expect(await probe(taken, true)).toEqual(idle);
  });

  it('a real 送出申請 replaces concealed applications by the flow\'s rule too: one with 基本資料 verified within the day stands, as on a number with an account (found by the second review)', async () => {
    const taken = RECORDS[12]!;
    const free = RECORDS[13]!;
    await applyAndBind(taken, 'TP03000000000090');
    await approveAndActivate(taken);
    let card = 91;
    // Three browsers: the first's 基本資料 holds the number for a day; the second applies twelve hours later (a free
    // number's is then concealed too, the first's being real) and verifies its 基本資料; a third applies once the
    // first's day is over, which replaces the first (real or concealed) but not the second, twelve hours idle.
    const walk = async (rec: (typeof RECORDS)[number]): Promise<unknown[]> => {
      const [first, second, third] = [new PageClient(portal.url), new PageClient(portal.url), new PageClient(portal.url)];
      const answers: unknown[] = [];
      answers.push((await first.call('POST', '/gps/api/applications', { controlNumber: rec.controlNumber })).status);
      answers.push((await first.call('POST', '/gps/api/application/basic-data', { basicData: rec })).body.status);
      nowMs += 12 * 3600 * 1000;
      answers.push((await second.call('POST', '/gps/api/applications', { controlNumber: rec.controlNumber })).status);
      answers.push((await second.call('POST', '/gps/api/application/basic-data', { basicData: rec })).body.status);
      nowMs += 13 * 3600 * 1000;
      answers.push((await third.call('POST', '/gps/api/applications', { controlNumber: rec.controlNumber })).status);
      await insert(`TP030000000000${card++}`);
      answers.push((await second.cardStep(agent, '/gps/card/apply')).status);
      const bound = await second.call('POST', '/gps/api/application/bind', { phone: '02-2345-6789', email: 'me@example.com.tw' });
      answers.push(bound.status, code(bound) ?? bound.body.status);
      const late = await first.call('POST', '/gps/api/application/basic-data', { basicData: rec });
      answers.push(late.status, code(late), JSON.stringify(late.body).includes('新申請取代'));
      return answers;
    };
    const onFree = await walk(free);
    expect(onFree).toEqual([201, 'basicDataVerified', 201, 'basicDataVerified', 201, 200, 200, 'underReview', 409, 'INVALID_TRANSITION', true]);
    expect(await walk(taken)).toEqual(onFree);
  });

  it('a 送出申請 landing while 基本資料 waits for EMS replaces a concealed application as the flow replaces a real one (found by the second review)', async () => {
    const taken = RECORDS[14]!;
    const free = RECORDS[15]!;
    await applyAndBind(taken, 'TP03000000000095');
    await approveAndActivate(taken);
    const race = async (rec: (typeof RECORDS)[number]): Promise<unknown[]> => {
      const first = new PageClient(portal.url);
      expect((await first.call('POST', '/gps/api/applications', { controlNumber: rec.controlNumber })).status).toBe(201);
      const held = gatedEms.hold(rec.controlNumber);
      const pending = first.call('POST', '/gps/api/application/basic-data', { basicData: rec });
      await held.entered;
      const second = await new PageClient(portal.url).call('POST', '/gps/api/applications', { controlNumber: rec.controlNumber });
      held.release();
      const answer = await pending;
      return [second.status, answer.status, code(answer), JSON.stringify(answer.body).includes('新申請取代')];
    };
    const onFree = await race(free);
    expect(onFree).toEqual([201, 409, 'INVALID_TRANSITION', true]);
    expect(await race(taken)).toEqual(onFree);
  });

  it('a session of an account 客服 closed does not reach the account opened next on the same 管制編號, nor does its actor', async () => {
    const rec = RECORDS[1]!;
    await applyAndBind(rec, 'TP03000000000011');
    await approveAndActivate(rec);
    const old = await login('TP03000000000011');
    const rv = await reviewer();
    expect((await rv.call('POST', `/gps/api/review/accounts/${rec.controlNumber}/close`, { reason: '憑證遺失' })).body.status).toBe('closed');
    await applyAndBind(rec, 'TP03000000000012');
    await approveAndActivate(rec);
    const seen = await old.call('GET', '/gps/api/cards');
    expect(seen.status).toBe(401);
    expect(code(seen)).toBe('NOT_LOGGED_IN');
    expect(code(await old.call('POST', '/gps/api/cards/TP03000000000012/delete', {}))).toBe('NOT_LOGGED_IN');

    // The actor each account was applied for is its own, as the flow records it: the closed account's is not the
    // new account's owner.
    const accounts = await sdk().history(rec.controlNumber);
    expect(accounts.map((a) => a.status).sort()).toEqual(['active', 'closed']);
    const oldActor = String(accounts.find((a) => a.status === 'closed')?.ownerId);
    const newActor = String(accounts.find((a) => a.status === 'active')?.ownerId);
    expect(oldActor).toMatch(/^gps-account:[0-9a-f-]{36}$/);
    expect(newActor).toMatch(/^gps-account:[0-9a-f-]{36}$/);
    expect(newActor).not.toBe(oldActor);
    const refused = await sdk().removeCard(rec.controlNumber, 'TP03000000000012', { role: 'applicant', id: oldActor }).catch((e: unknown) => e);
    expect((refused as EnrollError).code).toBe('FORBIDDEN');
  });

  it('the activation link shows a page (GET, HEAD) and activates only by its 開通帳號權限 POST from the site', async () => {
    const rec = RECORDS[2]!;
    await applyAndBind(rec, 'TP03000000000021');
    const rv = await reviewer();
    const since = sink.messages.length;
    await rv.call('POST', `/gps/api/review/applications/${await idOf(rv, 'applications', rec.controlNumber)}/approve`, {});
    const link = await activationLink(rec.facilityEmail, since);

    const head = await fetch(link, { method: 'HEAD' }); // a mail scanner, a link preview
    expect(head.status).toBe(200);
    const shown = await fetch(link);
    expect(shown.status).toBe(200);
    expect(shown.headers.get('cache-control')).toBe('no-store');
    expect(shown.headers.get('referrer-policy')).toBe('same-origin');
    const page = await shown.text();
    expect(page).toContain('id="activation-confirm"');
    expect(page).toMatch(/<form method="post" action="\/gps\/activate"><input type="hidden" name="key" value="[^"]+">/);
    expect(page).toContain('開通帳號權限');
    // It names what the button opens: the 管制編號, the company, the card (卡號末四碼 only) and the link's expiry.
    expect(page).toContain(`<td id="activation-control-number">${rec.controlNumber}</td>`);
    expect(page).toContain(`<td id="activation-company-name">${rec.companyName}</td>`);
    expect(page).toContain('<td id="activation-cards">持卡人（卡號末四碼 0021）</td>');
    expect(page).toMatch(/<td id="activation-expires">[^<]+<\/td>/);
    expect(page).not.toContain('TP03000000000021');
    // The mail names them too.
    expect((await sink.waitFor(rec.facilityEmail, { since })).text).toContain(`開通帳號：管制編號 ${rec.controlNumber}（${rec.companyName}）`);
    expect(await statusOf(rec.controlNumber)).toBe('approved');

    // Not from the site (no Origin, another site): refused like every other write.
    expect((await confirmActivation(link, null)).status).toBe(403);
    expect((await confirmActivation(link, 'http://evil.example')).status).toBe(403);
    expect(await statusOf(rec.controlNumber)).toBe('approved');

    const activated = await confirmActivation(link);
    expect(activated.status).toBe(200);
    const done = await activated.text();
    expect(done).toContain('帳號啟用成功，請以自然人憑證登入');
    expect(done).toContain('id="activation-ok"');
    expect(await statusOf(rec.controlNumber)).toBe('active');
    expect(await (await confirmActivation(link)).text()).toContain('data-code="TOKEN_USED"');
    // A used link says so when opened, before any button.
    const reopened = await fetch(link);
    expect(reopened.status).toBe(400);
    const again = await reopened.text();
    expect(again).toContain('data-code="TOKEN_USED"');
    expect(again).not.toContain('id="activation-confirm"');
    expect(await (await confirmActivation(`${portal.url}/gps/activate?key=not-a-token`)).text()).toContain('data-code="TOKEN_INVALID"');
    const bare = await fetch(`${portal.url}/gps/activate`);
    expect(bare.status).toBe(400);
    expect(await bare.text()).toContain('data-code="TOKEN_INVALID"');
  });

  it('a reviewer lists approved accounts not yet activated and sends a new link (重新寄送認證信) when the first expired', async () => {
    const rec = RECORDS[3]!;
    await applyAndBind(rec, 'TP03000000000031');
    const rv = await reviewer();
    const id = await idOf(rv, 'applications', rec.controlNumber);
    const since = sink.messages.length;
    await rv.call('POST', `/gps/api/review/applications/${id}/approve`, {});
    const first = await activationLink(rec.facilityEmail, since);
    expect(await idOf(rv, 'applications', rec.controlNumber)).toBeUndefined();
    const listed = (await rv.call('GET', '/gps/api/review/approved')).body.applications as Array<Record<string, unknown>>;
    expect(listed.find((a) => a.controlNumber === rec.controlNumber)).toMatchObject({
      id,
      companyName: rec.companyName,
      cards: [{ cardNumber: 'TP03000000000031' }],
      approvedAt: expect.any(String),
    });

    nowMs += 8 * 24 * 3600 * 1000;
    expect(await (await confirmActivation(first)).text()).toContain('data-code="TOKEN_EXPIRED"');

    // Reviewers only, from the site only.
    const visitor = new PageClient(portal.url);
    expect(code(await visitor.call('GET', '/gps/api/review/approved'))).toBe('REVIEWER_LOGIN_REQUIRED');
    expect(code(await visitor.call('POST', `/gps/api/review/applications/${id}/reissueActivation`, {}))).toBe('REVIEWER_LOGIN_REQUIRED');
    expect(code(await rv.call('POST', `/gps/api/review/applications/${id}/reissueActivation`, {}, 'http://evil.example'))).toBe('FOREIGN_ORIGIN');

    const resent = sink.messages.length;
    const reissue = await rv.call('POST', `/gps/api/review/applications/${id}/reissueActivation`, {});
    expect(reissue.status).toBe(200);
    expect(reissue.body).toMatchObject({ status: 'approved', sentTo: rec.facilityEmail, expiresAt: expect.any(String) });
    const second = await activationLink(rec.facilityEmail, resent);
    expect(second).not.toBe(first);
    expect((await confirmActivation(second)).status).toBe(200);
    expect(await statusOf(rec.controlNumber)).toBe('active');
    expect(await idOf(rv, 'approved', rec.controlNumber)).toBeUndefined();
    expect(code(await rv.call('POST', `/gps/api/review/applications/${id}/reissueActivation`, {}))).toBe('INVALID_TRANSITION');
  });

  it('送出申請 of a 管制編號 that has an account answers as for one that has none, step by step, and tells the company by mail', async () => {
    const taken = RECORDS[7]!;
    const free = RECORDS[8]!;
    await applyAndBind(taken, 'TP03000000000061');
    await approveAndActivate(taken);
    const before = { history: await sdk().history(taken.controlNumber), cards: await sdk().listCards(taken.controlNumber) };
    const takenPage = new PageClient(portal.url);
    const freePage = new PageClient(portal.url);
    /** A reply with the 管制編號 and anything of the number's own EMS record masked, to compare the two pages. */
    const shape = (r: Reply, rec: (typeof RECORDS)[number]): unknown => ({
      status: r.status,
      body: JSON.parse(JSON.stringify(r.body).replaceAll(rec.controlNumber, 'CN').replaceAll(rec.companyName, 'COMPANY')) as unknown,
    });
    const both = async (call: (page: PageClient, rec: (typeof RECORDS)[number]) => Promise<Reply>): Promise<unknown> => {
      const t = shape(await call(takenPage, taken), taken);
      const f = shape(await call(freePage, free), free);
      expect(t).toEqual(f);
      return t;
    };

    // 送出申請: 201 draft for both (the number with an account was 409 APPLICATION_IN_PROGRESS).
    expect(await both((page, rec) => page.call('POST', '/gps/api/applications', { controlNumber: rec.controlNumber }))).toEqual({
      status: 201,
      body: { controlNumber: 'CN', status: 'draft' },
    });
    // 基本資料填寫: an unfilled field, then another 管制編號, are refused alike; the matching data passes alike.
    const missing = (await both((page, rec) => page.call('POST', '/gps/api/application/basic-data', { basicData: { ...rec, contactName: '' } }))) as Reply;
    expect(missing.status).toBe(400);
    expect(await both((page) => page.call('POST', '/gps/api/application/basic-data', { basicData: RECORDS[0] }))).toMatchObject({ status: 400 });
    expect(await both((page, rec) => page.call('POST', '/gps/api/application/basic-data', { basicData: rec }))).toEqual({
      status: 200,
      body: { status: 'basicDataVerified', controlNumber: 'CN', companyName: 'COMPANY' },
    });
    // Once verified, a second post is refused by the state, alike.
    expect(await both((page, rec) => page.call('POST', '/gps/api/application/basic-data', { basicData: rec }))).toMatchObject({ status: 409 });

    // 自然人憑證綁定: the card step, a form without a phone, then 確認送出: 審核中 for both.
    await insert('TP03000000000062', '王小明');
    const takenCard = await takenPage.cardStep(agent, '/gps/card/apply');
    await insert('TP03000000000063', '王小明');
    const freeCard = await freePage.cardStep(agent, '/gps/card/apply');
    const cardShape = (r: Reply, rec: (typeof RECORDS)[number]) => {
      const { cardNumber: _n, certificateSerial: _s, ...rest } = (shape(r, rec) as { body: Record<string, unknown> }).body;
      return [r.status, rest];
    };
    expect(cardShape(takenCard, taken)).toEqual(cardShape(freeCard, free));
    expect(takenCard.status).toBe(200);
    expect(await both((page) => page.call('POST', '/gps/api/application/bind', { email: 'me@example.com.tw' }))).toMatchObject({ status: 400 });
    const since = sink.messages.length;
    expect(await both((page) => page.call('POST', '/gps/api/application/bind', { phone: '02-2345-6789', email: 'me@example.com.tw' }))).toEqual({
      status: 200,
      body: { status: 'underReview', controlNumber: 'CN' },
    });

    // The company with the account is told at its EMS facility e-mail, naming the card; nothing was recorded for it.
    const told = await sink.waitFor(taken.facilityEmail, { since });
    expect(told.text).toContain(`管制編號 ${taken.controlNumber}`);
    expect(told.text).toContain('王小明，卡號末四碼 0062');
    expect(told.text).toContain('本次申請不予受理');
    expect({ history: await sdk().history(taken.controlNumber), cards: await sdk().listCards(taken.controlNumber) }).toEqual(before);
    // The free number's application is the flow's, in review (its mail comes with the review, not now).
    expect(await statusOf(free.controlNumber)).toBe('underReview');
    expect(sink.messages.slice(since).map((m) => m.to)).toEqual([[taken.facilityEmail]]);
  });

  it('a card bound elsewhere is refused CARD_ALREADY_BOUND on a concealed application as on a free number, and nothing is mailed', async () => {
    const taken = RECORDS[16]!;
    const free = RECORDS[17]!;
    await applyAndBind(taken, 'TP03000000000081');
    const takenPage = new PageClient(portal.url);
    const freePage = new PageClient(portal.url);
    for (const [page, rec] of [[takenPage, taken], [freePage, free]] as const) {
      expect((await page.call('POST', '/gps/api/applications', { controlNumber: rec.controlNumber })).status).toBe(201);
      expect((await page.call('POST', '/gps/api/application/basic-data', { basicData: rec })).body.status).toBe('basicDataVerified');
      // The card already bound (pending) to the first application.
      await insert('TP03000000000081');
      expect((await page.cardStep(agent, '/gps/card/apply')).status).toBe(200);
    }
    const since = sink.messages.length;
    const bind = (page: PageClient): Promise<Reply> => page.call('POST', '/gps/api/application/bind', { phone: '02-2345-6789', email: 'me@example.com.tw' });
    const onTaken = await bind(takenPage);
    const onFree = await bind(freePage);
    expect({ status: onTaken.status, code: code(onTaken) }).toEqual({ status: onFree.status, code: code(onFree) });
    expect(code(onFree)).toBe('CARD_ALREADY_BOUND');
    expect(onTaken.body).toEqual(onFree.body);
    // The concealed application did not move to 審核中 (as the free one stays at 基本資料 verified), and no mail went out.
    expect(await statusOf(free.controlNumber)).toBe('basicDataVerified');
    await new Promise((r) => setTimeout(r, 200));
    expect(sink.messages.slice(since)).toEqual([]);
  });

  it('a card that is not a citizen card is told the system takes 自然人憑證 only, not 「或工商憑證」', async () => {
    reader.remove();
    reader.insert(await demoCard({ authority: 'gca', cardNumber: 'GC03000000000009', pin: PIN, organizationOid: DEMO_AGENCY_OID }));
    const refused = await new PageClient(portal.url).cardStep(agent, '/gps/card/login');
    expect(refused.status).toBe(403);
    expect(refused.body.error).toMatchObject({ code: 'WRONG_CARD_TYPE', message: '本系統採自然人憑證單一登入方式，此憑證不可用於本系統，請使用自然人憑證' });
  });
});
