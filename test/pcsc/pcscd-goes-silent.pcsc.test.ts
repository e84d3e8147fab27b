/**
 * pcscd going silent while the process runs (stopped with SIGSTOP, hung), through the real pcscd and a card in the
 * virtual reader: pcsc-lite's calls then wait for it with no limit, on Node's thread pool (connects, commands, the
 * reader watch's wait) or on the JavaScript thread (disconnect, release, cancel). Each case runs in a child process
 * whose relay to pcscd is made silent (test/pcsc/fixtures/pcscd-goes-silent.ts); a child that froze is killed.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runFixture } from '../support/hang-guard.js';
import { lockReader } from '../support/reader-lock.js';
import { VIRTUAL_READER, pcscAvailable, waitForReaderEmpty } from '../support/pcsc-rig.js';

const CHILD = fileURLToPath(new URL('./fixtures/pcscd-goes-silent.ts', import.meta.url));

interface Outcome {
  code: string;
  ms: number;
  data?: number[];
}

async function run(scenario: string): Promise<Record<string, unknown>> {
  const release = await lockReader(35963);
  try {
    const outcome = await runFixture(CHILD, [VIRTUAL_READER, scenario], 60_000);
    expect(outcome, 'the child froze or failed').toMatchObject({ code: 0 });
    const report = JSON.parse(outcome.out) as Record<string, unknown>;
    expect(report.failed).toBeUndefined();
    return report;
  } finally {
    await waitForReaderEmpty();
    release();
  }
}

describe.runIf(pcscAvailable())('pcscd goes silent mid-run', () => {
  it('calls in flight fail with SERVICE_UNRESPONSIVE, later ones never reach the binding, and all works again once pcscd answers', { timeout: 90_000 }, async () => {
    const r = await run('mid-run');
    expect(r.before).toEqual([1]);
    // The command, the connect through a kept line and the reader watch's wait: given up together at the first
    // check (400 ms into the calls, plus the probe's 300 ms), well before the commands' own 3 s timeout.
    const inFlight = r.inFlight as Record<'command' | 'connect' | 'watch', Outcome>;
    for (const call of Object.values(inFlight)) {
      expect(call.code).toBe('SERVICE_UNRESPONSIVE');
      expect(call.ms).toBeGreaterThanOrEqual(650);
      expect(call.ms).toBeLessThan(2_500);
    }
    // Their three threads stay held until pcscd answers; 24 calls after them (commands on four other sessions'
    // handles, connects, new contexts, and the session whose command was given up) added none: each was refused
    // after one probe, without the binding.
    expect(r.abandoned).toBe(3);
    expect(r.refused).toMatchObject({ codes: ['SERVICE_UNRESPONSIVE'] });
    expect((r.refused as { slowestMs: number }).slowestMs).toBeLessThan(1_500);
    expect(r.abandonedAfterRetries).toBe(3);
    // So one of the four threads of Node's pool is still free: a key derivation and a file read still run (before
    // the gate, each of those calls held a thread of its own, and they waited behind them for good).
    expect(r.poolWhileSilent).toEqual(expect.any(Number));
    // The JavaScript thread ran all along (a 20 ms timer kept firing).
    expect(r.tickShare).toBeGreaterThan(0.5);
    // pcscd answers: the reader watch follows the readers again, the given-up calls end, the held releases run.
    expect(r.recoveredAfterMs).toBeGreaterThanOrEqual(0);
    expect(r.recoveredAfterMs).toBeLessThan(4_000);
    expect(r.afterAnswer).toMatchObject({ abandoned: 0, held: 0 });
    // The lost session's handle was let go with a reset (whatever its command did, no PIN state outlives it).
    expect((r.afterAnswer as { resets: number }).resets).toBeGreaterThanOrEqual(1);
    // The given-up command reached the card once, late; nothing was sent on its session after it, so no later
    // command's answer could be its answer.
    expect(r.cardLog).toEqual([1, 2]);
    expect(r.lostSession).toMatchObject({ code: 'SERVICE_UNRESPONSIVE' });
    expect(r.otherSession).toMatchObject({ code: 'ok', data: [6] });
    // Every handle was let go (the late connect's card too): an exclusive session gets the card.
    expect(r.exclusive).toBe('ok');
    expect(r.poolAfter).toEqual(expect.any(Number));
  });

  it("the local agent answers pages 0x76100003 (no reader) while pcscd is silent, and shows the reader again after", { timeout: 90_000 }, async () => {
    const r = await run('agent');
    expect((r.before as { slots: string[] }).slots).toContain(VIRTUAL_READER);
    // A request that found pcscd silent (its card's connect given up, or the reader watch's failure) says no
    // reader, within seconds; every answer came (none waited on pcsc-lite), and those after it say so at once.
    const noReader = r.noReader as { afterMs: number; slowestMs: number };
    expect(noReader.afterMs).toBeGreaterThanOrEqual(0);
    expect(noReader.afterMs).toBeLessThan(4_000);
    expect(noReader.slowestMs).toBeLessThan(2_500);
    expect(r.afterwards).toEqual([0x76100003, 0x76100003, 0x76100003]);
    expect(r.poolWhileSilent).toEqual(expect.any(Number));
    expect(r.tickShare).toBeGreaterThan(0.5);
    expect((r.readerBack as { afterMs: number }).afterMs).toBeGreaterThanOrEqual(0);
  });

  it('ending a session and the last context while pcscd is silent does not hold the JavaScript thread', { timeout: 90_000 }, async () => {
    const r = await run('close');
    expect(r.before).toEqual([1]);
    // Each asked pcscd first (300 ms without an answer) and held its release instead of waiting in pcsc-lite.
    const disconnect = r.disconnect as Outcome;
    const close = r.close as Outcome;
    expect(disconnect.code).toBe('ok');
    expect(disconnect.ms).toBeLessThan(1_500);
    expect(close.code).toBe('ok');
    expect(close.ms).toBeLessThan(2_500);
    expect(r.tickShare).toBeGreaterThan(0.5);
    expect(r.held).toBeGreaterThanOrEqual(1);
    // Once pcscd answers the next context's check, the held releases run: the card is free.
    expect(r.heldAfterAnswer).toBe(0);
    expect(r.exclusive).toBe('ok');
  });
});
