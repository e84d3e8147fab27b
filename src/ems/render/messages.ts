import type { ComparedFieldResult } from '../compare/field-result.js';
import type { NormalizationRule } from '../normalize/normalization-rule.js';
import type { ComparisonPolicy } from '../compare/policy.js';

/** Chinese names of the formatting rules, as a company would recognise them. */
export const RULE_LABELS_ZH: Readonly<Record<NormalizationRule, string>> = {
  width: '全形/半形字元',
  spaces: '空白',
  letterCase: '英文大小寫',
  postalCode: '郵遞區號',
  taiTai: '台/臺',
  floor: '樓層寫法（F/樓）',
  numerals: '國字/阿拉伯數字',
  hyphen: '「-」/「之」',
};

/** The seed's note under a failed result (紅字 = the ✗ lines). */
export const EMS_CORRECTION_NOTE = '紅字為比對資料結果，若資料有誤請至EMS修正';

/** The seed's statement of the matching rule. */
export const EMS_RULE_NOTE = '比對EMS登載資料，完全一致才算通過';

/** Options shared by the renderers. */
export interface RenderOptions {
  /**
   * Also show where and how the values differ: the first differing position,
   * the applicant's text from there, and what EMS holds. Off by default: the
   * result page may reach someone who only knows a control number, and EMS
   * data should then not leak through it. The position alone would leak it:
   * it tells how many leading characters a guess got right, so a guess per
   * character reads a whole field (an e-mail address in a few hundred tries).
   */
  readonly showRecordValues?: boolean;
  /**
   * The policy the result was made under (the renderers pass the result's).
   * Under `normalized` formatting is forgiven, so a message does not ask for
   * the EMS format; default `strict`.
   */
  readonly policy?: ComparisonPolicy;
}

/**
 * One-sentence Chinese explanation of a compared field that is not exactly
 * equal, or `''` when it is.
 */
export function describeReasonZh(result: ComparedFieldResult, options: RenderOptions = {}): string {
  const { reason } = result;
  if (reason === null) return '';
  if (reason.code === 'empty') {
    if (reason.side === 'applicant') return '本欄位未填寫，請依EMS登載內容填寫';
    return 'EMS未登載本欄位資料，請至EMS補正後重新申請';
  }
  if (reason.code === 'formattingOnly') {
    const what = reason.rules.map((r) => RULE_LABELS_ZH[r]).join('、');
    const detail = what === '' ? '' : `（${what}）`;
    return result.pass
      ? `與EMS登載資料僅格式不同${detail}，依正規化比對視為一致`
      : `與EMS登載資料僅格式不同${detail}，請依EMS登載內容填寫`;
  }
  if (options.showRecordValues !== true) return '與EMS登載資料不符，請依EMS登載內容填寫';
  // Cite whichever span points the company at less text: the raw one, or
  // the normalized one when formatting noise (a postal code, 台/臺) widens
  // the raw difference to the whole value.
  const useNormalized = spanWidth(reason.normalizedSpan) < spanWidth(reason.span);
  const { start, applicant, record } = useNormalized ? reason.normalizedSpan : reason.span;
  const where = `第${start + 1}字`;
  const basis = useNormalized ? '（統一格式後比對）' : '';
  const emsPart = `，EMS登載為「${record}」`;
  // The position and text are of the unified form: say so, and that the format must match too, or a company
  // that fixes only the cited difference fails again on the formatting (完全一致才算通過).
  const alsoFormat = useNormalized && options.policy !== 'normalized' ? '；另與EMS登載格式不同，請完全依EMS登載內容填寫' : '';
  if (applicant === '') {
    return `與EMS登載資料不符${basis}：${where}處缺少文字${emsPart}${alsoFormat}`;
  }
  if (record === '') {
    return `與EMS登載資料不符${basis}：自${where}起多了「${applicant}」${alsoFormat}`;
  }
  return `與EMS登載資料不符${basis}：自${where}起您填寫「${applicant}」${emsPart}${alsoFormat}`;
}

function spanWidth(span: { applicant: string; record: string }): number {
  return Math.max(Array.from(span.applicant).length, Array.from(span.record).length);
}
