/**
 * The last-try guard where it is easy to forget: the opt-in status probe (a card that does not know it may count
 * it as a wrong PIN), a try limit no card can have (checked before any APDU, not after a correct PIN), and a
 * VERIFY that failed: counted as possibly spent when it may have reached the card, not when the channel refused it
 * before sending.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { FileRetryCounterStore, HiCOSCard, RetryCounterStore } from '../../src/apdu/index.js';
import { gen1VerifyCommand } from '../../src/apdu/pin/present-pin.js';
import { EmulatorReader } from '../../src/pcsc/emulator-reader.js';
import { CardChannel } from '../../src/pcsc/card-channel.js';
import { PcscError, PcscTimeoutError } from '../../src/pcsc/errors.js';
import type { CardEmulator } from '../../src/pcsc/transport.js';
import { VirtualHiCOSCard } from '../../src/testing/hicos/virtual-hicos-card.js';
import { testCredentials } from './support/virtual-cards.js';

beforeAll(async () => {
  await testCredentials();
}, 60_000);

/** A Gen1 card that takes the empty VERIFY for a wrong PIN: it charges a try, as a card without the probe may. */
class ProbeChargingCard implements CardEmulator {
  public constructor(public readonly inner: VirtualHiCOSCard) {}
  public reset(): Uint8Array {
    return this.inner.reset();
  }
  public process(command: Uint8Array): Uint8Array {
    if (command.length === 4 && command[1] === 0x20) return this.inner.process(gen1VerifyCommand(new Uint8Array(Buffer.from('000000'))).toBytes());
    return this.inner.process(command);
  }
}

const verifies = (card: VirtualHiCOSCard): number => card.log.filter((e) => e.command[1] === 0x20).length;

describe('the status probe at one try left', () => {
  it('is refused with LAST_TRY_GUARD and sends no VERIFY, unless allowLastTry is given', async () => {
    const inner = new VirtualHiCOSCard({ credentials: await testCredentials(), pin: '123456' });
    const reader = new EmulatorReader();
    reader.insert(new ProbeChargingCard(inner));
    const card = await HiCOSCard.open(reader.connect(), { retryStore: new RetryCounterStore(), enableStatusProbe: true });
    // At two tries left the probe goes out (and this card charges it).
    await card.verifyPin('111111');
    expect(card.lastKnownRetries).toBe(2);
    await card.probePinStatus();
    expect([inner.pinTriesLeft, card.lastKnownRetries]).toEqual([1, 1]);
    inner.clearLog();
    await expect(card.probePinStatus()).rejects.toMatchObject({ code: 'LAST_TRY_GUARD' });
    expect([verifies(inner), inner.pinTriesLeft]).toEqual([0, 1]);
    // Asked for, it goes out, exactly once.
    expect(await card.probePinStatus({ allowLastTry: true })).toMatchObject({ locked: true });
    expect([verifies(inner), inner.pinTriesLeft]).toEqual([1, 0]);
  });
});

describe('pinTryLimit', () => {
  it.each([16, 1, 0, 2.5, Number.NaN, '3' as unknown as number, 3n as unknown as number, Symbol('3') as unknown as number, Object.create(null) as number])('%s is refused when the card is opened, before any APDU', async (pinTryLimit) => {
    const card = new VirtualHiCOSCard({ credentials: await testCredentials(), pin: '123456' });
    const reader = new EmulatorReader();
    reader.insert(card);
    card.clearLog();
    await expect(HiCOSCard.open(reader.connect(), { retryStore: new RetryCounterStore(), pinTryLimit })).rejects.toMatchObject({
      code: 'INVALID_CARD_INPUT',
      message: expect.stringMatching(/^pinTryLimit must be a whole number from 2 to 15/),
    });
    expect(card.apduCount).toBe(0);
  });

  it('a card with 10 tries reports 10 after a correct PIN', async () => {
    const card = new VirtualHiCOSCard({ credentials: await testCredentials(), pin: '123456', pinTryLimit: 10 });
    const reader = new EmulatorReader();
    reader.insert(card);
    const hicos = await HiCOSCard.open(reader.connect(), { retryStore: new RetryCounterStore(), pinTryLimit: 10 });
    expect(await hicos.verifyPin('123456')).toMatchObject({ status: 'ok', retriesLeft: 10 });
  });
});

