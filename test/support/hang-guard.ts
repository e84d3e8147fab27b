import { spawn } from 'node:child_process';

/** How a child process ended: its exit code (null when killed), trimmed stdout and the tail of stderr. */
export interface ChildOutcome {
  code: number | null;
  out: string;
  err: string;
  /** The signal that ended it, when one did (a crash, or the kill after `killAfterMs`). */
  signal?: NodeJS.Signals;
}

/**
 * Runs a TypeScript fixture in its own Node process (through tsx) and kills it
 * after `killAfterMs`. For tests whose failure mode is a hang of the whole
 * process (a native join, a deadlock with pcscd): the hang becomes a failed
 * assertion with the child's output instead of a stuck test worker.
 */
export async function runFixture(script: string, args: string[], killAfterMs: number): Promise<ChildOutcome> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    child.on('exit', (c, s) => resolve([c, s])),
  );
  clearTimeout(timer);
  const outcome: ChildOutcome = { code, out: out.trim(), err: err.slice(-2000) };
  if (signal !== null) outcome.signal = signal;
  return outcome;
}
