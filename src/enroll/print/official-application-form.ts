/**
 * The printable 我的E政府公務帳號申請書 (seed: shown when a first application
 * does not pass the personnel check, or on a second application). A pure
 * function from the application's data to an HTML print layout; every value is
 * escaped, so a member's name cannot inject markup into the reviewer's page.
 */
import { escapeHtml } from '../../ems/index.js';
import { rocDate, rocDateTime } from '../domain/roc-date.js';
import { OFFICIAL_FORM_CHANNEL_LABELS, type OfficialFormChannel } from '../machine/official-machine.js';
import { OFFICIAL_DEFAULT_BRANDING, type OfficialNoticeBranding } from '../mail/official-notices.js';

/** The fields the seed's 申請書 shows. */
export interface OfficialApplicationForm {
  /** 會員帳號 */
  readonly memberId: string;
  /** 申請日期 (ISO instant; printed as 民國 date). */
  readonly appliedAt: string;
  /** 姓名 (blank when the member reference is unknown). */
  readonly name: string;
  /** 申請項目 (自然人轉公務員 / 公務人員轉換機關). */
  readonly item: string;
  /** 新機關OID */
  readonly agencyOid: string;
  /** 新機關名稱 */
  readonly agencyName: string;
  /** 申請原因 */
  readonly reason: string;
  /** 編號 (blank when the record has none). */
  readonly formNumber: string;
  /**
   * The office row (收件 寄辦 處理完畢時間 備註) as far as the record fills it: blank on the copy the member prints
   * and sends; on a copy printed after 收件 or the decision, what the desk recorded. 寄辦 is never filled: the
   * manual does not say what it holds.
   */
  readonly office?: OfficialFormOfficeRow;
}

/** What the record holds for the 申請書's office row. */
export interface OfficialFormOfficeRow {
  /** 收件: when the form arrived (ISO instant) and how. */
  readonly received?: {
    /** When the form arrived (ISO instant). */
    readonly at: string;
    /** 傳真 or E-mail. */
    readonly channel: OfficialFormChannel;
  };
  /** 處理完畢時間: when the application was decided (ISO instant). */
  readonly decidedAt?: string;
  /** 備註: the reviewer's note. */
  readonly note?: string;
}

/**
 * Labels printed on the form. The defaults are the seed's wording; the two
 * attachment lines are reproduced as the seed's scan shows them, so a
 * deployment whose paper form words them otherwise replaces them here.
 */
export interface OfficialFormLabels {
  /** Form title. */
  readonly title: string;
  /** First attachment line. */
  readonly attachmentFront: string;
  /** Second attachment line. */
  readonly attachmentBack: string;
  /** The note under the attachment lines. */
  readonly attachmentNote: string;
  /** 【注意事項】 items, in order; `{fax}`, `{email}`, `{phone}`, `{system}` are replaced from the branding. */
  readonly notes: readonly string[];
}

/** The seed's labels and notes. */
export const OFFICIAL_FORM_LABELS: OfficialFormLabels = {
  title: '{system}公務帳號申請書',
  attachmentFront: '本人親簽條件點數(正票)',
  attachmentBack: '本人親簽條件點數(次票)',
  attachmentNote: '*正票及副票可擇一填註，以資證明機關單位職務與姓名關連性為原則。',
  notes: [
    '申請轉換的會員帳號為您在{system}的會員帳號，請確認為您要申請轉換身分或機關之帳號。',
    '機關OID 由政府物件識別碼(OID)網站 http://id.nat.gov.tw 管理，可至該網站查詢；所服務機關沒有 OID 者，可選擇上層機關之 OID，或申請新的 OID。',
    '機關OID 請至【機關與團體】OID 查詢，而非「政府OID管理」。',
    '請檢附足以證明您公務人員身分及服務機關之證明文件。',
    '填寫完成，請將申請書傳真至客服中心：{fax}，或寄至 {email}，需計1個工作天內審核完畢，審核完竣，將寄發核可通知信到您的會員資料中填寫之email，若有問題請電洽{phone}。',
  ],
};

