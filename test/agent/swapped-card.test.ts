/**
 * A page reads card A (`/pkcs11info`), the user swaps in card B without reloading, and types A's PIN: the
 * official `/sign` names no card, so that PIN used to reach B as a wrong try (and a user who thinks they mistyped
 * retries and locks B). The agent now refuses such a `/sign` before any VERIFY, with 未插入IC卡, when the card in
 * the reader is not the one its last `/pkcs11info` answer to the same origin showed there. In-process, no pcscd.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EmulatorCardSlots, LastError, RetCode, startAgent, type AgentOptions, type AgentServer, type CardSlots, type Pkcs11Info, type SignResponse, type SlotInfo } from '../../src/agent/index.js';
import { ShownCards } from '../../src/agent/shown-cards.js';
import { EmulatorReader } from '../../src/pcsc/index.js';
import { createTestPki, createVirtualHiCOSCard, minimumReadApdus, type TestPki, type VirtualHiCOSCard } from '../../src/testing/index.js';

const SITE = 'https://www.example.gov.tw';
const OTHER_SITE = 'https://other.example.gov.tw';
const PIN_A = '111111';
const PIN_B = '222222';
const VERIFY = 0x20;
const READER = 'Emulated Swap 00';

let pki: TestPki;
let a: VirtualHiCOSCard;
let b: VirtualHiCOSCard;
/** A's card number on another card (other keys and certificates). */
let twin: VirtualHiCOSCard;
let agent: AgentServer | undefined;

beforeAll(async () => {
  pki = await createTestPki();
  a = await createVirtualHiCOSCard({ pki, generation: 2, pin: PIN_A, cardNumber: 'TP03000014140001' });
  b = await createVirtualHiCOSCard({ pki, generation: 1, pin: PIN_B, cardNumber: 'TP03000014140002' });
  twin = await createVirtualHiCOSCard({ pki, generation: 1, pin: PIN_A, cardNumber: 'TP03000014140001' });
}, 60_000);

afterEach(async () => {
  await agent?.close();
  agent = undefined;
  // Every case leaves the shared cards as it found them: a try spent here would change the next case.
  for (const card of [a, b, twin]) expect(card.pinTriesLeft).toBe(3);
});

/** A reader source whose presence token never changes: as if every reader event were missed. */
function missingEvents(inner: CardSlots): CardSlots {
  return {
    list: async () => (await inner.list()).map((s) => ({ ...s, presence: 'never changes' })),
    withCard: (slot, fn) => inner.withCard(slot, fn),
    close: () => inner.close(),
  };
}

async function agentOn(first: VirtualHiCOSCard, options: Partial<AgentOptions> = {}, wrap: (s: CardSlots) => CardSlots = (s) => s): Promise<EmulatorReader> {
  const reader = new EmulatorReader({ name: READER });
  reader.insert(first);
  agent = await startAgent({ slots: wrap(new EmulatorCardSlots(reader)), trusted: [SITE, OTHER_SITE], port: 0, ...options });
  return reader;
}

/** The serial number `origin` is shown in the reader (null: empty). */
async function shown(origin = SITE): Promise<string | null> {
  const doc = (await (await fetch(`http://127.0.0.1:${agent!.port}/pkcs11info`, { headers: { Origin: origin } })).json()) as Pkcs11Info;
  const token = doc.slots.find((s) => s.slotDescription === READER)?.token;
  return token === null || token === undefined ? null : typeof token === 'string' ? token : token.serialNumber;
}

/** `/sign` in `slotDescription` (`null`: naming no reader, so the first with a card is used). */
async function sign(pin: string, origin = SITE, slotDescription: string | null = READER): Promise<SignResponse> {
  const body = `tbsPackage=${JSON.stringify({ func: 'MakeSignature', signatureType: 'PKCS7', tbs: 'swap', hashAlgorithm: 'SHA256', withCardSN: 'true', pin, slotDescription: slotDescription ?? undefined })}`;
  return (await (await fetch(`http://127.0.0.1:${agent!.port}/sign`, { method: 'POST', body, headers: { Origin: origin } })).json()) as SignResponse;
}

