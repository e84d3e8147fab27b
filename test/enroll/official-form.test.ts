/** The printable 我的E政府公務帳號申請書 and the notices: pure functions, escaped output. */
import { describe, expect, it } from 'vitest';
import {
  OFFICIAL_DEFAULT_BRANDING,
  OFFICIAL_FORM_LABELS,
  officialApprovalNotice,
  officialRejectionNotice,
  renderOfficialApplicationForm,
  EnrollError,
  type AgencyOid,
  type OfficialApplicationForm,
} from '../../src/enroll/index.js';
import { rehydrateState, serializeState } from '../../src/enroll/advanced.js';

const form: OfficialApplicationForm = {
  memberId: 'clairesu1234',
  appliedAt: '2013-12-01T02:00:00Z',
  name: '黃筱筱',
  item: '自然人轉公務員',
  agencyOid: '2.16.886.101.20003.20001.20003',
  agencyName: '內政部消防署',
  reason: '公務人員',
  formNumber: '107603',
};

describe('我的E政府公務帳號申請書', () => {
  it('shows every field of the seed, the date as 民國, the notes with the service desk, and the office row', () => {
    const html = renderOfficialApplicationForm(form);
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).toContain('<title>我的E政府公務帳號申請書</title>');
    const labels = ['會員帳號', '申請日期', '姓名', '申請項目', '新機關OID', '新機關名稱', '申請原因', '編號', '本人簽名', '【注意事項】', '收件', '寄辦', '處理完畢時間', '備註'];
    for (const label of labels) expect(html).toContain(label);
    expect(html).toContain('<th>申請日期</th><td>民國 102年12月1日</td>');
    expect(html).toContain('<th>編號</th><td>107603</td>');
    expect(html).toContain(OFFICIAL_FORM_LABELS.attachmentFront);
    expect(html).toContain('傳真至客服中心：(02)2192-7186，或寄至 egov@service.gov.tw，需計1個工作天內審核完畢');
    expect(html).toContain('若有問題請電洽(02)2192-7111');
    // The seed's five 注意事項, the OID site and the 【機關與團體】 lookup among them.
    expect(html.match(/<ol>(.*?)<\/ol>/s)?.[1]?.match(/<li>/g)).toHaveLength(5);
    expect(html).toContain('http://id.nat.gov.tw');
    expect(html).toContain('【機關與團體】');
    expect(html).toContain('@media print');
    expect(html).not.toContain('<script');
  });

  it('escapes every value, so member data cannot inject markup', () => {
    const html = renderOfficialApplicationForm({ ...form, name: '<img src=x onerror=alert(1)>', memberId: '"&\'' });
    expect(html).not.toContain('<img');
    expect(html).toContain('&#60;img src=x onerror=alert(1)&#62;');
    expect(html).toContain('<td>&#34;&#38;&#39;</td>');
  });

  it('takes another portal’s branding and labels', () => {
    const html = renderOfficialApplicationForm(form, {
      branding: { ...OFFICIAL_DEFAULT_BRANDING, systemName: '防救災入口網', serviceFax: '(02)8195-9119' },
      labels: { ...OFFICIAL_FORM_LABELS, attachmentFront: '服務證影本(正面)', notes: ['請傳真至 {fax}'] },
    });
    expect(html).toContain('<h1>防救災入口網公務帳號申請書</h1>');
    expect(html).toContain('服務證影本(正面)');
    expect(html).toContain('<li>請傳真至 (02)8195-9119</li>');
  });
});

describe('notices', () => {
  const facts = { to: 'h@example.com', name: '黃筱筱', memberId: 'huang01', appliedAt: '2026-03-02T01:00:00Z', agencyName: '內政部消防署', agencyOid: '2.16.886.101.20003.20001.20003' };
  it('核可通知信 names the agency and the member type', () => {
    const m = officialApprovalNotice(facts);
    expect(m).toMatchObject({ to: 'h@example.com', subject: '我的E政府公務帳號申請核可通知' });
    expect(m.text).toContain('民國 115年3月2日以會員帳號 huang01 申請之我的E政府公務帳號已審核通過');
    expect(m.text).toContain('(02)2192-7111');
  });
  it('the rejection notice carries the reason', () => {
    const m = officialRejectionNotice(facts, '機關資料不符');
    expect(m.subject).toBe('我的E政府公務帳號申請審核結果通知');
    expect(m.text).toContain('未審核通過');
    expect(m.text).toContain('原因：機關資料不符');
  });
});

describe('state document of an application with the issue-13 fields', () => {
  const state = {
    id: '9b2f0a52-8d1e-4c1a-9c39-2d9f0e1b7a11',
    memberId: 'clairesu1234',
    agencyOid: '2.16.886.101.20003' as AgencyOid,
    agencyName: '內政部',
    reason: '公務人員',
    status: 'cancelled' as const,
    attempt: 2,
    attestedAt: '2026-03-02T01:00:00.000Z',
    formNumber: 7,
    item: '公務人員轉換機關' as const,
    applicantName: '張美善',
    personnelCheck: { name: 'match' as const, nationalId: 'match' as const, agency: 'mismatch' as const },
    decidedAt: '2026-03-02T02:00:00.000Z',
    createdAt: '2026-03-02T01:00:00.000Z',
    updatedAt: '2026-03-02T02:00:00.000Z',
    version: 1,
  };
  it('round-trips, and malformed new fields are refused', () => {
    const json = serializeState({ flow: 'officialAccount', state });
    expect(rehydrateState(json)).toEqual({ flow: 'officialAccount', state });
    for (const broken of [{ formNumber: 0 }, { item: '好奇' }, { personnelCheck: { name: 'yes' } }, { reviewDueAt: 'tomorrow' }]) {
      const doc = JSON.parse(json) as { state: Record<string, unknown> };
      Object.assign(doc.state, broken);
      expect(() => rehydrateState(JSON.stringify(doc))).toThrow(EnrollError);
    }
  });
});
