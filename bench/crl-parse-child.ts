// Parses one CRL file and reports time and peak RSS as JSON on stdout. Run by
// bench/revocation.ts in its own process, so the peak is this parse's own;
// with `--no-parse` it only loads the code and reads the file (the baseline
// the parse's growth is measured from).
import { existsSync, readFileSync } from 'node:fs';
import { CertificateRevocationList } from '../src/cert/advanced.js';

const file = process.argv[2];
if (file === undefined) throw new Error('usage: crl-parse-child <file.crl> [--no-parse]');
const der = new Uint8Array(readFileSync(file));
let ms = 0;
let entries = 0;
if (!process.argv.includes('--no-parse')) {
  const start = process.hrtime.bigint();
  entries = CertificateRevocationList.parse(der).size;
  ms = Number(process.hrtime.bigint() - start) / 1e6;
}
process.stdout.write(`${JSON.stringify({ ms, entries, peakRssBytes: ownPeakRssBytes() })}\n`);

/**
 * This process's own peak RSS. Not `resourceUsage().maxRSS`: on Linux a
 * spawned child's maxrss starts at its parent's RSS when it was forked (the
 * kernel carries the pre-exec peak over), and the bench process is large by
 * the time this runs, so every child, parse or not, reported the parent's
 * size and the parse's growth came out near zero. `VmHWM` is the peak of
 * this process image alone.
 */
function ownPeakRssBytes(): number {
  const status = '/proc/self/status';
  const hwm = existsSync(status) ? /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(status, 'utf8')) : null;
  return hwm === null ? process.resourceUsage().maxRSS * 1024 : Number(hwm[1]) * 1024;
}
