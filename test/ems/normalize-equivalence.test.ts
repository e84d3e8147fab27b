import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FIELD_KINDS, type FieldKind } from '../../src/ems/index.js';
import { addressSpacesStep, floorStep, hyphenStep, numeralsStep } from '../../src/ems/normalize/address-rules.js';
import { parseChineseNumeral } from '../../src/ems/normalize/chinese-numerals.js';
import type { NormalizationRule, NormalizationStep } from '../../src/ems/normalize/normalization-rule.js';
import { compareNormalized, stepsForPair } from '../../src/ems/normalize/pipeline.js';
import { spacesStep, taiTaiStep, textSpacesStep } from '../../src/ems/normalize/text-rules.js';

// The straightforward forms the optimised steps must agree with: each rule as
// one regular expression, no guards, and the lockstep comparison without the
// "sides already equal" shortcut.
const NUMERALS = '零〇一壹二兩貳三參四肆五伍六陸七柒八捌九玖十拾百佰千仟';
const SPACE_RUN = /[\s\u200B-\u200D\u2060\uFEFF]+/gu;
const keepGapsBetween = (...classes: RegExp[]) => (v: string) =>
  v.replace(SPACE_RUN, (run: string, offset: number) =>
    classes.some((c) => c.test(v[offset - 1] ?? '') && c.test(v[offset + run.length] ?? '')) && /\s/u.test(run) ? ' ' : '',
  );
const plain: Record<string, (v: string) => string> = {
  spaces: (v) => v.replace(SPACE_RUN, ''),
  textSpaces: keepGapsBetween(/^[0-9]$/, /^\p{Script=Latin}$/u),
  addressSpaces: keepGapsBetween(new RegExp(`^[0-9${NUMERALS}]$`, 'u'), /^\p{Script=Latin}$/u),
  taiTai: (v) => v.replaceAll('台', '臺'),
  floor: (v) => v.replace(/(\d)[Ff](?![A-Za-z])/g, '$1樓'),
  hyphen: (v) =>
    v.replace(/([0-9]+|[樓號])[-‐‑‒–—―−﹣－](?=([0-9]+))/g, (all: string, before: string, after: string) =>
      /[0-9]/.test(before) && BigInt(after) > BigInt(before) ? all : `${before}之`,
    ),
  numerals: (v) =>
    v.replace(new RegExp(`[${NUMERALS}]+`, 'gu'), (run: string, offset: number) => {
      if (/[0-9]/.test(v[offset - 1] ?? '')) return run;
      const next = v[offset + run.length] ?? '';
      const afterZhi = offset >= 2 && v[offset - 1] === '之' && /[0-9樓號]/.test(v[offset - 2] ?? '');
      const beforeZhi = new RegExp(`^之(?:[0-9]+|[${NUMERALS}]+)[號樓]`, 'u').test(v.slice(offset + run.length));
      if (!['段', '巷', '弄', '號', '樓', '鄰'].includes(next) && !afterZhi && !beforeZhi) return run;
      const n = parseChineseNumeral(run);
      return n === undefined ? run : String(n);
    }),
};

function plainFixedPoint(steps: readonly NormalizationStep[], value: string): string {
  let current = value;
  for (let pass = 0; pass < 8; pass++) {
    let next = current;
    for (const step of steps) next = step.apply(next);
    if (next === current) return current;
    current = next;
  }
  return current;
}

function plainCompare(kind: FieldKind, left: string, right: string): ReturnType<typeof compareNormalized> {
  const steps = stepsForPair(kind, left, right);
  const rules = new Set<NormalizationRule>();
  const changedBoth = new Set<NormalizationRule>();
  let a = left;
  let b = right;
  for (let pass = 0; pass < 8; pass++) {
    let changed = false;
    for (const step of steps) {
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
      return plainFixedPoint(without, left) !== plainFixedPoint(without, right);
    });
    if (kept.length > 0) cited = kept;
  }
  return { left: a, right: b, equal: a === b, rules: cited.sort((x, y) => order.indexOf(x) - order.indexOf(y)) };
}

// Pieces that make the rules fire and interact, plus arbitrary text.
const piece = fc.oneof(
  fc.constantFrom(
    '臺', '台', '北', '市', '段', '巷', '弄', '號', '樓', '鄰', '之', '一', '二', '十', '百', '零', '〇', '五', '貳', '拾',
    '3', '10', '100', 'F', 'f', 'Fa', '-', '－', '–', '﹣', ' ', '\u3000', '\u200B', '\u00a0', '\t', '\u2028', '\ufeff',
    '(', ')', '【', '】', '１', 'Ａ', 'A', 'a', '@', '.', '10-12', '12-10', '010', '五之一號', '之三樓', '1 0', '一 二',
    '103', '10048', '(100)', '二百零',
  ),
  fc.string({ unit: 'grapheme', maxLength: 3 }),
);
const value = fc.array(piece, { maxLength: 14 }).map((parts) => parts.join(''));

describe('optimised normalization agrees with the straightforward one', () => {
  it('each guarded step returns what its plain regular expression returns', () => {
    const steps: [string, NormalizationStep][] = [
      ['spaces', spacesStep],
      ['textSpaces', textSpacesStep],
      ['addressSpaces', addressSpacesStep],
      ['taiTai', taiTaiStep],
      ['floor', floorStep],
      ['hyphen', hyphenStep],
      ['numerals', numeralsStep],
    ];
    fc.assert(
      fc.property(value, (v) => {
        for (const [name, step] of steps) expect(step.apply(v), name).toBe(plain[name]?.(v));
      }),
      { numRuns: 3000 },
    );
  });

  it('compareNormalized gives the plain lockstep result for every field kind', () => {
    fc.assert(
      fc.property(fc.constantFrom(...FIELD_KINDS), value, value, (kind, left, right) => {
        expect(compareNormalized(kind, left, right)).toEqual(plainCompare(kind, left, right));
      }),
      { numRuns: 3000 },
    );
  });

  it('agrees on pairs that differ only in formatting (the shortcut path)', () => {
    const formatted = fc.tuple(value, fc.array(fc.constantFrom(' ', '台', '3F', '-1', '100', '一'), { maxLength: 4 }));
    fc.assert(
      fc.property(fc.constantFrom(...FIELD_KINDS), formatted, (kind, [base, extra]) => {
        const other = `${extra.join('')}${base}`;
        expect(compareNormalized(kind, other, base)).toEqual(plainCompare(kind, other, base));
      }),
      { numRuns: 2000 },
    );
  });
});
