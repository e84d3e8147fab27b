/** What a figure must reach: its ratio (or its value) at most or at least a bound. */
export interface BenchGoal {
  /** Which number the goal is about. */
  readonly on: 'ratio' | 'value';
  /** `<=`: lower is better (time, overhead); `>=`: higher is better (throughput). */
  readonly op: '<=' | '>=';
  /** The bound. */
  readonly bound: number;
  /** The goal as the issue states it, for people. */
  readonly text: string;
}

/** One line of `npm run bench`. Ratios compare against a baseline measured in the same run. */
export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  /** The baseline, for people (what it is and its figure). */
  baseline?: string;
  /** The baseline's own figure, in `unit`, when it has one. */
  baselineValue?: number;
  ratio?: number;
  note?: string;
  goal?: BenchGoal;
}

/** A result with its goal judged; what `--json` writes. */
export interface JudgedResult extends BenchResult {
  /** Whether the goal is met; `undefined` when there is no goal or the figure was not measured. */
  met: boolean | undefined;
}

/** Judges `r` against its goal. */
export function judge(r: BenchResult): JudgedResult {
  const goal = r.goal;
  if (goal === undefined) return { ...r, met: undefined };
  const x = goal.on === 'ratio' ? r.ratio : r.value;
  if (x === undefined || Number.isNaN(x)) return { ...r, met: undefined };
  return { ...r, met: goal.op === '<=' ? x <= goal.bound : x >= goal.bound };
}

/**
 * Quick mode (`TWPKI_BENCH_QUICK=1`): every suite runs few iterations, to
 * check that the bench works end to end (the figures are then not meant to be
 * compared).
 */
export function quick(): boolean {
  return process.env['TWPKI_BENCH_QUICK'] === '1';
}

/** `full` normally, `small` in quick mode. */
export function iterations(full: number, small: number): number {
  return quick() ? small : full;
}

/** Median of a non-empty list of numbers. */
export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** The `p`-th percentile (0–100, nearest rank) of a non-empty list. */
export function percentile(values: readonly number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  const rank = Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1));
  return s[rank]!;
}

/** Times `fn` `n` times (after `warmup` runs) and returns each duration in ms. */
export async function sample(n: number, fn: () => unknown, warmup = 3): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await fn();
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = process.hrtime.bigint();
    await fn();
    out.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return out;
}
