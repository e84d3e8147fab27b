/**
 * Emulator card slots tell of their card's changes as PC/SC slots tell of reader events: a card put in, taken out
 * or reset is heard at once (`onSlotChange`), so the agent's warm cache forgets that reader's card then, not at the
 * next `/pkcs11info` (it used to keep the card number and certificates of a card no longer there until then).
 * Forgetting sends nothing to the card. In-process, no pcscd.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { EmulatorCardSlots, startAgent, type AgentServer, type Pkcs11Info, type SignResponse } from '../../src/agent/index.js';
import { onSlotChange } from '../../src/agent/card-slots.js';
import { WarmCardCache } from '../../src/agent/warm-card-cache.js';
import { EmulatorReader } from '../../src/pcsc/index.js';
import { createTestPki, createVirtualHiCOSCard, minimumReadApdus, type TestPki, type VirtualHiCOSCard } from '../../src/testing/index.js';

const TRUSTED = 'https://www.example.gov.tw';
const PIN = '246810';
let pki: TestPki;
let a: VirtualHiCOSCard;
let b: VirtualHiCOSCard;

beforeAll(async () => {
  pki = await createTestPki();
  a = await createVirtualHiCOSCard({ pki, generation: 2, pin: PIN, cardNumber: 'TP03000088880001' });
  b = await createVirtualHiCOSCard({ pki, generation: 1, pin: PIN, cardNumber: 'TP03000088880002' });
}, 60_000);

describe('EmulatorCardSlots tells of its card', () => {
  it('being inserted, reset and removed, naming the reader; nothing for an empty reader emptied; nothing after close', async () => {
    const reader = new EmulatorReader({ name: 'Emulated 00' });
    const slots = new EmulatorCardSlots(reader);
    const heard: Array<string | undefined> = [];
    const stop = onSlotChange(slots, (name) => heard.push(name));
    reader.insert(a);
    expect(heard).toEqual(['Emulated 00']);
    const session = reader.connect();
    await session.reset();
    expect(heard).toEqual(['Emulated 00', 'Emulated 00']);
    reader.remove();
    expect(heard).toHaveLength(3);
    reader.remove();
    expect(heard).toHaveLength(3);
    // Each source over a reader hears it; a closed one no longer does.
    const other = new EmulatorCardSlots(reader);
    const heardByOther: Array<string | undefined> = [];
    onSlotChange(other, (name) => heardByOther.push(name));
    await slots.close();
    reader.insert(b);
    expect(heard).toHaveLength(3);
    expect(heardByOther).toEqual(['Emulated 00']);
    stop();
    await other.close();
    reader.remove();
  });

  it('does not keep slots dropped without close() alive through the reader (close() did nothing before)', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const reader = new EmulatorReader({ name: 'Emulated 00' });
    const refs: WeakRef<EmulatorCardSlots>[] = [];
    for (let i = 0; i < 200; i++) refs.push(new WeakRef(new EmulatorCardSlots(reader)));
    for (let i = 0; i < 3; i++) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      gc();
    }
    expect(refs.filter((r) => r.deref() !== undefined).length).toBeLessThan(10);
    // Held slots still hear the reader.
    const kept = new EmulatorCardSlots(reader);
    const heard: Array<string | undefined> = [];
    onSlotChange(kept, (name) => heard.push(name));
    reader.insert(a);
    expect(heard).toEqual(['Emulated 00']);
    await kept.close();
    reader.remove();
  });
});

describe('the agent on emulator slots forgets a card as soon as it changes', () => {
  const caches = new Set<WarmCardCache>();
  let agent: AgentServer | undefined;
  afterEach(async () => {
    vi.restoreAllMocks();
    caches.clear();
    await agent?.close();
    agent = undefined;
  });

  /** Starts the agent on `reader`, catching its cache as it keeps a card (startAgent hands it to no one). */
  async function start(reader: EmulatorReader, refuseSwappedCard?: boolean): Promise<{ info: () => Promise<Pkcs11Info>; sign: () => Promise<SignResponse>; sizes: () => number[] }> {
    const put = WarmCardCache.prototype.put;
    vi.spyOn(WarmCardCache.prototype, 'put').mockImplementation(function (this: WarmCardCache, ...args) {
      caches.add(this);
      return put.apply(this, args);
    });
    const started = await startAgent({ slots: new EmulatorCardSlots(reader), trusted: [TRUSTED], port: 0, refuseSwappedCard });
    agent = started;
    return {
      info: async () => (await (await fetch(`http://127.0.0.1:${started.port}/pkcs11info`, { headers: { Origin: TRUSTED } })).json()) as Pkcs11Info,
      sign: async () => {
        const body = `tbsPackage=${JSON.stringify({ func: 'MakeSignature', signatureType: 'PKCS1', tbs: 'x', tbsEncoding: 'NONE', hashAlgorithm: 'SHA256', withCardSN: 'true', pin: PIN })}`;
        return (await (await fetch(`http://127.0.0.1:${started.port}/sign`, { method: 'POST', body, headers: { Origin: TRUSTED } })).json()) as SignResponse;
      },
      sizes: () => [...caches].map((c) => c.size),
    };
  }

  it('drops the entry at the removal and at a reset, before any /pkcs11info, sending nothing', async () => {
    const reader = new EmulatorReader();
    reader.insert(a);
    const { info, sizes } = await start(reader);
    expect((await info()).slots[0]?.token).toMatchObject({ serialNumber: a.cardNumber });
    expect(sizes()).toEqual([1]);
    a.clearLog();

    reader.remove();
    expect(sizes()).toEqual([0]);
    expect(a.apduCount).toBe(0);
    // What pages see is what they saw before: the reader, empty.
    expect((await info()).slots[0]?.token).toBeNull();

    reader.insert(a);
    expect((await info()).slots[0]?.token).toMatchObject({ serialNumber: a.cardNumber });
    expect(sizes()).toEqual([1]);
    // Another program resets the card: what was kept is dropped there and then.
    const other = reader.connect();
    await other.reset();
    await other.disconnect();
    expect(sizes()).toEqual([0]);
    reader.remove();
  }, 60_000);

  it('after a swap, the next /sign reads the new card in full (the old entry is gone, not confirmed and dropped)', async () => {
    const reader = new EmulatorReader();
    reader.insert(a);
    // The cache is what is tested: with the swap check on, this /sign would be refused (the page was shown a) after
    // reading b's card number only (swapped-card.test.ts).
    const { info, sign, sizes } = await start(reader, false);
    expect((await info()).slots[0]?.token).toMatchObject({ serialNumber: a.cardNumber });
    reader.remove();
    reader.insert(b);
    expect(sizes()).toEqual([0]);
    b.clearLog();
    expect(await sign()).toMatchObject({ ret_code: 0, cardSN: b.cardNumber });
    expect(sizes()).toEqual([1]);
    // Read in full once for the signature, then answered warm.
    expect(b.apduCount).toBeGreaterThanOrEqual(minimumReadApdus(b));
    b.clearLog();
    expect((await info()).slots[0]?.token).toMatchObject({ serialNumber: b.cardNumber });
    expect(b.apduCount).toBe(0);
    reader.remove();
  }, 60_000);
});