const verifies = (card: VirtualHiCOSCard): number => card.log.filter((e) => e.command[1] === VERIFY).length;

function expectSwapRefusal(answer: SignResponse): void {
  expect(answer).toMatchObject({ func: 'sign', ret_code: RetCode.NO_CARD, last_error: LastError.NONE, signature: '', certb64: '', cardSN: '' });
  expect(answer.message).toMatch(/changed since the page read it/);
}

/** `card` put in the reader in place of the card there: a /sign is refused as a swap, and no VERIFY reaches it. */
async function expectRefusedUnverified(reader: EmulatorReader, card: VirtualHiCOSCard): Promise<void> {
  reader.remove();
  reader.insert(card);
  card.clearLog();
  expectSwapRefusal(await sign(PIN_A));
  expect(card.log.filter((e) => e.command[1] === VERIFY)).toHaveLength(0);
  expect(card.pinTriesLeft).toBe(3);
}

function swap(reader: EmulatorReader, to: VirtualHiCOSCard): void {
  reader.remove();
  reader.insert(to);
  for (const card of [a, b, twin]) card.clearLog();
}

describe('/sign after the card the page was shown was swapped for another (refuseSwappedCard, default on)', () => {
  it.each([
    ['warm cache', {}],
    ['no warm cache', { warmCache: false }],
  ] as const)('is refused with 未插入IC卡 before any VERIFY, and no try is spent (%s)', async (_what, options) => {
    const reader = await agentOn(a, options);
    expect(await shown()).toBe(a.cardNumber);
    swap(reader, b);
    // A reader event dropped the warm cache; what the page was shown is still A.
    expectSwapRefusal(await sign(PIN_A));
    expect(verifies(b)).toBe(0);
    expect(b.pinTriesLeft).toBe(3);
    // Only the card number was read (4 APDUs here), not the certificates of a card that is refused.
    expect(b.apduCount).toBeLessThan(minimumReadApdus(b));
    // Refused once: the refusal told the page the card changed, so the next /sign goes to the card now in the
    // reader (a page that never reads the card again must not be refused for ever): B's own PIN signs with B.
    expect(await sign(PIN_B)).toMatchObject({ ret_code: RetCode.OK, cardSN: b.cardNumber });
  }, 60_000);

  it('is refused when the reader event was missed (the warm entry fails its card-number check)', async () => {
    const reader = await agentOn(a, {}, missingEvents);
    expect(await shown()).toBe(a.cardNumber);
    swap(reader, b);
    expectSwapRefusal(await sign(PIN_A));
    expect(verifies(b)).toBe(0);
  }, 60_000);

  it('without slotDescription too (the first reader with a card is the one checked)', async () => {
    const reader = await agentOn(a);
    expect(await shown()).toBe(a.cardNumber);
    swap(reader, b);
    expectSwapRefusal(await sign(PIN_A, SITE, null));
    expect(verifies(b)).toBe(0);
  }, 60_000);

  it('is refused for a card with the same number and other certificates (its certificates are read anyway)', async () => {
    const reader = await agentOn(a);
    expect(await shown()).toBe(a.cardNumber);
    swap(reader, twin);
    expectSwapRefusal(await sign(PIN_A));
    expect(verifies(twin)).toBe(0);
  }, 60_000);

  it('is checked per origin: a tab of another site reading the new card does not make it expected here', async () => {
    const reader = await agentOn(a);
    expect(await shown(SITE)).toBe(a.cardNumber);
    swap(reader, b);
    expect(await shown(OTHER_SITE)).toBe(b.cardNumber);
    expectSwapRefusal(await sign(PIN_A, SITE));
    expect(verifies(b)).toBe(0);
    // The other site was shown B: its signature goes through.
    expect(await sign(PIN_B, OTHER_SITE)).toMatchObject({ ret_code: RetCode.OK, cardSN: b.cardNumber });
  }, 60_000);

  it('local programs (no Origin) are one caller of their own', async () => {
    const reader = await agentOn(a);
    const local = async (): Promise<string | undefined> =>
      ((await (await fetch(`http://127.0.0.1:${agent!.port}/pkcs11info`)).json()) as Pkcs11Info).slots[0]?.token instanceof Object ? 'card' : undefined;
    expect(await local()).toBe('card');
    swap(reader, b);
    const body = `tbsPackage=${JSON.stringify({ tbs: 'swap', pin: PIN_A, signatureType: 'PKCS1', slotDescription: READER })}`;
    const answer = (await (await fetch(`http://127.0.0.1:${agent!.port}/sign`, { method: 'POST', body })).json()) as SignResponse;
    expectSwapRefusal(answer);
    expect(verifies(b)).toBe(0);
  }, 60_000);
});

