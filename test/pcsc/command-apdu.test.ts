import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ApduFormatError, CommandApdu, EmulatorReader, ResponseApdu, CardProtocolError } from '../../src/pcsc/index.js';
import { fromHex, toHex } from '../../src/shared/bytes.js';

const hex = (c: CommandApdu): string => toHex(c.toBytes());

describe('CommandApdu encoding', () => {
  it('encodes the four short cases', () => {
    expect(hex(new CommandApdu({ cla: 0x80, ins: 0xa4, p1: 0, p2: 0 }))).toBe('80a40000');
    expect(hex(new CommandApdu({ cla: 0x80, ins: 0xb0, p1: 0, p2: 0, le: 200 }))).toBe('80b00000c8');
    expect(hex(new CommandApdu({ cla: 0x80, ins: 0xa4, p1: 0, p2: 0, data: fromHex('3f00') }))).toBe('80a40000023f00');
    expect(hex(new CommandApdu({ cla: 0x00, ins: 0xa4, p1: 0, p2: 4, data: fromHex('0810'), le: 256 }))).toBe('00a4000402081000');
  });

  it('encodes Le 256 as 00 and switches to extended only when needed', () => {
    expect(hex(new CommandApdu({ cla: 0, ins: 0xc0, p1: 0, p2: 0, le: 256 }))).toBe('00c0000000');
    const big = new CommandApdu({ cla: 0, ins: 0xd6, p1: 0, p2: 0, data: new Uint8Array(300) });
    expect(big.extended).toBe(true);
    expect(toHex(big.toBytes().subarray(4, 7))).toBe('00012c');
    const bigLe = new CommandApdu({ cla: 0, ins: 0xb0, p1: 0, p2: 0, le: 65536 });
    expect(hex(bigLe)).toBe('00b00000000000');
    const both = new CommandApdu({ cla: 0, ins: 0x2a, p1: 0x9e, p2: 0x9a, data: Uint8Array.of(1), le: 512, extended: true });
    expect(hex(both)).toBe('002a9e9a000001010200');
  });

  it('rejects impossible fields with ApduFormatError', () => {
    expect(() => new CommandApdu({ cla: 256, ins: 0, p1: 0, p2: 0 })).toThrow(ApduFormatError);
    expect(() => new CommandApdu({ cla: 0, ins: 0, p1: 0, p2: 0, le: 0 })).toThrow(/Le must be/);
    expect(() => new CommandApdu({ cla: 0, ins: 0, p1: 0, p2: 0, le: 65537 })).toThrow(ApduFormatError);
    expect(() => new CommandApdu({ cla: 0, ins: 0, p1: 0, p2: 0, data: new Uint8Array(65536) })).toThrow(/too long/);
  });

  it('parses what it encodes, for every case (property)', () => {
    const arb = fc.record({
      cla: fc.integer({ min: 0, max: 255 }),
      ins: fc.integer({ min: 0, max: 255 }),
      p1: fc.integer({ min: 0, max: 255 }),
      p2: fc.integer({ min: 0, max: 255 }),
      data: fc.option(fc.uint8Array({ minLength: 1, maxLength: 400 }), { nil: undefined }),
      le: fc.option(fc.integer({ min: 1, max: 65536 }), { nil: undefined }),
      extended: fc.boolean(),
    });
    fc.assert(
      fc.property(arb, (init) => {
        const c = new CommandApdu(init);
        const back = CommandApdu.from(c.toBytes());
        expect(back.toBytes()).toEqual(c.toBytes());
        expect(back.le).toBe(c.le);
        expect(Array.from(back.data)).toEqual(Array.from(c.data));
      }),
    );
  });

  it('refuses malformed encodings with typed errors, never a crash (property)', () => {
    expect(() => CommandApdu.from(fromHex('0001'))).toThrow(ApduFormatError);
    expect(() => CommandApdu.from(fromHex('00a4000005010203'))).toThrow(/Lc 5/);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        try {
          CommandApdu.from(bytes);
        } catch (error) {
          expect(error).toBeInstanceOf(ApduFormatError);
        }
      }),
    );
  });
});

describe('bytes that are not a Uint8Array', () => {
  // A number[] or hex text has a length too: it failed as "bytes.subarray is not a function" (a TypeError from inside
  // transmit), and a card emulator answering with a number[] likewise.
  const anyValue = (value: unknown): never => value as never;

  it('CommandApdu.from and the constructor refuse them as ApduFormatError, naming what was given', () => {
    for (const [given, shown] of [[[0x00, 0xa4, 0x04, 0x00], 'an array'], ['00a40400', '"00a40400"'], [undefined, 'undefined (missing)']] as const) {
      expect(() => CommandApdu.from(anyValue(given))).toThrow(
        new ApduFormatError(`a command APDU must be bytes (a Uint8Array or Buffer, such as Uint8Array.of(0x00, 0xa4, …)), got ${shown}`),
      );
    }
    expect(() => new CommandApdu(anyValue(undefined))).toThrow(new ApduFormatError('a command APDU needs { cla, ins, p1, p2, data?, le? }, got undefined (missing)'));
    expect(() => new CommandApdu({ cla: 0, ins: 0xa4, p1: 4, p2: 0, data: anyValue([1, 2]) })).toThrow(
      new ApduFormatError('command data must be bytes (a Uint8Array or Buffer), got an array'),
    );
    // A Buffer is bytes.
    expect(CommandApdu.from(Buffer.from('00a40400', 'hex')).ins).toBe(0xa4);
  });

  it('ResponseApdu.from refuses them as CardProtocolError', () => {
    expect(() => ResponseApdu.from(anyValue([0x90, 0x00]))).toThrow(new CardProtocolError('a response APDU must be bytes (a Uint8Array or Buffer), got an array'));
  });

  it('a transmit of a number[] is refused before it is sent', async () => {
    const reader = new EmulatorReader();
    reader.insert({ reset: () => Uint8Array.of(0x3b, 0x00), process: () => Uint8Array.of(0x90, 0x00) });
    const error = await reader.connect().transmit(anyValue([0x00, 0xa4, 0x04, 0x00])).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ApduFormatError);
    expect((error as ApduFormatError).notSent).toBe(true);
  });

  it('an emulator answering with a number[] fails the transmit as CardProtocolError', async () => {
    const reader = new EmulatorReader();
    reader.insert({ reset: () => Uint8Array.of(0x3b, 0x00), process: () => anyValue([0x90, 0x00]) });
    await expect(reader.connect().transmit(Uint8Array.of(0x00, 0xa4, 0x04, 0x00))).rejects.toBeInstanceOf(CardProtocolError);
  });
});

describe('ResponseApdu', () => {
  it('splits data and status word', () => {
    const r = ResponseApdu.from(fromHex('0102039000'));
    expect(toHex(r.data)).toBe('010203');
    expect(r.sw.toString()).toBe('9000');
    expect(r.ok).toBe(true);
    expect(toHex(r.toBytes())).toBe('0102039000');
  });

  it('treats a response without a status word as a protocol error', () => {
    expect(() => ResponseApdu.from(Uint8Array.of(0x90))).toThrow(CardProtocolError);
  });
});
