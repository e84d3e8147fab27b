import { describe, expect, it } from 'vitest';
import { HiCOSCard } from '../../src/apdu/hicos-card.js';
import { NotHiCOSCardError } from '../../src/apdu/errors.js';
import { recogniseAtr } from '../../src/apdu/known-atrs.js';
import { detectGeneration, retryCounterKey } from '../../src/apdu/index.js';
import { EmulatorReader } from '../../src/pcsc/emulator-reader.js';
import { fromHex, toHex } from '../../src/shared/bytes.js';
import { insertVirtualCard } from './support/virtual-cards.js';

describe('generation detection', () => {
  it('recognises the listed ATRs', () => {
    expect(recogniseAtr(fromHex('3BB8130081 31FA524348544D4F494341A5'))?.generationHint).toBe(1);
    expect(recogniseAtr(fromHex('3BD8960081B1FE451F07434854475 04B494ADD'.replace(' ', '')))?.generationHint).toBe(2);
    expect(recogniseAtr(fromHex('3B8B800100 31C164084021300090 0057'))?.description).toMatch(/contactless/);
    expect(recogniseAtr(fromHex('3b00'))).toBeUndefined();
  });

  it('probes Gen2 first when the ATR gives no hint', async () => {
    const gen1 = await insertVirtualCard({ generation: 1, atr: fromHex('3b021234') });
    const card = await HiCOSCard.open(gen1.transport);
    expect(card.generation).toBe(1);
    expect(gen1.card.log.map((e) => toHex(e.response.subarray(-2)))).toEqual(['6e00', '9000']);
    const gen2 = await insertVirtualCard({ generation: 2, atr: fromHex('3b021234') });
    expect((await HiCOSCard.open(gen2.transport)).generation).toBe(2);
    expect(gen2.card.apduCount).toBe(1);
  });

  it('probes in the same order behind a listed ATR: a Gen2 applet behind the Gen1 "CHTMOICA" ATR is Gen2', async () => {
    const gen1Atr = fromHex('3BB813008131FA524348544D4F494341A5');
    const gen2 = await insertVirtualCard({ generation: 2, atr: gen1Atr });
    expect((await HiCOSCard.open(gen2.transport)).generation).toBe(2);
    // No CLA 80 SELECT MF went to it: the applet AID came first and was taken.
    expect(gen2.card.log.map((e) => toHex(e.command.subarray(0, 4)))).toEqual(['00a4040c']);
    const gen1 = await insertVirtualCard({ generation: 1, atr: gen1Atr });
    expect((await HiCOSCard.open(gen1.transport)).generation).toBe(1);
    expect(gen1.card.log.map((e) => toHex(e.command.subarray(0, 4)))).toEqual(['00a4040c', '80a40000']);
  });

  it('a card that answers neither entry command is not HiCOS', async () => {
    const reader = new EmulatorReader();
    reader.insert({ reset: () => fromHex('3b00'), process: () => fromHex('6d00') });
    const error = await HiCOSCard.open(reader.connect()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotHiCOSCardError);
    expect((error as NotHiCOSCardError).code).toBe('NOT_HICOS');
    expect((error as Error).message).toContain('6D00');
  });
});

describe('a card object whose session ended', () => {
  it('answers nothing from its cache after disconnect (CLOSED) or removal (CARD_REMOVED), and sends no APDU', async () => {
    for (const generation of [1, 2] as const) {
      const closed = await insertVirtualCard({ generation });
      const card = await HiCOSCard.open(closed.transport);
      const info = await card.info();
      expect(info.cardNumber).toBe(closed.card.cardNumber);
      await closed.transport.disconnect();
      const sent = closed.card.apduCount;
      for (const read of [() => card.info(), () => card.cardNumber(), () => card.certificates()]) {
        expect(await read().catch((e: unknown) => (e as { code?: string }).code)).toBe('CLOSED');
      }
      expect(closed.card.apduCount).toBe(sent);

      const pulled = await insertVirtualCard({ generation });
      const other = await HiCOSCard.open(pulled.transport);
      await other.info();
      pulled.reader.remove();
      expect(await other.info().catch((e: unknown) => (e as { code?: string }).code)).toBe('CARD_REMOVED');
    }
  });
});

describe('an emulated card that throws', () => {
  it('is a card that did not answer (PcscError CARD_UNRESPONSIVE naming the reader and the cause), not a malformed answer', async () => {
    const reader = new EmulatorReader({ name: 'Test reader 7' });
    const bug = new TypeError("Cannot read properties of undefined (reading 'fid')");
    reader.insert({ reset: () => fromHex('3b00'), process: () => Promise.reject(bug) });
    const error = (await HiCOSCard.open(reader.connect()).catch((e: unknown) => e)) as { code?: string; message?: string; reader?: string; cause?: unknown };
    expect([error.code, error.reader, error.cause]).toEqual(['CARD_UNRESPONSIVE', 'Test reader 7', bug]);
    expect(error.message).toContain("reading 'fid'");
  });
});

describe('the card helpers given what is not their input', () => {
  // Each was a TypeError from inside ("Cannot read properties of undefined (reading 'transmit' / 'length' /
  // 'cardNumber')"): a typed answer instead, and an ATR that is no bytes is no listed ATR.
  const anyValue = (value: unknown): never => value as never;

  it('detectGeneration and retryCounterKey refuse it as INVALID_CARD_INPUT; recogniseAtr knows no such ATR', async () => {
    for (const tx of [undefined, null, {}]) {
      await expect(detectGeneration(anyValue(tx))).rejects.toMatchObject({
        code: 'INVALID_CARD_INPUT',
        message: 'detectGeneration needs a Transport (a PcscSession, or EmulatorReader.connect())',
      });
    }
    for (const info of [undefined, {}, { cardNumber: 'TP03000012345678' }]) {
      expect(() => retryCounterKey(anyValue(info))).toThrow(
        expect.objectContaining({ code: 'INVALID_CARD_INPUT', message: 'retryCounterKey needs what card.info() returned ({ cardNumber, certificates })' }),
      );
    }
    expect(retryCounterKey({ cardNumber: 'TP03000012345678', certificates: [] })).toBe('TP03000012345678');
    for (const atr of [undefined, '3b', [0x3b]]) expect(recogniseAtr(anyValue(atr))).toBeUndefined();
  });
});
