/**
 * The enrollment web app's backend over HTTP without a browser: the same
 * calls the pages make, against the embedded store and (when the test run has
 * one) a PostgreSQL server reached through a DATABASE_URL-style connection string.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { EmulatorCardSlots, startAgent, type AgentServer } from 'twpki/agent';
import {
} from 'twpki/enroll';
import { SmtpMailer } from 'twpki/enroll/smtp';
import { EmulatorReader } from 'twpki/pcsc';
import { createTestPki, createVirtualHiCOSCard, type TestPki } from 'twpki/testing';
import { startEnrollWeb, type EnrollWeb } from '../../examples/enroll-web/server.js';
import { decodeHeaderValue, startSmtpSink, type SmtpSink } from '../../examples/enroll-web/smtp-sink.js';

const PIN = '135790';
const OTHER_EMAIL = 'factory@example.com.tw';
const READER = 'twpki test reader';
const EMS = {
  controlNumber: 'E5600123',
  companyName: '範例環保股份有限公司',
  responsiblePerson: '王大明',
  facilityAddress: '臺北市中正區重慶南路一段122號3樓',
  facilityEmail: 'service@example.com.tw',
  mailingAddress: '臺北市中正區重慶南路一段122號3樓',
  contactName: '李小華',
  contactEmail: 'contact@example.com.tw',
};

const OTHER = { ...EMS, controlNumber: 'H5600999', companyName: '測試化學工業有限公司', facilityEmail: OTHER_EMAIL };

interface Reply {
  status: number;
  body: Record<string, unknown>;
}

/** What a page does: same-origin JSON calls carrying the session cookie. */
class PageClient {
  private cookie = '';
  public constructor(private readonly base: string) {}

