import type { FieldDefinition } from '../fields/field-definition.js';
import type { NormalizationRule } from '../normalize/normalization-rule.js';
import type { ComparisonPolicy } from './policy.js';
import type { DifferingSpan } from './differing-span.js';

/** The values differ only in formatting: they are equal after normalization. */
export interface FormattingOnlyReason {
  /** Discriminant. */
  readonly code: 'formattingOnly';
  /** The formatting rules that account for the difference. */
  readonly rules: readonly NormalizationRule[];
}

/** The values differ in substance, even after normalization. */
export interface DifferentReason {
  /** Discriminant. */
  readonly code: 'different';
  /** Where the trimmed values differ, in their own characters. */
  readonly span: DifferingSpan;
  /**
   * Where the normalized values differ. Narrower than `span` when the values
   * also differ in formatting (e.g. a postal-code prefix on one side only).
   */
  readonly normalizedSpan: DifferingSpan;
}

/**
 * A compared field is blank (empty or only whitespace) on one side or both:
 * the seed wants every field filled (帳號申請之資料欄位皆須填寫), and a blank EMS
 * field (no 事業電子郵件信箱 to mail) cannot vouch for anything, even for an
 * equally blank answer.
 */
export interface EmptyReason {
  /** Discriminant. */
  readonly code: 'empty';
  /** Which side is blank. */
  readonly side: 'applicant' | 'record' | 'both';
}

/** Why a compared field's values are not identical (or not comparable). */
export type FieldReason = FormattingOnlyReason | DifferentReason | EmptyReason;

/** Outcome of a field that takes part in the verdict. */
export interface ComparedFieldResult {
  /** The field's definition. */
  readonly field: FieldDefinition;
  /** Discriminant. */
  readonly compared: true;
  /** Applicant's value, outer whitespace trimmed. */
  readonly applicant: string;
  /** EMS value, outer whitespace trimmed. */
  readonly record: string;
  /** Whether the field passes under the policy used. */
  readonly pass: boolean;
  /** Whether the values are equal after normalization. */
  readonly normalizedEqual: boolean;
  /**
   * `null` when the trimmed values are identical; otherwise why not (also on
   * a pass under the `normalized` policy, so the formatting can be shown).
   */
  readonly reason: FieldReason | null;
}

/** A field shown for information only (the seed's unmarked fields). */
export interface UncomparedFieldResult {
  /** The field's definition. */
  readonly field: FieldDefinition;
  /** Discriminant. */
  readonly compared: false;
  /** Applicant's value, trimmed, if given. */
  readonly applicant: string | undefined;
  /** EMS value, trimmed, if present. */
  readonly record: string | undefined;
  /** Not judged. */
  readonly pass: null;
  /** Not judged. */
  readonly normalizedEqual: null;
  /** Not judged. */
  readonly reason: null;
}

/** Outcome of one field. */
export type FieldResult = ComparedFieldResult | UncomparedFieldResult;

/** Outcome of comparing an application with its EMS record. */
export interface ComparisonResult {
  /** True only if every compared field passes. */
  readonly pass: boolean;
  /** Policy the fields were judged by. */
  readonly policy: ComparisonPolicy;
  /** One result per field, in field-set order. */
  readonly fields: readonly FieldResult[];
}
