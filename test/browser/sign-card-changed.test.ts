/**
 * `sign()` without a slot detects again just before signing, and that `/pkcs11info` makes the card now in the
 * reader the one the component expects: a PIN typed for card A, which the page showed, used to reach card B put in
 * since. The client now compares the card it finds with the only card its last detection showed, and refuses
 * another one (`COMPONENT_CARD_CHANGED`) before the PIN is sent; the next `sign()` goes to the new card.
 *
 * Driven in Node over the direct channel: `fetch` is a stand-in component whose readers the test sets, and which
 * records every `/sign` it gets (the PIN included, to show whether it was sent at all). The client's memory is per
 * component origin and lives as long as the module, so each case talks to its own origin.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ComponentError, detect, RetCode, sign, type ComponentOptions, type SignResult } from '../../src/browser/index.js';

const PIN_A = '111111';
const PIN_B = '222222';

/** A card in the component's `/pkcs11info` token shape (the user certificate's serial and thumbprint given). */
interface FakeCard {
  readonly cardNumber: string;
  readonly certSerial?: string;
  readonly thumbprint?: string;
}

const A: FakeCard = { cardNumber: 'TP03000014140001', certSerial: '3A8F0C11D2', thumbprint: 'AA'.repeat(20) };
const B: FakeCard = { cardNumber: 'TP03000014140002', certSerial: '3A8F0C11E7', thumbprint: 'BB'.repeat(20) };

function tokenOf(card: FakeCard): Record<string, unknown> {
  const cert1 = {
    label: 'cert1',
    subjectDN: 'C=TW,CN=王小明,serialNumber=0000000000001234',
    issuerDN: 'C=TW,O=行政院,OU=內政部憑證管理中心',
    subjectCN: '王小明',
    subjectID: '1234',
    sn: card.certSerial ?? '',
    thumbprint: card.thumbprint ?? '',
    usage: 'digitalSignature',
  };
  return {
    label: 'HiCOS PKI Smart Card',
    serialNumber: card.cardNumber,
    ulMinPinLen: 6,
    ulMaxPinLen: 8,
    flags: 0,
    certs: card.certSerial === undefined && card.thumbprint === undefined ? [] : [cert1],
  };
}

/** The stand-in component: readers by name, the `/sign` requests it got, and what its next answers are. */
const component = {
  readers: new Map<string, FakeCard | null>(),
  signed: [] as { slotDescription: string; pin: string }[],
  /** Answers `/pkcs11info` with this `ret_code` once (a failed detection). */
  failNextInfo: undefined as number | undefined,
  /** Answers `/sign` as twpki agent does when the card was swapped since the page read it. */
  refuseSwap: false,
};

const savedFetch = globalThis.fetch;
let port = 40_000;
let options: ComponentOptions;

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
}

beforeEach(() => {
  component.readers = new Map([['Reader 0', A]]);
  component.signed = [];
  component.failNextInfo = undefined;
  component.refuseSwap = false;
  // A fresh origin: nothing learned, nothing remembered.
  options = { url: `http://localhost:${port++}`, mode: 'direct' };
  globalThis.fetch = (async (input: string | URL, init?: RequestInit): Promise<Response> => {
    const path = new URL(String(input)).pathname;
    if (path === '/pkcs11info') {
      if (component.failNextInfo !== undefined) {
        const retCode = component.failNextInfo;
        component.failNextInfo = undefined;
        return json({ func: 'pkcs11info', ret_code: retCode, last_error: 0, message: '' });
      }
      const slots = [...component.readers].map(([name, card], i) => ({ slotID: i, slotDescription: name, token: card === null ? null : tokenOf(card) }));
      return json({ func: 'pkcs11info', ret_code: 0, last_error: 0, version: '1.3.4.3', slots });
    }
    if (path === '/sign') {
      const pkg = JSON.parse(new URLSearchParams(String(init?.body)).get('tbsPackage') ?? '{}') as { slotDescription: string; pin: string };
      component.signed.push({ slotDescription: pkg.slotDescription, pin: pkg.pin });
      if (component.refuseSwap) {
        component.refuseSwap = false;
        return json({ func: 'sign', ret_code: RetCode.NO_CARD, last_error: 0, message: 'the card in the reader changed since the page read it', signature: '', certb64: '', cardSN: '' });
      }
      const card = component.readers.get(pkg.slotDescription);
      if (!card) return json({ func: 'sign', ret_code: RetCode.NO_CARD, last_error: 0, message: '' });
      return json({ func: 'sign', ret_code: 0, last_error: 0, signature: 'c2ln', certb64: 'Y2VydA==', cardSN: card.cardNumber });
    }
    return new Response('', { status: 404 });
  }) as typeof fetch;
});

afterEach(() => {
  globalThis.fetch = savedFetch;
});

async function outcome(promise: Promise<SignResult>): Promise<SignResult | ComponentError> {
  try {
    return await promise;
  } catch (error) {
    if (error instanceof ComponentError) return error;
    throw error;
  }
}

