/**
 * A pcscd that accepts connections and never answers (hung, stopped with SIGSTOP, overloaded). The native binding
 * opens a context synchronously, and pcsc-lite waits for pcscd's answer to its first message with no time limit:
 * before the service probe, `PcscContext.establish` froze the whole process (no timer, no HTTP answer from the
 * agent) for as long as pcscd stayed silent. Each case runs in a child process pointed at a stand-in pcscd here
 * (pcsc-lite reads `PCSCLITE_CSOCK_NAME` once per process); a child that froze is killed and reported.
 */
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChildOutcome } from '../support/hang-guard.js';

const CHILD = fileURLToPath(new URL('./fixtures/silent-pcscd.ts', import.meta.url));
const SILENT = join(tmpdir(), `twpki-silent-pcscd-${process.pid}.comm`);
const MISSING = join(tmpdir(), `twpki-no-pcscd-${process.pid}.comm`);

let server: Server;
const held = new Set<Socket>();
/** Bytes each connection to the stand-in sent, in order. */
const received: Buffer[] = [];

beforeAll(async () => {
  rmSync(SILENT, { force: true });
  server = createServer((socket) => {
    held.add(socket);
    let bytes = Buffer.alloc(0);
    received.push(bytes);
    const index = received.length - 1;
    socket.on('data', (chunk: Buffer) => {
      bytes = Buffer.concat([bytes, chunk]);
      received[index] = bytes;
    });
    socket.on('error', () => undefined);
    socket.on('close', () => held.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(SILENT, resolve));
});

afterAll(async () => {
  for (const s of held) s.destroy();
  await new Promise((resolve) => server.close(resolve));
  rmSync(SILENT, { force: true });
});

/** Runs the fixture in `mode` against `socket`; killed after `killAfterMs`. */
async function child(mode: string, socket: string, killAfterMs: number, timeoutMs = 500): Promise<ChildOutcome> {
  const proc = spawn(process.execPath, ['--import', 'tsx', CHILD, mode, String(timeoutMs)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PCSCLITE_CSOCK_NAME: socket },
  });
  let out = '';
  let err = '';
  proc.stdout.on('data', (c: Buffer) => (out += c.toString()));
  proc.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const timer = setTimeout(() => proc.kill('SIGKILL'), killAfterMs);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => proc.on('exit', (c, s) => resolve([c, s])));
  clearTimeout(timer);
  const outcome: ChildOutcome = { code, out: out.trim(), err: err.slice(-2000) };
  if (signal !== null) outcome.signal = signal;
  return outcome;
}

interface Report {
  code?: string;
  message?: string;
  exit?: number;
  stderr?: string;
  ms: number;
  ticks: number;
}

function report(outcome: ChildOutcome): Report {
  expect(outcome, 'the child froze or failed').toMatchObject({ code: 0 });
  return JSON.parse(outcome.out) as Report;
}

describe('a pcscd that accepts and never answers', () => {
  it('establish fails with SERVICE_UNRESPONSIVE within the probe timeout, the event loop running meanwhile', { timeout: 30_000 }, async () => {
    const before = received.length;
    const r = report(await child('establish', SILENT, 15_000, 500));
    expect(r.code).toBe('SERVICE_UNRESPONSIVE');
    expect(r.message).toContain(SILENT);
    expect(r.message).toMatch(/did not answer within 500 ms.*[Rr]estart/);
    // The timeout, plus the child's start-up of the binding; far below any wait of pcsc-lite's.
    expect(r.ms).toBeGreaterThanOrEqual(450);
    expect(r.ms).toBeLessThan(3_000);
    // A 20 ms timer over at least 450 ms: it fired while the probe waited (a blocked thread fires none).
    expect(r.ticks).toBeGreaterThanOrEqual(10);
    // The probe's one request: an 8-byte header (body size 0, command 0x12, pcscd's "readers' state"), in the
    // host's byte order; the binding was never called (it would have sent a 20-byte version message).
    const sent = received.slice(before);
    expect(sent).toHaveLength(1);
    const header = Buffer.alloc(8);
    header.writeUInt32LE(0, 0);
    header.writeUInt32LE(0x12, 4);
    expect(sent[0]).toEqual(header);
  });

  it('without the probe (serviceProbe: false) the binding freezes the process: what the probe is there for', { timeout: 30_000 }, async () => {
    const before = received.length;
    const outcome = await child('no-probe', SILENT, 4_000);
    expect(outcome.signal).toBe('SIGKILL');
    expect(outcome.out).toBe('');
    // pcsc-lite's first message reached the stand-in: a version message (header + major, minor, rv), unanswered.
    const sent = received.slice(before);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.length).toBe(20);
    expect(sent[0]?.readUInt32LE(4)).toBe(0x11);
  });

  it("the agent's card slots fail to open with the same error", { timeout: 30_000 }, async () => {
    const r = report(await child('agent-slots', SILENT, 15_000, 500));
    expect(r.code).toBe('SERVICE_UNRESPONSIVE');
    expect(r.ticks).toBeGreaterThanOrEqual(10);
  });

  it('`twpki readers` exits 4 (PC/SC not reached), naming the code and what to do', { timeout: 30_000 }, async () => {
    const r = report(await child('cli-readers', SILENT, 20_000));
    expect(r.exit).toBe(4);
    expect(r.stderr).toMatch(/SERVICE_UNRESPONSIVE/);
    expect(r.stderr).toMatch(/[Rr]estart/);
    // The CLI's default probe timeout (3 s), not pcsc-lite's unlimited wait.
    expect(r.ms).toBeLessThan(8_000);
  });
});

describe('no socket at all: the binding says so itself, at once, as before', () => {
  it('establish fails with SERVICE_UNAVAILABLE, with or without the probe', { timeout: 30_000 }, async () => {
    rmSync(MISSING, { force: true });
    for (const mode of ['establish', 'no-probe']) {
      const r = report(await child(mode, MISSING, 15_000));
      expect(r.code).toBe('SERVICE_UNAVAILABLE');
      expect(r.ms).toBeLessThan(2_000);
    }
  });
});
