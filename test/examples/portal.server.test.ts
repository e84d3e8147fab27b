/**
 * The reference portal's backend over HTTP without a browser: the calls the
 * GPS and GEPI pages make, against the embedded store and (when the test run
 * has one) a PostgreSQL server reached through a DATABASE_URL-style
 * connection string. Cards sign through a real local agent over in-process
 * virtual cards; mail goes through the SDK's SmtpMailer into the portal's
 * smtp-server sink.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { EmulatorCardSlots, startAgent, type AgentServer } from 'twpki/agent';
import { SmtpMailer } from 'twpki/enroll/smtp';
import { EmulatorReader } from 'twpki/pcsc';
import { createTestPki, type TestPki, type VirtualHiCOSCard } from 'twpki/testing';
import { startMailSink, type MailSink } from '../../examples/portal/core/mail-sink.js';
import { checkReviewerPassword, hashReviewerPassword } from '../../examples/portal/core/reviewer.js';
import { DEMO_AGENCY_OID, DEMO_EMS_RECORDS, demoTrust } from '../../examples/portal/demo-setup.js';
import { gepiSystem } from '../../examples/portal/gepi/index.js';
import { gpsSystem } from '../../examples/portal/gps/index.js';
import { startPortal, type Portal } from '../../examples/portal/server.js';
import type { EnrollStore } from 'twpki/enroll';
import { defaultMessages } from 'twpki/messages';
import { freshSchemaUrl, openPglite } from '../enroll/helpers.js';
import { demoCards } from './support/speed/demo-cards.js';

const PIN = '135790';
const REVIEWER_PASSWORD = 'reviewer-secret-1';
const [EMS, OTHER] = DEMO_EMS_RECORDS;
const OTHER_EMAIL = OTHER.facilityEmail;

interface Reply {
  status: number;
  body: Record<string, unknown>;
}

/** What a page does: same-origin JSON calls carrying the session cookie. */
class PageClient {
  private cookie = '';
  public constructor(private readonly base: string) {}

  /** The session cookie this browser holds (`name=value`). */
  public get sessionCookie(): string {
    return this.cookie;
  }

  /** A browser holding a cookie planted by someone else (session fixation). */
  public static holding(base: string, cookie: string): PageClient {
    const client = new PageClient(base);
    client.cookie = cookie;
    return client;
  }

  public async call(method: 'GET' | 'POST', path: string, body?: unknown, origin: string | null = this.base): Promise<Reply> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (origin !== null) headers.Origin = origin;
    if (this.cookie) headers.Cookie = this.cookie;
    const res = await fetch(`${this.base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), redirect: 'manual' });
    this.keepCookie(res);
    const text = await res.text();
    return { status: res.status, body: text.startsWith('{') ? (JSON.parse(text) as Record<string, unknown>) : { text } };
  }

  private keepCookie(res: Response): void {
    const set = res.headers.get('set-cookie');
    if (set) this.cookie = set.split(';')[0] ?? '';
  }

  /** 審核人員登入 with the form the login page posts. */
  public async reviewerLogin(password: string): Promise<number> {
    const res = await fetch(`${this.base}/review/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: this.base, ...(this.cookie ? { Cookie: this.cookie } : {}) },
      body: new URLSearchParams({ password, next: '/gps/review' }).toString(),
      redirect: 'manual',
    });
    this.keepCookie(res);
    return res.status;
  }

  /** A card step: the site's challenge, the agent's signature (reader `slot`), the site's verification. */
  public async cardStep(agent: AgentServer, prefix: string, pin = PIN, slotDescription?: string): Promise<Reply> {
    const challenge = await this.call('GET', `${prefix}/challenge`);
    const tbs = String(challenge.body.tbs);
    const pkg = { func: 'MakeSignature', signatureType: 'PKCS7', tbs, tbsEncoding: 'NONE', hashAlgorithm: 'SHA256', withCardSN: 'true', pin, slotDescription: slotDescription ?? '' };
    const res = await fetch(`${agent.url}/sign`, { method: 'POST', body: `tbsPackage=${JSON.stringify(pkg)}`, headers: { Origin: this.base } });
    const reply = (await res.json()) as Record<string, unknown>;
    expect(reply.ret_code).toBe(0);
    return this.call('POST', `${prefix}/verify`, { signatureType: 'PKCS7', tbs, signature: reply.signature, certb64: reply.certb64, cardSN: reply.cardSN });
  }
}

function code(reply: Reply): unknown {
  return (reply.body.error as { code?: unknown } | undefined)?.code;
}

