/**
 * A session whose command the gate gave up (pcscd stopped answering while it ran): the command may still reach the
 * card when pcscd answers again (a VERIFY among them), so its handle is let go with a reset, whatever disposition
 * the session was ended with and whichever came first, the end or the gate's giving up. Real PcscSession over a
 * scripted binding and a scripted probe; the real pcscd going silent is in pcscd-goes-silent.pcsc.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { PcscError } from '../../src/pcsc/errors.js';
import type { NativeBinding, NativeCard } from '../../src/pcsc/native-binding.js';
import { PcscSession } from '../../src/pcsc/pcsc-session.js';
import { ReaderLines } from '../../src/pcsc/reader-lines.js';
import { ReaderWatch } from '../../src/pcsc/reader-watch.js';
import { PcscServiceGate, ServiceGuard } from '../../src/pcsc/service-gate.js';
import type { ServiceProbeOutcome, ServiceProbeTarget } from '../../src/pcsc/service-probe.js';
import { DISPOSITION, oneReaderBinding } from '../support/one-reader-binding.js';

const READER = 'R';
const { leave: LEAVE, reset: RESET, unpower: UNPOWER } = DISPOSITION;
const TARGET: ServiceProbeTarget = { socketPath: '/tmp/stand-in.comm', timeoutMs: 30 };

/** A card handle whose commands end when the test says, recording how it was let go. */
class HeldCard implements NativeCard {
  public readonly protocol = 2;
  public connected = true;
  public readonly disconnects: number[] = [];
  /** Commands pcsc-lite was given. */
  public transmits = 0;
  private finish: ((answer: Buffer) => void) | undefined;

  public transmit(): Promise<Buffer> {
    this.transmits++;
    return new Promise((resolve) => (this.finish = resolve));
  }

  /** The command that was given up ends (pcscd delivered it late, and the card answered). */
  public answer(): void {
    this.finish?.(Buffer.from([0x90, 0x00]));
  }

  public disconnect(disposition: number): void {
    this.disconnects.push(disposition);
    this.connected = false;
  }

  public reconnect(): Promise<number> {
    return Promise.resolve(2);
  }
}

