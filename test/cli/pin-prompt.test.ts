/**
 * The CLI's PIN prompt (src/cli/pin-prompt.ts) with injected streams:
 * - every chunk read from the terminal is zeroed, also the one that ends the entry (a pasted PIN with its Enter);
 * - `--pin-stdin` at a terminal prompts in raw mode (no echo) instead of reading a cooked, echoed line.
 * The same through a real pseudo-terminal is in pin-prompt-pty.test.ts.
 */
import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { UsageError, type CliIo } from '../../src/cli/command.js';
import { readPin } from '../../src/cli/pin-prompt.js';

interface FakeTerminal {
  stream: Readable;
  /** The raw-mode switches, in order. */
  raw: boolean[];
}

/** A stdin that says it is a terminal and hands out `chunks` as they are (the test keeps them to inspect). */
function terminal(chunks: Buffer[], options: { rawMode?: boolean } = {}): FakeTerminal {
  const raw: boolean[] = [];
  const stream = Readable.from(chunks, { objectMode: false }) as Readable & { isTTY: boolean; setRawMode?: (r: boolean) => void };
  stream.isTTY = true;
  if (options.rawMode !== false) stream.setRawMode = (r: boolean) => void raw.push(r);
  return { stream, raw };
}

function io(stdin: Readable): { io: CliIo; err: () => string; out: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let err = '';
  let out = '';
  stderr.on('data', (c: Buffer) => (err += String(c)));
  stdout.on('data', (c: Buffer) => (out += String(c)));
  return { io: { stdin, stdout, stderr, env: {} }, err: () => err, out: () => out };
}

const zeroed = (b: Buffer): boolean => b.every((x) => x === 0);

describe('the terminal prompt zeroes every chunk it reads', () => {
  it('a PIN pasted with its Enter in one chunk: that chunk is zeroed once read', async () => {
    const chunk = Buffer.from('48151623\r');
    const pin = await readPin(io(terminal([chunk]).stream).io, false);
    expect(pin.toString()).toBe('48151623');
    pin.fill(0);
    expect(zeroed(chunk)).toBe(true);
  });

  it('the PIN split over chunks, the last one carrying Enter and more: all zeroed', async () => {
    const chunks = [Buffer.from('4815'), Buffer.from('1623\rtrailing')];
    const pin = await readPin(io(terminal(chunks).stream).io, false);
    expect(pin.toString()).toBe('48151623');
    expect(chunks.map(zeroed)).toEqual([true, true]);
  });

  it('Ctrl-C inside a pasted chunk cancels (a UsageError) and still zeroes the chunk', async () => {
    const chunk = Buffer.from('4815\x031623');
    const t = terminal([chunk]);
    await expect(readPin(io(t.stream).io, false)).rejects.toThrow(new UsageError('PIN entry cancelled'));
    expect(zeroed(chunk)).toBe(true);
    expect(t.raw).toEqual([true, false]);
  });
});

describe('the terminal prompt and a long entry', () => {
  it('refuses more than 16 characters instead of cutting them (a cut PIN is a wrong one), zeroing what was read', async () => {
    const chunk = Buffer.from(`${'1'.repeat(16)}7\r`);
    await expect(readPin(io(terminal([chunk]).stream).io, false)).rejects.toThrow(/longer than 16 characters/);
    expect(zeroed(chunk)).toBe(true);
  });

  it('counts backspaces against what ran over: typed past 16 and taken back, the entry is the 16', async () => {
    const pin = await readPin(io(terminal([Buffer.from(`${'2'.repeat(16)}99\x7f\x7f\r`)]).stream).io, false);
    expect(pin.toString()).toBe('2'.repeat(16));
  });
});

describe('--pin-stdin', () => {
  it('at a terminal prompts in raw mode (no echo) and never writes the PIN', async () => {
    const chunks = [...'48151623'].map((c) => Buffer.from(c)).concat(Buffer.from('\r'));
    const t = terminal(chunks);
    const run = io(t.stream);
    const pin = await readPin(run.io, true);
    expect(pin.toString()).toBe('48151623');
    expect(t.raw).toEqual([true, false]); // echo off for the entry, restored after
    expect(run.err()).toBe('PIN: \n');
    expect(run.out()).toBe('');
    expect(chunks.every(zeroed)).toBe(true);
  });

  it('at a terminal that cannot switch echo off is a UsageError saying to pipe the PIN', async () => {
    const t = terminal([Buffer.from('48151623\n')], { rawMode: false });
    const run = io(t.stream);
    const error = await readPin(run.io, true).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toMatch(/^--pin-stdin: .*pipe the PIN/);
    expect(run.err() + run.out()).not.toContain('48151623');
  });

  it('from a pipe reads the first line, with no prompt', async () => {
    const stdin = new PassThrough();
    stdin.end('48151623\r\nrest\n');
    const run = io(stdin);
    const pin = await readPin(run.io, true);
    expect(pin.toString()).toBe('48151623');
    expect(run.err()).toBe('');
  });

  it('without the flag and without a terminal is a UsageError pointing to --pin-stdin', async () => {
    const stdin = new PassThrough();
    stdin.end('48151623\n');
    await expect(readPin(io(stdin).io, false)).rejects.toThrow(/no terminal to prompt for the PIN: pass --pin-stdin/);
  });
});
