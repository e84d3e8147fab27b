import { spawn, type ChildProcess } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { main } from '../../src/cli/main.js';

/** Output of an in-process CLI run. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `twpki <args>` in-process with captured streams and optional stdin text. */
export async function runCli(args: string[], stdin = '', env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  const out = new PassThrough();
  const err = new PassThrough();
  const input = new PassThrough();
  const o: Buffer[] = [];
  const e: Buffer[] = [];
  out.on('data', (c: Buffer) => o.push(c));
  err.on('data', (c: Buffer) => e.push(c));
  input.end(stdin);
  const code = await main(args, { stdout: out, stderr: err, stdin: input, env });
  return { code, stdout: Buffer.concat(o).toString(), stderr: Buffer.concat(e).toString() };
}

const ROOT = new URL('../..', import.meta.url).pathname;

/** Starts `twpki <args>` from source as a child process (for long-running commands). */
export function spawnCli(args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  const script = `import { main } from './src/cli/main.ts'; process.exitCode = await main(${JSON.stringify(args)});`;
  return spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
}

/** Collects a child's stdout until `predicate` accepts it (or the timeout). */
export function waitForOutput(child: ChildProcess, predicate: (text: string) => boolean, timeoutMs = 30_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    let errText = '';
    const timer = setTimeout(() => reject(new Error(`timed out; stdout: ${text} stderr: ${errText}`)), timeoutMs);
    child.stderr?.on('data', (c: Buffer) => (errText += c.toString()));
    child.stdout?.on('data', (c: Buffer) => {
      text += c.toString();
      if (predicate(text)) {
        clearTimeout(timer);
        resolve(text);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (!predicate(text)) reject(new Error(`exited with ${code}; stdout: ${text} stderr: ${errText}`));
    });
  });
}
