import { describe, expect, it } from 'vitest';
import { CardRemovedError, PcscError, mapPcscError } from '../../src/pcsc/index.js';
import { TwpkiError } from '../../src/shared/twpki-error.js';

// What the native binding (smartcard 3.7.0) throws: its error table's text for the code, nothing else.
const native = (text: string): Error => new Error(text);

describe('mapPcscError', () => {
  it.each([
    ['PC/SC service not running', 0x8010001d, 'SERVICE_UNAVAILABLE'],
    ['No readers available', 0x8010002e, 'NO_READER'],
    ['Sharing violation', 0x8010000b, 'SHARING_VIOLATION'],
    ['No smart card present', 0x8010000c, 'NO_CARD'],
    ['Operation timed out', 0x8010000a, 'TIMEOUT'],
    ['Card was reset', 0x80100068, 'CARD_RESET'],
    ['Card is unresponsive', 0x80100066, 'CARD_UNRESPONSIVE'],
    ['Unknown reader', 0x80100009, 'UNKNOWN_READER'],
  ] as const)('maps "%s" (0x%s) to %s', (text, code, expected) => {
    const mapped = mapPcscError(native(text), 'connecting', 'R1');
    expect(mapped).toBeInstanceOf(PcscError);
    expect(mapped).toBeInstanceOf(TwpkiError);
    expect(mapped.code).toBe(expected);
    expect(mapped.pcscCode).toBe(code);
    expect(mapped.reader).toBe('R1');
    expect(mapped.message).toContain('"R1"');
  });

  it('maps a removed card to CardRemovedError', () => {
    const mapped = mapPcscError(native('Card was removed'), 'transmit', 'R');
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
