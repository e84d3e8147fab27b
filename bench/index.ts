import { benchCertLogin } from './cert-login.js';
import { benchCertProfile } from './cert-profile.js';
import { benchEms } from './ems.js';
import { benchHicos } from './hicos.js';
import { benchTransport } from './transport.js';
import type { BenchResult } from './result.js';

type Suite = [name: string, run: () => Promise<BenchResult[]>];

const suites: Suite[] = [
  ['transport (twpki/pcsc)', benchTransport],
  ['HiCOS card layer (twpki/apdu)', benchHicos],
  ['certificate profiles (twpki/cert)', benchCertProfile],
  ['backend login verification (twpki/cert)', benchCertLogin],
  ['EMS comparison (twpki/ems)', benchEms],
];

function format(r: BenchResult): string {
  const value = Number.isNaN(r.value) ? '—' : `${r.value.toFixed(r.value < 10 ? 3 : 1)} ${r.unit}`;
  const ratio = r.ratio === undefined ? '' : `  ratio ${r.ratio.toFixed(2)}×`;
  const base = r.baseline ? `  vs ${r.baseline}` : '';
  const note = r.note ? `  (${r.note})` : '';
  return `  ${r.name.padEnd(56)} ${value.padStart(16)}${ratio}${base}${note}`;
}

const json = process.argv.includes('--json');
const only = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const all: BenchResult[] = [];
for (const [name, run] of suites) {
  if (only.length > 0 && !only.some((o) => name.toLowerCase().includes(o.toLowerCase()))) continue;
  const results = await run();
  all.push(...results);
  if (!json) {
    process.stdout.write(`# ${name}\n`);
    for (const r of results) process.stdout.write(`${format(r)}\n`);
  }
}
if (json) process.stdout.write(`${JSON.stringify(all, null, 2)}\n`);
