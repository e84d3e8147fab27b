import { PassThrough } from 'node:stream';
import { SignatureVerificationError } from '../../../../src/cert/index.js';
import type { CliCommand } from '../../../../src/cli/command.js';

/** The typed verification error `p` rejects with; anything else (or success) fails the test. */
export async function failure(p: Promise<unknown>): Promise<SignatureVerificationError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof SignatureVerificationError) return err;
    throw err;
  }
  throw new Error('expected a SignatureVerificationError');
}

/** `step:code` of the verification error `fn` throws synchronously (a builder), or undefined. */
export function configCode(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof SignatureVerificationError) return `${err.step}:${err.code}`;
    throw err;
  }
  return undefined;
}

/** Runs one CLI command in-process with captured output. */
export async function runCommand(command: CliCommand, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = new PassThrough();
  const err = new PassThrough();
  const o: Buffer[] = [];
  const e: Buffer[] = [];
  out.on('data', (c: Buffer) => o.push(c));
  err.on('data', (c: Buffer) => e.push(c));
  const code = await command.run(args, { stdout: out, stderr: err, stdin: new PassThrough(), env: {} });
  return { code, stdout: Buffer.concat(o).toString(), stderr: Buffer.concat(e).toString() };
}
