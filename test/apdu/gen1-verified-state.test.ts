/**
 * A Gen1 HiCOS card keeps the security state of a right VERIFY for every connection until it is reset or removed.
 * After twpki presented a PIN, the session must end with a reset (`HiCOSCard.releaseDisposition()`, default
 * `afterPin: 'reset'`), or any program that connects next signs without knowing the PIN. A Gen2 verification lives
 * in an SCP03 session whose keys only the host that opened it holds: another connection cannot use it, so Gen2
 * sessions are not reset.
 *
 * "Another program" here is a second connection that sends the raw key operation (`EA 82`, `EA 02`, `C1`) with no
 * VERIFY; on Gen2 also under an SCP03 session of its own (the static keys are derivable by anyone).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { HiCOSCard } from '../../src/apdu/hicos-card.js';
import { HiCOSError } from '../../src/apdu/errors.js';
import { detectGeneration } from '../../src/apdu/detect-generation.js';
import { RetryCounterStore } from '../../src/apdu/pin/retry-counter-store.js';
import { EmulatorReader } from '../../src/pcsc/emulator-reader.js';
import type { PcscSession } from '../../src/pcsc/pcsc-session.js';
import type { Transport } from '../../src/pcsc/transport.js';
import type { VirtualCardCredentials } from '../../src/testing/hicos/virtual-card-options.js';
import { VirtualHiCOSCard } from '../../src/testing/hicos/virtual-hicos-card.js';
import { pcscAvailable, withPcscRig } from '../support/pcsc-rig.js';
import { otherProgramSigns as signsWithoutPin } from './support/other-program.js';
import { testCredentials } from './support/virtual-cards.js';

const PIN = '314159';
const DATA = new TextEncoder().encode('signed by twpki');

let credentials: VirtualCardCredentials;
beforeAll(async () => {
  credentials = await testCredentials();
}, 60_000);

const otherProgramSigns = (tx: Transport, generation: 1 | 2): Promise<'signed' | 'refused'> => signsWithoutPin(tx, generation, credentials);

/**
 * `transport` as an application's own transport would pass it on: the same card and commands, its epoch moved on by
 * `extraEpoch()` more (reconnects it made that left the card), and `cardResets` passed on, or left out with
 * `countsResets: false` (a transport written before there was one).
 */
function passedOn(transport: Transport, o: { countsResets: boolean; extraEpoch?: () => number }): Transport {
  const view: Transport = {
    get readerName() {
      return transport.readerName;
    },
    get atr() {
      return transport.atr;
    },
    get epoch() {
      return transport.epoch + (o.extraEpoch?.() ?? 0);
    },
    transmit: (command, options) => transport.transmit(command, options),
    transaction: (fn) => transport.transaction((tx) => fn(passedOn(tx, o))),
  };
  if (o.countsResets) Object.defineProperty(view, 'cardResets', { get: () => transport.cardResets, enumerable: true });
  return view;
}

/** `transport` as a transport of an application's own that says nothing of resets (no `cardResets`). */
const withoutResetCount = (transport: Transport): Transport => passedOn(transport, { countsResets: false });

/**
 * `session` with a reconnect that leaves the card as it is, as `PcscSession.reconnect()` makes one (the emulator
 * has none): the epoch moves, the count of resets does not.
 */
function reconnectable(session: Transport): Transport & { reconnectLeavingCard(): void } {
  let reconnects = 0;
  // Added to the object itself: Object.assign would copy the getters' values, not the getters.
  const outer = passedOn(session, { countsResets: true, extraEpoch: () => reconnects }) as Transport & { reconnectLeavingCard(): void };
  outer.reconnectLeavingCard = () => void reconnects++;
  return outer;
}

const newCard = (generation: 1 | 2): VirtualHiCOSCard => new VirtualHiCOSCard({ generation, credentials, pin: PIN, cardNumber: 'TP03000000007700' });