/** Options of {@link renderOfficialApplicationForm}. */
export interface OfficialFormOptions {
  /** Portal name and service-desk contacts; default the seed's. */
  readonly branding?: OfficialNoticeBranding;
  /** Labels; default {@link OFFICIAL_FORM_LABELS}. */
  readonly labels?: OfficialFormLabels;
}

const STYLE = `@page{size:A4;margin:15mm}
body{font-family:"Noto Sans TC","Microsoft JhengHei",sans-serif;font-size:12pt;color:#000}
h1{font-size:18pt;text-align:center;margin:0 0 8mm}
table{border-collapse:collapse;width:100%;margin-bottom:6mm}
th,td{border:1px solid #000;padding:2mm 3mm;text-align:left;vertical-align:top}
th{width:28%;font-weight:normal;background:#f2f2f2}
.blank{height:18mm}
.signature td{height:22mm}
ol{padding-left:6mm}
@media print{th{background:none}}`;

function officeRow(office: OfficialFormOfficeRow | undefined, e: (t: string) => string): string {
  const received = office?.received === undefined ? '' : `${OFFICIAL_FORM_CHANNEL_LABELS[office.received.channel]} ${rocDateTime(office.received.at)}`;
  const decided = office?.decidedAt === undefined ? '' : rocDateTime(office.decidedAt);
  return `<tr><td class="blank">${e(received)}</td><td></td><td>${e(decided)}</td><td>${e(office?.note ?? '')}</td></tr></table>`;
}

/** Renders the 申請書 as a complete HTML document for printing (列印). */
export function renderOfficialApplicationForm(form: OfficialApplicationForm, options: OfficialFormOptions = {}): string {
  const b = options.branding ?? OFFICIAL_DEFAULT_BRANDING;
  const l = options.labels ?? OFFICIAL_FORM_LABELS;
  const fill = (t: string): string =>
    t.replaceAll('{system}', b.systemName).replaceAll('{fax}', b.serviceFax).replaceAll('{email}', b.serviceEmail).replaceAll('{phone}', b.servicePhone);
  const e = (t: string): string => escapeHtml(t);
  const row = (label: string, value: string, cls = ''): string =>
    `<tr${cls === '' ? '' : ` class="${cls}"`}><th>${e(label)}</th><td>${e(value)}</td></tr>`;
  const title = fill(l.title);
  return [
    '<!DOCTYPE html>',
    '<html lang="zh-Hant"><head><meta charset="utf-8">',
    `<title>${e(title)}</title><style>${STYLE}</style></head><body>`,
    `<h1>${e(title)}</h1>`,
    '<table class="applicant">',
    row('會員帳號', form.memberId),
    row('申請日期', rocDate(form.appliedAt)),
    row('姓名', form.name),
    row('申請項目', form.item),
    row('新機關OID', form.agencyOid),
    row('新機關名稱', form.agencyName),
    row('申請原因', form.reason),
    row('編號', form.formNumber),
    '</table>',
    '<table class="attachments">',
    `<tr><th>${e(l.attachmentFront)}</th><td class="blank"></td></tr>`,
    `<tr><th>${e(l.attachmentBack)}</th><td class="blank"></td></tr>`,
    '</table>',
    `<p>${e(l.attachmentNote)}</p>`,
    `<table class="signature"><tr><th>本人簽名</th><td></td></tr></table>`,
    '<h2>【注意事項】</h2>',
    `<ol>${l.notes.map((n) => `<li>${e(fill(n))}</li>`).join('')}</ol>`,
    '<table class="office"><tr><th>收件</th><th>寄辦</th><th>處理完畢時間</th><th>備註</th></tr>',
    officeRow(form.office, e),
    '</body></html>',
  ].join('\n');
}
