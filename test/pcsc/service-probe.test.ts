/**
 * The check that pcscd answers before the binding's synchronous calls (src/pcsc/service-probe.ts): where it looks
 * on each platform, what it sends, and how each kind of socket ends it. Stand-in sockets only; the real pcscd is in
 * service-probe.pcsc.test.ts, the binding against a silent one in silent-pcscd.test.ts.
 */
import { rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PcscError } from '../../src/pcsc/errors.js';
import { probePcscService, serviceProbeTarget } from '../../src/pcsc/service-probe.js';
import { PcscServiceGate, ServiceGuard } from '../../src/pcsc/service-gate.js';
import { RetCode, pkcs11Info, type CardSlots } from '../../src/agent/index.js';
import { PcscServiceHealth, pcscServiceGone } from '../../src/agent/pcsc-service.js';

describe('where the probe looks', () => {
  it('on Linux: PCSCLITE_CSOCK_NAME as pcsc-lite reads it, else /run/pcscd/pcscd.comm; 3 s by default', () => {
    expect(serviceProbeTarget(undefined, 'linux', {})).toEqual({ socketPath: '/run/pcscd/pcscd.comm', timeoutMs: 3_000 });
    expect(serviceProbeTarget({}, 'linux', { PCSCLITE_CSOCK_NAME: '/tmp/relay.comm' })).toEqual({ socketPath: '/tmp/relay.comm', timeoutMs: 3_000 });
    expect(serviceProbeTarget({ timeoutMs: 250 }, 'linux', {})).toEqual({ socketPath: '/run/pcscd/pcscd.comm', timeoutMs: 250 });
    // Set but empty: pcsc-lite uses it (and fails at once); nothing to probe.
    expect(serviceProbeTarget({}, 'linux', { PCSCLITE_CSOCK_NAME: '' })).toBeUndefined();
  });

  it('elsewhere (no pcscd socket, or none known): no probe, unless a socket is given', () => {
    for (const platform of ['darwin', 'win32', 'freebsd'] as const) {
      expect(serviceProbeTarget(undefined, platform, { PCSCLITE_CSOCK_NAME: '/tmp/x.comm' })).toBeUndefined();
      expect(serviceProbeTarget({ socketPath: '/var/run/pcscd/pcscd.comm' }, platform, {})).toEqual({ socketPath: '/var/run/pcscd/pcscd.comm', timeoutMs: 3_000 });
    }
  });

  it("reads the process's PCSCLITE_CSOCK_NAME once, as pcsc-lite does: a later change moves neither", async () => {
    // A fresh copy of the module: this process may have asked for a target already.
    vi.resetModules();
    const fresh = await import('../../src/pcsc/service-probe.js');
    const before = process.env.PCSCLITE_CSOCK_NAME;
    try {
      process.env.PCSCLITE_CSOCK_NAME = '/tmp/first.comm';
      // Read at the first target, even one that probes nothing (a first context with serviceProbe: false).
      expect(fresh.serviceProbeTarget(false, 'linux')).toBeUndefined();
      process.env.PCSCLITE_CSOCK_NAME = '/tmp/second.comm';
      expect(fresh.serviceProbeTarget({}, 'linux')?.socketPath).toBe('/tmp/first.comm');
      delete process.env.PCSCLITE_CSOCK_NAME;
      expect(fresh.serviceProbeTarget({}, 'linux')?.socketPath).toBe('/tmp/first.comm');
      // An environment passed in is read as given.
      expect(fresh.serviceProbeTarget({}, 'linux', { PCSCLITE_CSOCK_NAME: '/tmp/given.comm' })?.socketPath).toBe('/tmp/given.comm');
    } finally {
      if (before === undefined) delete process.env.PCSCLITE_CSOCK_NAME;
      else process.env.PCSCLITE_CSOCK_NAME = before;
    }
  });

  it('false: no probe, on Linux too; a given socket wins over the variable', () => {
    expect(serviceProbeTarget(false, 'linux', {})).toBeUndefined();
    expect(serviceProbeTarget({ socketPath: '/a.comm' }, 'linux', { PCSCLITE_CSOCK_NAME: '/b.comm' })?.socketPath).toBe('/a.comm');
  });

  it('refuses a setting that cannot work, naming it', () => {
    for (const timeoutMs of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => serviceProbeTarget({ timeoutMs }, 'linux', {})).toThrow(RangeError);
      expect(() => serviceProbeTarget({ timeoutMs }, 'linux', {})).toThrow(/^serviceProbe\.timeoutMs must be/);
    }
    expect(() => serviceProbeTarget({ socketPath: '' }, 'linux', {})).toThrow(/^serviceProbe\.socketPath must be a non-empty string/);
    expect(() => serviceProbeTarget({ socketPath: 7 as unknown as string }, 'linux', {})).toThrow(TypeError);
  });
});

