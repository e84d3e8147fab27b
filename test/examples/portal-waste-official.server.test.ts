/**
 * The portal's waste and official systems over HTTP (Fastify's inject, no
 * browser, no cards) on the embedded store and, when the run has one, on
 * PostgreSQL: the waste application with the host's 自訂密碼 table, the
 * multipart uploads, the reviewer's approval and its 驗證碼 mail; the official
 * application approved at once or sent to manual review. Card steps are covered
 * by the browser tests.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { EnrollStore } from 'twpki/enroll';
import { createTestPki } from 'twpki/testing';
import { startMailSink, type MailSink } from '../../examples/portal/core/mail-sink.js';
import { demoTrust } from '../../examples/portal/demo-setup.js';
import { DEMO_FIRE_AGENCY_OID, DEMO_MEMBERS, DEMO_OID_AGENCIES, DEMO_PERSONNEL } from '../../examples/portal/official/demo.js';
import { officialSystem } from '../../examples/portal/official/index.js';
import { startPortal, type Portal } from '../../examples/portal/server.js';
import { DEMO_COMPANIES } from '../../examples/portal/waste/demo.js';
import { checkPassword, wasteSystem } from '../../examples/portal/waste/index.js';
import { openPgStore } from '../enroll/helpers.js';

const REVIEWER_PASSWORD = 'reviewer-secret-2';
const databaseUrl = (inject as (key: string) => unknown)('databaseUrl');

/** The store of a backend: undefined for the portal's own embedded store. */
const backends: Array<{ name: string; store: () => Promise<EnrollStore | undefined> }> = [{ name: 'embedded PGlite store', store: () => Promise.resolve(undefined) }];
if (typeof databaseUrl === 'string' && databaseUrl !== '') {
  backends.push({ name: 'PostgreSQL via DATABASE_URL', store: () => openPgStore(databaseUrl, 'portal_waste_official') });
}

/** A browser's session against the portal through inject: JSON or multipart bodies, this site's Origin, the cookie kept. */
function client(portal: Portal) {
  let cookie = '';
  return async (method: 'GET' | 'POST', url: string, body?: unknown, multipart?: { name: string; type: string; content: Buffer }) => {
    const headers: Record<string, string> = { origin: portal.url, ...(cookie ? { cookie } : {}) };
    let payload: string | Buffer | undefined;
    if (multipart) {
      const boundary = 'twpki-test-boundary';
      headers['content-type'] = `multipart/form-data; boundary=${boundary}`;
      payload = Buffer.concat([
        Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${multipart.name}"\r\nContent-Type: ${multipart.type}\r\n\r\n`),
        multipart.content,
        Buffer.from(`\r\n--${boundary}--\r\n`),
      ]);
    } else if (typeof body === 'string') {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      payload = body;
    } else if (body !== undefined) {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(body);
    }
    const res = await portal.app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload }) });
    const set = res.headers['set-cookie'];
    const first = Array.isArray(set) ? set[0] : set;
    if (first) cookie = first.split(';')[0] ?? '';
    return { status: res.statusCode, text: res.body, json: () => JSON.parse(res.body) as Record<string, unknown> };
  };
}

