/**
 * The agent's `/sign` presents the PIN; a Gen1 card then stays PIN-verified for every connection until it is
 * reset, so any program connecting after the agent could sign without the PIN. The card sources end a session in
 * which a PIN went to a Gen1 card with a reset (`afterPin: 'reset'`, the default; `'leave'` opts out). The reset
 * is the agent's own and no reader event: what the warm cache kept stays, the next `/pkcs11info` sends no APDU,
 * the swap check still accepts the card the page was shown, and the next `/sign` costs what it did before.
 */
import { verify, X509Certificate } from 'node:crypto';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EmulatorCardSlots, startAgent, type AgentServer, type CardSlotsOptions, type Pkcs11Info, type SignResponse } from '../../src/agent/index.js';
import { HiCOSError } from '../../src/apdu/index.js';
import { EmulatorReader } from '../../src/pcsc/index.js';
import type { CardEmulator } from '../../src/pcsc/transport.js';
import type { VirtualCardCredentials } from '../../src/testing/hicos/virtual-card-options.js';
import { VirtualHiCOSCard } from '../../src/testing/hicos/virtual-hicos-card.js';
import { otherProgramSigns } from '../apdu/support/other-program.js';
import { testCredentials } from '../apdu/support/virtual-cards.js';

const TRUSTED = 'https://www.example.gov.tw';
const PIN = '246810';
let credentials: VirtualCardCredentials;
let agent: AgentServer | undefined;

beforeAll(async () => {
  credentials = await testCredentials();
}, 60_000);

afterEach(async () => {
  await agent?.close();
  agent = undefined;
});

async function info(): Promise<Pkcs11Info> {
  return (await (await fetch(`http://127.0.0.1:${agent!.port}/pkcs11info?withcert=true`, { headers: { Origin: TRUSTED } })).json()) as Pkcs11Info;
}

async function sign(tbs: string, pin = PIN): Promise<SignResponse> {
  const body = `tbsPackage=${JSON.stringify({ func: 'MakeSignature', signatureType: 'PKCS1', tbs, tbsEncoding: 'NONE', hashAlgorithm: 'SHA256', withCardSN: 'true', pin })}`;
  return (await (await fetch(`http://127.0.0.1:${agent!.port}/sign`, { method: 'POST', body, headers: { Origin: TRUSTED } })).json()) as SignResponse;
}

/** A virtual card in an in-process reader, counting its resets and VERIFY commands, with the agent on it. */
async function agentOn(generation: 1 | 2, options?: CardSlotsOptions) {
  const card = new VirtualHiCOSCard({ generation, credentials, pin: PIN, cardNumber: `TP0300000077${generation}0${options?.afterPin === 'leave' ? 1 : 0}` });
  const counts = { resets: 0, verifies: 0 };
  const counted: CardEmulator = {
    reset: () => {
      counts.resets++;
      return card.reset();
    },
    process: (apdu) => {
      if (apdu[1] === 0x20) counts.verifies++;
      return card.process(apdu);
    },
  };
  const reader = new EmulatorReader();
  reader.insert(counted);
  counts.resets = 0;
  agent = await startAgent({ slots: new EmulatorCardSlots(reader, {}, options), trusted: [TRUSTED], port: 0 });
  return { card, counts, reader };
}

function signedBy(response: SignResponse, tbs: string): boolean {
  return verify('sha256', Buffer.from(tbs), new X509Certificate(credentials.sign.certificate).publicKey, Buffer.from(response.signature, 'base64'));
}

