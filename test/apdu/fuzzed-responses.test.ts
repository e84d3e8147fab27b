import { constants, verify, X509Certificate } from 'node:crypto';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import type { HiCOSCardInfo } from '../../src/apdu/card-types.js';
import { HiCOSCard } from '../../src/apdu/hicos-card.js';
import { RetryCounterStore } from '../../src/apdu/pin/retry-counter-store.js';
import { EmulatorReader } from '../../src/pcsc/emulator-reader.js';
import type { CardEmulator } from '../../src/pcsc/transport.js';
import { TwpkiError } from '../../src/shared/twpki-error.js';
import { VirtualHiCOSCard } from '../../src/testing/hicos/virtual-hicos-card.js';
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

/** Wraps a card, garbles the responses at the chosen exchange numbers and records which answers really changed. */
class GarblingCard implements CardEmulator {
  private count = 0;
  /** INS bytes of the commands whose answers were altered. */
  public readonly alteredIns = new Set<number>();
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
    const out = garbled(response, garble);
    if (Buffer.compare(Buffer.from(out), Buffer.from(response)) !== 0) this.alteredIns.add(command[1] ?? -1);
    return out;
  }
}

function garbled(response: Uint8Array, garble: Garble): Uint8Array {
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

/** INS of answers whose data the host has no way to check: file contents (READ BINARY, GET RESPONSE). */
const FILE_DATA = [0xb0, 0xc0];
/** …and the key operation's result, which only the certificate could check. */
const KEY_RESULT = [0xea, 0xc1];

let credentials: VirtualCardCredentials;
beforeAll(async () => {
  credentials = await testCredentials();
}, 60_000);

describe('garbled card responses', () => {
  it('give typed errors, or results that are exact unless card data itself was altered', async () => {
    const data = new Uint8Array([1, 2, 3]);
    let exact = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(
          { generation: 1 as const },
          { generation: 2 as const, plainCommandsDuringSecureMessaging: 'accept' as const },
          { generation: 2 as const, plainCommandsDuringSecureMessaging: 'refuse' as const },
        ),
        fc.array(fc.tuple(fc.nat(70), garbleArb), { minLength: 1, maxLength: 4 }),
        async (mode, garbles) => {
          const card = new VirtualHiCOSCard({ ...mode, credentials });
          const garbling = new GarblingCard(card, new Map(garbles));
          const reader = new EmulatorReader();
          reader.insert(garbling);
          const transport = reader.connect();
          let result: { info: HiCOSCardInfo; signature: Uint8Array };
          try {
            const hicos = await HiCOSCard.open(transport, { retryStore: new RetryCounterStore() });
            const info = await hicos.info();
            result = { info, signature: await hicos.sign(data, { pin: '123456' }) };
          } catch (error) {
            if (!(error instanceof TwpkiError)) throw error;
            expect(typeof error.code).toBe('string');
            expect(error.message).not.toContain('123456');
            return;
          }
          const { info, signature } = result;
          const altered = (ins: number[]) => ins.some((i) => garbling.alteredIns.has(i));

          // Invariants that hold whatever was garbled.
          expect(info.generation).toBe(mode.generation);
          expect(info.cardNumber).toMatch(/^[\x20-\x7e]{1,16}$/);
          expect(info.version).toMatch(/^[\x20-\x7e]*$/);
          for (const c of info.certificates) {
            expect(c.der[0]).toBe(0x30);
            expect(c.der.length).toBeGreaterThanOrEqual(4);
          }
          expect(signature).toHaveLength(256);

          // Exactness: only an altered file or key-result answer may change what the caller gets.
          if (!altered(FILE_DATA)) {
            expect(info.cardNumber).toBe(card.cardNumber);
            expect(info.certificates.map((c) => Buffer.from(c.der).toString('hex'))).toEqual(
              [credentials.sign.certificate, credentials.keyx.certificate, ...credentials.caCertificates!].map((d) => Buffer.from(d).toString('hex')),
            );
          }
          if (!altered([...FILE_DATA, ...KEY_RESULT])) {
            const key = new X509Certificate(credentials.sign.certificate).publicKey;
            expect(verify('sha256', data, { key, padding: constants.RSA_PKCS1_PADDING }, signature)).toBe(true);
            if (!altered(FILE_DATA)) exact++;
          }
        },
      ),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 150) },
    );
    // The success branch ran, so its assertions were exercised.
    expect(exact).toBeGreaterThan(0);
  }, 120_000);
});
