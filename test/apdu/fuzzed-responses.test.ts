import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { HiCOSCard } from '../../src/apdu/hicos-card.js';
import { RetryCounterStore } from '../../src/apdu/pin/retry-counter-store.js';
import { EmulatorReader } from '../../src/pcsc/emulator-reader.js';
import type { CardEmulator } from '../../src/pcsc/transport.js';
import { TwpkiError } from '../../src/shared/twpki-error.js';
import { VirtualHicosCard } from '../../src/testing/hicos/virtual-hicos-card.js';
import type { VirtualCardCredentials } from '../../src/testing/hicos/virtual-card-options.js';
import { testCredentials } from './support/virtual-cards.js';

/** How one response gets garbled. */
type Garble =
  | { kind: 'truncate'; keep: number }
  | { kind: 'flip'; at: number; mask: number }
  | { kind: 'status'; sw: number }
  | { kind: 'replace'; bytes: Uint8Array }
  | { kind: 'extend'; bytes: Uint8Array };

const garbleArb: fc.Arbitrary<Garble> = fc.oneof(
  fc.record({ kind: fc.constant('truncate' as const), keep: fc.nat(300) }),
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(300), mask: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ kind: fc.constant('status' as const), sw: fc.integer({ min: 0, max: 0xffff }) }),
  fc.record({ kind: fc.constant('replace' as const), bytes: fc.uint8Array({ maxLength: 260 }) }),
  fc.record({ kind: fc.constant('extend' as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 40 }) }),
);

/** Wraps a card and garbles the responses at the chosen exchange numbers. */
class GarblingCard implements CardEmulator {
  private count = 0;
  public constructor(
    private readonly inner: CardEmulator,
    private readonly plan: Map<number, Garble>,
  ) {}
  public reset(): Uint8Array {
    return this.inner.reset();
  }
  public async process(command: Uint8Array): Promise<Uint8Array> {
    const response = await this.inner.process(command);
    const garble = this.plan.get(this.count++);
    if (!garble) return response;
    switch (garble.kind) {
      case 'truncate':
        return response.slice(0, Math.min(garble.keep, response.length));
      case 'flip': {
        const out = Uint8Array.from(response);
        if (out.length > 0) out[garble.at % out.length]! ^= garble.mask;
        return out;
      }
      case 'status': {
        const out = Uint8Array.from(response);
        out[out.length - 2] = garble.sw >> 8;
        out[out.length - 1] = garble.sw & 0xff;
        return out;
      }
      case 'replace':
        return garble.bytes;
      case 'extend':
        return Uint8Array.from([...response.subarray(0, -2), ...garble.bytes, ...response.subarray(-2)]);
    }
  }
}

let credentials: VirtualCardCredentials;
beforeAll(async () => {
  credentials = await testCredentials();
}, 60_000);

describe('garbled card responses', () => {
  it('produce typed errors or correct results, never a crash or a hang', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(1 as const, 2 as const),
        fc.array(fc.tuple(fc.nat(70), garbleArb), { minLength: 1, maxLength: 4 }),
        async (generation, garbles) => {
          const card = new VirtualHicosCard({ generation, credentials });
          const reader = new EmulatorReader();
          reader.insert(new GarblingCard(card, new Map(garbles)));
          const transport = reader.connect();
          try {
            const hicos = await HiCOSCard.open(transport, { retryStore: new RetryCounterStore() });
            await hicos.info();
            await hicos.sign(new Uint8Array([1, 2, 3]), { pin: '123456' });
          } catch (error) {
            if (!(error instanceof TwpkiError)) throw error;
            expect(typeof error.code).toBe('string');
            expect(error.message).not.toContain('123456');
          }
        },
      ),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 150) },
    );
  }, 60_000);
});