describe('the virtual card models the Gen1 security state as an ISO 7816 card does', () => {
  it('kept across connections while the card stays powered; cleared by a reset and by removal', async () => {
    const card = newCard(1);
    const reader = new EmulatorReader();
    reader.insert(card);
    // No PIN yet: refused.
    expect(await otherProgramSigns(reader.connect(), 1)).toBe('refused');
    const first = reader.connect();
    expect(await (await HiCOSCard.open(first, { retryStore: new RetryCounterStore() })).verifyPin(PIN)).toMatchObject({ status: 'ok' });
    await first.disconnect('leave');
    expect(await otherProgramSigns(reader.connect(), 1)).toBe('signed');
    expect(await otherProgramSigns(reader.connect(), 1)).toBe('signed');
    // A reset (by any session) ends it.
    await reader.connect().reset();
    expect(await otherProgramSigns(reader.connect(), 1)).toBe('refused');
    // So does taking the card out and putting it back.
    const again = reader.connect();
    await (await HiCOSCard.open(again, { retryStore: new RetryCounterStore() })).verifyPin(PIN);
    reader.remove();
    reader.insert(card);
    expect(await otherProgramSigns(reader.connect(), 1)).toBe('refused');
    expect(card.pinTriesLeft).toBe(3);
  }, 60_000);
});

describe('HiCOSCard.pinVerifiedOnCard and releaseDisposition()', () => {
  it('Gen1: set by a right PIN (verifyPin or sign), not by a wrong one, cleared by a reset', async () => {
    const reader = new EmulatorReader();
    reader.insert(newCard(1));
    const session = reader.connect();
    const card = await HiCOSCard.open(session, { retryStore: new RetryCounterStore() });
    expect(card.pinVerifiedOnCard).toBe(false);
    expect(card.releaseDisposition()).toBe('leave');
    await card.info();
    expect(card.pinVerifiedOnCard).toBe(false);
    expect(await card.verifyPin('000000')).toMatchObject({ status: 'wrong' });
    expect(card.pinVerifiedOnCard).toBe(false);
    expect(await card.verifyPin(PIN)).toMatchObject({ status: 'ok' });
    expect(card.pinVerifiedOnCard).toBe(true);
    expect(card.releaseDisposition()).toBe('reset');
    expect(card.releaseDisposition('reset')).toBe('reset');
    expect(card.releaseDisposition('leave')).toBe('leave');
    // A wrong PIN after a right one does not make the card forget the right one as far as the host can tell.
    await card.verifyPin('000000');
    expect(card.pinVerifiedOnCard).toBe(true);
    await card.verifyPin(PIN);
    await session.reset();
    expect(card.pinVerifiedOnCard).toBe(false);
    await card.sign(DATA, { pin: PIN });
    expect(card.pinVerifiedOnCard).toBe(true);
    expect(() => card.releaseDisposition('keep' as 'leave')).toThrow(HiCOSError);
  });

  it('Gen1, over a transport that does not count resets (a custom one): taken as verified until the end, which resets the card', async () => {
    const reader = new EmulatorReader();
    reader.insert(newCard(1));
    const session = reader.connect();
    const card = await HiCOSCard.open(withoutResetCount(session), { retryStore: new RetryCounterStore() });
    expect(await card.verifyPin(PIN)).toMatchObject({ status: 'ok' });
    expect(card.pinVerifiedOnCard).toBe(true);
    // Its epoch moves on a reset and on a reconnect that leaves the card alike: the card cannot be known unverified.
    await session.reset();
    await card.info();
    expect(card.pinVerifiedOnCard).toBe(true);
    expect(card.releaseDisposition()).toBe('reset');
  });

  it('Gen1, an epoch that moves without a reset (a reconnect that leaves the card): still verified, caches read again, then a reset ends it', async () => {
    const reader = new EmulatorReader();
    const virtual = newCard(1);
    reader.insert(virtual);
    const session = reader.connect();
    const transport = reconnectable(session);
    const card = await HiCOSCard.open(transport, { retryStore: new RetryCounterStore() });
    await card.sign(DATA, { pin: PIN });
    transport.reconnectLeavingCard();
    expect(card.pinVerifiedOnCard).toBe(true);
    // The card session is set up again for the new epoch (detection and reads), and keeps the verified mark.
    const before = virtual.log.length;
    expect(await card.cardNumber()).toBe('TP03000000007700');
    expect(virtual.log.length).toBeGreaterThan(before);
    expect(card.pinVerifiedOnCard).toBe(true);
    expect(card.releaseDisposition()).toBe('reset');
    // And the card really is still verified: another connection signs without the PIN until the reset.
    expect(await otherProgramSigns(reader.connect(), 1)).toBe('signed');
    await session.reset();
    expect(card.pinVerifiedOnCard).toBe(false);
    expect(await otherProgramSigns(reader.connect(), 1)).toBe('refused');
  });

  it('Gen2: never set (the verification is bound to the host\'s secure session)', async () => {
    const reader = new EmulatorReader();
    reader.insert(newCard(2));
    const card = await HiCOSCard.open(reader.connect(), { retryStore: new RetryCounterStore() });
    expect(await card.verifyPin(PIN)).toMatchObject({ status: 'ok' });
    expect(card.pinVerifiedOnCard).toBe(false);
    await card.sign(DATA, { pin: PIN });
    expect(card.pinVerifiedOnCard).toBe(false);
    expect(card.releaseDisposition()).toBe('leave');
  });
});