describe('agent /sign on a Gen1 card, default (afterPin reset)', () => {
  it('ends the session with a reset: a program connecting next cannot sign without the PIN', async () => {
    const { counts, reader } = await agentOn(1);
    expect((await info()).slots[0]?.token).toMatchObject({ serialNumber: 'TP0300000077100' });
    expect(counts.resets).toBe(0);
    const signed = await sign('first');
    expect(signed.ret_code).toBe(0);
    expect(signedBy(signed, 'first')).toBe(true);
    expect(counts.resets).toBe(1);
    expect(counts.verifies).toBe(1);
    expect(await otherProgramSigns(reader.connect(), 1, credentials)).toBe('refused');
  }, 60_000);

  it('the warm cache and the swap check survive the reset: /pkcs11info sends no APDU, the next /sign costs what a /sign after a leave does', async () => {
    // The same sequence with afterPin leave gives the reference counts.
    const counted = async (options?: CardSlotsOptions) => {
      const { card, counts } = await agentOn(1, options);
      await info();
      expect((await sign('one')).ret_code).toBe(0);
      card.clearLog();
      const after = await info();
      const infoApdus = card.apduCount;
      card.clearLog();
      const again = await sign('two');
      const signApdus = card.apduCount;
      const verifies = counts.verifies;
      await agent!.close();
      agent = undefined;
      return { after, infoApdus, again, signApdus, verifies, resets: counts.resets };
    };
    const reset = await counted();
    const leave = await counted({ afterPin: 'leave' });
    // Identity as shown: the same card, its certificates.
    expect(reset.after.slots[0]?.token).toMatchObject({ serialNumber: 'TP0300000077100' });
    expect(reset.infoApdus).toBe(0);
    // Accepted by the swap check (refuseSwappedCard is on by default), signed with the card's key.
    expect(reset.again.ret_code).toBe(0);
    expect(signedBy(reset.again, 'two')).toBe(true);
    expect(reset.signApdus).toBe(leave.signApdus);
    // One VERIFY per /sign, never one more: the reset costs no PIN try and asks for no PIN.
    expect(reset.verifies).toBe(2);
    expect(leave.verifies).toBe(2);
    expect(reset.resets).toBe(2);
    expect(leave.resets).toBe(0);
    // Recorded for the report: a warm /sign on the virtual Gen1 card (its re-detection after the reset sends the
    // Gen2 applet AID first, as the middleware does, then SELECT MF).
    expect(reset.signApdus).toBe(14);
  }, 60_000);

  it('a wrong PIN verifies nothing: no reset, the card stays as it was', async () => {
    const { card, counts, reader } = await agentOn(1);
    await info();
    expect((await sign('x', '999999')).ret_code).toBe(0x76100006);
    expect(counts.resets).toBe(0);
    expect(card.pinTriesLeft).toBe(2);
    expect(await otherProgramSigns(reader.connect(), 1, credentials)).toBe('refused');
    // /pkcs11info only reads: no reset either.
    await info();
    expect(counts.resets).toBe(0);
  }, 60_000);
});

describe('agent /sign with afterPin leave (opt-out)', () => {
  it('leaves the Gen1 card verified for the next connection, as before', async () => {
    const { counts, reader } = await agentOn(1, { afterPin: 'leave' });
    await info();
    expect((await sign('left')).ret_code).toBe(0);
    expect(counts.resets).toBe(0);
    expect(await otherProgramSigns(reader.connect(), 1, credentials)).toBe('signed');
  }, 60_000);

  it('refuses a value that is neither reset nor leave', () => {
    const reader = new EmulatorReader();
    // The card's own check: the same typed error and words as HiCOSCard.releaseDisposition gives.
    const refusal = (() => {
      try {
        new EmulatorCardSlots(reader, {}, { afterPin: 'keep' as 'leave' });
      } catch (error) {
        return error;
      }
      return undefined;
    })();
    expect(refusal).toBeInstanceOf(HiCOSError);
    expect(refusal).toMatchObject({ code: 'INVALID_CARD_INPUT', message: `afterPin must be 'reset' or 'leave', not "keep"` });
  });
});

describe('agent /sign on a Gen2 card', () => {
  it('is never reset (no other connection can use its verification), and no other connection can sign', async () => {
    const { counts, reader } = await agentOn(2);
    await info();
    expect((await sign('gen2')).ret_code).toBe(0);
    expect(counts.resets).toBe(0);
    expect(await otherProgramSigns(reader.connect(), 2, credentials)).toBe('refused');
  }, 60_000);
});
