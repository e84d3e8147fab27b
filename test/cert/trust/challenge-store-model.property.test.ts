/**
 * InMemoryChallengeStore against a plain model of what it promises: records held in issue order, an expired one
 * dropped at the next put, the oldest dropped when the cap is reached, a value put again held once (its latest
 * record, at its new place; the cap counts it before the put, as it always did). The store keeps its own issue order (not the map's) so that a flood past the cap
 * costs each put the same; this checks it drops exactly what the model drops.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InMemoryChallengeStore, type ChallengeRecord } from '../../../src/cert/index.js';

type Step = { kind: 'put'; value: number; lifetime: number } | { kind: 'tick'; ms: number } | { kind: 'consume'; value: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('put' as const), value: fc.integer({ min: 0, max: 40 }), lifetime: fc.constantFrom(100, 100, 100, 50) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('tick' as const), ms: fc.integer({ min: 1, max: 60 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('consume' as const), value: fc.integer({ min: 0, max: 40 }) }) },
);

describe('InMemoryChallengeStore', () => {
  it('holds, drops and answers exactly as the model does, through puts, time and consumes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 12 }), fc.array(step, { maxLength: 400 }), async (cap, steps) => {
        let t = 0;
        const store = new InMemoryChallengeStore({ maxEntries: cap, now: () => new Date(t) });
        // The model: records in the order of their last put, each with whether it was used.
        const model: Array<{ record: ChallengeRecord; used: boolean }> = [];
        for (const s of steps) {
          if (s.kind === 'tick') t += s.ms;
          else if (s.kind === 'put') {
            const record: ChallengeRecord = { value: `v${s.value}`, sessionId: 's', issuedAt: new Date(t), expiresAt: new Date(t + s.lifetime) };
            // From the front: drop what has expired, or the oldest while the cap is reached, until a live record
            // below the cap (issue order is expiry order when lifetimes are equal: the store stops at the first
            // live record, and so does the model). The cap counts what is held before this put, a value put again
            // included.
            for (;;) {
              const front = model[0];
              if (front !== undefined && (front.record.expiresAt.getTime() < t || model.length >= cap)) model.shift();
              else break;
            }
            const existing = model.findIndex((m) => m.record.value === record.value);
            if (existing !== -1) model.splice(existing, 1);
            model.push({ record, used: false });
            await store.put(record);
          } else {
            const m = model.find((e) => e.record.value === `v${s.value}`);
            const got = await store.consume(`v${s.value}`);
            expect(got === undefined ? undefined : { record: got.record, alreadyUsed: got.alreadyUsed }).toEqual(m === undefined ? undefined : { record: m.record, alreadyUsed: m.used });
            if (m !== undefined) m.used = true;
          }
          expect(store.size).toBe(model.length);
        }
        // What is held at the end is what the model holds, each with its latest record.
        for (const m of model) expect((await store.consume(m.record.value))?.record).toBe(m.record);
      }),
      { numRuns: 1_000 },
    );
  });
});
