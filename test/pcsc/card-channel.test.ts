import { describe, expect, it } from 'vitest';
import {
  CardChannel,
  CardProtocolError,
  CardRemovedError,
  CommandApdu,
  EmulatorReader,
  MAX_FOLLOW_UP_ROUNDS,
  PcscError,
  PcscTimeoutError,
  type CardEmulator,
} from '../../src/pcsc/index.js';
import { ScriptedCard } from '../support/scripted-card.js';

const cmd = (ins: number, extra: Partial<ConstructorParameters<typeof CommandApdu>[0]> = {}): CommandApdu =>
  new CommandApdu({ cla: 0, ins, p1: 0, p2: 0, ...extra });

function setup(card: CardEmulator = new ScriptedCard()) {
  const reader = new EmulatorReader({ name: 'test reader', timeoutMs: 1_000 });
  reader.insert(card);
  return { reader, session: reader.connect() };
}

describe('CardChannel follow-ups (in-process)', () => {
  it('collects 61xx chunks with GET RESPONSE', async () => {
    const card = new ScriptedCard(Uint8Array.from({ length: 600 }, (_, i) => (i * 7) & 0xff), 200);
    const { session } = setup(card);
    const r = await session.transmit(cmd(0x20));
    expect(r.sw.toString()).toBe('9000');
    expect(Array.from(r.data)).toEqual(Array.from(card.blob));
    // 1 command + 3 GET RESPONSE of 200 bytes.
    expect(card.log).toHaveLength(4);
    expect(card.log.slice(1).every((b) => b[1] === 0xc0)).toBe(true);
  });

  it('resends with the Le a 6Cxx asks for', async () => {
    const card = new ScriptedCard();
    const { session } = setup(card);
    const r = await session.transmit(cmd(0x30, { le: 256 }));
    expect(r.data).toHaveLength(16);
    expect(card.log).toHaveLength(2);
    expect(card.log[1]?.at(-1)).toBe(16);
  });

  it('can show the raw answer without follow-ups', async () => {
    const { session } = setup();
    const r = await session.transmit(cmd(0x30, { le: 256 }), { followUp: false });
    expect(r.sw.toString()).toBe('6C10');
  });

  it('bounds endless 61xx with a protocol error', async () => {
    const card = new ScriptedCard();
    const always61: CardEmulator = { reset: () => card.reset(), process: () => Uint8Array.of(0x61, 0x01) };
    const { session } = setup(always61);
    await expect(session.transmit(cmd(0x40))).rejects.toThrow(CardProtocolError);
    await expect(session.transmit(cmd(0x40))).rejects.toThrow(new RegExp(`${MAX_FOLLOW_UP_ROUNDS} rounds`));
  });

  it('refuses a 6Cxx that repeats the Le just sent', async () => {
    const stubborn: CardEmulator = { reset: () => Uint8Array.of(0x3b, 0), process: () => Uint8Array.of(0x6c, 0x10) };
    const { session } = setup(stubborn);
    await expect(session.transmit(cmd(0x30, { le: 16 }))).rejects.toThrow(/6C10/);
  });

  it('times out slow cards and does not overlap the abandoned exchange', async () => {
    let active = 0;
    let overlapped = false;
    const slow: CardEmulator = {
      reset: () => Uint8Array.of(0x3b, 0),
      process: async () => {
        active++;
        if (active > 1) overlapped = true;
        await new Promise((r) => setTimeout(r, 150));
        active--;
        return Uint8Array.of(0x90, 0x00);
      },
    };
    const { session } = setup(slow);
    const err = await session.transmit(cmd(0x10), { timeoutMs: 30 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PcscTimeoutError);
    expect((err as PcscTimeoutError).timeoutMs).toBe(30);
    const r = await session.transmit(cmd(0x10));
    expect(r.sw.toString()).toBe('9000');
    expect(overlapped).toBe(false);
  });

  it('a command after a timed-out one that never ends times out within its own limit, and sends nothing', async () => {
    const sent: number[] = [];
    const stuck: CardEmulator = {
      reset: () => Uint8Array.of(0x3b, 0),
      process: (apdu: Uint8Array) => {
        sent.push(apdu[1] ?? -1);
        // The first command is never answered (a hung reader driver); any later one would be at once.
        return sent.length === 1 ? new Promise<Uint8Array>(() => undefined) : Promise.resolve(Uint8Array.of(0x90, 0x00));
      },
    };
    const { session } = setup(stuck);
    await expect(session.transmit(cmd(0x10), { timeoutMs: 30 })).rejects.toBeInstanceOf(PcscTimeoutError);
    const started = Date.now();
    const err = await session.transmit(cmd(0x20), { timeoutMs: 50 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PcscTimeoutError);
    expect((err as PcscTimeoutError).message).toMatch(/earlier command that timed out/);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(sent).toEqual([0x10]);
  });

  it('commands sent at once inside one transaction never overlap, also behind one that timed out', async () => {
    let active = 0;
    let overlapped = false;
    const order: number[] = [];
    const slow: CardEmulator = {
      reset: () => Uint8Array.of(0x3b, 0),
      process: async (apdu: Uint8Array) => {
        active++;
        if (active > 1) overlapped = true;
        await new Promise((r) => setTimeout(r, 40));
        order.push(apdu[5] ?? -1);
        active--;
        return Uint8Array.of(0x90, 0x00);
      },
    };
    const { session } = setup(slow);
    await session.transaction(async (tx) => {
      await expect(tx.transmit(cmd(0x10, { data: Uint8Array.of(0) }), { timeoutMs: 10 })).rejects.toBeInstanceOf(PcscTimeoutError);
      const sent = await Promise.all([1, 2, 3].map((n) => tx.transmit(cmd(0x10, { data: Uint8Array.of(n) }))));
      expect(sent.map((r) => r.sw.toString())).toEqual(['9000', '9000', '9000']);
    });
    expect(overlapped).toBe(false);
    expect(order).toEqual([0, 1, 2, 3]);
  });

  it('serialises transactions and releases the lock when the body throws', async () => {
    const card = new ScriptedCard();
    const { session } = setup(card);
    const order: string[] = [];
    const a = session.transaction(async (tx) => {
      await tx.transmit(cmd(0x10, { data: Uint8Array.of(1) }));
      await new Promise((r) => setTimeout(r, 20));
      await tx.transmit(cmd(0x10, { data: Uint8Array.of(2) }));
      order.push('a');
      throw new Error('boom');
    });
    const b = session.transmit(cmd(0x10, { data: Uint8Array.of(3) })).then(() => order.push('b'));
    await expect(a).rejects.toThrow('boom');
    await b;
    expect(order).toEqual(['a', 'b']);
    expect(card.log.map((x) => x[5])).toEqual([1, 2, 3]);
  });

  it('fails with CardRemovedError after removal, also mid-operation', async () => {
    let reader!: EmulatorReader;
    const pulling: CardEmulator = {
      reset: () => Uint8Array.of(0x3b, 0),
      process: async () => {
        reader.remove();
        return Uint8Array.of(0x90, 0x00);
      },
    };
    ({ reader } = setup(pulling));
    const session = reader.connect();
    await expect(session.transmit(cmd(0x10))).rejects.toBeInstanceOf(CardRemovedError);
    await expect(session.transmit(cmd(0x10))).rejects.toMatchObject({ code: 'CARD_REMOVED' });
  });

  it('changes epoch on reset and re-insertion, and refuses use after disconnect', async () => {
    const card = new ScriptedCard();
    const { reader, session } = setup(card);
    const e0 = session.epoch;
    await session.reset();
    expect(session.epoch).not.toBe(e0);
    reader.remove();
    reader.insert(card);
    const again = reader.connect();
    expect(again.epoch).not.toBe(session.epoch);
    await again.disconnect();
    await expect(again.transmit(cmd(0x10))).rejects.toMatchObject({ code: 'CLOSED' });
    expect(() => new EmulatorReader().connect()).toThrow(PcscError);
  });

  it('supports await using', async () => {
    const { reader } = setup();
    let outer: ReturnType<EmulatorReader['connect']> | undefined;
    {
      await using s = reader.connect();
      outer = s;
      await s.transmit(cmd(0x10));
    }
    await expect(outer.transmit(cmd(0x10))).rejects.toMatchObject({ code: 'CLOSED' });
  });
});

/** What a transmit failed with (it must fail). */
async function failure(sending: Promise<unknown>): Promise<PcscError> {
  const error = await sending.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PcscError);
  return error as PcscError;
}

/**
 * A channel whose first exchange is answered `61 10` and whose later ones it refuses before handing them on (a
 * handle gone between two exchanges), as a transport subclass says so.
 */
class RefusesAfterFirst extends CardChannel {
  public readonly readerName = 'R';
  public readonly atr = Uint8Array.of(0x3b, 0x00);
  public readonly epoch = 0;
  public readonly sent: number[] = [];
  public constructor() {
    super(1_000);
  }
  protected assertUsable(): void {}
  protected exchange(command: Uint8Array): Promise<Uint8Array> {
    if (this.sent.length > 0) return Promise.reject(new PcscError('CLOSED', 'the handle is gone', { reader: 'R', notSent: true }));
    this.sent.push(command[1] ?? -1);
    return Promise.resolve(Uint8Array.of(0x61, 0x10));
  }
}

/**
 * A transport of the caller's over a link to the reader that can drop, keeping one error for "the link is down":
 * thrown before sending while the link is down, and when it drops while the card has the command.
 */
class OneLinkError extends CardChannel {
  public readonly readerName = 'R';
  public readonly atr = Uint8Array.of(0x3b, 0x00);
  public readonly epoch = 0;
  public up = true;
  public readonly sent: number[] = [];
  public readonly down = new PcscError('READER_UNAVAILABLE', 'the link to the reader is down', { reader: 'R' });
  public constructor() {
    super(1_000);
  }
  protected assertUsable(): void {
    if (!this.up) throw this.down;
  }
  protected exchange(command: Uint8Array): Promise<Uint8Array> {
    this.sent.push(command[1] ?? -1);
    this.up = false;
    return Promise.reject(this.down);
  }
}

describe('CardChannel: whether a failed command was sent (notSent)', () => {
  it('refused when the wait for an earlier, timed-out command runs out: never sent; the timed-out one was', async () => {
    const sent: number[] = [];
    const stuck: CardEmulator = {
      reset: () => Uint8Array.of(0x3b, 0),
      process: (apdu: Uint8Array) => {
        sent.push(apdu[1] ?? -1);
        return new Promise<Uint8Array>(() => undefined);
      },
    };
    const { session } = setup(stuck);
    const timedOut = await failure(session.transmit(cmd(0x10), { timeoutMs: 30 }));
    expect([timedOut.code, timedOut.notSent]).toEqual(['TIMEOUT', false]);
    const refused = await failure(session.transmit(cmd(0x20), { timeoutMs: 30, followUp: false }));
    expect(refused.message).toMatch(/earlier command that timed out/);
    expect([refused.code, refused.notSent]).toEqual(['TIMEOUT', true]);
    expect(sent).toEqual([0x10]);
  });

  it('refused on a session closed or a card already gone: never sent; a card pulled while it had the command: sent', async () => {
    const card = new ScriptedCard();
    let pullDuring = false;
    let reader!: EmulatorReader;
    const pulling: CardEmulator = {
      reset: () => card.reset(),
      process: (apdu: Uint8Array) => {
        if (pullDuring) reader.remove();
        return card.process(apdu);
      },
    };
    ({ reader } = setup(pulling));
    const session = reader.connect();
    pullDuring = true;
    const pulled = await failure(session.transmit(cmd(0x10), { followUp: false }));
    expect([pulled.code, pulled.notSent]).toEqual(['CARD_REMOVED', false]);
    const gone = await failure(session.transmit(cmd(0x10), { followUp: false }));
    expect([gone.code, gone.notSent]).toEqual(['CARD_REMOVED', true]);
    pullDuring = false;
    reader.insert(pulling);
    const closed = reader.connect();
    await closed.disconnect();
    const refused = await failure(closed.transmit(cmd(0x10)));
    expect([refused.code, refused.notSent]).toEqual(['CLOSED', true]);
    expect(card.log).toHaveLength(1);
  });

  it("a transport's own refusal before sending says so for the command; for a follow-up it does not: the command went out", async () => {
    const channel = new RefusesAfterFirst();
    const followUp = await failure(channel.transmit(cmd(0x20)));
    expect([followUp.code, followUp.notSent]).toEqual(['CLOSED', false]);
    const command = await failure(channel.transmit(cmd(0x20)));
    expect([command.code, command.notSent]).toEqual(['CLOSED', true]);
    expect(channel.sent).toEqual([0x20]);
  });

  it("an error object a transport throws again is never made \"not sent\" by the channel: not the refused command's, not the sent one's", async () => {
    // Sent, then the same error for a refusal: what the first transmit was told must not change afterwards.
    const first = new OneLinkError();
    const sent = await failure(first.transmit(cmd(0x20), { followUp: false }));
    expect(sent.notSent).toBe(false);
    const refused = await failure(first.transmit(cmd(0x20), { followUp: false }));
    expect(refused).toBe(sent);
    expect(sent.notSent).toBe(false);
    expect(first.sent).toEqual([0x20]);
    // Refused, then the same error once the command went out: the refusal's mark must not carry over to it.
    const second = new OneLinkError();
    second.up = false;
    await failure(second.transmit(cmd(0x20), { followUp: false }));
    second.up = true;
    const dropped = await failure(second.transmit(cmd(0x20), { followUp: false }));
    expect(second.sent).toEqual([0x20]);
    expect(dropped.notSent).toBe(false);
  });

  it('errors that say nothing of it, and errors not of a transmit, are not "not sent"', () => {
    expect(new PcscError('TIMEOUT', 'slow').notSent).toBe(false);
    expect(new CardRemovedError('R').notSent).toBe(false);
    expect(new PcscError('CLOSED', 'refused', { notSent: true }).notSent).toBe(true);
  });
});