describe('what the check lets through as before', () => {
  it('the same card taken out and put back, and a card reset, sign with no refusal', async () => {
    const reader = await agentOn(a);
    expect(await shown()).toBe(a.cardNumber);
    swap(reader, a);
    expect(await sign(PIN_A)).toMatchObject({ ret_code: RetCode.OK, cardSN: a.cardNumber });
    const other = reader.connect();
    await other.reset();
    await other.disconnect();
    expect(await sign(PIN_A)).toMatchObject({ ret_code: RetCode.OK, cardSN: a.cardNumber });
  }, 60_000);

  it('a page that never called /pkcs11info is not checked', async () => {
    const reader = await agentOn(a);
    swap(reader, b);
    expect(await sign(PIN_B)).toMatchObject({ ret_code: RetCode.OK, cardSN: b.cardNumber });
  }, 60_000);

  it('a reader the last answer showed empty expects no card: the card put in then signs', async () => {
    const reader = await agentOn(a);
    expect(await shown()).toBe(a.cardNumber);
    reader.remove();
    expect(await shown()).toBeNull();
    reader.insert(b);
    expect(await sign(PIN_B)).toMatchObject({ ret_code: RetCode.OK, cardSN: b.cardNumber });
  }, 60_000);

  it.each([
    ['warm cache', {}],
    ['no warm cache', { warmCache: false }],
  ] as const)('the check adds no APDU to a signature that goes through (%s)', async (_what, options) => {
    const counts: number[] = [];
    for (const refuseSwappedCard of [false, true]) {
      await agentOn(a, { ...options, refuseSwappedCard });
      expect(await shown()).toBe(a.cardNumber);
      a.clearLog();
      expect(await sign(PIN_A)).toMatchObject({ ret_code: RetCode.OK, cardSN: a.cardNumber });
      counts.push(a.apduCount);
      await agent!.close();
      agent = undefined;
    }
    expect(counts[1]).toBe(counts[0]);
  }, 60_000);

  it('with refuseSwappedCard: false the PIN reaches the swapped-in card, as before (a wrong try spent)', async () => {
    const reader = await agentOn(a, { refuseSwappedCard: false });
    expect(await shown()).toBe(a.cardNumber);
    swap(reader, b);
    expect(await sign(PIN_A)).toMatchObject({ ret_code: RetCode.CARD_LOGIN_FAILED, last_error: LastError.PIN_INCORRECT_2_LEFT });
    expect(verifies(b)).toBe(1);
    expect(b.pinTriesLeft).toBe(2);
    // B's own PIN signs (and restores its count for the next case).
    expect(await sign(PIN_B)).toMatchObject({ ret_code: RetCode.OK, cardSN: b.cardNumber });
  }, 60_000);
});

/** Card slots over several emulated readers, listed in order (slot ids by position), one card operation at a time each. */
function severalReaders(readers: () => EmulatorReader[]): CardSlots {
  const inner = new Map<EmulatorReader, EmulatorCardSlots>();
  const slotsOf = (r: EmulatorReader): EmulatorCardSlots => {
    let slots = inner.get(r);
    if (slots === undefined) inner.set(r, (slots = new EmulatorCardSlots(r)));
    return slots;
  };
  return {
    list: async () => Promise.all(readers().map(async (r, i): Promise<SlotInfo> => ({ ...((await slotsOf(r).list())[0] as SlotInfo), slotID: i }))),
    withCard: (slot, fn) => {
      const reader = readers().find((r) => r.name === slot.description);
      if (reader === undefined) throw new Error(`no reader ${slot.description}`);
      return slotsOf(reader).withCard(slot, fn);
    },
    close: async () => {
      for (const slots of inner.values()) await slots.close();
    },
  };
}

