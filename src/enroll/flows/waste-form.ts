/**
 * 列印申請表: the 網路帳號密碼申請書 (圖 1-1) as an HTML print layout, to print,
 * stamp (用印) and upload. A pure function of the application; every value is
 * HTML-escaped. 自訂密碼 is not printed: the SDK never has it.
 */
import { escapeHtml } from '../../ems/index.js';
import { LOGIN_METHOD_LABELS } from './login-records.js';
import type { PhoneNumber, WasteApplication, WasteApplicationForm } from './waste-records.js';
import { LOGIN_METHODS } from './waste-shared.js';
import { taipeiDate } from '../domain/roc-date.js';

/** Options of {@link renderWasteApplicationForm}. */
export interface WasteFormOptions {
  /** Heading above the title, e.g. the agency's or system's name. */
  readonly systemName?: string;
}

function phone(p: PhoneNumber | undefined): string {
  if (p === undefined) return '';
  return escapeHtml(p.number) + (p.extension === undefined ? '' : ` 分機 ${escapeHtml(p.extension)}`);
}

function box(checked: boolean): string {
  return checked ? '☑' : '☐';
}

function row(label: string, value: string, required = true): string {
  return `<tr><th scope="row">${required ? '*' : ''}${escapeHtml(label)}</th><td>${value}</td></tr>`;
}

const STYLE = `@page { size: A4; margin: 18mm; }
body { font-family: "Noto Sans TC", "Microsoft JhengHei", "PingFang TC", sans-serif; color: #000; }
h1 { font-size: 20pt; text-align: center; margin: 0 0 4mm; }
.system { text-align: center; font-size: 12pt; margin: 0 0 2mm; }
.meta { text-align: right; font-size: 9pt; margin: 0 0 4mm; }
table { width: 100%; border-collapse: collapse; font-size: 11pt; }
th, td { border: 1px solid #000; padding: 2.5mm 3mm; text-align: left; vertical-align: top; }
th { width: 32%; background: #f2f2f2; white-space: nowrap; }
.stamps { display: flex; gap: 10mm; margin-top: 8mm; }
.stamp { flex: 1; border: 1px solid #000; height: 40mm; padding: 2mm; font-size: 10pt; }
.note { font-size: 9pt; margin-top: 5mm; }
@media print { th { -webkit-print-color-adjust: exact; print-color-adjust: exact; } }`;

/**
 * Renders the application form as a complete HTML document for printing.
 * Pass the stored application (its ID and date are printed so the reviewer can
 * match the stamped copy) or a validated form.
 */
export function renderWasteApplicationForm(app: WasteApplicationForm | WasteApplication, options: WasteFormOptions = {}): string {
  const stored = 'id' in app ? app : undefined;
  const methods = LOGIN_METHODS.map((m) =>
    row(LOGIN_METHOD_LABELS[m], `${box(app.methods[m] === 'enabled')} 啟用　${box(app.methods[m] === 'disabled')} 停用`, false),
  ).join('\n');
  const address = (a: { postalCode: string; address: string }): string => `郵遞區號：${escapeHtml(a.postalCode)}　${escapeHtml(a.address)}`;
  const rows = [
    row('營利事業統一編號', escapeHtml(app.businessId)),
    row('廢棄物管制編號', escapeHtml(app.controlNumber ?? '（無）')),
    row('公司名稱', escapeHtml(app.companyName)),
    row('負責人名稱', escapeHtml(app.representativeName)),
    row('負責人身分證字號', escapeHtml(app.representativeId)),
    row('營利事業登記地址', address(app.registeredAddress)),
    row('營利事業通訊地址', address(app.mailingAddress)),
    row('承辦人名稱', escapeHtml(app.contactName)),
    row('承辦人電話(含分機)', `電話1：${phone(app.contactPhone1)}${app.contactPhone2 === undefined ? '' : `、電話2：${phone(app.contactPhone2)}`}`),
    row('承辦人傳真號碼', escapeHtml(app.contactFax)),
    row('承辦人郵件信箱', escapeHtml(app.contactEmail)),
    methods,
  ].join('\n');
  const meta = stored === undefined ? '' : `<p class="meta">申請編號：${escapeHtml(stored.id)}　申請日期：${escapeHtml(taipeiDate(stored.createdAt))}</p>`;
  return `<!DOCTYPE html>
<html lang="zh-Hant-TW">
<head>
<meta charset="utf-8">
<title>網路帳號密碼申請書</title>
<style>
${STYLE}
</style>
</head>
<body>
${options.systemName === undefined ? '' : `<p class="system">${escapeHtml(options.systemName)}</p>`}
<h1>網路帳號密碼申請書</h1>
${meta}
<table>
${rows}
</table>
<div class="stamps">
<div class="stamp">公司印鑑（用印）</div>
<div class="stamp">負責人印鑑（用印）</div>
</div>
<p class="note">請列印本申請書並用印，檢附公司營利事業登記証影本，掃描上傳至系統。</p>
</body>
</html>
`;
}
