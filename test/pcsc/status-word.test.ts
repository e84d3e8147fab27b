import { describe, expect, it } from 'vitest';
import { StatusWord } from '../../src/pcsc/index.js';

describe('StatusWord', () => {
  it('decodes success, warnings and follow-up hints', () => {
    expect(StatusWord.of(0x9000).isSuccess).toBe(true);
    expect(StatusWord.of(0x6110).isSuccess).toBe(true);
    expect(StatusWord.of(0x6110).bytesAvailable).toBe(0x10);
    expect(StatusWord.of(0x6100).bytesAvailable).toBe(256);
    expect(StatusWord.of(0x6c08).correctLe).toBe(8);
    expect(StatusWord.of(0x6c00).correctLe).toBe(256);
    expect(StatusWord.of(0x6982).isSuccess).toBe(false);
    expect(StatusWord.of(0x6282).isWarning).toBe(true);
  });

  it('reads the retry counter only from 63Cx', () => {
    expect(StatusWord.of(0x63c2).retriesLeft).toBe(2);
    expect(StatusWord.of(0x63c0).retriesLeft).toBe(0);
    expect(StatusWord.of(0x6300).retriesLeft).toBeUndefined();
    expect(StatusWord.of(0x6983).retriesLeft).toBeUndefined();
  });

  it('prints as four upper-case hex digits and describes itself', () => {
    expect(StatusWord.of(0x6a82).toString()).toBe('6A82');
    expect(StatusWord.of(0x0001).toString()).toBe('0001');
    expect(StatusWord.of(0x6983).describe()).toMatch(/blocked/);
    expect(StatusWord.of(0x63c1).describe()).toBe('verification failed, 1 try left');
    expect(Array.from(StatusWord.of(0x6a82).toBytes())).toEqual([0x6a, 0x82]);
  });

  it('rejects values that are not status words', () => {
    expect(() => StatusWord.of(0x10000)).toThrow(RangeError);
    expect(() => StatusWord.of(-1)).toThrow(RangeError);
    expect(() => new StatusWord(256, 0)).toThrow(RangeError);
  });
});
