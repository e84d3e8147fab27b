import { describe, expect, it } from 'vitest';
import { EmulatorReader, PcscContext, type CardEmulator } from '../../src/pcsc/index.js';
import { pcscAvailable } from '../support/pcsc-rig.js';
import { ScriptedCard } from '../support/scripted-card.js';

// The transport's arguments from JavaScript or configuration: a time limit of NaN (an unset environment variable)
// or '5000' was no time limit at all, so a wait for a card, a connect or a command could hang forever; a share
// mode of 'Exclusive' opened a shared session; a card that was no card was a TypeError from inside the reader,
// and left the reader holding it. Each is now a RangeError naming the argument, before anything is asked.

const anyValue = (value: unknown): never => value as never;

/** What `run` throws or rejects with, given at most `ms` (a wait without a limit fails here instead of hanging). */
async function refusal(run: () => unknown, ms = 2_000): Promise<Error> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`neither refused nor done within ${ms} ms`)), ms);
  });
  try {
    await Promise.race([Promise.resolve().then(run), late]);
  } catch (error) {
    return error as Error;
  } finally {
    clearTimeout(timer);
  }
  throw new Error('expected a refusal, it was accepted');
}

const NOT_A_LIMIT = [Number.NaN, '5000', -1, 0, Number.POSITIVE_INFINITY, 2 ** 31];

describe('EmulatorReader', () => {
  it('refuses a card that is not a card emulator, and stays empty', async () => {
    const reader = new EmulatorReader();
    for (const card of [undefined, null, {}, { reset: () => new Uint8Array(2) }, 'card']) {
      const err = await refusal(() => reader.insert(anyValue(card)));
      expect(err).toBeInstanceOf(RangeError);
      expect(err.message).toMatch(/^EmulatorReader\.insert: card must be a card emulator \(an object with reset\(\) and process\(\)/);
      expect(reader.cardPresent).toBe(false);
    }
    // A card whose power-up fails is not inserted either: the next card goes in.
    const broken: CardEmulator = {
      reset: () => {
        throw new Error('no power');
      },
      process: () => new Uint8Array([0x90, 0x00]),
    };
    expect(() => reader.insert(broken)).toThrow('no power');
    expect(reader.cardPresent).toBe(false);
    reader.insert(new ScriptedCard());
    expect(reader.cardPresent).toBe(true);
  });

  it('refuses options it cannot use', async () => {
    for (const timeoutMs of NOT_A_LIMIT) {
      const err = await refusal(() => new EmulatorReader({ timeoutMs: anyValue(timeoutMs) }));
      expect(err).toBeInstanceOf(RangeError);
      expect(err.message).toMatch(/^EmulatorReader: timeoutMs must be a positive number of milliseconds/);
    }
    expect((await refusal(() => new EmulatorReader({ name: '' }))).message).toBe("EmulatorReader: name must be a reader's name (a non-empty string) or left out, not \"\"");
    expect((await refusal(() => new EmulatorReader(anyValue(null)))).message).toBe('EmulatorReader: options must be an object or left out, not null');
    expect((await refusal(() => new EmulatorReader(anyValue({ timeout: 5 })))).message).toBe('EmulatorReader: "timeout" is not an option (they are name, timeoutMs)');
    expect(new EmulatorReader({ name: 'R', timeoutMs: 1 }).name).toBe('R');
  });
});

describe.runIf(pcscAvailable())('PcscContext', () => {
  it('establish refuses a startup time limit that is none', async () => {
    for (const startupTimeoutMs of NOT_A_LIMIT) {
      const err = await refusal(async () => (await PcscContext.establish({ startupTimeoutMs: anyValue(startupTimeoutMs) })).close());
      expect(err).toBeInstanceOf(RangeError);
      expect(err.message).toMatch(/^startupTimeoutMs must be a positive number of milliseconds/);
    }
    expect((await refusal(async () => (await PcscContext.establish(anyValue(5))).close())).message).toBe('PcscContext.establish: options must be an object or left out, not 5');
    expect((await refusal(async () => (await PcscContext.establish(anyValue({ timeoutMs: 30_000 }))).close())).message).toBe(
      'PcscContext.establish: "timeoutMs" is not an option (they are startupTimeoutMs, allowWorkerThread, serviceProbe)',
    );
  });

  it('waitForCard and connect refuse a reader, a time limit or a share mode they cannot use, asking nothing', async () => {
    const ctx = await PcscContext.establish();
    try {
      for (const timeoutMs of NOT_A_LIMIT) {
        const waiting = await refusal(() => ctx.waitForCard('no such reader', { timeoutMs: anyValue(timeoutMs) }));
        expect(waiting).toBeInstanceOf(RangeError);
        expect(waiting.message).toMatch(/^waitForCard: timeoutMs must be a positive number of milliseconds/);
        const connecting = await refusal(() => ctx.connect('no such reader', { timeoutMs: anyValue(timeoutMs) }));
        expect(connecting).toBeInstanceOf(RangeError);
        expect(connecting.message).toMatch(/^connect: timeoutMs must be a positive number of milliseconds/);
      }
      const waitingFor = await refusal(() => ctx.waitForCard(anyValue(5), { timeoutMs: 100 }));
      expect(waitingFor.message).toBe("waitForCard: reader must be a reader's name (a non-empty string) or left out, not 5");
      for (const [reader, shown] of [[undefined, 'undefined (missing)'], ['', '""'], [5, '5']] as const) {
        expect((await refusal(() => ctx.connect(anyValue(reader)))).message).toBe(`connect: reader must be a reader's name (a non-empty string), not ${shown}`);
      }
      const shared = await refusal(() => ctx.connect('no such reader', { share: anyValue('Exclusive') }));
      expect(shared).toBeInstanceOf(RangeError);
      expect(shared.message).toBe('connect: share must be \'exclusive\' or \'shared\', not "Exclusive"');
      expect((await refusal(() => ctx.connect('no such reader', anyValue(null)))).message).toBe('connect: options must be an object or left out, not null');
      expect((await refusal(() => ctx.connect('no such reader', anyValue({ timeout: 1_000 })))).message).toBe('connect: "timeout" is not an option (they are share, timeoutMs)');
      expect((await refusal(() => ctx.waitForCard(undefined, anyValue({ timeout: 1_000 })))).message).toBe('waitForCard: "timeout" is not an option (they are timeoutMs)');
      // What the types allow reaches the reader lookup as before.
      await expect(ctx.connect('no such reader', { share: 'shared', timeoutMs: 1_000 })).rejects.toMatchObject({ code: 'UNKNOWN_READER' });
    } finally {
      await ctx.close();
    }
  });
});
