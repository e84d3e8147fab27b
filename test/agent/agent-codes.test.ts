import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  EmulatorCardSlots,
  LastError,
  RetCode,
  lastErrorMessage,
  retCodeMessage,
  startAgent,
  type AgentOptions,
  type AgentServer,
  type CardSlots,
  type Pkcs11Info,
} from '../../src/agent/index.js';
import { EmulatorReader } from '../../src/pcsc/index.js';
import { VirtualHiCOSCard, createTestPki, virtualCardCredentials, type CardHolderCredentials, type TestPki } from '../../src/testing/index.js';

const TRUSTED = 'https://www.example.gov.tw';
const PIN = '246810';

interface Answer {
  status: number;
  ret_code: number;
  last_error: number;
  message: string;
}

/** A reader source with no reader at all. */
const noReaders: CardSlots = {
  list: () => Promise.resolve([]),
  withCard: () => Promise.reject(new Error('no reader')),
  close: () => Promise.resolve(),
};

let pki: TestPki;
/**
 * One card holder's keys and certificates (what createVirtualHiCOSCard issues), put in a new card per agent: the
 * card's state (PIN tries, lock) is each row's own, and the rows are about the agent's answers, not the keys. Two
 * RSA key generations per row were most of this file's time.
 */
let holder: CardHolderCredentials;
const agents: AgentServer[] = [];

async function agentWith(setup: 'card' | 'locked' | 'empty' | 'none', options: Partial<AgentOptions> = {}): Promise<AgentServer> {
  let slots: CardSlots = noReaders;
  if (setup !== 'none') {
    const reader = new EmulatorReader({ name: 'Virtual PCD 00 00' });
    if (setup !== 'empty') {
      reader.insert(
        new VirtualHiCOSCard({
          ...(setup === 'locked' ? { pinTriesLeft: 0 } : {}),
          generation: 1,
          pin: PIN,
          cardNumber: `TP0300009999000${agents.length % 10}`,
          credentials: virtualCardCredentials(holder),
        }),
      );
    }
    slots = new EmulatorCardSlots(reader);
  }
  const agent = await startAgent({ slots, trusted: [TRUSTED], port: 0, ...options });
  agents.push(agent);
  return agent;
}

async function post(agent: AgentServer, body: string, init: { method?: string; path?: string; origin?: string } = {}): Promise<Answer> {
  const r = await fetch(`http://127.0.0.1:${agent.port}${init.path ?? '/sign'}`, {
    method: init.method ?? 'POST',
    headers: { Origin: init.origin ?? TRUSTED, 'Content-Type': 'text/plain' },
    ...(init.method === 'GET' ? {} : { body }),
  });
  return { status: r.status, ...((await r.json()) as Omit<Answer, 'status'>) };
}

const pkg = (fields: Record<string, unknown>): string =>
  `tbsPackage=${JSON.stringify({ func: 'MakeSignature', signatureType: 'PKCS7', tbs: 'login-challenge', tbsEncoding: 'NONE', hashAlgorithm: 'SHA256', withCardSN: 'true', pin: PIN, nonce: '', ...fields })}`;

beforeAll(async () => {
  pki = await createTestPki({ authorities: ['moica'] });
  holder = await pki.issueCardHolder({ authority: 'moica' });
}, 60_000);

afterAll(async () => {
  for (const a of agents) await a.close();
});

type Row = [what: string, run: () => Promise<Answer>, retCode: number, lastError: number];

