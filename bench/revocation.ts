import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CertificateRevocationList } from '../src/cert/advanced.js';
import { createTestPki } from '../src/testing/pki/index.js';
import { buildCrl, type TestCrlEntry } from '../src/testing/revocation/index.js';
import { iterations, median, type BenchResult } from './result.js';

const CHILD = fileURLToPath(new URL('./crl-parse-child.ts', import.meta.url));
const REASONS = ['keyCompromise', 'superseded', 'cessationOfOperation', 'affiliationChanged'] as const;

/** MOICA-like entries: 16-byte random serials, dated over three years, a quarter with a reason code. */
function entries(count: number): TestCrlEntry[] {
  const out: TestCrlEntry[] = [];
  const start = Date.parse('2023-01-01T00:00:00Z');
  for (let i = 0; i < count; i++) {
    const serialHex = randomBytes(16).toString('hex').replace(/^[89a-f]/, '4');
    const revokedAt = new Date(start + ((i * 7919) % (3 * 365 * 86_400)) * 1000);
    out.push(i % 4 === 0 ? { serialHex, revokedAt, reason: REASONS[(i >> 2) % REASONS.length] } : { serialHex, revokedAt });
  }
  return out;
}

interface ChildReport {
  ms: number;
  entries: number;
  peakRssBytes: number;
}

function runChild(file: string, parse: boolean): ChildReport {
  const out = execFileSync(process.execPath, ['--import', 'tsx', CHILD, file, ...(parse ? [] : ['--no-parse'])], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  return JSON.parse(out.trim().split('\n').pop() ?? '{}') as ChildReport;
}

/** `openssl crl -noout` on the file: wall time and peak RSS (GNU time), or undefined without openssl or time. */
function runOpenssl(file: string): { ms: number; peakRssBytes: number } | undefined {
  const start = process.hrtime.bigint();
  const res = spawnSync('/usr/bin/time', ['-f', '%M', 'openssl', 'crl', '-inform', 'DER', '-noout', '-in', file], { encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (res.error !== undefined || res.status !== 0) return undefined;
  const kb = Number(res.stderr.trim().split('\n').pop());
  return Number.isFinite(kb) ? { ms, peakRssBytes: kb * 1024 } : undefined;
}

/** Mean nanoseconds per lookup over `serials` (each looked up `rounds` times). */
function lookupNs(crl: CertificateRevocationList, serials: readonly string[], rounds: number): number {
  for (const s of serials) crl.lookup(s);
  const start = process.hrtime.bigint();
  let found = 0;
  for (let r = 0; r < rounds; r++) for (const s of serials) if (crl.lookup(s) !== undefined) found++;
  const ns = Number(process.hrtime.bigint() - start) / (rounds * serials.length);
  if (found === 0) throw new Error('lookup bench must hit some entries');
  return ns;
}

/**
 * A MOICA-scale CRL (400k entries): parse time and peak memory against
 * `openssl crl -noout` on the same file, each in its own process, in the same
 * run; and lookup time at 400k entries against 4k entries (O(1) means the
 * ratio stays near 1).
 */
export async function benchRevocation(): Promise<BenchResult[]> {
  const count = iterations(400_000, 20_000);
  const small = Math.max(1, Math.round(count / 100));
  const pki = await createTestPki();
  const ca = pki.issuer('moica');
  const bigEntries = entries(count);
  const big = buildCrl({ issuer: ca, entries: bigEntries });
  const smallEntries = entries(small);
  const smallCrl = buildCrl({ issuer: ca, entries: smallEntries });
  const dir = mkdtempSync(join(tmpdir(), 'twpki-bench-crl-'));
  const results: BenchResult[] = [];
  try {
    const file = join(dir, 'moica-scale.crl');
    writeFileSync(file, big);
    const mb = (big.length / 1024 / 1024).toFixed(1);
    const rounds = iterations(3, 1);
    const ours = Array.from({ length: rounds }, () => runChild(file, true));
    const idle = runChild(file, false);
    const openssl = Array.from({ length: rounds }, () => runOpenssl(file));
    const parseMs = median(ours.map((r) => r.ms));
    const peak = Math.max(...ours.map((r) => r.peakRssBytes));
    const growth = peak - idle.peakRssBytes;
    const os = openssl.every((o) => o !== undefined) ? (openssl as { ms: number; peakRssBytes: number }[]) : undefined;
    const osMs = os === undefined ? undefined : median(os.map((o) => o.ms));
    const osPeak = os === undefined ? undefined : Math.max(...os.map((o) => o.peakRssBytes));
    const missing = 'openssl or /usr/bin/time not found: no baseline';
    results.push({
      name: `revocation: parse a ${count}-entry CRL`,
      value: parseMs,
      unit: 'ms',
      ...(osMs === undefined
        ? { note: missing }
        : {
            baseline: `openssl crl -noout ${osMs.toFixed(0)} ms (process start to exit)`,
            baselineValue: osMs,
            ratio: parseMs / osMs,
            note: `${mb} MB DER; parse only, in a child process; openssl's figure includes its own start-up`,
          }),
    });
    results.push({
      name: `revocation: peak memory parsing a ${count}-entry CRL`,
      value: growth / 1024 / 1024,
      unit: 'MB',
      ...(osPeak === undefined
        ? { note: missing }
        : {
            baseline: `openssl crl -noout peak RSS ${(osPeak / 1024 / 1024).toFixed(1)} MB`,
            baselineValue: osPeak / 1024 / 1024,
            ratio: growth / osPeak,
            note: `peak RSS growth over a Node process that loaded the code and read the file (${(idle.peakRssBytes / 1024 / 1024).toFixed(0)} MB); the ${mb} MB DER itself is kept and indexed`,
          }),
    });

    // Lookups: the same mix (half present, half absent) at both sizes.
    const bigCrl = CertificateRevocationList.parse(big);
    const tiny = CertificateRevocationList.parse(smallCrl);
    const probe = (list: TestCrlEntry[]): string[] => {
      const out: string[] = [];
      for (let i = 0; i < 2000; i++) {
        const e = list[(i * 7) % list.length];
        out.push(i % 2 === 0 && e !== undefined ? e.serialHex.replace(/^(00)+(?=..)/, '') : randomBytes(16).toString('hex'));
      }
      return out;
    };
    const lookupRounds = iterations(50, 5);
    const smallNs = median([0, 1, 2].map(() => lookupNs(tiny, probe(smallEntries), lookupRounds)));
    const bigNs = median([0, 1, 2].map(() => lookupNs(bigCrl, probe(bigEntries), lookupRounds)));
    results.push({
      name: `revocation: lookup in a ${count}-entry CRL`,
      value: bigNs,
      unit: 'ns',
      baseline: `lookup in a ${small}-entry CRL ${smallNs.toFixed(0)} ns`,
      baselineValue: smallNs,
      ratio: bigNs / smallNs,
      goal: { on: 'ratio', op: '<=', bound: 3, text: 'O(1): ≤ 3× the time at 1/100 the size' },
      note: 'half present, half absent serials; a present one is also decoded (date, reason)',
    });
    return results;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