function bindingWith(card: HeldCard): NativeBinding {
  return oneReaderBinding(READER, Uint8Array.of(0x3b, 0x00), card);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function setUp(timeoutMs: number) {
  let next: ServiceProbeOutcome = 'answered';
  const gate = new PcscServiceGate(() => {
    const outcome = next;
    return new Promise((resolve) => setTimeout(() => resolve(outcome), 5));
  });
  const card = new HeldCard();
  const binding = bindingWith(card);
  const guard = new ServiceGuard(gate, TARGET, 20);
  const session = new PcscSession(binding, READER, {
    share: 'exclusive', timeoutMs, atr: () => new Uint8Array([0x3b, 0x00]), onClose: () => undefined, onHeldAfterClose: () => undefined,
    cardGone: () => Promise.resolve(false), lines: new ReaderLines(binding, guard), guard,
  });
  await session.open();
  return { gate, guard, card, session, pcscd: (outcome: ServiceProbeOutcome) => (next = outcome) };
}

describe('a session whose command the gate gave up', () => {
  it('ended while the command waited: let go with a reset once pcscd answers when leave was asked, unpowered when unpower was', async () => {
    for (const [disposition, expected] of [
      ['leave', RESET],
      ['unpower', UNPOWER],
    ] as const) {
      const { gate, guard, card, session, pcscd } = await setUp(10_000);
      pcscd('silent');
      const command = session.transmit(Uint8Array.of(0x00, 0x20, 0x00, 0x81, 0x01, 0x30)).catch((e: unknown) => e);
      // The program ends the session as the command waits (a close, its own deadline): queued behind it.
      const ended = session.disconnect(disposition);
      expect(await command).toBeInstanceOf(PcscError);
      expect(await command).toMatchObject({ code: 'SERVICE_UNRESPONSIVE' });
      await ended;
      expect(gate.suspect).toBe(true);
      // pcscd answers again: the command reaches the card late, then the next check finds pcscd answering.
      card.answer();
      await sleep(5);
      expect(card.disconnects).toEqual([]);
      pcscd('answered');
      await guard.beforeContext();
      expect(card.disconnects, disposition).toEqual([expected]);
    }
  });

  it("ended after the command's own timeout: a reset when the gate then gave it up; leave when pcscd answered all along (a slow card)", async () => {
    for (const [pcscdThen, expected] of [
      ['silent', RESET],
      ['answered', LEAVE],
    ] as const) {
      const { guard, card, session, pcscd } = await setUp(10);
      pcscd(pcscdThen);
      await expect(session.transmit(Uint8Array.of(0x00, 0x20, 0x00, 0x81, 0x01, 0x30))).rejects.toMatchObject({ code: 'TIMEOUT' });
      await session.disconnect('leave');
      // Silent, the gate gives the command up at its check (20 ms, and the probe's 5); answering, it runs on.
      await sleep(60);
      card.answer();
      await sleep(5);
      pcscd('answered');
      await guard.beforeContext();
      expect(card.disconnects, pcscdThen).toEqual([expected]);
    }
  });
});

describe('whether a command the gate stopped was sent (notSent)', () => {
  it('refused before it was made, pcscd still silent: never sent, and the session goes on once pcscd answers', async () => {
    const { gate, card, session, pcscd } = await setUp(10_000);
    pcscd('silent');
    // Another session's call found pcscd silent: the gate now asks before every call.
    await gate.check(TARGET);
    expect(gate.suspect).toBe(true);
    const refused = await session.transmit(Uint8Array.of(0x00, 0x20, 0x00, 0x81, 0x01, 0x30)).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'SERVICE_UNRESPONSIVE', notSent: true });
    expect(card.transmits).toBe(0);
    pcscd('answered');
    const answered = session.transmit(Uint8Array.of(0x00, 0x10, 0x00, 0x00, 0x00));
    await sleep(20);
    expect(card.transmits).toBe(1);
    card.answer();
    expect((await answered).sw.toString()).toBe('9000');
    await session.disconnect();
  });

  it('given up while it ran: it may reach the card, so not "not sent"; what the lost session refuses after is', async () => {
    const { card, session, pcscd } = await setUp(10_000);
    pcscd('silent');
    const givenUp = await session.transmit(Uint8Array.of(0x00, 0x20, 0x00, 0x81, 0x01, 0x30)).catch((e: unknown) => e);
    expect(givenUp).toMatchObject({ code: 'SERVICE_UNRESPONSIVE', notSent: false });
    const after = await session.transmit(Uint8Array.of(0x00, 0x20, 0x00, 0x81, 0x01, 0x30)).catch((e: unknown) => e);
    expect(after).toMatchObject({ code: 'SERVICE_UNRESPONSIVE', notSent: true });
    expect(card.transmits).toBe(1);
    card.answer();
    pcscd('answered');
    await session.disconnect();
  });
});

describe('the reader watch stopped while it asks pcscd before a new context', () => {
  it('stops at once: it does not wait for that probe to time out (close() keeps its second)', async () => {
    // pcscd accepts and never answers: the probe times out after a second, as a 3 s default would later.
    const gate = new PcscServiceGate(() => new Promise((resolve) => setTimeout(() => resolve('silent'), 1_000)));
    let contexts = 0;
    const binding = {
      Context: function () {
        contexts++;
        throw new Error('no context was to be opened');
      },
      SCARD_STATE_CHANGED: 2,
    } as unknown as NativeBinding;
    const watch = new ReaderWatch(binding);
    const stop = watch.subscribe(() => undefined, new ServiceGuard(gate, TARGET, 20));
    // The loop's first step is that probe.
    await sleep(20);
    const from = performance.now();
    await stop();
    expect(performance.now() - from).toBeLessThan(300);
    expect(contexts).toBe(0);
  });
});
