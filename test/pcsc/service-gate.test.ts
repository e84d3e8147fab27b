/**
 * The gate on native PC/SC calls (src/pcsc/service-gate.ts), with a scripted probe and native calls that end when
 * the test says: when pcscd is asked, what a silent answer does to the calls in flight and to later ones, and how
 * held releases wait for an answer. The real pcscd going silent is in pcscd-goes-silent.pcsc.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { PcscError } from '../../src/pcsc/errors.js';
import { PcscServiceGate, ServiceGuard, stalledCallMs } from '../../src/pcsc/service-gate.js';
import type { ServiceProbeOutcome, ServiceProbeTarget } from '../../src/pcsc/service-probe.js';

const TARGET: ServiceProbeTarget = { socketPath: '/tmp/stand-in.comm', timeoutMs: 30 };

/** A probe that answers what `next` says, after 5 ms, and counts the times it was asked. */
class ScriptedProbe {
  public asked = 0;
  public constructor(public next: ServiceProbeOutcome = 'answered') {}
  public readonly probe = (): Promise<ServiceProbeOutcome> => {
    this.asked++;
    const outcome = this.next;
    return new Promise((resolve) => setTimeout(() => resolve(outcome), 5));
  };
}

/** A native call the test ends. */
function pending<T>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (error: Error) => void } {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function setUp(outcome: ServiceProbeOutcome = 'answered', withProbe = true) {
  const probe = new ScriptedProbe(outcome);
  const gate = new PcscServiceGate(probe.probe);
  const guard = new ServiceGuard(gate, withProbe ? TARGET : undefined, 40);
  return { probe, gate, guard };
}

describe('a call under the gate', () => {
  it('that ends in time asks pcscd nothing', async () => {
    const { probe, guard } = setUp('silent');
    const call = guard.call(() => Promise.resolve('answer'), { operation: 'transmit', checkAfterMs: 40 });
    expect(await call.result).toBe('answer');
    await sleep(80);
    expect(probe.asked).toBe(0);
    expect(call.running).toBe(false);
  });

  it('that runs long while pcscd answers is a slow card: asked about again and again, never given up', async () => {
    const { probe, gate, guard } = setUp('answered');
    const native = pending<string>();
    const call = guard.call(() => native.promise, { operation: 'transmit', checkAfterMs: 20 });
    await sleep(150);
    expect(probe.asked).toBeGreaterThanOrEqual(2);
    expect(call.running).toBe(true);
    expect(call.abandoned).toBe(false);
    expect(gate.suspect).toBe(false);
    native.resolve('late but fine');
    expect(await call.result).toBe('late but fine');
    const asked = probe.asked;
    await sleep(60);
    // Checks end with the call.
    expect(probe.asked).toBe(asked);
  });

  it('that runs long while pcscd is silent is given up, with every other call in flight; their native calls run on', async () => {
    const { gate, guard } = setUp('silent');
    const transmit = pending<string>();
    const wait = pending<string>();
    const first = guard.call(() => transmit.promise, { operation: 'transmit', reader: 'R', checkAfterMs: 20 });
    // Not at its own check yet when the first one's check finds pcscd silent.
    const second = guard.call(() => wait.promise, { operation: 'waiting for reader events', checkAfterMs: 10_000 });
    const [a, b] = await Promise.all([first.result.catch((e: unknown) => e), second.result.catch((e: unknown) => e)]);
    for (const error of [a, b]) {
      expect(error).toBeInstanceOf(PcscError);
      expect(error).toMatchObject({ code: 'SERVICE_UNRESPONSIVE' });
    }
    expect((a as PcscError).reader).toBe('R');
    expect((a as Error).message).toMatch(/^transmit on "R": the PC\/SC service \(pcscd\) stopped answering \(no answer on \/tmp\/stand-in\.comm within 30 ms\)/);
    expect((a as Error).message).toMatch(/ 1 PC\/SC call given up waits for it, each on one of Node's thread-pool threads .* Restart it/);
    expect((b as Error).message).toMatch(/^waiting for reader events: .* 2 PC\/SC calls given up wait for it/);
    expect(gate.suspect).toBe(true);
    expect(gate.abandonedCalls).toBe(2);
    expect(first.abandoned && second.abandoned).toBe(true);
    expect(first.running).toBe(true);
    // A late end: counted off, and its value still there for whoever must release what it holds.
    transmit.resolve('late');
    expect(await first.native).toBe('late');
    await first.ended;
    expect(gate.abandonedCalls).toBe(1);
    expect(first.running).toBe(false);
    wait.reject(new Error('Operation cancelled'));
    await second.ended;
    expect(gate.abandonedCalls).toBe(0);
  });

  it('while pcscd is suspected: refused without being made while it stays silent, made once it answers', async () => {
    const { probe, gate, guard } = setUp('silent');
    await guard.call(() => pending<never>().promise, { operation: 'transmit', checkAfterMs: 10 }).result.catch(() => undefined);
    expect(gate.suspect).toBe(true);
    let started = 0;
    const start = (): Promise<string> => {
      started++;
      return Promise.resolve('made');
    };
    const asked = probe.asked;
    const refused = guard.call(start, { operation: 'connecting to the card', reader: 'R', checkAfterMs: 10 });
    await expect(refused.result).rejects.toMatchObject({ code: 'SERVICE_UNRESPONSIVE', reader: 'R' });
    await expect(refused.native).rejects.toMatchObject({ code: 'SERVICE_UNRESPONSIVE' });
    await refused.ended;
    expect(refused.abandoned).toBe(false);
    expect(started).toBe(0);
    expect(probe.asked).toBe(asked + 1);
    probe.next = 'answered';
    expect(await guard.call(start, { operation: 'transmit', checkAfterMs: 10 }).result).toBe('made');
    expect(started).toBe(1);
    expect(gate.suspect).toBe(false);
  });

  it('calls at the same moment share one probe', async () => {
    const { probe, gate, guard } = setUp('silent');
    await guard.call(() => pending<never>().promise, { operation: 'transmit', checkAfterMs: 10 }).result.catch(() => undefined);
    const asked = probe.asked;
    const calls = Array.from({ length: 5 }, () => guard.call(() => Promise.resolve(1), { operation: 'transmit', checkAfterMs: 10 }).result.catch(() => 'refused'));
    expect(await Promise.all(calls)).toEqual(Array(5).fill('refused'));
    expect(probe.asked).toBe(asked + 1);
    expect(gate.suspect).toBe(true);
  });

  it('without a probe is made and awaited as it comes: never checked, never given up', async () => {
    const { probe, guard } = setUp('silent', false);
    const native = pending<string>();
    const call = guard.call(() => native.promise, { operation: 'transmit', checkAfterMs: 10 });
    await sleep(60);
    expect(probe.asked).toBe(0);
    native.resolve('slow');
    expect(await call.result).toBe('slow');
  });

  it('that throws at once is a failed call, not a thrown one', async () => {
    const { guard } = setUp();
    const call = guard.call((): Promise<never> => {
      throw new Error('Context is not valid');
    }, { operation: 'transmit', checkAfterMs: 10 });
    await expect(call.result).rejects.toThrow('Context is not valid');
    await call.ended;
    expect(call.running).toBe(false);
  });
});

describe('releases (which wait for pcscd on the JavaScript thread)', () => {
  it('ask pcscd first: run when it answers, held when it is silent, and run in order once it answers again', async () => {
    const { probe, gate, guard } = setUp('answered');
    const ran: string[] = [];
    await guard.release(() => ran.push('answered'));
    expect(ran).toEqual(['answered']);
    expect(probe.asked).toBe(1);
    probe.next = 'silent';
    await guard.release(() => ran.push('first'));
    await guard.release(() => ran.push('second'));
    expect(ran).toEqual(['answered']);
    expect(gate.suspect).toBe(true);
    expect(gate.heldReleases).toBe(2);
    probe.next = 'answered';
    await guard.beforeContext();
    expect(ran).toEqual(['answered', 'first', 'second']);
    expect(gate.heldReleases).toBe(0);
  });

  it('after a native call on the same context: wait for it to end (not before), and ask nothing then', async () => {
    const { probe, guard } = setUp('silent');
    const native = pending<string>();
    const call = guard.call(() => native.promise, { operation: 'transmit', checkAfterMs: 10_000 });
    let ran = false;
    const released = guard.release(() => (ran = true), call.ended);
    await sleep(20);
    expect(ran).toBe(false);
    native.reject(new Error('Card was removed'));
    await call.result.catch(() => undefined);
    await released;
    expect(ran).toBe(true);
    expect(probe.asked).toBe(0);
  });

  it('a release that throws does not keep the rest held', async () => {
    const { probe, gate, guard } = setUp('silent');
    const ran: string[] = [];
    await guard.release(() => {
      throw new Error('Invalid handle');
    });
    await guard.release(() => ran.push('next'));
    probe.next = 'unreachable';
    // No pcscd at all: what was held goes with it (the binding fails at once), nothing waits any more.
    await guard.beforeContext();
    expect(ran).toEqual(['next']);
    expect(gate.suspect).toBe(false);
  });
});

describe('the stalledCallMs setting', () => {
  it('defaults to 3 s and refuses what cannot be a timer, naming it', () => {
    expect(stalledCallMs(undefined)).toBe(3_000);
    expect(stalledCallMs(false)).toBe(3_000);
    expect(stalledCallMs({ stalledCallMs: 250 })).toBe(250);
    for (const value of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => stalledCallMs({ stalledCallMs: value })).toThrow(RangeError);
      expect(() => stalledCallMs({ stalledCallMs: value })).toThrow(/^serviceProbe\.stalledCallMs must be/);
    }
  });
});