  public async call(method: 'GET' | 'POST', path: string, body?: unknown, origin: string | null = this.base): Promise<Reply> {
    const headers: Record<string, string> = { 'Content-Type': 'application/json' };
    if (origin !== null) headers.Origin = origin;
    if (this.cookie) headers.Cookie = this.cookie;
    const res = await fetch(`${this.base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const set = res.headers.get('set-cookie');
    if (set) this.cookie = set.split(';')[0] ?? '';
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  /** Challenge from the site, signature from the agent: the token the pages post. */
  public async signedToken(agent: AgentServer, pin = PIN): Promise<Record<string, unknown>> {
    const challenge = await this.call('POST', '/api/challenge', {});
    const tbs = String(challenge.body.tbs);
    const pkg = { func: 'MakeSignature', signatureType: 'PKCS7', tbs, tbsEncoding: 'NONE', hashAlgorithm: 'SHA256', withCardSN: 'true', pin };
    const res = await fetch(`${agent.url}/sign`, { method: 'POST', body: `tbsPackage=${JSON.stringify(pkg)}`, headers: { Origin: this.base } });
    const reply = (await res.json()) as Record<string, unknown>;
    expect(reply.ret_code).toBe(0);
    return { signatureType: 'PKCS7', signature: reply.signature, certb64: reply.certb64, tbs, cardSN: reply.cardSN };
  }
}

function code(reply: Reply): unknown {
  return (reply.body.error as { code?: unknown } | undefined)?.code;
}

async function privateSchemaUrl(url: string, schema: string): Promise<string> {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.query(`CREATE SCHEMA ${schema}`);
  } finally {
    await admin.end();
  }
  const u = new URL(url);
  u.searchParams.set('options', `-c search_path=${schema}`);
  return u.toString();
}

const databaseUrl = (inject as (key: string) => unknown)('databaseUrl');
interface Backend {
  name: string;
  url: () => Promise<string | undefined>;
  /** Status of E5600123 as the PostgreSQL server itself holds it (undefined for PGlite). */
  statusInServer?: () => Promise<string | undefined>;
}
const backends: Backend[] = [{ name: 'embedded PGlite store', url: () => Promise.resolve(undefined) }];
if (typeof databaseUrl === 'string' && databaseUrl !== '') {
  backends.push({
    name: 'PostgreSQL via DATABASE_URL',
    url: () => privateSchemaUrl(databaseUrl, 'enroll_web_example'),
    async statusInServer() {
      const client = new pg.Client({ connectionString: databaseUrl });
      await client.connect();
      try {
        const r = await client.query(`SELECT status FROM enroll_web_example.enroll_account_applications WHERE control_number = 'E5600123'`);
        return (r.rows[0] as { status?: string } | undefined)?.status;
      } finally {
        await client.end();
      }
    },
  });
}

let pki: TestPki;
beforeAll(async () => {
  pki = await createTestPki();
}, 60_000);

describe.each(backends)('enroll-web backend on the $name', ({ url, statusInServer }) => {
  let agent: AgentServer;
  let slots: EmulatorCardSlots;
  let sink: SmtpSink;
  let web: EnrollWeb;
  let reader: EmulatorReader;

  beforeAll(async () => {
    reader = new EmulatorReader({ name: READER });
    reader.insert(await createVirtualHiCOSCard({ pki, pin: PIN, cardNumber: 'TP03000011112222' }));
    slots = new EmulatorCardSlots(reader);
    agent = await startAgent({ slots, port: 0 });
    sink = await startSmtpSink();
    const databaseUrl = await url();
    web = await startEnrollWeb({
      port: 0,
      ems: [EMS, OTHER],
      trustAnchors: [pki.root.certificate],
      intermediates: [pki.issuer('moica').certificate],
      agentUrl: agent.url,
      smtp: { host: sink.host, port: sink.port },
      // '' keeps the embedded store even when the environment has a DATABASE_URL.
      databaseUrl: databaseUrl ?? '',
    });
    agent.trusted.add(web.url);
  }, 60_000);

  afterAll(async () => {
    await web?.close();
    await sink?.close();
    await agent?.close();
    await slots?.close();
  });

  it('walks apply → EMS → card → review → mail → activation → card login, refusing each misuse on the way', async () => {
    const page = new PageClient(web.url);
    expect(code(await page.call('POST', '/api/applications', { controlNumber: 'E5600123' }, null))).toBe('FOREIGN_ORIGIN');
    expect(code(await page.call('POST', '/api/applications', { controlNumber: 'E5600123' }, 'http://evil.example'))).toBe('FOREIGN_ORIGIN');

    const applied = await page.call('POST', '/api/applications', { controlNumber: 'e5600123' });
    expect(applied).toMatchObject({ status: 201, body: { controlNumber: 'E5600123', status: 'draft' } });

    const incomplete = await page.call('POST', '/api/application/basic-data', { basicData: { ...EMS, mailingAddress: ' ' } });
    expect(incomplete.status).toBe(400);
    expect(incomplete.body.error).toMatchObject({ code: 'INVALID_INPUT', issues: [{ field: 'basicData.mailingAddress' }] });

    const verified = await page.call('POST', '/api/application/basic-data', { basicData: EMS });
    expect(verified.body).toMatchObject({ status: 'basicDataVerified', companyName: EMS.companyName });

    expect(code(await page.call('POST', '/api/application/bind', { phone: '02-2345-6789', email: 'a@example.com.tw' }))).toBe('CARD_NOT_VERIFIED');

    // A token signed in another session cannot be used here (challenges are bound to sessions).
    const stranger = new PageClient(web.url);
    const foreign = await page.call('POST', '/api/application/card-info', { token: await stranger.signedToken(agent) });
    expect(foreign.status).toBe(401);

    const token = await page.signedToken(agent);
    const info = await page.call('POST', '/api/application/card-info', { token });
    expect(info.body).toMatchObject({ controlNumber: 'E5600123', cardNumber: 'TP03000011112222', authorityName: expect.stringContaining('內政部') });
    expect(String(info.body.idHint)).toMatch(/^\d{4}$/);
    const replay = await page.call('POST', '/api/application/card-info', { token });
    expect(replay).toMatchObject({ status: 401, body: { error: { code: 'CHALLENGE_USED' } } });

    const bound = await page.call('POST', '/api/application/bind', { name: info.body.name, phone: '02-2345-6789', email: 'applicant@example.com.tw' });
    expect(bound.body).toMatchObject({ status: 'underReview' });

    const reviewer = new PageClient(web.url);
    const list = await reviewer.call('GET', '/api/review/applications');
    const apps = list.body.applications as Array<{ id: string; controlNumber: string; cards: Array<{ cardNumber: string }> }>;
    expect(apps).toHaveLength(1);
    expect(apps[0]).toMatchObject({ controlNumber: 'E5600123', cards: [{ cardNumber: 'TP03000011112222' }] });
    const approved = await reviewer.call('POST', `/api/review/applications/${apps[0]?.id}/approve`, {});
    expect(approved.body).toMatchObject({ status: 'approved', sentTo: 'service@example.com.tw' });

    const mail = await sink.waitFor('service@example.com.tw');
    expect(mail.subject).toBe('帳號申請系統-帳號申請認證');
    const link = /(http:\/\/\S+\/activate\?key=\S+)/.exec(mail.text)?.[1] as string;
    expect(link.startsWith(`${web.url}/activate?key=`)).toBe(true);

    const activated = await fetch(link);
    expect(activated.status).toBe(200);
    expect(await activated.text()).toContain('帳號啟用成功，請以自然人憑證登入');
    const reused = await fetch(link);
    expect(reused.status).toBe(400);
    expect(await reused.text()).toContain('data-code="TOKEN_USED"');
    expect(await (await fetch(`${web.url}/activate?key=not-a-token`)).text()).toContain('data-code="TOKEN_INVALID"');

    const visitor = new PageClient(web.url);
    const login = await visitor.call('POST', '/api/login', { token: await visitor.signedToken(agent) });
    expect(login.body).toMatchObject({ controlNumber: 'E5600123', cardNumber: 'TP03000011112222' });
    expect((await visitor.call('GET', '/api/me')).body).toEqual({ loggedInAs: 'E5600123' });
    const cards = await visitor.call('GET', '/api/account/cards');
    expect(cards.body.cards).toEqual([
      { holderName: info.body.name, phone: '02-2345-6789', email: 'applicant@example.com.tw', cardNumber: 'TP03000011112222', status: 'active' },
    ]);
    expect(code(await stranger.call('GET', '/api/account/cards'))).toBe('NOT_LOGGED_IN');
    if (statusInServer) expect(await statusInServer()).toBe('active');
  });

  it('answers an EMS mismatch with the ✓/✗ result page fragment and lets the company apply again', async () => {
    const page = new PageClient(web.url);
    // E5600123 is taken by the first test's active account; an unknown control number fails on 管制編號.
    await page.call('POST', '/api/applications', { controlNumber: 'Z9900001' });
    const unknown = await page.call('POST', '/api/application/basic-data', { basicData: { ...EMS, controlNumber: 'Z9900001' } });
    expect(unknown.body.status).toBe('emsRejected');
    expect(String(unknown.body.resultHtml)).toMatch(/twpki-ems-fail" data-key="controlNumber"[^>]*>.*✗.*EMS 查無此管制編號/);
    expect(String(unknown.body.resultHtml)).toContain('紅字為比對資料結果，若資料有誤請至EMS修正');
    const again = await page.call('POST', '/api/applications', { controlNumber: 'Z9900001' });
    expect(again.status).toBe(201);
  });
});

describe.each(backends.slice(0, 1))('enroll-web review on the $name', ({ url }) => {
  it('審核不通過 notifies the EMS facility e-mail and frees the card for a new application', async () => {
    const reader = new EmulatorReader({ name: READER });
    reader.insert(await createVirtualHiCOSCard({ pki, pin: PIN, cardNumber: 'TP03000033334444' }));
    const slots = new EmulatorCardSlots(reader);
    const agent = await startAgent({ slots, port: 0 });
    const sink = await startSmtpSink();
    const databaseUrl = await url();
    const web = await startEnrollWeb({
      port: 0,
      ems: [OTHER],
      trustAnchors: [pki.root.certificate],
      intermediates: [pki.issuer('moica').certificate],
      agentUrl: agent.url,
      smtp: { host: sink.host, port: sink.port },
      databaseUrl: databaseUrl ?? '',
    });
    agent.trusted.add(web.url);
    try {
      const apply = async (): Promise<Reply> => {
        const page = new PageClient(web.url);
        await page.call('POST', '/api/applications', { controlNumber: OTHER.controlNumber });
        await page.call('POST', '/api/application/basic-data', { basicData: OTHER });
        const info = await page.call('POST', '/api/application/card-info', { token: await page.signedToken(agent) });
        expect(info.status).toBe(200);
        return page.call('POST', '/api/application/bind', { phone: '07-1234-5678', email: 'someone@example.com.tw' });
      };
      expect((await apply()).body.status).toBe('underReview');

      const reviewer = new PageClient(web.url);
      const apps = (await reviewer.call('GET', '/api/review/applications')).body.applications as Array<{ id: string }>;
      const id = apps[0]?.id as string;
      expect(code(await reviewer.call('POST', `/api/review/applications/${id}/reject`, { reason: '' }))).toBe('INVALID_INPUT');
      const rejected = await reviewer.call('POST', `/api/review/applications/${id}/reject`, { reason: '負責人姓名與登記資料不符' });
      expect(rejected.body).toEqual({ status: 'rejected' });
      const mail = await sink.waitFor(OTHER_EMAIL);
      expect(mail.text).toContain('帳號申請未通過');
      expect(mail.text).toContain('負責人姓名與登記資料不符');
      expect((await reviewer.call('GET', '/api/review/applications')).body.applications).toEqual([]);
      // A decision is final: the same application cannot be approved afterwards.
      expect(code(await reviewer.call('POST', `/api/review/applications/${id}/approve`, {}))).toBe('INVALID_TRANSITION');

      // 申請未通過後請依正確資料重新申請: the card is free again.
      expect((await apply()).body.status).toBe('underReview');
    } finally {
      await web.close();
      await sink.close();
      await agent.close();
      await slots.close();
    }
  });
});

describe('SMTP sink', () => {
  it('receives what SmtpMailer sends: UTF-8 subject and body, dot-stuffed lines, envelope recipient', async () => {
    const sink = await startSmtpSink();
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

  it('decodes RFC 2047 words and leaves plain text alone', () => {
    expect(decodeHeaderValue('=?UTF-8?B?5biz6Jmf?= =?UTF-8?Q?=E7=94=B3=E8=AB=8B?=')).toBe('帳號申請');
    expect(decodeHeaderValue('plain subject')).toBe('plain subject');
  });

  it('rejects a waiter when no mail comes', async () => {
    const sink = await startSmtpSink();
    try {
      await expect(sink.waitFor('nobody@example.com', { timeoutMs: 50 })).rejects.toThrow(/no mail to nobody@example.com/);
    } finally {
      await sink.close();
    }
  });
});
