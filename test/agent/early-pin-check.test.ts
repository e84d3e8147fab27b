/**
 * A PIN that cannot be valid (too short, too long, characters a PIN cannot have) is refused by `/sign` before the
 * card is opened: no APDU at all. It used to open the card and read it (4 APDUs warm, a whole card read cold)
 * before the card layer refused it unsent. The answer is the one the card layer's refusal got, field for field:
 * the same request through a card source the agent does not know (so the card layer still decides, after opening
 * the card) gets the same answer. In-process (emulated reader), no pcscd.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EmulatorCardSlots, LastError, RetCode, startAgent, type AgentServer, type CardSlots, type SignResponse } from '../../src/agent/index.js';
import { AGENT_SERVER_VERSION } from '../../src/agent/pkcs11-info.js';
import type { HiCOSCardOptions } from '../../src/apdu/index.js';
import { EmulatorReader } from '../../src/pcsc/index.js';
import { createTestPki, createVirtualHiCOSCard, type TestPki, type VirtualHiCOSCard } from '../../src/testing/index.js';

const TRUSTED = 'https://www.example.gov.tw';
const PIN = '246810';
const VERIFY = 0x20;
let pki: TestPki;
const agents: AgentServer[] = [];

beforeAll(async () => {
  pki = await createTestPki();
}, 60_000);

afterEach(async () => {
  for (const a of agents.splice(0)) await a.close();
});

/** A card source the agent cannot look into (a caller's own): the card layer alone checks the PIN, as before. */
function opaque(inner: CardSlots): CardSlots {
  return { list: () => inner.list(), withCard: (slot, fn) => inner.withCard(slot, fn), close: () => inner.close() };
}

async function agentOn(card: VirtualHiCOSCard, cardOptions: HiCOSCardOptions = {}, wrap: (slots: CardSlots) => CardSlots = (s) => s): Promise<AgentServer> {
  const reader = new EmulatorReader();
  reader.insert(card);
  const agent = await startAgent({ slots: wrap(new EmulatorCardSlots(reader, cardOptions)), trusted: [TRUSTED], port: 0 });
  agents.push(agent);
  return agent;
}

async function sign(agent: AgentServer, pin: string): Promise<SignResponse> {
  const body = `tbsPackage=${JSON.stringify({ func: 'MakeSignature', signatureType: 'PKCS7', tbs: 'login-challenge', tbsEncoding: 'NONE', hashAlgorithm: 'SHA256', withCardSN: 'true', pin })}`;
  const r = await fetch(`http://127.0.0.1:${agent.port}/sign`, { method: 'POST', body, headers: { Origin: TRUSTED, 'Content-Type': 'text/plain' } });
  return (await r.json()) as SignResponse;
}

async function pkcs11info(agent: AgentServer): Promise<void> {
  await (await fetch(`http://127.0.0.1:${agent.port}/pkcs11info`, { headers: { Origin: TRUSTED } })).json();
}

const refusal = (ret_code: number, last_error: number, message: string): SignResponse => ({
  func: 'sign',
  ret_code,
  last_error,
  message,
  message2: '',
  signature: '',
  certb64: '',
  cardSN: '',
  version: AGENT_SERVER_VERSION,
});
const LENGTH = refusal(RetCode.CARD_LOGIN_FAILED, LastError.PIN_LEN_RANGE, 'the PIN must be 6 to 8 characters');
const CHARACTERS = refusal(RetCode.PIN_FORMAT, LastError.NONE, 'the PIN has characters a PIN cannot have');
const DATE = refusal(RetCode.PIN_FORMAT, LastError.NONE, 'the PIN is typed as a date: type its digits only (the default PIN is the 民國 birth date as YYMMDD)');

const impossible: Array<[what: string, pin: string, answer: SignResponse]> = [
  ['too short', '12345', LENGTH],
  ['far too short', '1', LENGTH],
  ['too long', '123456789', LENGTH],
  ['far too long (past the card buffer)', '12345678901234', LENGTH],
  ['with a space', '123 56', CHARACTERS],
  ['of full-width digits', '１２３４５６', CHARACTERS],
  ['typed as a 民國 date with separators', '79/01/01', DATE],
];

