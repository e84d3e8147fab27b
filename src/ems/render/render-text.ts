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
  return `${lines.map(visibleControls).join('\n')}\n`;
}

// C0 and C1 controls, DEL and the Unicode line and paragraph separators.
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

/**
 * A line with its control characters written as `\uXXXX`: a line break inside a typed value would otherwise print a
 * forged `✓ …` line of its own, and an escape sequence could hide the real one on a terminal. The values stay
 * readable; HTML and JSON carry them as they are (escaped there by their own rules).
 */
function visibleControls(line: string): string {
  return line.replace(CONTROLS, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
