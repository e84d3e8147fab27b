import type { ComparisonResult, FieldResult } from '../compare/field-result.js';
import type { DifferingSpan } from '../compare/differing-span.js';
import type { ComparisonPolicy } from '../compare/policy.js';
import type { NormalizationRule } from '../normalize/normalization-rule.js';
import { describeReasonZh, type RenderOptions } from './messages.js';

/** JSON form of a differing span (given only when record values are shown). */
export interface DifferingSpanJson {
  /** Code-point offset of the first differing character. */
  start: number;
  /** The applicant's differing text. */
  applicant: string;
  /** EMS's differing text. */
  record: string;
}

/** JSON form of a formatting-only reason. */
export interface FormattingOnlyReasonJson {
  /** Discriminant. */
  code: 'formattingOnly';
  /** The formatting rules that account for the difference. */
  rules: NormalizationRule[];
  /** Chinese explanation for the applicant. */
  message: string;
}

/** JSON form of a real difference. */
export interface DifferentReasonJson {
  /** Discriminant. */
  code: 'different';
  /** Where the trimmed values differ; only with `showRecordValues` (the position alone tells EMS's text). */
  span?: DifferingSpanJson;
  /** Where the normalized values differ; only with `showRecordValues`. */
  normalizedSpan?: DifferingSpanJson;
  /** Chinese explanation for the applicant. */
  message: string;
}

/** JSON form of a blank field. */
export interface EmptyReasonJson {
  /** Discriminant. */
  code: 'empty';
  /** Which side is blank. */
  side: 'applicant' | 'record' | 'both';
  /** Chinese explanation for the applicant. */
  message: string;
}

/** JSON form of a field's reason. */
export type FieldReasonJson = FormattingOnlyReasonJson | DifferentReasonJson | EmptyReasonJson;

/** JSON form of one field's result. */
export interface FieldResultJson {
  /** Field key. */
  key: string;
  /** Chinese label. */
  label: string;
  /** Whether the field takes part in the verdict. */
  compared: boolean;
  /** Field verdict; `null` when not compared. */
  pass: boolean | null;
  /** Why the values are not identical; `null` when they are, or when not compared. */
  reason: FieldReasonJson | null;
  /** Equal after normalization; `null` when not compared. */
  normalizedEqual: boolean | null;
}

/** JSON form of a comparison result: `{pass, policy, fields}`. */
export interface ComparisonResultJson {
  /** Overall verdict. */
  pass: boolean;
  /** Policy used. */
  policy: ComparisonPolicy;
  /** Per-field results, in field-set order. */
  fields: FieldResultJson[];
}

/**
 * Plain JSON-serialisable form of a result. Without `showRecordValues` a
 * `different` reason carries no span (no position, no text), as in the other
 * renderers.
 */
export function resultToJson(result: ComparisonResult, options: RenderOptions = {}): ComparisonResultJson {
  return {
    pass: result.pass,
    policy: result.policy,
    fields: result.fields.map((f) => fieldToJson(f, { ...options, policy: result.policy })),
  };
}

function fieldToJson(f: FieldResult, options: RenderOptions): FieldResultJson {
  const base = { key: f.field.key, label: f.field.labelZh, compared: f.compared };
  if (!f.compared || f.reason === null) {
    return { ...base, pass: f.pass, reason: null, normalizedEqual: f.normalizedEqual };
  }
  const message = describeReasonZh(f, options);
  const reason: FieldReasonJson =
    f.reason.code === 'empty'
      ? { code: 'empty', side: f.reason.side, message }
      : f.reason.code === 'formattingOnly'
      ? { code: 'formattingOnly', rules: [...f.reason.rules], message }
      : options.showRecordValues === true
      ? { code: 'different', span: spanToJson(f.reason.span), normalizedSpan: spanToJson(f.reason.normalizedSpan), message }
      : { code: 'different', message };
  return { ...base, pass: f.pass, reason, normalizedEqual: f.normalizedEqual };
}

function spanToJson(span: DifferingSpan): DifferingSpanJson {
  const { start, applicant, record } = span;
  return { start, applicant, record };
}