describe.each([
  ['in-process (EmulatorReader)', 'emulator'],
  ['through pcscd + vpcd', 'pcsc'],
] as const)('after the SDK presented a PIN, %s', (_name, via) => {
  /** Runs the scenario on a fresh card: `fn` gets the first session and a way to open the next connection. */
  async function onCard(generation: 1 | 2, fn: (first: Transport & { disconnect(d?: 'leave' | 'reset'): Promise<void>; readonly epoch: number }, next: () => Promise<Transport>) => Promise<void>): Promise<void> {
    const card = newCard(generation);
    if (via === 'emulator') {
      const reader = new EmulatorReader();
      reader.insert(card);
      await fn(reader.connect(), () => Promise.resolve(reader.connect()));
      return;
    }
    await withPcscRig(card, async ({ context, session }) => {
      const opened: Array<{ disconnect(): Promise<void> }> = [];
      try {
        // pcscd powers an unused card down about 400 ms after its last handle goes (a power-down is a reset too):
        // the next connection is made at once, as a program waiting for the card would.
        await fn(session, async () => {
          // One session per reader and process: the previous "other program" goes first.
          for (const s of opened.splice(0)) await s.disconnect();
          const next = await context.connect(session.readerName, { share: 'shared' });
          opened.push(next);
          return next;
        });
      } finally {
        for (const s of opened) await s.disconnect().catch(() => undefined);
      }
    });
  }

  const skip = via === 'pcsc' && !pcscAvailable();

  it.skipIf(skip)('Gen1, a session ended with `leave` (the old default, and the opt-out): another connection signs without the PIN', async () => {
    await onCard(1, async (first, next) => {
      const card = await HiCOSCard.open(first, { retryStore: new RetryCounterStore() });
      await card.sign(DATA, { pin: PIN });
      expect(card.releaseDisposition('leave')).toBe('leave');
      await first.disconnect(card.releaseDisposition('leave'));
      expect(await otherProgramSigns(await next(), 1)).toBe('signed');
    });
  }, 180_000);

  it.skipIf(skip)('Gen1, a session ended with releaseDisposition() (default reset): another connection is refused (sign)', async () => {
    await onCard(1, async (first, next) => {
      const card = await HiCOSCard.open(first, { retryStore: new RetryCounterStore() });
      await card.sign(DATA, { pin: PIN });
      const epoch = first.epoch;
      await first.disconnect(card.releaseDisposition());
      // The reset went through SCardReconnect (on the thread pool), not a blocking SCardDisconnect: the session's
      // epoch moved, and the card object knows its verification is gone.
      expect(first.epoch).toBe(epoch + 1);
      expect(card.pinVerifiedOnCard).toBe(false);
      expect(await otherProgramSigns(await next(), 1)).toBe('refused');
    });
  }, 180_000);

  it.skipIf(skip)('Gen1, a session ended with releaseDisposition() (default reset): another connection is refused (verifyPin)', async () => {
    await onCard(1, async (first, next) => {
      const card = await HiCOSCard.open(first, { retryStore: new RetryCounterStore() });
      expect(await card.verifyPin(PIN)).toMatchObject({ status: 'ok' });
      await first.disconnect(card.releaseDisposition());
      expect(await otherProgramSigns(await next(), 1)).toBe('refused');
      // The card itself is fine: twpki reads and signs on the next session as always.
      const again = await HiCOSCard.open(await next(), { retryStore: new RetryCounterStore() });
      expect(await again.cardNumber()).toBe('TP03000000007700');
      expect((await again.sign(DATA, { pin: PIN })).length).toBe(256);
    });
  }, 180_000);

  // PC/SC only: the emulator has no reconnect.
  if (via === 'pcsc') {
    it.skipIf(skip)('Gen1, a reconnect that leaves the card between the PIN and the end: the card is still taken as verified, and the end resets it', async () => {
      // What the card does: SCardReconnect with SCARD_LEAVE_CARD does not reset it, so it stays verified.
      await onCard(1, async (first, next) => {
        const card = await HiCOSCard.open(first, { retryStore: new RetryCounterStore() });
        await card.sign(DATA, { pin: PIN });
        await (first as PcscSession).reconnect();
        await first.disconnect('leave');
        expect(await otherProgramSigns(await next(), 1)).toBe('signed');
      });
      // So the card object must still take it as verified, and end the session with the reset.
      await onCard(1, async (first, next) => {
        const card = await HiCOSCard.open(first, { retryStore: new RetryCounterStore() });
        await card.sign(DATA, { pin: PIN });
        const epoch = first.epoch;
        await (first as PcscSession).reconnect();
        // The epoch moves (the card may have been reset by another program: caches are read again) …
        expect(first.epoch).toBe(epoch + 1);
        expect(card.pinVerifiedOnCard).toBe(true);
        expect(card.releaseDisposition()).toBe('reset');
        // … and the card object reads on after the reconnect, still taking the card as verified.
        expect(await card.cardNumber()).toBe('TP03000000007700');
        expect(card.pinVerifiedOnCard).toBe(true);
        await first.disconnect(card.releaseDisposition());
        expect(card.pinVerifiedOnCard).toBe(false);
        expect(await otherProgramSigns(await next(), 1)).toBe('refused');
      });
    }, 180_000);
  }

  it.skipIf(skip)('Gen2, left as it is after verifyPin (a verified secure session still open on the card) and after sign: another connection cannot sign', async () => {
    await onCard(2, async (first, next) => {
      const card = await HiCOSCard.open(first, { retryStore: new RetryCounterStore() });
      await card.sign(DATA, { pin: PIN });
      // verifyPin leaves the verified SCP03 session open on the card (the next sign may use it).
      expect(await card.verifyPin(PIN)).toMatchObject({ status: 'ok' });
      expect(card.releaseDisposition()).toBe('leave');
      await first.disconnect(card.releaseDisposition());
      expect(await otherProgramSigns(await next(), 2)).toBe('refused');
    });
  }, 180_000);
});

describe('Gen2: detection on a new connection', () => {
  it('a new connection that selects the applet first (as twpki and the middleware do) finds no verified state either', async () => {
    const reader = new EmulatorReader();
    reader.insert(newCard(2));
    const card = await HiCOSCard.open(reader.connect(), { retryStore: new RetryCounterStore() });
    await card.verifyPin(PIN);
    const tx = reader.connect();
    expect(await detectGeneration(tx)).toBe(2);
    expect(await otherProgramSigns(tx, 2)).toBe('refused');
  });
});