/** The page's code and message of a refused 身分證統一編號. */
function codeAndMessage(reply: Reply): unknown[] {
  const error = reply.body.error as { code?: unknown; message?: unknown } | undefined;
  return [error?.code, error?.message];
}

const databaseUrl = (inject as (key: string) => unknown)('databaseUrl');
interface Backend {
  name: string;
  url: () => Promise<string | undefined>;
  /** An open store to run on (the portal leaves it open), instead of one the portal opens itself. */
  store?: () => Promise<EnrollStore>;
  /** Status of E5600123 as the PostgreSQL server itself holds it (undefined for PGlite). */
  statusInServer?: () => Promise<string | undefined>;
}
// The embedded store from the migrated snapshot: the store is what is tested here, and a fresh one's initdb and
// migrations cost more CPU than the file's other set-up together (the portal opening its own is the deploy tests').
const backends: Backend[] = [{ name: 'embedded PGlite store', url: () => Promise.resolve(undefined), store: () => openPglite() }];
if (typeof databaseUrl === 'string' && databaseUrl !== '') {
  backends.push({
    name: 'PostgreSQL via DATABASE_URL',
    url: () => freshSchemaUrl(databaseUrl, 'portal_example'),
    async statusInServer() {
      const client = new pg.Client({ connectionString: databaseUrl });
      await client.connect();
      try {
        const r = await client.query(`SELECT status FROM portal_example.enroll_account_applications WHERE control_number = 'E5600123' ORDER BY created_at DESC LIMIT 1`);
        return (r.rows[0] as { status?: string } | undefined)?.status;
      } finally {
        await client.end();
      }
    },
  });
}

let pki: TestPki;
/** `demoCard`, each holder issued once for both backends (a new card each time: see support/speed/demo-cards.ts). */
let demoCard: ReturnType<typeof demoCards>;
beforeAll(async () => {
  pki = await createTestPki();
  demoCard = demoCards(pki);
}, 60_000);

/** Agent over one in-process reader holding `card`. */
async function agentWith(card: VirtualHiCOSCard): Promise<{ agent: AgentServer; slots: EmulatorCardSlots; reader: EmulatorReader }> {
  const reader = new EmulatorReader({ name: 'twpki test reader' });
  reader.insert(card);
  const slots = new EmulatorCardSlots(reader);
  return { agent: await startAgent({ slots, port: 0 }), slots, reader };
}