async function refused(promise: Promise<SignResult>): Promise<ComponentError> {
  const result = await outcome(promise);
  if (!(result instanceof ComponentError)) throw new Error(`expected a refusal, card ${result.cardNumber} signed`);
  return result;
}

async function signed(promise: Promise<SignResult>): Promise<SignResult> {
  const result = await outcome(promise);
  if (result instanceof ComponentError) throw new Error(`expected a signature, got ${result.code}: ${result.message}`);
  return result;
}

function put(card: FakeCard | null, reader = 'Reader 0'): void {
  component.readers.set(reader, card);
}

describe('sign() without a slot, after the page was shown a card', () => {
  it('refuses a card swapped in since, before the PIN is sent; the next sign() goes to the new card', async () => {
    expect(await detect(options)).toMatchObject({ present: true, token: { serialNumber: A.cardNumber } });
    put(B);
    const error = await refused(sign({ tbs: 't', pin: PIN_A }, options));
    expect(error).toMatchObject({ code: 'COMPONENT_CARD_CHANGED', retCode: undefined, lastError: undefined, triesLeft: undefined });
    expect(error.messages.zhTW).toContain('不是網頁先前顯示的卡片');
    expect(error.messages.en).toMatch(/not the card the page showed.*PIN was not sent/);
    expect(component.signed).toEqual([]);
    // Refused once: the page shows B (or not) and asks for its PIN; the next sign() goes to B.
    expect(await signed(sign({ tbs: 't', pin: PIN_B }, options))).toMatchObject({ cardNumber: B.cardNumber });
    expect(component.signed).toEqual([{ slotDescription: 'Reader 0', pin: PIN_B }]);
  });

  it('signs with the same card taken out and put back, moved to another reader, or in a renamed reader', async () => {
    await detect(options);
    put(null);
    put(A);
    expect(await signed(sign({ tbs: 't', pin: PIN_A }, options))).toMatchObject({ cardNumber: A.cardNumber });
    component.readers = new Map([['Reader 0', null], ['Reader 1', A]]);
    expect(await signed(sign({ tbs: 't', pin: PIN_A }, options))).toMatchObject({ cardNumber: A.cardNumber, slot: { description: 'Reader 1' } });
    await detect(options);
    component.readers = new Map([['Reader 0 (renamed)', A]]);
    expect(await signed(sign({ tbs: 't', pin: PIN_A }, options))).toMatchObject({ cardNumber: A.cardNumber, slot: { description: 'Reader 0 (renamed)' } });
  });

  it('refuses a card with the same number and another user certificate (serial or thumbprint)', async () => {
    await detect(options);
    put({ ...A, certSerial: '3A8F0C11FF' });
    expect((await refused(sign({ tbs: 't', pin: PIN_A }, options))).code).toBe('COMPONENT_CARD_CHANGED');
    put(A);
    // The refusal made the other certificate the remembered card: A back is a change again.
    expect((await refused(sign({ tbs: 't', pin: PIN_A }, options))).code).toBe('COMPONENT_CARD_CHANGED');
    put({ ...A, thumbprint: 'CC'.repeat(20) });
    const sent = component.signed.length;
    expect((await refused(sign({ tbs: 't', pin: PIN_A }, options))).code).toBe('COMPONENT_CARD_CHANGED');
    expect(component.signed).toHaveLength(sent);
  });

  it('compares certificates only where both detections carry them, and as serial numbers, not as text', async () => {
    await detect(options);
    put({ cardNumber: A.cardNumber });
    expect(await signed(sign({ tbs: 't', pin: PIN_A }, options))).toMatchObject({ cardNumber: A.cardNumber });
    put(A);
    expect(await signed(sign({ tbs: 't', pin: PIN_A }, options))).toMatchObject({ cardNumber: A.cardNumber });
    put({ ...A, certSerial: `00${A.certSerial?.toLowerCase()}`, thumbprint: undefined });
    expect(await signed(sign({ tbs: 't', pin: PIN_A }, options))).toMatchObject({ cardNumber: A.cardNumber });
  });

  it('refuses with withCardSN: false too (nothing would check the card afterwards)', async () => {
    await detect(options);
    put(B);
    expect((await refused(sign({ tbs: 't', pin: PIN_A, withCardSN: false }, options))).code).toBe('COMPONENT_CARD_CHANGED');
    expect(component.signed).toEqual([]);
  });

  it('keeps the card shown when its own detection finds no card, several, or fails', async () => {
    await detect(options);
    put(null);
    expect(await refused(sign({ tbs: 't', pin: PIN_A }, options))).toMatchObject({ code: 'COMPONENT_FAILED', retCode: RetCode.NO_CARD });
    component.readers = new Map([['Reader 0', B], ['Reader 1', A]]);
    expect(await refused(sign({ tbs: 't', pin: PIN_A }, options))).toMatchObject({ code: 'COMPONENT_BAD_REQUEST', field: 'slot' });
    component.readers = new Map([['Reader 0', B]]);
    component.failNextInfo = RetCode.UNTRUSTED_DOMAIN;
    expect(await refused(sign({ tbs: 't', pin: PIN_A }, options))).toMatchObject({ code: 'COMPONENT_FAILED', retCode: RetCode.UNTRUSTED_DOMAIN });
    // The page still shows A: B is refused once.
    const sent = component.signed.length;
    expect((await refused(sign({ tbs: 't', pin: PIN_A }, options))).code).toBe('COMPONENT_CARD_CHANGED');
    expect(component.signed).toHaveLength(sent);
    expect(await signed(sign({ tbs: 't', pin: PIN_B }, options))).toMatchObject({ cardNumber: B.cardNumber });
  });
});

