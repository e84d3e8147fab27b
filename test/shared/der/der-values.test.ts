import { describe, expect, it } from 'vitest';
import { readRoot } from '../../../src/shared/der/der-reader.js';
import { enumeratedOf } from '../../../src/shared/der/der-values.js';

const read = (...bytes: number[]): number => enumeratedOf(readRoot(Uint8Array.of(...bytes)), 'reason');

describe('enumeratedOf', () => {
  it('reads the whole two\'s complement value, not its first octet', () => {
    expect(read(0x0a, 0x01, 0x01)).toBe(1);
    expect(read(0x0a, 0x01, 0x7f)).toBe(127);
    expect(read(0x0a, 0x01, 0xff)).toBe(-1);
    expect(read(0x0a, 0x02, 0x00, 0x80)).toBe(128);
    expect(read(0x0a, 0x02, 0x01, 0x01)).toBe(257);
    expect(read(0x0a, 0x02, 0xff, 0x7f)).toBe(-129);
  });

  it('refuses what is not one DER ENUMERATED, naming it', () => {
    expect(() => read(0x02, 0x01, 0x01)).toThrow(/^reason is not an ENUMERATED$/);
    expect(() => read(0x0a, 0x00)).toThrow(/^reason is an empty ENUMERATED$/);
    expect(() => read(0x0a, 0x02, 0x00, 0x01)).toThrow(/^reason is an ENUMERATED with a padded encoding/);
    expect(() => read(0x0a, 0x02, 0xff, 0x80)).toThrow(/^reason is an ENUMERATED with a padded encoding/);
    expect(() => read(0x2a, 0x03, 0x0a, 0x01, 0x01)).toThrow(/^reason is not a primitive element$/);
    expect(() => read(0x0a, 0x07, 0x01, 0, 0, 0, 0, 0, 0)).toThrow(/^reason is an ENUMERATED of 7 octets/);
  });
});
