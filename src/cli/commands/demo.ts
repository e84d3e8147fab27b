import { UsageError, writeJson, writeLines, type CliCommand, type CliIo, parseCommandArgs } from '../command.js';
import { runDemo, type DemoStep } from '../demo/run-demo.js';

function printStep(io: CliIo, index: number, step: DemoStep): void {
  writeLines(io, `${step.ok ? '✓' : '✗'} ${index}. ${step.title}`);
  for (const [key, value] of Object.entries(step.detail)) {
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    const lines = text.split('\n');
    writeLines(io, `     ${key}: ${lines[0] ?? ''}`, ...lines.slice(1).map((l) => `       ${l}`));
  }
}

const USAGE = [
  'twpki demo [--generation 1|2] [--json]',
  '',
  'Starts a virtual MOICA card (in pcscd\'s vpcd reader when pcscd runs, else in-process), reads it,',
  'verifies its PIN, signs a login challenge and verifies it as a backend would, runs the seed\'s EMS',
  'comparison, and takes one company account from application to active.',
].join('\n');

/** `twpki demo`: the SDK end to end on a virtual card. */
export const demoCommand: CliCommand = {
  name: 'demo',
  summary: 'walk the SDK end to end on a virtual card (card, PIN, login, EMS, enrollment)',
  usage: USAGE,
  async run(args, io) {
    const { values } = parseCommandArgs(USAGE, {
      args,
      options: { generation: { type: 'string', default: '2' }, json: { type: 'boolean', default: false } },
    });
    if (values.generation !== '1' && values.generation !== '2') throw new UsageError('--generation must be 1 or 2');
    let n = 0;
    const steps = await runDemo({
      generation: Number(values.generation) as 1 | 2,
      onStep: values.json ? undefined : (step) => printStep(io, ++n, step),
    });
    const ok = steps.every((s) => s.ok);
    if (values.json) writeJson(io, { ok, steps });
    else writeLines(io, '', ok ? 'demo finished: every step passed' : 'demo finished with failures');
    return ok ? 0 : 1;
  },
};
