import { benchTransport } from './transport.js';
import type { BenchResult } from './result.js';

type Suite = [name: string, run: () => Promise<BenchResult[]>];

const suites: Suite[] = [['transport', benchTransport]];

function format(r: BenchResult): string {
  const value = Number.isNaN(r.value) ? '—' : `${r.value.toFixed(r.value < 10 ? 3 : 1)} ${r.unit}`;
  const ratio = r.ratio === undefined ? '' : `  ratio ${r.ratio.toFixed(2)}×`;
  const base = r.baseline ? `  vs ${r.baseline}` : '';
  const note = r.note ? `  (${r.note})` : '';
  return `${r.name.padEnd(58)} ${value.padStart(14)}${ratio}${base}${note}`;
}

const json = process.argv.includes('--json');
const all: BenchResult[] = [];
for (const [name, run] of suites) {
  const results = await run();
  all.push(...results);
  if (!json) {
    process.stdout.write(`# ${name}\n`);
    for (const r of results) process.stdout.write(`${format(r)}\n`);
  }
}
if (json) process.stdout.write(`${JSON.stringify(all, null, 2)}\n`);
