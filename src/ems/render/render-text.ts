import type { ComparisonResult } from '../compare/field-result.js';
import { describeReasonZh, EMS_CORRECTION_NOTE, type RenderOptions } from './messages.js';

/**
 * Renders a result as the seed's ✓/✗ list in plain text (Chinese labels),
 * for e-mails and terminals. Compared fields get ✓ or ✗; the others are
 * listed unmarked. A failed result ends with the seed's correction note.
 */
export function renderResultText(result: ComparisonResult, options: RenderOptions = {}): string {
  const lines = [`EMS比對結果：${result.pass ? '通過' : '未通過'}${result.policy === 'normalized' ? '（正規化比對）' : ''}`];
  for (const f of result.fields) {
    const value = f.applicant ?? '';
    if (!f.compared) {
      lines.push(`  ${f.field.labelZh}：${value}`);
      continue;
    }
    const why = describeReasonZh(f, { ...options, policy: result.policy });
    lines.push(`${f.pass ? '✓' : '✗'} ${f.field.labelZh}：${value}${why === '' ? '' : `（${why}）`}`);
  }
  if (!result.pass) lines.push(`${EMS_CORRECTION_NOTE}。`);
  return `${lines.join('\n')}\n`;
}
