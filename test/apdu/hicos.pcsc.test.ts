import { verify, X509Certificate } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { HiCOSCard } from '../../src/apdu/hicos-card.js';
import { RetryCounterStore } from '../../src/apdu/pin/retry-counter-store.js';
import { VirtualHicosCard } from '../../src/testing/hicos/virtual-hicos-card.js';
import type { VirtualCardCredentials } from '../../src/testing/hicos/virtual-card-options.js';
import { pcscAvailable, withPcscCard } from '../support/pcsc-rig.js';
import { testCredentials } from './support/virtual-cards.js';

// Each APDU through pcscd + vpcd costs ~50 ms: one card per generation, few APDUs.
describe.runIf(pcscAvailable())('HiCOSCard through a real pcscd + vpcd', () => {
  let credentials: VirtualCardCredentials;
  beforeAll(async () => {
    credentials = await testCredentials();
  }, 60_000);

  it.each([1, 2] as const)('Gen%i: info, wrong PIN, then correct PIN + sign', async (generation) => {
    const card = new VirtualHicosCard({ generation, credentials, pin: '520520', cardNumber: 'TP03000000000077' });
    await withPcscCard(card, async (transport) => {
      const hicos = await HiCOSCard.open(transport, { retryStore: new RetryCounterStore() });
      const info = await hicos.info();
      expect(info.generation).toBe(generation);
      expect(info.cardNumber).toBe('TP03000000000077');
      expect(info.certificates.map((c) => c.usage)).toEqual(['SIGN', 'KEYX', 'CA', 'CA']);
      expect(Buffer.from(info.certificates[0]!.der).equals(Buffer.from(credentials.sign.certificate))).toBe(true);

      expect(await hicos.verifyPin('000000')).toEqual({ status: 'wrong', retriesLeft: 2 });
      const data = new TextEncoder().encode('signed through pcscd');
      const signature = await hicos.sign(data, { pin: '520520' });
      expect(verify('sha256', data, new X509Certificate(info.certificates[0]!.der).publicKey, signature)).toBe(true);
      expect(card.pinTriesLeft).toBe(3);
    });
  }, 60_000);
});