describe('sign() without a slot, as before', () => {
  it('signs with the card found when the page detected nothing before', async () => {
    put(B);
    expect(await signed(sign({ tbs: 't', pin: PIN_B }, options))).toMatchObject({ cardNumber: B.cardNumber });
  });

  it('signs when the page’s last detect() found no card, or cards in two readers', async () => {
    put(null);
    await detect(options);
    put(B);
    expect(await signed(sign({ tbs: 't', pin: PIN_B }, options))).toMatchObject({ cardNumber: B.cardNumber });

    const other: ComponentOptions = { url: `http://localhost:${port++}`, mode: 'direct' };
    component.readers = new Map([['Reader 0', A], ['Reader 1', B]]);
    await detect(other);
    component.readers = new Map([['Reader 0', null], ['Reader 1', B]]);
    expect(await signed(sign({ tbs: 't', pin: PIN_B }, other))).toMatchObject({ cardNumber: B.cardNumber });
  });

  it('remembers per component origin: another component’s detection does not count', async () => {
    const other: ComponentOptions = { url: `http://localhost:${port++}`, mode: 'direct' };
    await detect(other);
    put(B);
    expect(await signed(sign({ tbs: 't', pin: PIN_B }, options))).toMatchObject({ cardNumber: B.cardNumber });
  });

  it('keeps a bounded memory: the origin detected longest ago is forgotten first', async () => {
    await detect(options);
    for (let i = 0; i < 8; i++) await detect({ url: `http://localhost:${port++}`, mode: 'direct' });
    put(B);
    expect(await signed(sign({ tbs: 't', pin: PIN_B }, options))).toMatchObject({ cardNumber: B.cardNumber });
  });
});

describe('sign() with a slot', () => {
  it('sends the request to the reader named, as before (the component or the answer’s card number decides)', async () => {
    const found = await detect(options);
    if (!found.present) throw new Error('no component');
    put(B);
    expect((await refused(sign({ tbs: 't', pin: PIN_A, slot: found.slot }, options))).code).toBe('COMPONENT_CARD_MISMATCH');
    expect(component.signed).toEqual([{ slotDescription: 'Reader 0', pin: PIN_A }]);
  });

  it('keeps the card the page showed after twpki agent’s swap refusal (未插入IC卡): the next sign() without a slot refuses the PIN typed for it, once', async () => {
    const found = await detect(options);
    if (!found.present) throw new Error('no component');
    put(B);
    component.refuseSwap = true;
    const error = await refused(sign({ tbs: 't', pin: PIN_A, slot: found.slot }, options));
    expect(error).toMatchObject({ code: 'COMPONENT_FAILED', retCode: RetCode.NO_CARD, componentMessage: 'the card in the reader changed since the page read it' });
    // The page still shows A, so a PIN typed now is typed for A: forgetting A here let it reach B (the session's
    // review). Refused once, before the PIN is sent; the next sign() goes to B.
    const sent = component.signed.length;
    expect((await refused(sign({ tbs: 't', pin: PIN_A }, options))).code).toBe('COMPONENT_CARD_CHANGED');
    expect(component.signed).toHaveLength(sent);
    expect(await signed(sign({ tbs: 't', pin: PIN_B }, options))).toMatchObject({ cardNumber: B.cardNumber });
  });
});

describe('sign() without a slot, with cards in two readers', () => {
  it('refuses before anything is sent, telling the user what to do (leave one card in, or choose the reader)', async () => {
    put(B, 'Reader 1');
    const error = await refused(sign({ tbs: 't', pin: PIN_A }, options));
    expect(error).toMatchObject({ code: 'COMPONENT_BAD_REQUEST', field: 'slot', retCode: RetCode.BAD_PARAMETER });
    // It said only 參數錯誤 ("the request is invalid"), which a page shows and a user cannot act on.
    expect(error.messages.zhTW).toContain('偵測到多張卡片');
    expect(error.messages.en).toMatch(/More than one card is inserted/);
    expect(component.signed).toEqual([]);
  });
});
