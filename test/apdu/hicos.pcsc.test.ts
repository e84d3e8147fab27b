import { verify, X509Certificate } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { HiCOSCard } from '../../src/apdu/hicos-card.js';
import { RetryCounterStore } from '../../src/apdu/pin/retry-counter-store.js';
import { VirtualHiCOSCard } from '../../src/testing/hicos/virtual-hicos-card.js';
import type { VirtualCardCredentials } from '../../src/testing/hicos/virtual-card-options.js';
import { pcscAvailable, withPcscCard } from '../support/pcsc-rig.js';
import { plainCommandsDuringSession, testCredentials } from './support/virtual-cards.js';

// Each APDU through pcscd + vpcd costs ~50 ms: one card per generation, few APDUs.
describe.runIf(pcscAvailable())('HiCOSCard through a real pcscd + vpcd', () => {
  let credentials: VirtualCardCredentials;
  beforeAll(async () => {
    credentials = await testCredentials();
  }, 60_000);

  // Gen2 runs against both plausible answers to a plain command during secure messaging.
  it.each([
    ['Gen1', 1, 'accept'],
    ['Gen2, plain commands during SM accepted', 2, 'accept'],
    ['Gen2, plain commands during SM refused', 2, 'refuse'],
  ] as const)('%s: wrong PIN, correct PIN + sign, then info and a second sign', async (_name, generation, plain) => {
    const card = new VirtualHiCOSCard({
      generation,
      credentials,
      pin: '520520',
      cardNumber: 'TP03000000000077',
      plainCommandsDuringSecureMessaging: plain,
    });
    await withPcscCard(card, async (transport) => {
      const hicos = await HiCOSCard.open(transport, { retryStore: new RetryCounterStore() });
      expect(await hicos.cardNumber()).toBe('TP03000000000077');
      expect(await hicos.verifyPin('000000')).toEqual({ status: 'wrong', retriesLeft: 2 });
      const data = new TextEncoder().encode('signed through pcscd');
      const signature = await hicos.sign(data, { pin: '520520' });
      expect(card.pinTriesLeft).toBe(3);

      // Plain reads after the signature's secure session, then a second signature.
      const info = await hicos.info();
      expect(info.generation).toBe(generation);
      expect(info.cardNumber).toBe('TP03000000000077');
      expect(info.certificates.map((c) => c.usage)).toEqual(['SIGN', 'KEYX', 'CA', 'CA']);
      expect(Buffer.from(info.certificates[0]!.der).equals(Buffer.from(credentials.sign.certificate))).toBe(true);
      const key = new X509Certificate(info.certificates[0]!.der).publicKey;
      expect(verify('sha256', data, key, signature)).toBe(true);
      const again = await hicos.sign(data, { pin: '520520' });
      expect(verify('sha256', data, key, again)).toBe(true);
      expect(card.log.some((e) => Buffer.from(e.response.subarray(-2)).toString('hex') === '6982')).toBe(false);
      expect(plainCommandsDuringSession(card.log)).toEqual([]);
    });
    // The time includes waiting for the shared virtual reader, which other test files may hold.
  }, 180_000);
});
