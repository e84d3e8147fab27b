import { describe, expect, it } from 'vitest';
import { DEFAULT_PIN_POLICY, pinToBuffer, resolvePinPolicy, validatePin } from '../../src/apdu/pin/pin-policy.js';
import { pinTokenFlags } from '../../src/apdu/pin/pin-token-flags.js';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('PIN policy', () => {
  it('defaults to 6–8 printable ASCII characters', () => {
    const policy = resolvePinPolicy();
    expect(() => validatePin(bytes('123456'), policy)).not.toThrow();
    expect(() => validatePin(bytes('Ab#45678'), policy)).not.toThrow();
    for (const bad of ['12345', '123456789', '1234 6', '12345\u00e9']) {
      expect(() => validatePin(bytes(bad), policy)).toThrow(expect.objectContaining({ code: 'INVALID_PIN_FORMAT' }));
    }
  });
  it('is configurable within the 10-byte buffer', () => {
    expect(() => validatePin(bytes('1234'), resolvePinPolicy({ minLength: 4, charset: 'digits' }))).not.toThrow();
    expect(() => validatePin(bytes('12a4'), resolvePinPolicy({ minLength: 4, charset: 'digits' }))).toThrow();
    expect(() => validatePin(bytes('abcDEF12'), resolvePinPolicy({ charset: 'alphanumeric' }))).not.toThrow();
    expect(() => resolvePinPolicy({ maxLength: 11 })).toThrow(RangeError);
    expect(() => resolvePinPolicy({ minLength: 9 })).toThrow(RangeError);
  });
  it('refuses a 民國 date typed with separators, unless told to send it', () => {
    const policy = resolvePinPolicy();
    for (const date of ['79/01/01', '79-1-1', '79.12.31', '100/1/1', '88/2/29', '079/1/1']) {
      const error = (() => {
        try {
          validatePin(bytes(date), policy);
          return undefined;
        } catch (e) {
          return e as Error & { code?: string };
        }
      })();
      expect(error, date).toMatchObject({ code: 'INVALID_PIN_FORMAT' });
      expect(error?.message, date).toMatch(/date with separators/);
      expect(error?.message, date).not.toContain(date);
    }
    // Digits only, other shapes and impossible dates are PINs like any other.
    for (const pin of ['790101', '79/13/01', '79/01/32', '79/00/01', '79/01-01', '7/01/01', '79//0101', '79/001/1', '/79/01/1', '79/01/', 'ab/01/01', '79/1/1/1']) {
      expect(() => validatePin(bytes(pin), policy), pin).not.toThrow();
    }
    const send = resolvePinPolicy({ dateShaped: 'send' });
    expect(() => validatePin(bytes('79/01/01'), send)).not.toThrow();
    // A charset without separators refuses it for its characters, whatever this rule says.
    expect(() => validatePin(bytes('79/01/01'), resolvePinPolicy({ charset: 'digits', dateShaped: 'send' }))).toThrow(/only digits/);
  });
  it('takes a key given as undefined as its default, as one left out', () => {
    expect(resolvePinPolicy({ charset: undefined, dateShaped: undefined, minLength: undefined, maxLength: undefined })).toEqual(DEFAULT_PIN_POLICY);
    expect(resolvePinPolicy({ charset: 'digits', dateShaped: undefined })).toEqual({ ...DEFAULT_PIN_POLICY, charset: 'digits' });
  });
  it('takes a policy given as null (a JavaScript caller\'s passed-through config) as the defaults, as before undefined keys were dropped', () => {
    expect(resolvePinPolicy(null as never)).toEqual(DEFAULT_PIN_POLICY);
  });
  it('refuses a policy value it does not know rather than read it as the laxest rule', () => {
    expect(() => resolvePinPolicy({ dateShaped: 'allow' as never })).toThrow(RangeError);
    expect(() => resolvePinPolicy({ charset: 'ascii' as never })).toThrow(RangeError);
  });
  it('copies the caller’s bytes', () => {
    const mine = bytes('123456');
    const copy = pinToBuffer(mine);
    copy.fill(0);
    expect(new TextDecoder().decode(mine)).toBe('123456');
    expect(() => pinToBuffer(123456 as unknown as string)).toThrow(expect.objectContaining({ code: 'INVALID_PIN_FORMAT' }));
  });
});

describe('PKCS#11 PIN token flags', () => {
  it('follow the last known count', () => {
    expect(pinTokenFlags(undefined)).toEqual({ countLow: false, finalTry: false, locked: false });
    expect(pinTokenFlags(3)).toEqual({ countLow: false, finalTry: false, locked: false });
    expect(pinTokenFlags(2)).toEqual({ countLow: true, finalTry: false, locked: false });
    expect(pinTokenFlags(1)).toEqual({ countLow: true, finalTry: true, locked: false });
    expect(pinTokenFlags(0)).toEqual({ countLow: false, finalTry: false, locked: true });
  });
});
