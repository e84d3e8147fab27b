/**
 * The portal's 帳號申請 form over HTTP (Fastify's inject, no browser, no cards):
 * each refused field is worded as 圖 1-1 words it (請輸入統一編號, 有管制編號請輸入,
 * 沒有就請空白, 請輸入英文及數字及特殊字元; the catalogue's text elsewhere), and the
 * login-method rows take what the 申請書 allows: both 停用, a row left unticked
 * (停用), but not both boxes of one row.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestPki } from 'twpki/testing';
import { startMailSink, type MailSink } from '../../examples/portal/core/mail-sink.js';
import { demoTrust } from '../../examples/portal/demo-setup.js';
import { startPortal, type Portal } from '../../examples/portal/server.js';
import { DEMO_COMPANIES } from '../../examples/portal/waste/demo.js';
import { wasteSystem } from '../../examples/portal/waste/index.js';

const FORM = {
  businessId: '12345675', controlNumber: '', password: 'Waste#2026ok', companyName: '範例環保股份有限公司', representativeName: '王大明',
  representativeId: 'A123456789', regCounty: '臺北市', regDistrict: '中正區', regAddress: '重慶南路一段122號', sameAddress: true, contactName: '李小華',
  phone1: '02-2311-7722', ext1: '12', phone2: '', fax: '02-2311-7723', email: 'clerk@example.com.tw', citizenCard: 'enabled', companyCard: 'enabled',
};

interface Issue {
  field: string;
  label: string;
  message: string;
}

describe('portal waste 帳號申請: the manual\'s words and login methods', () => {
  let sink: MailSink;
  let portal: Portal;

  beforeAll(async () => {
    const pki = await createTestPki();
    sink = await startMailSink();
    portal = await startPortal({ port: 0, systems: [wasteSystem({ companies: DEMO_COMPANIES })], ...demoTrust(pki), smtp: { host: sink.host, port: sink.port }, reviewerPassword: 'reviewer-secret-3', databaseUrl: '' });
  }, 60_000);

  afterAll(async () => {
    await portal?.close();
    await sink?.close();
  });

  async function post(body: Record<string, unknown>): Promise<{ status: number; body: Record<string, unknown> }> {
    const res = await portal.app.inject({ method: 'POST', url: '/waste/api/applications', headers: { origin: portal.url, 'content-type': 'application/json' }, payload: JSON.stringify(body) });
    return { status: res.statusCode, body: JSON.parse(res.body) as Record<string, unknown> };
  }
  const issuesOf = (r: { body: Record<string, unknown> }): Record<string, Issue> =>
    Object.fromEntries(((r.body.error as { issues: Issue[] }).issues).map((i) => [i.field, i]));

  it('an empty or wrong field shows the prompt 圖 1-1 prints beside it; fields without one keep the catalogue text', async () => {
    const empty = issuesOf(await post({ ...FORM, businessId: '', password: '', companyName: '' }));
    expect(empty.businessId).toEqual({ field: 'businessId', label: '營利事業統一編號', message: '請輸入統一編號' });
    expect(empty.password).toEqual({ field: 'password', label: '自訂密碼', message: '請輸入英文及數字及特殊字元' });
    expect(empty.companyName).toEqual({ field: 'companyName', label: '公司名稱', message: '必填' });
    const wrong = issuesOf(await post({ ...FORM, businessId: '12345678', controlNumber: '12', password: 'abcdefgh' }));
    expect(wrong.businessId?.message).toBe('格式或檢查碼不正確（請輸入統一編號）');
    expect(wrong.controlNumber).toMatchObject({ label: '廢棄物管制編號', message: expect.stringMatching(/（有管制編號請輸入, 沒有就請空白）$/) });
    expect(wrong.password?.message).toBe('請輸入英文及數字及特殊字元');
    const short = issuesOf(await post({ ...FORM, password: 'W#1a' }));
    expect(short.password?.message).toBe('長度須為 8 至 64 字元（請輸入英文及數字及特殊字元）');
  });

  it('both methods 停用, or a row left unticked, is a 申請書 the manual allows; both boxes of one row are refused naming the row', async () => {
    const none = await post({ ...FORM, businessId: '53212539', citizenCard: 'disabled', companyCard: 'disabled' });
    expect(none.status).toBe(201);
    const unticked = await post({ ...FORM, businessId: '22099131', citizenCard: undefined, companyCard: 'enabled' });
    expect(unticked.status).toBe(201);
    const both = await post({ ...FORM, businessId: '04595257', citizenCard: ['enabled', 'disabled'] });
    expect(both.status).toBe(400);
    expect(issuesOf(both)['methods.citizenCard']).toEqual({ field: 'methods.citizenCard', label: '自然人憑證登入', message: '不是可選擇的項目' });
  });
});