describe('what the probe makes of a socket', () => {
  const path = join(tmpdir(), `twpki-probe-${process.pid}.comm`);
  let server: Server | undefined;
  const open = new Set<Socket>();

  afterEach(async () => {
    for (const s of open) s.destroy();
    open.clear();
    if (server) await new Promise((resolve) => server?.close(resolve));
    server = undefined;
    rmSync(path, { force: true });
  });

  /** A stand-in pcscd that does `onData` with each connection's bytes. */
  async function standIn(onData: (socket: Socket, bytes: Buffer) => void, onConnect?: (socket: Socket) => void): Promise<void> {
    rmSync(path, { force: true });
    server = createServer((socket) => {
      open.add(socket);
      socket.on('error', () => undefined);
      socket.on('data', (bytes: Buffer) => onData(socket, bytes));
      onConnect?.(socket);
    });
    await new Promise<void>((resolve) => server?.listen(path, resolve));
  }

  it('answered: pcscd wrote back to its readers-state request (8 bytes, native byte order)', async () => {
    const seen: Buffer[] = [];
    await standIn((socket, bytes) => {
      seen.push(bytes);
      socket.write(Buffer.alloc(64));
    });
    expect(await probePcscService({ socketPath: path, timeoutMs: 1_000 })).toBe('answered');
    const expected = Buffer.alloc(8);
    expected.writeUInt32LE(0x12, 4);
    expect(Buffer.concat(seen)).toEqual(expected);
  });

  it('silent: accepted and no answer, after the timeout, the event loop free meanwhile', async () => {
    await standIn(() => undefined);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 10);
    const started = performance.now();
    const outcome = await probePcscService({ socketPath: path, timeoutMs: 300 });
    clearInterval(timer);
    expect(outcome).toBe('silent');
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    expect(ticks).toBeGreaterThanOrEqual(10);
    // The probe let go of its connection.
    await new Promise((r) => setTimeout(r, 50));
    expect(open.size === 0 || [...open].every((s) => s.destroyed || s.readableEnded)).toBe(true);
  });

  it('unreachable: no socket, or closed without a word (the binding fails at once then)', async () => {
    rmSync(path, { force: true });
    expect(await probePcscService({ socketPath: path, timeoutMs: 1_000 })).toBe('unreachable');
    await standIn(() => undefined, (socket) => socket.end());
    expect(await probePcscService({ socketPath: path, timeoutMs: 1_000 })).toBe('unreachable');
  });

  it('the check before a new context: SERVICE_UNRESPONSIVE only for silence; nothing to do without a target', async () => {
    const beforeContext = (target?: { socketPath: string; timeoutMs: number }): Promise<void> =>
      new ServiceGuard(new PcscServiceGate(), target).beforeContext();
    await standIn(() => undefined);
    const error = await beforeContext({ socketPath: path, timeoutMs: 100 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PcscError);
    expect(error).toMatchObject({ code: 'SERVICE_UNRESPONSIVE' });
    expect((error as Error).message).toMatch(/restart/i);
    await expect(beforeContext(undefined)).resolves.toBeUndefined();
    rmSync(path, { force: true });
    await expect(beforeContext({ socketPath: path, timeoutMs: 100 })).resolves.toBeUndefined();
  });
});

describe('the agent takes an unresponsive pcscd as pcscd down', () => {
  const unresponsive = (): PcscError => new PcscError('SERVICE_UNRESPONSIVE', 'pcscd did not answer');

  it('pcscServiceGone says so', () => {
    expect(pcscServiceGone(unresponsive())).toBe(true);
    expect(pcscServiceGone(new PcscError('SERVICE_UNAVAILABLE', 'gone'))).toBe(true);
    expect(pcscServiceGone(new PcscError('NO_CARD', 'no card'))).toBe(false);
  });

  it('/pkcs11info answers 0x76100003 (no reader) when opening the card finds pcscd silent', async () => {
    const slots: CardSlots = {
      list: async () => [{ slotID: 0, description: 'Virtual PCD 00 00', cardPresent: true, presence: '0.0.3b' }],
      withCard: () => Promise.reject(unresponsive()),
      close: () => Promise.resolve(),
    };
    const info = await pkcs11Info(slots, false);
    expect(info).toMatchObject({ ret_code: RetCode.NO_READER, slots: [] });
  });

  it("the health check's probe through establish counts a silent pcscd as not available", async () => {
    const path = join(tmpdir(), `twpki-health-${process.pid}.comm`);
    rmSync(path, { force: true });
    const held = new Set<Socket>();
    const server = createServer((s) => void held.add(s.on('error', () => undefined)));
    await new Promise<void>((resolve) => server.listen(path, resolve));
    try {
      const health = new PcscServiceHealth({ serviceProbe: { socketPath: path, timeoutMs: 200 } });
      health.markGone();
      expect(await health.available()).toBe(false);
    } finally {
      for (const s of held) s.destroy();
      await new Promise((resolve) => server.close(resolve));
      rmSync(path, { force: true });
    }
  });
});
