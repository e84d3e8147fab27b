import { cpus } from 'node:os';
import { writeFileSync, writeSync } from 'node:fs';
import { VPCD_DEFAULT_PORT } from '../src/testing/vpcd/index.js';
import { lockReader } from '../test/support/reader-lock.js';
import { benchCertLogin } from './cert-login.js';
import { benchCertProfile } from './cert-profile.js';
import { benchEms } from './ems.js';
import { benchEnroll } from './enroll.js';
import { benchAgent } from './agent.js';
import { benchHicos } from './hicos.js';
import { benchRevocation } from './revocation.js';
import { benchTransport } from './transport.js';
import { judge, quick, type BenchResult, type JudgedResult } from './result.js';

interface Suite {
  readonly name: string;
  readonly run: () => Promise<BenchResult[]>;
  /** Uses the one virtual pcscd reader: takes the same cross-process lock as the PC/SC tests. */
  readonly reader?: boolean;
}

const suites: Suite[] = [
  { name: 'transport (twpki/pcsc)', run: benchTransport, reader: true },
  { name: 'HiCOS card layer (twpki/apdu)', run: benchHicos },
  { name: 'local agent (twpki/agent)', run: benchAgent },
  { name: 'certificate profiles (twpki/cert)', run: benchCertProfile },
  { name: 'backend login verification (twpki/cert)', run: benchCertLogin },
  { name: 'revocation at MOICA scale (twpki/cert)', run: benchRevocation },
  { name: 'enrollment under load (twpki/enroll)', run: benchEnroll },
  { name: 'EMS comparison (twpki/ems)', run: benchEms },
];

function format(r: JudgedResult): string {
  const value = Number.isNaN(r.value) ? '—' : `${r.value.toFixed(r.value < 10 ? 3 : 1)} ${r.unit}`;
  const ratio = r.ratio === undefined ? '' : `  ratio ${r.ratio.toFixed(2)}×`;
  const base = r.baseline ? `  vs ${r.baseline}` : '';
  const goal = r.goal === undefined ? '' : `  goal ${r.goal.text}: ${r.met === undefined ? 'not measured' : r.met ? 'MET' : 'NOT MET'}`;
  const note = r.note ? `  (${r.note})` : '';
  return `  ${r.name.padEnd(56)} ${value.padStart(16)}${ratio}${base}${goal}${note}`;
}

/** Writes synchronously, so nothing is lost however the process ends. */
function out(text: string): void {
  writeSync(1, text);
}

async function runSuite(suite: Suite): Promise<BenchResult[]> {
  if (!suite.reader) return suite.run();
  const release = await lockReader(VPCD_DEFAULT_PORT, 600_000);
  try {
    return await suite.run();
  } finally {
    release();
  }
}

// `--json` writes the document to stdout (npm prints its own banner there
// first: use `npm run -s bench -- --json`); `--json=FILE` writes it to FILE.
const jsonArg = process.argv.find((a) => a === '--json' || a.startsWith('--json='));
const json = jsonArg !== undefined;
const jsonFile = jsonArg?.startsWith('--json=') === true ? jsonArg.slice('--json='.length) : undefined;
const only = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const startedAt = new Date();
const report: { name: string; results: JudgedResult[] }[] = [];
for (const suite of suites) {
  if (only.length > 0 && !only.some((o) => suite.name.toLowerCase().includes(o.toLowerCase()))) continue;
  const results = (await runSuite(suite)).map(judge);
  report.push({ name: suite.name, results });
  if (!json) {
    out(`# ${suite.name}\n`);
    for (const r of results) out(`${format(r)}\n`);
  }
}

const goals = report.flatMap((s) => s.results).filter((r) => r.goal !== undefined);
const summary = {
  goals: goals.length,
  met: goals.filter((r) => r.met === true).length,
  notMet: goals.filter((r) => r.met === false).map((r) => r.name),
  notMeasured: goals.filter((r) => r.met === undefined).map((r) => r.name),
};
if (json) {
  const document = {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    node: process.version,
    cpus: cpus().length,
    quick: quick(),
    suites: report,
    summary,
  };
  const text = `${JSON.stringify(document, null, 2)}\n`;
  if (jsonFile === undefined || jsonFile === '') out(text);
  else {
    writeFileSync(jsonFile, text);
    out(`wrote ${jsonFile}: ${summary.met}/${summary.goals} goals met\n`);
  }
} else {
  out(`# goals: ${summary.met}/${summary.goals} met`);
  if (summary.notMet.length > 0) out(`; not met: ${summary.notMet.join(', ')}`);
  if (summary.notMeasured.length > 0) out(`; not measured: ${summary.notMeasured.join(', ')}`);
  out('\n');
}