/** A Gen1 card that, while `busyWith` is set, holds the commands with that INS until {@link BusyCard.answerHeld}. */
class BusyCard implements CardEmulator {
  public busyWith: number | undefined;
  private readonly held: Array<() => void> = [];
  public constructor(public readonly inner: VirtualHiCOSCard) {}
  public reset(): Uint8Array {
    return this.inner.reset();
  }
  public process(command: Uint8Array): Uint8Array | Promise<Uint8Array> {
    if (command[1] !== this.busyWith) return this.inner.process(command);
    return new Promise((resolve) => this.held.push(() => resolve(this.inner.process(command))));
  }
  public answerHeld(): void {
    this.busyWith = undefined;
    for (const answer of this.held.splice(0)) answer();
  }
}

describe('a VERIFY that failed', () => {
  /** A card at two tries left (the store knows it), on a channel whose commands time out after 200 ms. */
  async function twoTriesLeft() {
    const inner = new VirtualHiCOSCard({ credentials: await testCredentials(), pin: '123456' });
    const busy = new BusyCard(inner);
    const reader = new EmulatorReader({ timeoutMs: 200 });
    reader.insert(busy);
    const session = reader.connect();
    const store = new RetryCounterStore();
    const card = await HiCOSCard.open(session, { retryStore: store });
    expect(await card.verifyPin('111111')).toMatchObject({ status: 'wrong', retriesLeft: 2 });
    return { inner, busy, session, store, card };
  }

  it('refused before it was sent (the wait for an earlier, timed-out command ran out) spends no try: the count stays', async () => {
    const { inner, busy, session, store, card } = await twoTriesLeft();
    // An earlier command on the same channel the card does not answer in time: it keeps the card busy.
    busy.busyWith = 0xca;
    const earlier = await session.transmit(Uint8Array.of(0x00, 0xca, 0x01, 0x01, 0x00), { timeoutMs: 20 }).catch((e: unknown) => e);
    expect(earlier).toBeInstanceOf(PcscTimeoutError);
    expect((earlier as PcscTimeoutError).notSent).toBe(false);
    inner.clearLog();
    const error = await card.verifyPin('111111').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PcscTimeoutError);
    expect((error as PcscTimeoutError).message).toMatch(/earlier command that timed out/);
    expect((error as PcscTimeoutError).notSent).toBe(true);
    expect([verifies(inner), inner.pinTriesLeft]).toEqual([0, 2]);
    expect([card.lastKnownRetries, store.get(inner.cardNumber)]).toEqual([2, 2]);
    // The card answers at last: the user still has two tries, and the guard lets the next one go out.
    busy.answerHeld();
    expect(await card.verifyPin('111111')).toMatchObject({ status: 'wrong', retriesLeft: 1 });
    expect(inner.pinTriesLeft).toBe(1);
  });

  it('that timed out once it was sent may have cost a try: the count steps down and the guard holds', async () => {
    const { inner, busy, store, card } = await twoTriesLeft();
    // The card has the VERIFY and does not answer it in time.
    busy.busyWith = 0x20;
    inner.clearLog();
    const error = await card.verifyPin('111111').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PcscTimeoutError);
    expect((error as PcscTimeoutError).message).toMatch(/^transmit did not finish/);
    expect((error as PcscTimeoutError).notSent).toBe(false);
    expect([card.lastKnownRetries, store.get(inner.cardNumber)]).toEqual([1, 1]);
    busy.answerHeld();
    await expect(card.verifyPin('111111')).rejects.toMatchObject({ code: 'LAST_TRY_GUARD' });
  });
});

/**
 * A transport of the caller's to a Gen1 card over a link that can drop, with one error for "the link is down": thrown
 * before sending while the link is down, and when it drops after the card had the command (`dropAfter`, an INS).
 */
class LinkChannel extends CardChannel {
  public readonly readerName = 'link';
  public readonly epoch = 0;
  public up = true;
  public dropAfter: number | undefined;
  public readonly down = new PcscError('READER_UNAVAILABLE', 'the link to the reader is down', { reader: 'link' });
  public readonly atr: Uint8Array;
  public constructor(private readonly card: VirtualHiCOSCard) {
    super(1_000);
    this.atr = card.reset();
  }
  protected assertUsable(): void {
    if (!this.up) throw this.down;
  }
  protected async exchange(command: Uint8Array): Promise<Uint8Array> {
    const answer = await this.card.process(command);
    if (command[1] !== this.dropAfter) return answer;
    this.up = false;
    throw this.down;
  }
}

