import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RecencyMap } from '../../src/shared/recency-map.js';

describe('RecencyMap', () => {
  it('keeps a used entry over an unused older one, and nothing at capacity 0', () => {
    const m = new RecencyMap<string, number>(2);
    m.set('a', 1);
    m.set('b', 2);
    expect(m.get('a')).toBe(1); // a gets a second chance
    m.set('c', 3); // b, unused since it came, makes room
    expect(m.get('b')).toBeUndefined();
    expect(m.get('a')).toBe(1);
    expect(m.get('c')).toBe(3);
    m.set('c', 4); // replacing does not evict
    expect(m.size).toBe(2);
    expect(m.get('c')).toBe(4);
    const none = new RecencyMap<string, number>(0);
    none.set('a', 1);
    expect(none.size).toBe(0);
    expect(none.get('a')).toBeUndefined();
  });

  it('refuses a capacity that would bound nothing (NaN, negative, fractional, infinite)', () => {
    for (const capacity of [Number.NaN, -1, 2.5, Number.POSITIVE_INFINITY]) {
      expect(() => new RecencyMap<string, number>(capacity), String(capacity)).toThrow(RangeError);
    }
  });

  it('never holds more than its capacity, and every value read is the last one set under that key', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('set' as const), key: fc.integer({ min: 0, max: 9 }), value: fc.integer() }),
      fc.record({ kind: fc.constant('get' as const), key: fc.integer({ min: 0, max: 9 }) }),
      fc.record({ kind: fc.constant('delete' as const), key: fc.integer({ min: 0, max: 9 }) }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.array(op, { maxLength: 200 }), (capacity, ops) => {
        const m = new RecencyMap<number, number>(capacity);
        const last = new Map<number, number>();
        for (const o of ops) {
          if (o.kind === 'set') {
            m.set(o.key, o.value);
            last.set(o.key, o.value);
            // What was just set is always kept.
            expect(m.get(o.key)).toBe(o.value);
          } else if (o.kind === 'delete') {
            m.delete(o.key);
            last.delete(o.key);
            expect(m.get(o.key)).toBeUndefined();
          } else {
            const got = m.get(o.key);
            if (got !== undefined) expect(got).toBe(last.get(o.key));
          }
          expect(m.size).toBeLessThanOrEqual(capacity);
        }
      }),
    );
  });
});