describe.each([1, 2] as const)('/sign with a PIN that cannot be valid, Gen%i card', (generation) => {
  // One card per side for every case (making a card makes its keys, the slow part): a refused PIN changes
  // nothing on it, which each case checks (tries left). Each case has agents of its own, so cold is cold.
  let card: VirtualHiCOSCard;
  let before: VirtualHiCOSCard;
  beforeAll(async () => {
    card = await createVirtualHiCOSCard({ pki, generation, pin: PIN, cardNumber: `TP0300007777000${generation}` });
    before = await createVirtualHiCOSCard({ pki, generation, pin: PIN, cardNumber: `TP0300007777100${generation}` });
  }, 60_000);

  for (const warm of [false, true]) {
    it.each(impossible)(`${warm ? 'warm' : 'cold'}: a PIN %s gets the card layer's answer and sends no APDU`, async (_what, pin, answer) => {
      const agent = await agentOn(card);
      if (warm) await pkcs11info(agent);
      card.clearLog();
      expect(await sign(agent, pin)).toEqual(answer);
      expect(card.apduCount).toBe(0);
      expect(card.pinTriesLeft).toBe(3);

      // The same request where the agent cannot look into the card source: the card layer refuses it after
      // opening the card, with the same answer.
      const old = await agentOn(before, {}, opaque);
      if (warm) await pkcs11info(old);
      before.clearLog();
      expect(await sign(old, pin)).toEqual(answer);
      expect(before.apduCount).toBeGreaterThan(0);
      expect(before.log.some((e) => e.command[1] === VERIFY)).toBe(false);
      expect(before.pinTriesLeft).toBe(3);
    }, 60_000);
  }

  it('a PIN of a valid length still reaches the card: a wrong one costs a try, the right one signs', async () => {
    const card = await createVirtualHiCOSCard({ pki, generation, pin: PIN, cardNumber: `TP0300007777200${generation}` });
    const agent = await agentOn(card);
    for (const [pin, lastError] of [
      ['999999', LastError.PIN_INCORRECT_2_LEFT],
      ['99999999', LastError.PIN_INCORRECT_1_LEFT],
    ] as const) {
      card.clearLog();
      expect(await sign(agent, pin)).toMatchObject({ ret_code: RetCode.CARD_LOGIN_FAILED, last_error: lastError });
      expect(card.log.filter((e) => e.command[1] === VERIFY)).toHaveLength(1);
    }
    expect(await sign(agent, PIN)).toMatchObject({ ret_code: RetCode.OK, cardSN: card.cardNumber });
    expect(card.pinTriesLeft).toBe(3);
  }, 60_000);
});

describe('the early check follows the PIN policy the card source opens its cards with', () => {
  it('a 10-character PIN the policy allows reaches the card and signs', async () => {
    const card = await createVirtualHiCOSCard({ pki, pin: '1234567890', cardNumber: 'TP03000077773001' });
    const agent = await agentOn(card, { pinPolicy: { maxLength: 10 } });
    expect(await sign(agent, '1234567890')).toMatchObject({ ret_code: RetCode.OK });
  }, 60_000);

  it('letters a digits-only policy refuses are refused with no APDU, as the card layer answers them', async () => {
    const card = await createVirtualHiCOSCard({ pki, pin: PIN, cardNumber: 'TP03000077773002' });
    const agent = await agentOn(card, { pinPolicy: { charset: 'digits' } });
    card.clearLog();
    expect(await sign(agent, 'abcdef')).toEqual(CHARACTERS);
    expect(card.apduCount).toBe(0);
    const other = await createVirtualHiCOSCard({ pki, pin: PIN, cardNumber: 'TP03000077773003' });
    expect(await sign(await agentOn(other, { pinPolicy: { charset: 'digits' } }, opaque), 'abcdef')).toEqual(CHARACTERS);
  }, 60_000);

  it('an incoherent policy is left to the card layer, which refuses it when it opens the card, as before', async () => {
    const card = await createVirtualHiCOSCard({ pki, pin: PIN, cardNumber: 'TP03000077773004' });
    const options = { pinPolicy: { minLength: 9, maxLength: 6 } };
    const answer = await sign(await agentOn(card, options), '12345');
    const other = await createVirtualHiCOSCard({ pki, pin: PIN, cardNumber: 'TP03000077773005' });
    expect(answer).toEqual(await sign(await agentOn(other, options, opaque), '12345'));
    expect(answer.ret_code).toBe(RetCode.EXECUTION_ERROR);
  }, 60_000);
});
