import type { ComparisonResult, FieldResult } from '../compare/field-result.js';
import { escapeHtml } from './escape-html.js';
import { describeReasonZh, EMS_CORRECTION_NOTE, type RenderOptions } from './messages.js';

// The seed's page prints failures in red; an inline colour keeps that
// meaning even where the host page has no stylesheet for these classes.
const RED = ' style="color:#c00"';

/**
 * Renders a result as an HTML fragment in the seed's ✓/✗ style: a `<ul>` of
 * fields with Chinese labels, failures in red, then (on failure) the seed's
 * correction note. Every value is escaped; the fragment has no scripts and
 * only `twpki-ems-*` classes, so it can be embedded in any page or e-mail.
 */
export function renderResultHtml(result: ComparisonResult, options: RenderOptions = {}): string {
  const withPolicy = { ...options, policy: result.policy };
  const items = result.fields.map((f) => `  ${renderItem(f, withPolicy)}`);
  const parts = [
    `<section class="twpki-ems-result" data-pass="${String(result.pass)}" data-policy="${escapeHtml(result.policy)}">`,
    '<ul class="twpki-ems-fields">',
    ...items,
    '</ul>',
  ];
  if (!result.pass) parts.push(`<p class="twpki-ems-note"${RED}>${escapeHtml(EMS_CORRECTION_NOTE)}。</p>`);
  parts.push('</section>');
  return `${parts.join('\n')}\n`;
}

function renderItem(f: FieldResult, options: RenderOptions): string {
  const label = `${escapeHtml(f.field.labelZh)}：`;
  const key = escapeHtml(f.field.key);
  const value = escapeHtml(f.applicant ?? '');
  if (!f.compared) {
    return `<li class="twpki-ems-field twpki-ems-unmarked" data-key="${key}"><span class="twpki-ems-mark"></span>${label}<span class="twpki-ems-value">${value}</span></li>`;
  }
  const why = describeReasonZh(f, options);
  if (f.pass) {
    const note = why === '' ? '' : `<span class="twpki-ems-reason">（${escapeHtml(why)}）</span>`;
    return `<li class="twpki-ems-field twpki-ems-pass" data-key="${key}"><span class="twpki-ems-mark">✓</span> ${label}<span class="twpki-ems-value">${value}</span>${note}</li>`;
  }
  return `<li class="twpki-ems-field twpki-ems-fail" data-key="${key}"${RED}><span class="twpki-ems-mark">✗</span> ${label}<span class="twpki-ems-value">${value}</span><span class="twpki-ems-reason">（${escapeHtml(why)}）</span></li>`;
}