describe.each(backends)('portal backend on the $name', ({ url, store: openStore, statusInServer }) => {
  let agent: AgentServer;
  let slots: EmulatorCardSlots;
  let reader: EmulatorReader;
  let sink: MailSink;
  let portal: Portal;
  let citizen: VirtualHiCOSCard;
  let store: EnrollStore | undefined;

  beforeAll(async () => {
    citizen = await demoCard({ authority: 'moica', cardNumber: 'TP03000011112222', pin: PIN, idHint: '6789', commonName: '王小明' });
    store = await openStore?.();
    ({ agent, slots, reader } = await agentWith(citizen));
    sink = await startMailSink();
    portal = await startPortal({
      port: 0,
      systems: [gpsSystem({ ems: [EMS, OTHER] }), gepiSystem({ agencies: [
        { agencyCode: 'A1001', name: '範例機關', oid: DEMO_AGENCY_OID },
        { agencyCode: 'B2002', name: '另一機關', oid: '2.16.886.101.90001.20099' },
        { agencyCode: 'C3003', name: '第三機關', oid: '2.16.886.101.90001.20098' },
      ] })],
      ...demoTrust(pki),
      agentUrl: agent.url,
      smtp: { host: sink.host, port: sink.port },
      reviewerPassword: REVIEWER_PASSWORD,
      // '' keeps the embedded store even when the environment has a DATABASE_URL.
      databaseUrl: (await url()) ?? '',
      ...(store === undefined ? {} : { store }),
    });
    agent.trusted.add(portal.url);
  }, 60_000);

  afterAll(async () => {
    await portal?.close();
    await sink?.close();
    await agent?.close();
    await slots?.close();
    await store?.close();
  });

  it('GPS: apply → EMS → card → review (reviewer login) → mail → activation → card login → 設定 / 刪除, refusing each misuse', async () => {
    const home = await (await fetch(`${portal.url}/`)).text();
    expect(home).toContain('data-system="gps"');
    expect(home).toContain('data-system="gepi"');
    expect(home).toContain('href="/gepi/replace/both"');
    // The development inbox is served only when the portal is given one.
    expect((await fetch(`${portal.url}/dev/mailbox`)).status).toBe(404);

    const page = new PageClient(portal.url);
    expect(code(await page.call('POST', '/gps/api/applications', { controlNumber: 'E5600123' }, null))).toBe('FOREIGN_ORIGIN');
    expect(code(await page.call('POST', '/gps/api/applications', { controlNumber: 'E5600123' }, 'http://evil.example'))).toBe('FOREIGN_ORIGIN');

    const applied = await page.call('POST', '/gps/api/applications', { controlNumber: 'e5600123' });
    expect(applied).toMatchObject({ status: 201, body: { controlNumber: 'E5600123', status: 'draft' } });

    const incomplete = await page.call('POST', '/gps/api/application/basic-data', { basicData: { ...EMS, mailingAddress: ' ' } });
    expect(incomplete.status).toBe(400);
    expect(incomplete.body.error).toMatchObject({ code: 'INVALID_INPUT', issues: [{ field: 'basicData.mailingAddress' }] });

    const verified = await page.call('POST', '/gps/api/application/basic-data', { basicData: EMS });
    expect(verified.body).toMatchObject({ status: 'basicDataVerified', companyName: EMS.companyName });
    expect(code(await page.call('POST', '/gps/api/application/bind', { phone: '02-2345-6789', email: 'a@example.com.tw' }))).toBe('CARD_NOT_VERIFIED');

    // A signature made for another session's challenge is refused (challenges are bound to sessions).
    const stranger = new PageClient(portal.url);
    const challenge = await stranger.call('GET', '/gps/card/apply/challenge');
    const foreign = await page.call('POST', '/gps/card/apply/verify', { signatureType: 'PKCS7', tbs: challenge.body.tbs, signature: 'AA==', certb64: 'AA==' });
    expect(foreign.status).toBeGreaterThanOrEqual(400);

    const info = await page.cardStep(agent, '/gps/card/apply');
    expect(info.body).toMatchObject({ controlNumber: 'E5600123', cardNumber: 'TP03000011112222', name: '王小明', idHint: '6789' });
    expect(String(info.body.authorityName)).toContain('內政部');

    const bound = await page.call('POST', '/gps/api/application/bind', { name: '王小明', phone: '02-2345-6789', email: 'applicant@example.com.tw' });
    expect(bound.body).toMatchObject({ status: 'underReview' });

    const reviewer = new PageClient(portal.url);
    expect(code(await reviewer.call('GET', '/gps/api/review/applications'))).toBe('REVIEWER_LOGIN_REQUIRED');
    expect((await reviewer.call('GET', '/gps/review')).status).toBe(302);
    expect(await reviewer.reviewerLogin('wrong password')).toBe(401);
    expect(await reviewer.reviewerLogin(REVIEWER_PASSWORD)).toBe(302);
    const list = await reviewer.call('GET', '/gps/api/review/applications');
    const apps = list.body.applications as Array<{ id: string; controlNumber: string; cards: Array<{ cardNumber: string }> }>;
    expect(apps).toHaveLength(1);
    expect(apps[0]).toMatchObject({ controlNumber: 'E5600123', cards: [{ cardNumber: 'TP03000011112222', holderName: '王小明', certificateName: '王小明' }] });
    const approved = await reviewer.call('POST', `/gps/api/review/applications/${apps[0]?.id}/approve`, {});
    expect(approved.body).toMatchObject({ status: 'approved', sentTo: 'service@example.com.tw' });

    const mail = await sink.waitFor('service@example.com.tw');
    expect(mail.subject).toBe('毒性及關注化學物質運送車輛即時追蹤系統專區-帳號申請認證');
    expect(mail.text).toContain('毒關化物車輛 GPS 客服');
    const link = /(http:\/\/\S+\/gps\/activate\?key=\S+)/.exec(mail.text)?.[1] as string;
    expect(link.startsWith(`${portal.url}/gps/activate?key=`)).toBe(true);
    // The link shows the 開通帳號權限 page; its button posts the key (see portal-gps-sessions.test.ts).
    expect(await (await fetch(link)).text()).toContain('id="activation-confirm"');
    const activate = (key: string) =>
      fetch(`${portal.url}/gps/activate`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: portal.url }, body: new URLSearchParams({ key }).toString() });
    const activated = await activate(new URL(link).searchParams.get('key') as string);
    expect(activated.status).toBe(200);
    expect(await activated.text()).toContain('帳號啟用成功，請以自然人憑證登入');
    expect(await (await activate(new URL(link).searchParams.get('key') as string)).text()).toContain('data-code="TOKEN_USED"');
    expect(await (await activate('not-a-token')).text()).toContain('data-code="TOKEN_INVALID"');

    const visitor = new PageClient(portal.url);
    expect(code(await visitor.call('GET', '/gps/api/cards'))).toBe('NOT_LOGGED_IN');
    expect((await visitor.call('GET', '/gps/cards')).status).toBe(302);
    const login = await visitor.cardStep(agent, '/gps/card/login');
    expect(login.body).toMatchObject({ controlNumber: 'E5600123', cardNumber: 'TP03000011112222' });
    expect((await visitor.call('GET', '/gps/api/me')).body).toEqual({ account: 'E5600123' });
    const cards = await visitor.call('GET', '/gps/api/cards');
    expect(cards.body.cards).toEqual([
      expect.objectContaining({ holderName: '王小明', phone: '02-2345-6789', email: 'applicant@example.com.tw', cardNumber: 'TP03000011112222', status: 'active' }),
    ]);
    // 刪除 of the only card is refused (the account would be unreachable).
    expect(code(await visitor.call('POST', '/gps/api/cards/TP03000011112222/delete', {}))).toBe('LAST_CARD');

    // 設定自然人憑證: a second card for the same 管制編號, then 刪除 of the first.
    reader.remove();
    reader.insert(await demoCard({ authority: 'moica', cardNumber: 'TP03000055556666', pin: PIN, commonName: '李小華' }));
    expect(code(await visitor.call('POST', '/gps/api/cards', { phone: '02-1111-2222', email: 'second@example.com.tw' }))).toBe('CARD_NOT_VERIFIED');
    const second = await visitor.cardStep(agent, '/gps/card/add');
    expect(second.body).toMatchObject({ controlNumber: 'E5600123', cardNumber: 'TP03000055556666', name: '李小華' });
    expect((await visitor.call('POST', '/gps/api/cards', { phone: '02-1111-2222', email: 'second@example.com.tw' })).body).toMatchObject({ cardNumber: 'TP03000055556666', status: 'active' });
    expect(((await visitor.call('GET', '/gps/api/cards')).body.cards as unknown[]).length).toBe(2);
    expect(code(await new PageClient(portal.url).call('POST', '/gps/api/cards/TP03000055556666/delete', {}))).toBe('NOT_LOGGED_IN');
    expect((await visitor.call('POST', '/gps/api/cards/TP03000055556666/delete', {})).body).toEqual({ cards: 1 });
    reader.remove();
    reader.insert(citizen);
    if (statusInServer) expect(await statusInServer()).toBe('active');
  });

  it('GPS: an EMS mismatch answers the ✓/✗ result fragment, and a rejection mails the 帳號申請結果 link', async () => {
    const page = new PageClient(portal.url);
    await page.call('POST', '/gps/api/applications', { controlNumber: 'Z9900001' });
    const unknown = await page.call('POST', '/gps/api/application/basic-data', { basicData: { ...EMS, controlNumber: 'Z9900001' } });
    expect(unknown.body.status).toBe('emsRejected');
    expect(String(unknown.body.resultHtml)).toMatch(/twpki-ems-fail" data-key="controlNumber"[^>]*>.*✗.*EMS 查無此管制編號/);
    expect(String(unknown.body.resultHtml)).toContain('紅字為比對資料結果，若資料有誤請至EMS修正');
    expect((await page.call('POST', '/gps/api/applications', { controlNumber: 'Z9900001' })).status).toBe(201);

    // 審核不通過 → mail to the EMS facility e-mail with the result link.
    await page.call('POST', '/gps/api/applications', { controlNumber: OTHER.controlNumber });
    await page.call('POST', '/gps/api/application/basic-data', { basicData: OTHER });
    expect((await page.cardStep(agent, '/gps/card/apply')).status).toBe(200);
    // The citizen card is already bound to E5600123: 相同自然人憑證僅限對應乙組管制編號.
    const refused = await page.call('POST', '/gps/api/application/bind', { phone: '07-1234-5678', email: 'someone@example.com.tw' });
    expect(code(refused)).toBe('CARD_ALREADY_BOUND');
    expect((refused.body.error as { message: string }).message).toContain('相同自然人憑證僅限對應乙組管制編號');

    reader.remove();
    reader.insert(await demoCard({ authority: 'moica', cardNumber: 'TP03000077778888', pin: PIN }));
    try {
      expect((await page.cardStep(agent, '/gps/card/apply')).status).toBe(200);
      expect((await page.call('POST', '/gps/api/application/bind', { phone: '07-1234-5678', email: 'someone@example.com.tw' })).body.status).toBe('underReview');
    } finally {
      reader.remove();
      reader.insert(citizen);
    }
    const reviewer = new PageClient(portal.url);
    await reviewer.reviewerLogin(REVIEWER_PASSWORD);
    const apps = (await reviewer.call('GET', '/gps/api/review/applications')).body.applications as Array<{ id: string; controlNumber: string }>;
    const id = apps.find((a) => a.controlNumber === OTHER.controlNumber)?.id as string;
    expect(code(await reviewer.call('POST', `/gps/api/review/applications/${id}/reject`, { reason: '' }))).toBe('INVALID_INPUT');
    expect((await reviewer.call('POST', `/gps/api/review/applications/${id}/reject`, { reason: '負責人姓名與登記資料不符' })).body).toEqual({ status: 'rejected' });
    const mail = await sink.waitFor(OTHER_EMAIL);
    expect(mail.text).toContain('帳號申請未通過');
    const link = /(http:\/\/\S+\/gps\/result\?key=\S+)/.exec(mail.text)?.[1] as string;
    const result = await (await fetch(link)).text();
    expect(result).toContain('帳號申請結果');
    expect(result).toContain('負責人姓名與登記資料不符');
    expect(result).toMatch(/data-key="companyName" data-verdict="match"[^>]*>✓ 公司名稱/);
    expect(code(await reviewer.call('POST', `/gps/api/review/applications/${id}/approve`, {}))).toBe('INVALID_TRANSITION');
  });

  it('GPS 客服: a reviewer closes an account that cannot log in; the company is told and applies again', async () => {
    const visitor = new PageClient(portal.url);
    expect(code(await visitor.call('POST', '/gps/api/review/accounts/E5600123/close', { reason: '憑證遺失' }))).toBe('REVIEWER_LOGIN_REQUIRED');
    const reviewer = new PageClient(portal.url);
    await reviewer.reviewerLogin(REVIEWER_PASSWORD);
    expect(code(await reviewer.call('POST', '/gps/api/review/accounts/E5600123/close', { reason: ' ' }))).toBe('INVALID_INPUT');
    expect(code(await reviewer.call('POST', '/gps/api/review/accounts/Z0000000/close', { reason: '憑證遺失' }))).toBe('NOT_FOUND');
    const since = sink.messages.length;
    const closed = await reviewer.call('POST', '/gps/api/review/accounts/E5600123/close', { reason: '唯一之自然人憑證遺失' });
    expect(closed.body).toEqual({ controlNumber: 'E5600123', status: 'closed' });
    const mail = await sink.waitFor('service@example.com.tw', { since });
    expect(mail.subject).toContain('帳號關閉通知');
    expect(mail.text).toContain('唯一之自然人憑證遺失');
    // The card that was bound logs into nothing now, and the control number takes a new application.
    expect((await visitor.cardStep(agent, '/gps/card/login')).status).toBeGreaterThanOrEqual(400);
    expect((await visitor.call('POST', '/gps/api/applications', { controlNumber: 'E5600123' })).status).toBe(201);
  });

  it('GEPI: 首次註冊 with agency and administrator cards, 授權指派, 查詢作業, and the OID-mismatch review', async () => {
    const agencyReader = new EmulatorReader({ name: 'agency reader' });
    agencyReader.insert(await demoCard({ authority: 'gca', cardNumber: 'GC03000000000001', pin: PIN, organizationOid: DEMO_AGENCY_OID }));
    const agencySlots = new EmulatorCardSlots(agencyReader);
    const agencyAgent = await startAgent({ slots: agencySlots, port: 0 });
    agencyAgent.trusted.add(portal.url);
    try {
      const page = new PageClient(portal.url);
      expect(code(await page.call('POST', '/gepi/api/register', {}))).toBe('NO_AGENCY_CODE');
      expect(code(await page.call('GET', '/gepi/card/organization/challenge'))).toBe('NO_AGENCY_CODE');
      await page.call('POST', '/gepi/api/agency-code', { agencyCode: 'A1001' });
      const org = await page.cardStep(agencyAgent, '/gepi/card/organization');
      expect(org.body).toMatchObject({ agencyCode: 'A1001', oidMatches: true, firstRegistration: { outcome: 'matches', message: null, retryNotBefore: null }, organizationOid: DEMO_AGENCY_OID, registration: null });
      // A citizen card is not an agency card.
      expect(code(await page.cardStep(agent, '/gepi/card/organization'))).toBe('WRONG_CARD_TYPE');
      await page.cardStep(agencyAgent, '/gepi/card/organization');

      expect(code(await page.call('POST', '/gepi/api/administrator', { nationalId: 'A123456789' }))).toBe('CARD_NOT_VERIFIED');
      expect(code(await page.cardStep(agencyAgent, '/gepi/card/administrator'))).toBe('WRONG_CARD_TYPE');
      expect((await page.cardStep(agent, '/gepi/card/administrator')).body).toEqual({ ok: true });
      // The page's codes, the catalogue's words (one source for the SDK's ID causes).
      const idWords = (issue: 'INVALID_ID' | 'REQUIRED' | 'MISMATCH' | 'NOT_ON_RECORD') => defaultMessages.cardHolderIdMessages({ code: issue }).zhTW;
      expect(codeAndMessage(await page.call('POST', '/gepi/api/administrator', { nationalId: 'A123456788' }))).toEqual(['NATIONAL_ID_INVALID', idWords('INVALID_ID')]);
      expect(codeAndMessage(await page.call('POST', '/gepi/api/administrator', { nationalId: '' }))).toEqual(['NATIONAL_ID_INVALID', idWords('REQUIRED')]);
      expect(codeAndMessage(await page.call('POST', '/gepi/api/administrator', { nationalId: 'B123456780' }))).toEqual(['NATIONAL_ID_MISMATCH', idWords('MISMATCH')]);
      const planted = page.sessionCookie;
      const admin = await page.call('POST', '/gepi/api/administrator', { nationalId: 'A123456789' });
      expect(admin.body).toMatchObject({ name: '王小明', idHint: '6789' });
      // Both cards verified: the session goes on under a new id, and the id held before (one an attacker could
      // have planted) acts as nobody.
      expect(page.sessionCookie).not.toBe(planted);
      expect(code(await PageClient.holding(portal.url, planted).call('GET', '/gepi/api/operators'))).toBe('NO_AGENCY_CODE');

      const contact = { name: '王小明', email: 'admin@example.gov.tw', phone: '02-2701-3411' };
      expect(code(await page.call('POST', '/gepi/api/register', { administrator: contact }))).toBe('INVALID_INPUT');
      const registered = await page.call('POST', '/gepi/api/register', { administrator: contact, acceptedTerms: '2026-01' });
      expect(registered.body).toMatchObject({ agencyCode: 'A1001', status: 'registered', organizationIdentifier: DEMO_AGENCY_OID });
      // Another organization's card, typing A1001, learns the registration's state and none of its people.
      const otherReader = new EmulatorReader({ name: 'other agency reader' });
      otherReader.insert(await demoCard({ authority: 'gca', cardNumber: 'GC03000000000002', pin: PIN, organizationOid: '2.16.886.101.90001.29999' }));
      const otherAgent = await startAgent({ slots: new EmulatorCardSlots(otherReader), port: 0 });
      otherAgent.trusted.add(portal.url);
      try {
        const stranger = new PageClient(portal.url);
        await stranger.call('POST', '/gepi/api/agency-code', { agencyCode: 'A1001' });
        const seen = await stranger.cardStep(otherAgent, '/gepi/card/organization');
        expect(seen.body).toMatchObject({ oidMatches: false, registration: { agencyCode: 'A1001', status: 'registered', retryNotBefore: null } });
        expect(Object.keys(seen.body.registration as object).sort()).toEqual(['agencyCode', 'retryNotBefore', 'status']);
        // The agency's own card still sees it whole.
        const own = new PageClient(portal.url);
        await own.call('POST', '/gepi/api/agency-code', { agencyCode: 'A1001' });
        expect((await own.cardStep(agencyAgent, '/gepi/card/organization')).body).toMatchObject({ registration: { administrator: { name: '王小明' } } });
      } finally {
        await otherAgent.close();
      }

      const serial = String(admin.body.certificateSerial);
      const operator = { certificateSerial: serial, name: '王小明', nationalId: 'A123456789', permissions: ['加保作業'] };
      expect((await page.call('POST', '/gepi/api/operators', { operator })).body).toMatchObject({ operator: { name: '王小明', permissions: ['加保作業'] } });
      expect(code(await page.call('POST', '/gepi/api/operators', { operator: { ...operator, permissions: ['不存在的功能'] } }))).toBe('INVALID_INPUT');
      const edited = await page.call('POST', `/gepi/api/operators/${serial}/edit`, { operator: { ...operator, permissions: ['加保作業', '退保作業'] } });
      expect(edited.body).toMatchObject({ operator: { permissions: ['加保作業', '退保作業'] } });
      expect(((await page.call('GET', '/gepi/api/operators')).body.operators as unknown[]).length).toBe(1);
      expect((await page.call('POST', `/gepi/api/operators/${serial}/delete`, {})).body).toEqual({ operators: [] });
      // Another browser without the two cards cannot see the operators.
      expect(code(await new PageClient(portal.url).call('GET', '/gepi/api/operators'))).toBe('NO_AGENCY_CODE');
      // Both registered cards, with another person's ID that agrees with the card's hint: the SDK's NOT_ON_RECORD
      // (not MISMATCH, the hint's), which the page answers as its NATIONAL_ID_NOT_ADMINISTRATOR.
      const otherPerson = new PageClient(portal.url);
      await otherPerson.call('POST', '/gepi/api/agency-code', { agencyCode: 'A1001' });
      await otherPerson.cardStep(agencyAgent, '/gepi/card/organization');
      await otherPerson.cardStep(agent, '/gepi/card/administrator');
      expect((await otherPerson.call('POST', '/gepi/api/administrator', { nationalId: 'A100036789' })).status).toBe(200);
      expect(codeAndMessage(await otherPerson.call('GET', '/gepi/api/operators'))).toEqual(['NATIONAL_ID_NOT_ADMINISTRATOR', idWords('NOT_ON_RECORD')]);

      const records = await page.call('GET', '/gepi/api/records?agencyCode=A1001');
      expect(records.body.records).toEqual([expect.objectContaining({ item: '首次註冊', organizationName: '範例機關' })]);
      expect((await page.cardStep(agencyAgent, '/gepi/card/query-oid')).body).toMatchObject({ agencyCode: 'A1001', organizationOid: DEMO_AGENCY_OID });
      await page.cardStep(agent, '/gepi/card/query-serial');
      expect(code(await page.call('POST', '/gepi/api/query-serial', { nationalId: 'B123456780' }))).toBe('NATIONAL_ID_MISMATCH');
      await page.cardStep(agent, '/gepi/card/query-serial');
      expect((await page.call('POST', '/gepi/api/query-serial', { nationalId: 'A123456789' })).body).toEqual({ name: '王小明', certificateSerial: serial.toLowerCase() });

      // Agency B2002 expects another OID: at 機關憑證確認 the SDK's answer asks for the 申請人 (圖3-6), whose 送出申請
      // files the manual review with the agency card alone; the reviewer decides; retry from the next business day.
      const mismatch = new PageClient(portal.url);
      await mismatch.call('POST', '/gepi/api/agency-code', { agencyCode: 'B2002' });
      expect((await mismatch.cardStep(agencyAgent, '/gepi/card/organization')).body).toMatchObject({
        agencyKnown: true, oidMatches: false, contactNeeded: true,
        firstRegistration: { outcome: 'reviewNeeded', message: '貴機關申請憑證註冊，因申請資料比對不符，需進行審核，請填聯絡資料', retryNotBefore: null },
      });
      expect(code(await mismatch.call('POST', '/gepi/api/review-request', { applicant: { name: '陳承辦', phone: '' }, acceptedTerms: '2026-01' }))).toBe('INVALID_INPUT');
      const review = await mismatch.call('POST', '/gepi/api/review-request', { applicant: { name: '陳承辦', phone: '02-2701-3411#5312' }, acceptedTerms: '2026-01' });
      expect(review.body).toMatchObject({ status: 'manualReview', reviewContact: { name: '陳承辦' }, administrator: null });
      expect(code(await mismatch.call('POST', '/gepi/api/review-request', { applicant: { name: '陳承辦', phone: '02-2701-3411' }, acceptedTerms: '2026-01' }))).toBe('MANUAL_REVIEW_PENDING');
      expect(((await mismatch.call('POST', '/gepi/api/agency-code', { agencyCode: 'B2002' })).status)).toBe(200);
      expect((await mismatch.cardStep(agencyAgent, '/gepi/card/organization')).body).toMatchObject({
        contactNeeded: false, firstRegistration: { outcome: 'reviewPending', message: expect.stringContaining('需進行審核') }, registration: { status: 'manualReview' },
      });

      const reviewer = new PageClient(portal.url);
      expect(code(await reviewer.call('GET', '/gepi/api/review'))).toBe('REVIEWER_LOGIN_REQUIRED');
      await reviewer.reviewerLogin(REVIEWER_PASSWORD);
      expect((await reviewer.call('GET', '/gepi/api/review')).body.registrations).toEqual([expect.objectContaining({ agencyCode: 'B2002', status: 'manualReview' })]);
      const approved = await reviewer.call('POST', '/gepi/api/review/B2002/approve', { note: '確認為本機關憑證' });
      expect(approved.body).toMatchObject({ status: 'reviewApproved' });
      expect(new Date(String(approved.body.retryNotBefore)).getTime()).toBeGreaterThan(Date.now());
      await mismatch.call('POST', '/gepi/api/agency-code', { agencyCode: 'B2002' });
      expect((await mismatch.cardStep(agencyAgent, '/gepi/card/organization')).body).toMatchObject({ firstRegistration: { outcome: 'retryTooEarly', retryNotBefore: approved.body.retryNotBefore } });
      await mismatch.cardStep(agent, '/gepi/card/administrator');
      await mismatch.call('POST', '/gepi/api/administrator', { nationalId: 'A123456789' });
      expect(code(await mismatch.call('POST', '/gepi/api/register', { administrator: contact, acceptedTerms: '2026-01' }))).toBe('RETRY_TOO_EARLY');

      // 審核不通過 (本部將與您聯絡): the registration leaves the queue.
      const refused = new PageClient(portal.url);
      await refused.call('POST', '/gepi/api/agency-code', { agencyCode: 'C3003' });
      await refused.cardStep(agencyAgent, '/gepi/card/organization');
      const applicant = { name: '林承辦', phone: '02-2701-3411' };
      expect((await refused.call('POST', '/gepi/api/review-request', { applicant, acceptedTerms: '2026-01' })).body.status).toBe('manualReview');
      expect(code(await reviewer.call('POST', '/gepi/api/review/C3003/reject', { note: '' }))).toBe('INVALID_INPUT');
      expect((await reviewer.call('POST', '/gepi/api/review/C3003/reject', { note: '憑證非本機關所有' })).body).toMatchObject({ status: 'reviewRejected' });
      expect((await reviewer.call('GET', '/gepi/api/review')).body.registrations).toEqual([]);
      // A new attempt with the same mismatching card goes to review again (the flow's transition table).
      await refused.call('POST', '/gepi/api/agency-code', { agencyCode: 'C3003' });
      expect((await refused.cardStep(agencyAgent, '/gepi/card/organization')).body).toMatchObject({ firstRegistration: { outcome: 'reviewNeeded' } });
      const after = await refused.call('POST', '/gepi/api/review-request', { applicant, acceptedTerms: '2026-01' });
      expect(after.body).toMatchObject({ status: 'manualReview' });
    } finally {
      await agencyAgent.close();
      await agencySlots.close();
    }
  });
});

