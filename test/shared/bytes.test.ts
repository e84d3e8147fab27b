import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { copyBytes, freshBytes, isHexOf } from '../../src/shared/bytes.js';

describe('copyBytes and freshBytes (copies carved from shared slabs)', () => {
  it('keeps every copy equal to its source and independent of the others, across many slabs (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 12_000 }), { minLength: 1, maxLength: 80 }), fc.nat(), (sources, pick) => {
        const copies = sources.map((s) => copyBytes(s));
        // Scribble over one copy and one source: nothing else may change.
        const victim = pick % copies.length;
        (copies[victim] as Uint8Array).fill(0xa5);
        const before = sources.map((s) => s.slice());
        (sources[(victim + 1) % sources.length] as Uint8Array).fill(0x5a);
        copies.forEach((copy, i) => {
          expect(copy.length).toBe((sources[i] as Uint8Array).length);
          if (i === victim) expect(copy.every((b) => b === 0xa5)).toBe(true);
          else expect(Buffer.from(copy).equals(Buffer.from(before[i] as Uint8Array))).toBe(true);
        });
      }),
      { numRuns: 60 },
    );
  });

  it('gives long requests an ArrayBuffer of their own and carves short ones from a larger slab', () => {
    expect(freshBytes(9000).buffer.byteLength).toBe(9000);
    const short = freshBytes(100);
    expect(short.buffer.byteLength).toBeGreaterThan(100);
    expect(freshBytes(0).length).toBe(0);
  });
});

describe('isHexOf (a digest compared with its hex text in place)', () => {
  it('holds exactly for the lower-case hex Node writes (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.nat(), (bytes, pick) => {
        const hex = Buffer.from(bytes).toString('hex');
        expect(isHexOf(hex, bytes)).toBe(true);
        if (bytes.length === 0) return;
        // One nibble changed, the upper-case spelling, one byte short or long: never the same.
        const at = pick % hex.length;
        const other = hex.slice(0, at) + (hex[at] === '0' ? '1' : '0') + hex.slice(at + 1);
        expect(isHexOf(other, bytes)).toBe(false);
        if (/[a-f]/.test(hex)) expect(isHexOf(hex.toUpperCase(), bytes)).toBe(false);
        expect(isHexOf(hex.slice(2), bytes)).toBe(false);
        expect(isHexOf(`${hex}00`, bytes)).toBe(false);
      }),
    );
  });
});