const rows: Row[] = [
  ['no reader', async () => post(await agentWith('none'), pkg({})), RetCode.NO_READER, LastError.NONE],
  ['no card', async () => post(await agentWith('empty'), pkg({})), RetCode.NO_CARD, LastError.NONE],
  ['unknown reader named', async () => post(await agentWith('card'), pkg({ slotDescription: 'No Such Reader' })), RetCode.NO_READER, LastError.NONE],
  ['wrong PIN', async () => post(await agentWith('card'), pkg({ pin: '999999' })), RetCode.CARD_LOGIN_FAILED, LastError.PIN_INCORRECT_2_LEFT],
  ['PIN too short', async () => post(await agentWith('card'), pkg({ pin: '123' })), RetCode.CARD_LOGIN_FAILED, LastError.PIN_LEN_RANGE],
  ['PIN too long', async () => post(await agentWith('card'), pkg({ pin: '123456789' })), RetCode.CARD_LOGIN_FAILED, LastError.PIN_LEN_RANGE],
  ['PIN with a space', async () => post(await agentWith('card'), pkg({ pin: '123 56' })), RetCode.PIN_FORMAT, LastError.NONE],
  ['no PIN', async () => post(await agentWith('card'), pkg({ pin: '' })), RetCode.NO_PIN, LastError.NONE],
  ['locked card', async () => post(await agentWith('locked'), pkg({})), RetCode.CARD_LOGIN_FAILED, LastError.PIN_LOCKED],
  ['certificate not yet valid', async () => post(await agentWith('card', { now: () => new Date('2000-01-01T00:00:00Z') }), pkg({})), RetCode.CERT_NOT_YET_VALID, LastError.NONE],
  ['certificate expired', async () => post(await agentWith('card', { now: () => new Date('2099-01-01T00:00:00Z') }), pkg({})), RetCode.CARD_EXPIRED, LastError.NONE],
  ['bad JSON', async () => post(await agentWith('card'), 'tbsPackage={"tbs":'), RetCode.BAD_JSON, LastError.NONE],
  ['bad parameter', async () => post(await agentWith('card'), pkg({ hashAlgorithm: 'MD5' })), RetCode.BAD_PARAMETER, LastError.NONE],
  ['SHA-1 while disabled', async () => post(await agentWith('card'), pkg({ hashAlgorithm: 'SHA1' })), RetCode.BAD_PARAMETER, LastError.NONE],
  ['base64 error', async () => post(await agentWith('card'), pkg({ tbs: '!!', tbsEncoding: 'base64' })), RetCode.BASE64_ERROR, LastError.NONE],
  // Node's decoder would make nothing of these, and an empty content would have been signed.
  ['base64 of one character', async () => post(await agentWith('card'), pkg({ tbs: 'A', tbsEncoding: 'base64' })), RetCode.BASE64_ERROR, LastError.NONE],
  ['base64 of padding alone', async () => post(await agentWith('card'), pkg({ tbs: '==', tbsEncoding: 'base64' })), RetCode.BASE64_ERROR, LastError.NONE],
  // Six characters, eighteen bytes: the characters are what is wrong, not the length.
  ['PIN of six Chinese characters', async () => post(await agentWith('card'), pkg({ pin: '密碼密碼密碼' })), RetCode.PIN_FORMAT, LastError.NONE],
  ['PIN of six full-width digits', async () => post(await agentWith('card'), pkg({ pin: '１２３４５６' })), RetCode.PIN_FORMAT, LastError.NONE],
  ['unsupported func', async () => post(await agentWith('card'), pkg({ func: 'EncryptData' })), RetCode.UNSUPPORTED_FUNCTION, LastError.NONE],
  ['unsupported path', async () => post(await agentWith('card'), '', { path: '/decrypt' }), RetCode.UNSUPPORTED_FUNCTION, LastError.NONE],
  ['GET /sign', async () => post(await agentWith('card'), '', { method: 'GET' }), RetCode.UNSUPPORTED_FUNCTION, LastError.NONE],
  ['untrusted site', async () => post(await agentWith('card'), pkg({}), { origin: 'https://evil.example.com' }), RetCode.UNTRUSTED_DOMAIN, LastError.NONE],
];

describe('every /sign failure reaches the page as an official ret_code/last_error pair', () => {
  it.each(rows)('%s', async (_what, run, retCode, lastError) => {
    const answer = await run();
    expect({ ret_code: answer.ret_code, last_error: answer.last_error }).toEqual({ ret_code: retCode, last_error: lastError });
    // Pages decode both through the official tables: never a bare hex code.
    expect(retCodeMessage(answer.ret_code)?.zhTW).toBeTruthy();
    expect(lastErrorMessage(answer.last_error)?.zhTW).toBeTruthy();
    expect(answer.message).not.toContain(PIN);
  }, 60_000);

  // startAgent({ allowSha1 }) used to refuse SHA-1 anyway: the card layer's own option was never set.
  it('an agent started with allowSha1 signs SHA-1, PKCS#1 and PKCS#7, with the card slots as they are', async () => {
    const agent = await agentWith('card', { allowSha1: true });
    for (const signatureType of ['PKCS1', 'PKCS7']) {
      const r = await fetch(`http://127.0.0.1:${agent.port}/sign`, {
        method: 'POST',
        headers: { Origin: TRUSTED, 'Content-Type': 'text/plain' },
        body: pkg({ hashAlgorithm: 'SHA1', signatureType }),
      });
      const answer = (await r.json()) as { ret_code: number; signature?: string; message?: string };
      expect([signatureType, answer.ret_code]).toEqual([signatureType, 0]);
      expect(answer.signature?.length).toBeGreaterThan(300);
    }
  }, 60_000);

  it('a wrong PIN is reported with 0x76100006 and the tries-left reason pages show', async () => {
    const answer = await post(await agentWith('card'), pkg({ pin: '999999' }));
    expect(retCodeMessage(answer.ret_code)?.zhTW).toBe('IC卡登入失敗');
    expect(lastErrorMessage(answer.last_error)?.zhTW).toBe('PIN碼錯誤，剩餘兩次機會');
  }, 60_000);

  it('/pkcs11info without any reader answers 0x76100003 and an empty slot list', async () => {
    const agent = await agentWith('none');
    const info = (await (await fetch(`http://127.0.0.1:${agent.port}/pkcs11info`, { headers: { Origin: TRUSTED } })).json()) as Pkcs11Info;
    expect(info).toMatchObject({ ret_code: RetCode.NO_READER, slots: [] });
    const empty = await agentWith('empty');
    const noCard = (await (await fetch(`http://127.0.0.1:${empty.port}/pkcs11info`, { headers: { Origin: TRUSTED } })).json()) as Pkcs11Info;
    expect(noCard.ret_code).toBe(0);
    expect(noCard.slots[0]?.token).toBeNull();
  }, 60_000);
});
