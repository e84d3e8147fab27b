// Parses one CRL file and reports time and peak RSS as JSON on stdout. Run by
// bench/revocation.ts in its own process, so the peak is this parse's own;
// with `--no-parse` it only loads the code and reads the file (the baseline
// the parse's growth is measured from).
import { readFileSync } from 'node:fs';
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
process.stdout.write(`${JSON.stringify({ ms, entries, peakRssBytes: process.resourceUsage().maxRSS * 1024 })}\n`);