describe('a VERIFY on a transport that throws one error object again', () => {
  it('that reached the card before the link dropped counts as possibly spent, though the same error refused a command before', async () => {
    const inner = new VirtualHiCOSCard({ credentials: await testCredentials(), pin: '123456' });
    const link = new LinkChannel(inner);
    const store = new RetryCounterStore();
    const card = await HiCOSCard.open(link, { retryStore: store });
    expect(await card.verifyPin('111111')).toMatchObject({ status: 'wrong', retriesLeft: 2 });
    // The link is down for a moment: a command refused before it went out, with the transport's one error.
    link.up = false;
    await expect(link.transmit(Uint8Array.of(0x00, 0xca, 0x01, 0x01, 0x00))).rejects.toBe(link.down);
    link.up = true;
    // The next VERIFY reaches the card, which counts it; the link drops before the answer is back.
    link.dropAfter = 0x20;
    await expect(card.verifyPin('111111')).rejects.toBe(link.down);
    expect(inner.pinTriesLeft).toBe(1);
    expect([card.lastKnownRetries, store.get(inner.cardNumber)]).toEqual([1, 1]);
  });
});

describe('HiCOSCard.open options and FileRetryCounterStore', () => {
  // A store without set passed the guard's get, sent the VERIFY and then failed with a TypeError, the card's count
  // unrecorded; a FileRetryCounterStore given { path } or a number could never write its file and said so only to
  // an onError nobody set, so the guard across processes was gone without a word.
  const notStores: unknown[] = [{}, { get: () => undefined }, { get: () => undefined, set: () => undefined }, 5, null];
  it.each(notStores)('retryStore %o is refused before any APDU', async (retryStore) => {
    const card = new VirtualHiCOSCard({ credentials: await testCredentials(), pin: '123456' });
    const reader = new EmulatorReader();
    reader.insert(card);
    card.clearLog();
    await expect(HiCOSCard.open(reader.connect(), { retryStore: retryStore as RetryCounterStore })).rejects.toMatchObject({
      code: 'INVALID_CARD_INPUT',
      message: expect.stringMatching(/^HiCOSCard\.open: retryStore must be a RetryCounterStore/),
    });
    await expect(HiCOSCard.open(reader.connect(), 5 as never)).rejects.toMatchObject({
      code: 'INVALID_CARD_INPUT',
      message: 'HiCOSCard.open: options must be an object or left out, not 5',
    });
    expect(card.apduCount).toBe(0);
  });

  it('a misspelt option is refused before any APDU, not dropped for its default', async () => {
    const card = new VirtualHiCOSCard({ credentials: await testCredentials(), pin: '123456' });
    const reader = new EmulatorReader();
    reader.insert(card);
    card.clearLog();
    await expect(HiCOSCard.open(reader.connect(), { retryCounterStore: new RetryCounterStore() } as never)).rejects.toMatchObject({
      code: 'INVALID_CARD_INPUT',
      message: 'HiCOSCard.open: "retryCounterStore" is not an option (they are pinPolicy, retryStore, pinTryLimit, scp03, allowSha1, enableStatusProbe)',
    });
    expect(card.apduCount).toBe(0);
  });

  it('a PIN given in place of the options is refused without showing it, before any APDU', async () => {
    // `HiCOSCard.open(session, pin)`: the refusal named what it was given, the PIN itself, in a message that is logged.
    const card = new VirtualHiCOSCard({ credentials: await testCredentials(), pin: '123456' });
    const reader = new EmulatorReader();
    reader.insert(card);
    card.clearLog();
    const refusal = await HiCOSCard.open(reader.connect(), '123456' as never).then(
      () => undefined,
      (error: unknown) => error as Error,
    );
    expect(refusal).toMatchObject({ code: 'INVALID_CARD_INPUT', message: 'HiCOSCard.open: options must be an object or left out, not a string' });
    expect(refusal?.message).not.toContain('123456');
    expect(card.apduCount).toBe(0);
  });

  it('FileRetryCounterStore refuses a path that is not one, and an onError that is not a function', () => {
    const cases: [() => unknown, string][] = [
      [() => new FileRetryCounterStore({ path: '/tmp/x.json' } as never), "FileRetryCounterStore: path must be the JSON file's path (a non-empty string), not an object"],
      [() => new FileRetryCounterStore(5 as never), "FileRetryCounterStore: path must be the JSON file's path (a non-empty string), not 5"],
      [() => new FileRetryCounterStore(''), "FileRetryCounterStore: path must be the JSON file's path (a non-empty string), not \"\""],
      [() => new FileRetryCounterStore('/tmp/x.json', null as never), 'FileRetryCounterStore: options must be { onError? } or left out, not null'],
      [() => new FileRetryCounterStore('/tmp/x.json', { onError: 'log' as never }), 'FileRetryCounterStore: onError must be a function, not "log"'],
    ];
    for (const [make, message] of cases) expect(make).toThrow(expect.objectContaining({ code: 'INVALID_CARD_INPUT', message }));
  });
});
