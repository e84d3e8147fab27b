import { pathToFileURL } from 'node:url';
import { compareWithEms, DEFAULT_FIELDS, type ComparisonPolicy } from '../src/ems/index.js';
import { iterations, type BenchResult } from './result.js';

const PAIRS = iterations(100_000, 2_000);
// Best of PASSES timed passes (see `bestOf`).
const PASSES = iterations(3, 1);

type Pair = readonly [applicant: Record<string, string>, record: Record<string, string>];

// A small deterministic PRNG (mulberry32) so every run compares the same pairs.
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * 100k applicant/record pairs shaped like real applications: 70% identical,
 * 15% differing only in formatting (台/臺, full-width digits, 3F, e-mail
 * case), 15% with a real difference in one field.
 */
function makePairs(): Pair[] {
  const random = rng(20240501);
  const pairs: Pair[] = [];
  for (let i = 0; i < PAIRS; i++) {
    const n = String(i).padStart(7, '0');
    const record: Record<string, string> = {
      controlNumber: `H${n}`,
      companyName: `臺灣第${i}化學股份有限公司`,
      responsiblePerson: '王大明',
      facilityAddress: `臺北市中正區重慶南路1段${(i % 300) + 1}號${(i % 12) + 1}樓之1`,
      facilityEmail: `service${i}@example.com.tw`,
      mailingAddress: `臺北市中正區重慶南路1段${(i % 300) + 1}號`,
      contactName: '陳小華',
      contactEmail: `contact${i}@example.com.tw`,
    };
    const applicant = { ...record };
    const roll = random();
    if (roll >= 0.7 && roll < 0.85) {
      applicant.companyName = applicant.companyName!.replace('臺', '台');
      applicant.facilityAddress = `100 ${applicant.facilityAddress!.replace(/樓之1$/, 'F-1').normalize('NFKC')}`;
      applicant.facilityEmail = applicant.facilityEmail!.toUpperCase();
    } else if (roll >= 0.85) {
      applicant.responsiblePerson = '王小明';
    }
    pairs.push([applicant, record]);
  }
  return pairs;
}

/**
 * CPU seconds (user + system) of this process while `run` runs: "on one
 * core" means per CPU-second, which other load on a shared machine does not
 * inflate as much as wall time.
 */
function timeIt(run: () => number): { seconds: number; passes: number } {
  const start = process.cpuUsage();
  const passes = run();
  const used = process.cpuUsage(start);
  return { seconds: (used.user + used.system) / 1e6, passes };
}

/**
 * The fastest of {@link PASSES} timed passes: a 2-core machine shared with
 * other work makes a single pass noisy; the fastest is the closest to the
 * code's own cost.
 */
function bestOf(run: () => number): { seconds: number; passes: number } {
  let best = timeIt(run);
  for (let i = 1; i < PASSES; i++) {
    const t = timeIt(run);
    if (t.seconds < best.seconds) best = t;
  }
  return best;
}

/**
 * Comparisons per second of {@link compareWithEms} over 100k pairs, for
 * each policy, against a plain `===` loop over the compared fields of the
 * same pairs in the same run.
 */
export async function benchEms(): Promise<BenchResult[]> {
  const pairs = makePairs();
  const comparedKeys = DEFAULT_FIELDS.filter((f) => f.compared).map((f) => f.key);

  const baselineRun = (): number => {
    let passes = 0;
    for (const [a, r] of pairs) {
      let ok = true;
      for (const k of comparedKeys) {
        if (a[k] !== r[k]) {
          ok = false;
          break;
        }
      }
      if (ok) passes++;
    }
    return passes;
  };
  const comparatorRun = (policy: ComparisonPolicy) => (): number => {
    let passes = 0;
    for (const [a, r] of pairs) if (compareWithEms(a, r, { policy }).pass) passes++;
    return passes;
  };

  // Warm the JIT on a slice so the figures measure steady state.
  for (const [a, r] of pairs.slice(0, 5000)) {
    compareWithEms(a, r, { policy: 'strict' });
    compareWithEms(a, r, { policy: 'normalized' });
  }
  baselineRun();

  const baseline = bestOf(baselineRun);
  const baselineRate = PAIRS / baseline.seconds;
  const results: BenchResult[] = [
    {
      name: 'ems.compare.baseline-strict-equal',
      value: Math.round(baselineRate),
      unit: 'comparisons/s',
      note: `plain === over the ${comparedKeys.length} compared fields of ${PAIRS} pairs; ${baseline.passes} pass`,
    },
  ];
  for (const policy of ['strict', 'normalized'] as const) {
    const t = bestOf(comparatorRun(policy));
    const rate = PAIRS / t.seconds;
    results.push({
      name: `ems.compare.${policy}`,
      value: Math.round(rate),
      unit: 'comparisons/s',
      baseline: 'ems.compare.baseline-strict-equal',
      baselineValue: Math.round(baselineRate),
      ratio: Number((rate / baselineRate).toFixed(4)),
      goal: { on: 'value', op: '>=', bound: 200_000, text: '≥ 200k pairs/s on one core' },
      note: `${PAIRS} pairs (70% identical, 15% formatting-only, 15% real difference), input checks, reasons and spans included; ${t.passes} pass`,
    });
  }
  return Promise.resolve(results);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const r of await benchEms()) process.stdout.write(`${JSON.stringify(r)}\n`);
}