describe('a card in a reader the page was shown no card in (found by the review)', () => {
  it('two readers, /sign naming none: A moved into the reader shown empty signs, B put there is refused', async () => {
    const r1 = new EmulatorReader({ name: 'R1 00' });
    const r2 = new EmulatorReader({ name: 'R2 00' });
    r2.insert(a);
    agent = await startAgent({ slots: severalReaders(() => [r1, r2]), trusted: [SITE], port: 0 });
    await fetch(`http://127.0.0.1:${agent.port}/pkcs11info`, { headers: { Origin: SITE } });
    // A card the page was shown, moved to the reader it was shown empty, is what the PIN was typed for.
    r2.remove();
    r1.insert(a);
    expect(await sign(PIN_A, SITE, null)).toMatchObject({ ret_code: RetCode.OK, cardSN: a.cardNumber });
    // B in that reader: the first with a card, where the page was shown none; the PIN was typed for A.
    r1.remove();
    r1.insert(b);
    b.clearLog();
    expectSwapRefusal(await sign(PIN_A, SITE, null));
    expect(verifies(b)).toBe(0);
  }, 60_000);

  it('a reader that came back under another name: its new card is checked against what the page was shown', async () => {
    const before = new EmulatorReader({ name: 'ACS 00 00' });
    const after = new EmulatorReader({ name: 'ACS 01 00' });
    before.insert(a);
    let list = [before];
    agent = await startAgent({ slots: severalReaders(() => list), trusted: [SITE], port: 0 });
    await fetch(`http://127.0.0.1:${agent.port}/pkcs11info`, { headers: { Origin: SITE } });
    list = [after];
    after.insert(b);
    b.clearLog();
    expectSwapRefusal(await sign(PIN_A, SITE, null));
    expect(verifies(b)).toBe(0);
  }, 60_000);
});

describe('the record of what a page was shown', () => {
  it('a page that only signs is refused once after another page of the site read another card, then signs', async () => {
    const reader = await agentOn(a);
    expect(await shown()).toBe(a.cardNumber);
    swap(reader, b);
    // B's owner on a page of the same site that never calls /pkcs11info, typing B's own PIN.
    expectSwapRefusal(await sign(PIN_B));
    expect(await sign(PIN_B)).toMatchObject({ ret_code: RetCode.OK, cardSN: b.cardNumber });
    expect(await sign(PIN_B)).toMatchObject({ ret_code: RetCode.OK, cardSN: b.cardNumber });
  }, 60_000);

  it('is taken when a /sign arrives: an answer given afterwards does not change what that /sign is checked against', () => {
    const cards = new ShownCards();
    cards.shown(SITE, new Map([[READER, { cardNumber: a.cardNumber, certificateHash: 'a' }]]));
    const atArrival = cards.snapshot(SITE);
    // A polling page, or another tab of the site, reads B while the /sign waits for the reader.
    cards.shown(SITE, new Map([[READER, { cardNumber: b.cardNumber, certificateHash: 'b' }]]));
    expect(atArrival?.get(READER)?.cardNumber).toBe(a.cardNumber);
    expect(cards.snapshot(SITE)?.get(READER)?.cardNumber).toBe(b.cardNumber);
    // A refusal records the card now in the reader for the caller, keeping what it was shown elsewhere.
    cards.shown(SITE, new Map([[READER, { cardNumber: a.cardNumber, certificateHash: 'a' }], ['R2', { cardNumber: twin.cardNumber }]]));
    cards.refused(SITE, READER, { cardNumber: b.cardNumber });
    expect(cards.snapshot(SITE)?.get(READER)).toEqual({ cardNumber: b.cardNumber });
    expect(cards.snapshot(SITE)?.get('R2')).toEqual({ cardNumber: twin.cardNumber });
  });
});

