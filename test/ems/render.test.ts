import { describe, expect, it } from 'vitest';
import {
  compareWithEms,
  EMS_CORRECTION_NOTE,
  escapeHtml,
  renderResultHtml,
  renderResultText,
  resultToJson,
} from '../../src/ems/index.js';
import { applicationWith, EMS_RECORD } from './sample-data.js';

const seedExample = compareWithEms(applicationWith({ facilityAddress: '臺北市中正區重慶南路1段122號5樓' }), EMS_RECORD);
const passing = compareWithEms(applicationWith(), EMS_RECORD);

describe('renderResultText', () => {
  it('renders the seed’s ✓/✗ list with Chinese labels and the correction note', () => {
    const text = renderResultText(seedExample);
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe('EMS比對結果：未通過');
    expect(lines.slice(1, 9).map((l) => l.slice(0, 2))).toEqual(['✓ ', '✓ ', '✓ ', '✗ ', '✓ ', '  ', '  ', '  ']);
    expect(lines[1]).toBe('✓ 管制編號：H5602270');
    expect(lines[4]).toBe('✗ 事業地址：臺北市中正區重慶南路1段122號5樓（與EMS登載資料不符，請依EMS登載內容填寫）');
    expect(lines[6]).toBe(`  郵寄地址：${EMS_RECORD.mailingAddress}`);
    expect(lines[9]).toBe('紅字為比對資料結果，若資料有誤請至EMS修正。');
  });

  it('shows where and how the values differ only when asked (the position alone tells EMS’s text)', () => {
    expect(renderResultText(seedExample)).not.toContain('3樓之1（');
    expect(renderResultText(seedExample)).not.toMatch(/第\d+字/);
    expect(renderResultText(seedExample, { showRecordValues: true })).toContain('自第17字起您填寫「5樓」，EMS登載為「3樓之1」');
  });

  it('tells a guess nothing about how close it came: every wrong guess reads the same', () => {
    // Someone who knows only the control number guesses the facility e-mail a character at a time: with the
    // first differing position shown, each answer said how many leading characters were right.
    const texts = new Set(
      ['a@x.tw', 's@x.tw', 'se@x.tw', 'service@example.com', 'service@example.com.t'].map((guess) => {
        const r = compareWithEms(applicationWith({ facilityEmail: guess }), EMS_RECORD);
        return JSON.stringify([renderResultText(r).split('\n').find((l) => l.includes('事業電子郵件信箱'))?.replace(guess, ''), resultToJson(r).fields[4]?.reason]);
      }),
    );
    expect(texts.size).toBe(1);
  });

  it('writes control characters in values as \\uXXXX: a line break cannot forge a ✓ line, an escape cannot hide one', () => {
    const forged = '王大明\n✓ 事業地址：臺北市中正區重慶南路1段122號3樓\u001b[8m\u2028';
    const text = renderResultText(compareWithEms(applicationWith({ responsiblePerson: forged, facilityAddress: '高雄市前鎮區中山二路1號' }), EMS_RECORD));
    const lines = text.trimEnd().split('\n');
    expect(lines.filter((l) => l.startsWith('✓ 事業地址'))).toEqual([]);
    expect(lines.some((l) => l.startsWith('✗ 事業地址'))).toBe(true);
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u2028]/);
    expect(text).toContain('王大明\\u000a✓ 事業地址');
  });

  it('has no correction note on a pass', () => {
    const text = renderResultText(passing);
    expect(text.startsWith('EMS比對結果：通過\n')).toBe(true);
    expect(text).not.toContain(EMS_CORRECTION_NOTE);
    expect(text).not.toContain('✗');
  });

  it('names formatting-only differences', () => {
    const r = compareWithEms(applicationWith({ companyName: '台灣綠能化學股份有限公司' }), EMS_RECORD);
    expect(renderResultText(r)).toContain('✗ 公司名稱：台灣綠能化學股份有限公司（與EMS登載資料僅格式不同（台/臺），請依EMS登載內容填寫）');
    const n = compareWithEms(applicationWith({ companyName: '台灣綠能化學股份有限公司' }), EMS_RECORD, { policy: 'normalized' });
    expect(renderResultText(n)).toContain('✓ 公司名稱：台灣綠能化學股份有限公司（與EMS登載資料僅格式不同（台/臺），依正規化比對視為一致）');
    expect(renderResultText(n).split('\n')[0]).toBe('EMS比對結果：通過（正規化比對）');
  });
});

