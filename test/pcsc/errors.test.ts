import { describe, expect, it } from 'vitest';
import { CardRemovedError, PcscError, mapPcscError } from '../../src/pcsc/index.js';
import { TwpkiError } from '../../src/shared/twpki-error.js';

const native = (fn: string, text: string, code: number): Error =>
  new Error(`${fn} error: ${text}.(0x${code.toString(16).padStart(8, '0')})`);

describe('mapPcscError', () => {
  it.each([
    [0x8010001d, 'SERVICE_UNAVAILABLE'],
    [0x8010002e, 'NO_READER'],
    [0x8010000b, 'SHARING_VIOLATION'],
    [0x8010000c, 'NO_CARD'],
    [0x8010000a, 'TIMEOUT'],
    [0x80100068, 'CARD_RESET'],
    [0x80100066, 'CARD_UNRESPONSIVE'],
    [0x80100009, 'UNKNOWN_READER'],
  ] as const)('maps 0x%s to %s', (code, expected) => {
    const mapped = mapPcscError(native('SCardConnect', 'x', code), 'connecting', 'R1');
    expect(mapped).toBeInstanceOf(PcscError);
    expect(mapped).toBeInstanceOf(TwpkiError);
    expect(mapped.code).toBe(expected);
    expect(mapped.pcscCode).toBe(code);
    expect(mapped.reader).toBe('R1');
    expect(mapped.message).toContain('"R1"');
  });

  it('maps a removed card to CardRemovedError', () => {
    const mapped = mapPcscError(native('SCardTransmit', 'Card was removed', 0x80100069), 'transmit', 'R');
    expect(mapped).toBeInstanceOf(CardRemovedError);
    expect(mapped.code).toBe('CARD_REMOVED');
  });

  it('keeps unknown failures as UNKNOWN with the original detail', () => {
    const mapped = mapPcscError(new Error('something odd'), 'transmit');
    expect(mapped.code).toBe('UNKNOWN');
    expect(mapped.message).toContain('something odd');
    expect(mapped.pcscCode).toBeUndefined();
  });

  it('passes typed errors through untouched', () => {
    const e = new CardRemovedError('R');
    expect(mapPcscError(e, 'x')).toBe(e);
  });
});