/** 2.16.886.1.100.2.204, the signed card-number attribute's type, DER-encoded. */
const CARD_NUMBER_OID = Buffer.from('0608608676016402814c', 'hex');

describe('cards without a card number (no EF 0900/0903): told apart by their certificates', () => {
  it('(a card with a number signs the attribute with withCardSN: what the absence below is measured against)', async () => {
    await agentOn(a);
    expect(await shown()).toBe(a.cardNumber);
    const signed = await sign(PIN_A);
    expect(signed).toMatchObject({ ret_code: RetCode.OK, cardSN: a.cardNumber });
    expect(Buffer.from(signed.signature, 'base64').includes(CARD_NUMBER_OID)).toBe(true);
  }, 60_000);

  it('one swapped for another is refused before any VERIFY, also when the reader event was missed (the warm entry is not trusted)', async () => {
    const first = await createVirtualHiCOSCard({ pki, generation: 1, pin: PIN_A, card: { cardNumberFile: 'no-ef' } });
    const second = await createVirtualHiCOSCard({ pki, generation: 2, pin: PIN_B, card: { cardNumberFile: 'no-ef' } });
    for (const wrap of [(s: CardSlots) => s, missingEvents]) {
      const reader = await agentOn(first, {}, wrap);
      expect(await shown()).toBe('');
      await expectRefusedUnverified(reader, second);
      await agent!.close();
      agent = undefined;
    }
  }, 60_000);

  it('withCardSN signs no empty card-number attribute, and the token shows the tries left its last VERIFY gave', async () => {
    const card = await createVirtualHiCOSCard({ pki, generation: 1, pin: PIN_A, card: { cardNumberFile: 'no-ef' } });
    await agentOn(card);
    expect(await shown()).toBe('');
    const signed = await sign(PIN_A);
    expect(signed).toMatchObject({ ret_code: RetCode.OK, cardSN: '' });
    expect(Buffer.from(signed.signature, 'base64').includes(CARD_NUMBER_OID)).toBe(false);
    expect(await sign('999999')).toMatchObject({ ret_code: RetCode.CARD_LOGIN_FAILED, last_error: LastError.PIN_INCORRECT_2_LEFT });
    const doc = (await (await fetch(`http://127.0.0.1:${agent!.port}/pkcs11info`, { headers: { Origin: SITE } })).json()) as Pkcs11Info;
    const token = doc.slots.find((s) => s.slotDescription === READER)?.token;
    // CKF_USER_PIN_COUNT_LOW (0x10000): the count kept under the card's certificate key is read for the token.
    expect(typeof token === 'object' && token !== null ? token.flags & 0x10000 : 0).toBe(0x10000);
    expect(await sign(PIN_A)).toMatchObject({ ret_code: RetCode.OK });
  }, 60_000);
});

describe('a refusal for a card without a card number (found by the second review)', () => {
  it('records the card by its certificates: another card without a number put in after it is refused too, before any VERIFY', async () => {
    const first = await createVirtualHiCOSCard({ pki, generation: 1, pin: PIN_A, card: { cardNumberFile: 'no-ef' } });
    const second = await createVirtualHiCOSCard({ pki, generation: 1, pin: PIN_B, card: { cardNumberFile: 'no-ef' } });
    for (const wrap of [(s: CardSlots) => s, missingEvents]) {
      const reader = await agentOn(a, {}, wrap);
      expect(await shown()).toBe(a.cardNumber);
      swap(reader, first);
      // The page was shown A: the card without a number is refused, and is what the page now expects.
      expectSwapRefusal(await sign(PIN_A));
      // Another card without a number: its '' matches the record's, but it is not the card refused and recorded.
      await expectRefusedUnverified(reader, second);
      // Refused once: the card now recorded (the second) signs with its own PIN.
      expect(await sign(PIN_B)).toMatchObject({ ret_code: RetCode.OK, cardSN: '' });
      await agent!.close();
      agent = undefined;
    }
  }, 60_000);
});