describe.each(backends)('portal waste and official systems on the $name', ({ store }) => {
  let sink: MailSink;
  let portal: Portal;
  let pgStore: EnrollStore | undefined;

  beforeAll(async () => {
    const pki = await createTestPki();
    sink = await startMailSink();
    pgStore = await store();
    portal = await startPortal({
      port: 0,
      systems: [wasteSystem({ companies: DEMO_COMPANIES }), officialSystem({ members: DEMO_MEMBERS, agencies: DEMO_OID_AGENCIES, personnel: DEMO_PERSONNEL })],
      ...demoTrust(pki),
      smtp: { host: sink.host, port: sink.port },
      reviewerPassword: REVIEWER_PASSWORD,
      ...(pgStore ? { store: pgStore } : { databaseUrl: '' }),
    });
  }, 60_000);

  afterAll(async () => {
    await portal?.close();
    await pgStore?.close();
    await sink?.close();
  });

  it('waste: the 啟用憑證 and 憑證登入 pages give the manual step (二), HiCOS from the MOICA download page, then a browser restart', async () => {
    const page = client(portal);
    for (const path of ['/waste/enable', '/waste/login']) {
      const html = (await page('GET', path)).text;
      expect(html, path).toContain('請務必先至內政部憑證管理中心下載 HiCOS 卡片管理工具');
      expect(html, path).toContain('href="https://moica.nat.gov.tw/download_1.html"');
      expect(html, path).toContain('關閉瀏覽器，重新進入申報網站，即完成設定');
    }
  });

  it('waste: 自訂密碼 checked and kept as a scrypt hash by the host, uploads, 送出審核, approval mails the 驗證碼', async () => {
    const page = client(portal);
    const form = {
      businessId: '12345675', controlNumber: '', companyName: '範例環保股份有限公司', representativeName: '王大明', representativeId: 'A123456789',
      regCounty: '臺北市', regDistrict: '中正區', regAddress: '重慶南路一段122號', sameAddress: true, contactName: '李小華', phone1: '02-2311-7722', ext1: '12',
      phone2: '', fax: '02-2311-7723', email: 'clerk@example.com.tw', citizenCard: 'enabled', companyCard: 'disabled',
    };
    const weak = await page('POST', '/waste/api/applications', { ...form, password: 'abcdefgh' });
    expect(weak.status).toBe(400);
    expect((weak.json().error as { issues: Array<{ field: string }> }).issues[0]?.field).toBe('password');
    const badEmail = await page('POST', '/waste/api/applications', { ...form, email: 'nope', password: 'Waste#2026ok' });
    expect(badEmail.status).toBe(400);
    expect(JSON.stringify(badEmail.json())).toContain('承辦人郵件信箱');
    // Neither refused attempt left a password behind.
    const before = await portal.store.transaction((tx) => tx.query('SELECT 1 FROM portal_waste_passwords'));
    expect(before).toHaveLength(0);

    const made = await page('POST', '/waste/api/applications', { ...form, password: 'Waste#2026ok' });
    expect(made.status).toBe(201);
    const id = String(made.json().applicationId);
    const rows = await portal.store.transaction((tx) => tx.query<{ password_hash: string; application_id: string }>('SELECT * FROM portal_waste_passwords'));
    expect(rows).toHaveLength(1);
    expect(rows[0]?.application_id).toBe(id);
    expect(await checkPassword('Waste#2026ok', rows[0]?.password_hash ?? '')).toBe(true);
    expect(rows[0]?.password_hash).not.toContain('Waste#2026ok');

    expect((await page('GET', `/waste/applications/${id}/print`)).text).toContain('網路帳號密碼申請書');
    expect((await client(portal)('GET', `/waste/applications/${id}/print`)).status).toBe(403);
    const pdf = { name: 'form.pdf', type: 'application/pdf', content: Buffer.from('%PDF-1.4\n%%EOF\n') };
    expect((await page('POST', '/waste/api/application/documents?kind=applicationForm', undefined, pdf)).status).toBe(200);
    expect((await page('POST', '/waste/api/application/submit', {})).json().error).toMatchObject({ code: 'DOCUMENTS_MISSING' });
    expect((await page('POST', '/waste/api/application/documents?kind=other', undefined, pdf)).status).toBe(400);
    expect((await page('POST', '/waste/api/application/documents?kind=businessRegistration', undefined, pdf)).status).toBe(200);
    expect((await page('POST', '/waste/api/application/submit', {})).json().status).toBe('underReview');

    const reviewer = client(portal);
    expect((await reviewer('GET', '/waste/api/review/applications')).status).toBe(401);
    expect((await reviewer('POST', '/review/login', new URLSearchParams({ password: REVIEWER_PASSWORD, next: '/waste/review' }).toString())).status).toBe(302);
    const queue = (await reviewer('GET', '/waste/api/review/applications')).json().applications as Array<{ id: string }>;
    expect(queue.map((a) => a.id)).toEqual([id]);
    expect((await reviewer('GET', `/waste/api/review/applications/${id}/documents/applicationForm`)).text).toContain('%PDF-');
    const since = sink.messages.length;
    expect((await reviewer('POST', `/waste/api/review/applications/${id}/approve`, { reason: '文件齊全' })).json()).toMatchObject({ status: 'approved', sentTo: 'clerk@example.com.tw', codeSent: true });
    expect((await sink.waitFor('clerk@example.com.tw', { since })).text).toMatch(/驗證碼：\S+/);
  });

  it('official: a matching first application is approved at once; a mismatch goes to manual review with the 申請書', async () => {
    const wang = client(portal);
    expect((await wang('POST', '/official/api/login', { memberId: 'wang6789' })).status).toBe(200);
    const body = { agencyOid: DEMO_FIRE_AGENCY_OID, reason: '公務人員', attested: true };
    expect((await wang('POST', '/official/api/applications/prepare', { ...body, attested: false })).status).toBe(400);
    expect((await wang('POST', '/official/api/applications/prepare', body)).json().question).toBe('請確認是否要申請？');
    expect((await wang('POST', '/official/api/applications', body)).json()).toMatchObject({ status: 'approved', agencyName: '內政部消防署' });
    expect((await wang('GET', '/official/api/me')).json()).toMatchObject({ memberType: '公務人員', agencyName: '內政部消防署' });

    const claire = client(portal);
    await claire('POST', '/official/api/login', { memberId: 'clairesu1234' });
    const manual = (await claire('POST', '/official/api/applications', body)).json();
    expect(manual.status).toBe('manualReview');
    expect((await claire('GET', `/official/applications/${String(manual.id)}/form`)).text).toContain('我的E政府公務帳號申請書');
    // Another member cannot open it.
    expect((await wang('GET', `/official/applications/${String(manual.id)}/form`)).status).toBe(403);
    expect((await wang('POST', `/official/api/applications/${String(manual.id)}/cancel`, {})).status).toBe(403);
  });

  it('official: an account whose 啟動連結 was never clicked shows 尚未啟用 and is refused at 申請公務帳號 in the manual\'s words', async () => {
    const members = (await client(portal)('GET', '/official/api/members')).json().members as Array<{ memberId: string; activated: boolean }>;
    expect(members.map((m) => [m.memberId, m.activated])).toEqual([['wang6789', true], ['clairesu1234', true], ['huang0409', false]]);
    const huang = client(portal);
    expect((await huang('POST', '/official/api/login', { memberId: 'huang0409' })).status).toBe(200);
    expect((await huang('GET', '/official/api/me')).json()).toMatchObject({ memberId: 'huang0409', memberType: '自然人', activatedAt: null });
    const body = { agencyOid: DEMO_FIRE_AGENCY_OID, reason: '公務人員', attested: true };
    for (const path of ['/official/api/applications/prepare', '/official/api/applications']) {
      const refused = await huang('POST', path, body);
      expect(refused.status, path).toBe(403);
      expect(refused.json().error, path).toMatchObject({ code: 'NOT_AUTHORIZED', message: expect.stringContaining('待該帳號啟用後，繼續完成公務轉換申請步驟') });
    }
    const rows = await portal.store.transaction((tx) => tx.query(`SELECT 1 FROM enroll_official_applications WHERE member_id='huang0409'`));
    expect(rows).toHaveLength(0);
    // An activated member's 帳號狀態 carries when the link was clicked, in Taiwan time (the locale puts a thin space before the hour).
    const wang = client(portal);
    await wang('POST', '/official/api/login', { memberId: 'wang6789' });
    expect((await wang('GET', '/official/api/me')).json().activatedAt).toMatch(/^2026\/1\/5\s10:10:00$/);
  });

  it('official: the reviewer states when the 申請書 arrived (Taiwan time) and corrects a mistyped 收件 before the decision', async () => {
    const claire = client(portal);
    await claire('POST', '/official/api/login', { memberId: 'clairesu1234' });
    // Whatever an earlier test left open is withdrawn: one open application per member.
    for (const a of (await claire('GET', '/official/api/me')).json().applications as Array<{ id: string; status: string }>) {
      if (a.status === 'manualReview' || a.status === 'formReceived') await claire('POST', `/official/api/applications/${a.id}/cancel`, {});
    }
    const id = String((await claire('POST', '/official/api/applications', { agencyOid: DEMO_FIRE_AGENCY_OID, reason: '公務人員', attested: true })).json().id);
    const reviewer = client(portal);
    await reviewer('POST', '/review/login', new URLSearchParams({ password: REVIEWER_PASSWORD, next: '/official/review' }).toString());
    const act = (action: string, body: unknown) => reviewer('POST', `/official/api/review/applications/${id}/${action}`, body);
    const stored = async () =>
      (await portal.store.transaction((tx) => tx.query<{ at: string | null; form_received_via: string | null }>(`SELECT to_json(form_received_at)#>>'{}' AS at, form_received_via FROM enroll_official_applications WHERE id=$1`, [id])))[0];
    // The arrival the desk types, as a datetime-local value in Taiwan time: the application's own instant + 8 h.
    const created = Date.parse(String((await portal.store.transaction((tx) => tx.query<{ at: string }>(`SELECT to_json(created_at)#>>'{}' AS at FROM enroll_official_applications WHERE id=$1`, [id])))[0]?.at));
    const local = (ms: number) => new Date(ms + 8 * 3_600_000).toISOString().slice(0, 23);

    // Before the application, or not a time: refused naming the field, nothing recorded.
    const early = await act('receive', { channel: 'fax', receivedAt: local(created - 60_000) });
    expect([early.status, early.json().error]).toEqual([400, expect.objectContaining({ code: 'INVALID_INPUT', issues: [expect.objectContaining({ field: 'receivedAt', code: 'OUT_OF_RANGE' })] })]);
    expect((await act('receive', { channel: 'fax', receivedAt: '昨天' })).json().error).toMatchObject({ issues: [{ field: 'receivedAt', code: 'INVALID_FORMAT' }] });
    expect((await stored())?.form_received_via).toBeNull();

    const received = await act('receive', { channel: 'fax', receivedAt: local(created) });
    expect(received.status).toBe(200);
    expect(received.json()).toMatchObject({ status: 'formReceived', receipt: { channel: 'fax', receivedAt: local(created).slice(0, 19) } });
    expect(Date.parse(String((await stored())?.at))).toBe(created);

    // 更正收件: it came by e-mail. From an older version it is refused; a future time names the field.
    const fix = { channel: 'email', receivedAt: local(created), version: received.json().version };
    expect((await act('correct-receipt', { ...fix, version: Number(fix.version) - 1 })).json().error).toMatchObject({ code: 'CONCURRENT_UPDATE' });
    expect((await act('correct-receipt', { ...fix, receivedAt: local(Date.now() + 3_600_000) })).json().error).toMatchObject({ issues: [{ field: 'receivedAt', code: 'OUT_OF_RANGE' }] });
    // The channel only, with the 到件時間 as the page prefilled it (whole seconds): the arrival is kept to the
    // millisecond, not moved to the start of its second (which here fell before the application and was refused).
    const corrected = await act('correct-receipt', { ...fix, receivedAt: (received.json().receipt as { receivedAt: string }).receivedAt, reason: '實為 E-mail' });
    expect(corrected.json()).toMatchObject({ status: 'formReceived', receipt: { channel: 'email' }, formReceived: expect.stringContaining('E-mail'), version: Number(fix.version) + 1 });
    expect(await stored()).toMatchObject({ form_received_via: 'email' });
    expect(Date.parse(String((await stored())?.at))).toBe(created);
    // After the decision the 收件 stands.
    expect((await act('approve', { reason: '' })).json().status).toBe('approved');
    expect((await act('correct-receipt', { ...fix, channel: 'fax', version: Number(fix.version) + 1 })).json().error).toMatchObject({ code: 'INVALID_TRANSITION' });
  });
});