describe('renderResultHtml', () => {
  it('renders a list with ✓/✗ marks, failures in red, and the note', () => {
    const html = renderResultHtml(seedExample);
    expect(html).toMatch(/^<section class="twpki-ems-result" data-pass="false" data-policy="strict">/);
    expect(html.match(/<li /g)).toHaveLength(8);
    expect(html.match(/twpki-ems-pass/g)).toHaveLength(4);
    expect(html).toContain('<li class="twpki-ems-field twpki-ems-fail" data-key="facilityAddress" style="color:#c00"><span class="twpki-ems-mark">✗</span> 事業地址：');
    expect(html.match(/twpki-ems-unmarked/g)).toHaveLength(3);
    expect(html).toContain('<p class="twpki-ems-note" style="color:#c00">紅字為比對資料結果，若資料有誤請至EMS修正。</p>');
  });

  it('escapes every value, so applicant input cannot inject markup', () => {
    const evil = '<script>alert("x")</script>&\'';
    const r = compareWithEms(applicationWith({ companyName: evil, contactName: '<img src=x onerror=y>' }), EMS_RECORD);
    const html = renderResultHtml(r, { showRecordValues: true });
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<img');
    expect(html).toContain('&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62;&#38;&#39;');
  });

  it('escapeHtml covers & < > " \'', () => {
    expect(escapeHtml(`&<>"'a臺`)).toBe('&#38;&#60;&#62;&#34;&#39;a臺');
  });

  it('has no note on a pass', () => {
    expect(renderResultHtml(passing)).not.toContain('twpki-ems-note');
  });
});

describe('resultToJson', () => {
  it('has the documented shape', () => {
    const json = resultToJson(seedExample);
    expect(Object.keys(json)).toEqual(['pass', 'policy', 'fields']);
    expect(json.fields).toHaveLength(8);
    for (const f of json.fields) expect(Object.keys(f).sort()).toEqual(['compared', 'key', 'label', 'normalizedEqual', 'pass', 'reason']);
    expect(json.fields[0]).toEqual({ key: 'controlNumber', label: '管制編號', compared: true, pass: true, reason: null, normalizedEqual: true });
    expect(json.fields[5]).toEqual({ key: 'mailingAddress', label: '郵寄地址', compared: false, pass: null, reason: null, normalizedEqual: null });
  });

  it('describes a real difference with its span only when record values are shown', () => {
    const reason = resultToJson(seedExample).fields[3]?.reason;
    expect(reason).toEqual({ code: 'different', message: '與EMS登載資料不符，請依EMS登載內容填寫' });
    const shown = resultToJson(seedExample, { showRecordValues: true }).fields[3]?.reason;
    expect(shown).toEqual({
      code: 'different',
      span: { start: 16, applicant: '5樓', record: '3樓之1' },
      normalizedSpan: { start: 16, applicant: '5樓', record: '3樓之1' },
      message: '與EMS登載資料不符：自第17字起您填寫「5樓」，EMS登載為「3樓之1」',
    });
  });

  it('lists formatting rules', () => {
    const r = compareWithEms(applicationWith({ facilityEmail: 'SERVICE@greenchem.com.tw' }), EMS_RECORD);
    expect(resultToJson(r).fields[4]?.reason).toEqual({
      code: 'formattingOnly',
      rules: ['letterCase'],
      message: '與EMS登載資料僅格式不同（英文大小寫），請依EMS登載內容填寫',
    });
  });

  it('survives a JSON round trip unchanged', () => {
    const json = resultToJson(seedExample);
    expect(JSON.parse(JSON.stringify(json))).toEqual(json);
  });
});

describe('difference wording', () => {
  it('says text is missing, or extra, and cites the normalized span when it is narrower', () => {
    const missing = compareWithEms(applicationWith({ responsiblePerson: '王明' }), EMS_RECORD);
    expect(renderResultText(missing, { showRecordValues: true })).toContain('（與EMS登載資料不符：第2字處缺少文字，EMS登載為「大」）');
    const extra = compareWithEms(applicationWith({ responsiblePerson: '王大大明' }), EMS_RECORD);
    expect(renderResultText(extra, { showRecordValues: true })).toContain('（與EMS登載資料不符：自第3字起多了「大」）');
    const noisy = compareWithEms(applicationWith({ facilityAddress: '100台北市中正區重慶南路一段12號3樓之1' }), EMS_RECORD);
    expect(renderResultText(noisy, { showRecordValues: true })).toContain(
      '（與EMS登載資料不符（統一格式後比對）：第15字處缺少文字，EMS登載為「2」；另與EMS登載格式不同，請完全依EMS登載內容填寫）',
    );
  });
});

describe('a real difference under strict, with formatting differences too', () => {
  it('says the format must match as well, so fixing only the cited text is not taken for enough', () => {
    const r = compareWithEms(applicationWith({ facilityAddress: '100台北市中正區重慶南路一段一二三號三樓' }), EMS_RECORD);
    const line = renderResultText(r, { showRecordValues: true }).split('\n').find((l) => l.includes('事業地址')) ?? '';
    expect(line).toContain('（統一格式後比對）');
    expect(line).toContain('另與EMS登載格式不同，請完全依EMS登載內容填寫');
    // Under the normalized policy the formatting is forgiven: the note would mislead there.
    const lenient = compareWithEms(applicationWith({ facilityAddress: '100台北市中正區重慶南路一段一二三號三樓' }), EMS_RECORD, { policy: 'normalized' });
    expect(renderResultText(lenient, { showRecordValues: true })).not.toContain('另與EMS登載格式不同');
  });
});