describe('portal mail sink and reviewer password', () => {
  it('receives what SmtpMailer sends: UTF-8 subject and body, dot-stuffed lines, envelope recipient', async () => {
    const sink = await startMailSink();
    const mailer = new SmtpMailer({ from: '客服 <noreply@example.gov.tw>', transport: { host: sink.host, port: sink.port, secure: false, ignoreTLS: true } });
    try {
      const text = `您好\n.以點開頭的一行\n${'長'.repeat(300)}\nhttp://127.0.0.1:1/activate?key=a%2Fb\n`;
      await mailer.send({ to: 'Someone@Example.com', subject: '毒性及關注化學物質運送車輛即時追蹤系統專區-帳號申請認證', text });
      const mail = await sink.waitFor('someone@example.com', { timeoutMs: 5_000 });
      expect(mail.subject).toBe('毒性及關注化學物質運送車輛即時追蹤系統專區-帳號申請認證');
      expect(mail.text.trimEnd()).toBe(text.trimEnd());
      expect(mail.from).toBe('noreply@example.gov.tw');
    } finally {
      mailer.close();
      await sink.close();
    }
  });

  it('a waiter without mail times out', async () => {
    const sink = await startMailSink();
    try {
      await expect(sink.waitFor('nobody@example.com', { timeoutMs: 50 })).rejects.toThrow(/no mail to nobody@example.com/);
    } finally {
      await sink.close();
    }
  });

  it('keeps only a scrypt hash of the reviewer password and checks it', () => {
    const hash = hashReviewerPassword('s3cret-pass');
    expect(hash).toMatch(/^scrypt\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(hash).not.toContain('s3cret-pass');
    expect(checkReviewerPassword('s3cret-pass', hash)).toBe(true);
    expect(checkReviewerPassword('s3cret-pasS', hash)).toBe(false);
    expect(checkReviewerPassword('s3cret-pass', 'plain$x$y')).toBe(false);
  });
});
