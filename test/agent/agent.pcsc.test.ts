import { verify, X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { PcscCardSlots, startAgent, type Pkcs11Info, type SignResponse } from '../../src/agent/index.js';
import { PcscContext } from '../../src/pcsc/index.js';
import { createVirtualHiCOSCard, minimumReadApdus, VpcdBridge } from '../../src/testing/index.js';
import { lockReader } from '../support/reader-lock.js';
import { VIRTUAL_READER, pcscAvailable } from '../support/pcsc-rig.js';

describe.runIf(pcscAvailable())('local agent over a real pcscd', () => {
  it('lists the virtual card in its vpcd slot and signs with it', async () => {
    const release = await lockReader(35963);
    const card = await createVirtualHiCOSCard({ generation: 2, pin: '135790', cardNumber: 'TP03000055550001' });
    let bridge = await VpcdBridge.connect(card);
    const waiter = await PcscContext.establish();
    await waiter.waitForCard(VIRTUAL_READER, { timeoutMs: 10_000 });
    await waiter.close();
    const slots = await PcscCardSlots.open();
    const agent = await startAgent({ slots, trusted: ['www.example.gov.tw'], port: 0 });
    try {
      const origin = 'https://www.example.gov.tw';
      const info = (await (await fetch(`http://127.0.0.1:${agent.port}/pkcs11info`, { headers: { Origin: origin } })).json()) as Pkcs11Info;
      const slot = info.slots.find((s) => s.slotDescription === VIRTUAL_READER);
      expect(slot?.token).toMatchObject({ serialNumber: 'TP03000055550001', label: 'HiCOS PKI Smart Card' });
      expect(info.slots.find((s) => s.slotDescription !== VIRTUAL_READER)?.token).toBeNull();

      // Several tabs polling at once must each see the card, not "unknown token".
      const parallel = await Promise.all(
        [1, 2, 3].map(async () => (await (await fetch(`http://127.0.0.1:${agent.port}/pkcs11info`, { headers: { Origin: origin } })).json()) as Pkcs11Info),
      );
      for (const doc of parallel) {
        expect(doc.slots.find((s) => s.slotDescription === VIRTUAL_READER)?.token).toMatchObject({ serialNumber: 'TP03000055550001' });
      }

      const tbs = 'challenge-through-pcscd';
      const body = `tbsPackage=${JSON.stringify({ func: 'MakeSignature', signatureType: 'PKCS1', tbs, tbsEncoding: 'NONE', hashAlgorithm: 'SHA256', withCardSN: 'true', pin: '135790', slotDescription: VIRTUAL_READER })}`;
      const signed = (await (await fetch(`http://127.0.0.1:${agent.port}/sign`, { method: 'POST', body, headers: { Origin: origin } })).json()) as SignResponse;
      expect(signed).toMatchObject({ ret_code: 0, cardSN: 'TP03000055550001' });
      const pub = new X509Certificate(Buffer.from(signed.certb64, 'base64')).publicKey;
      expect(verify('sha256', Buffer.from(tbs), pub, Buffer.from(signed.signature, 'base64'))).toBe(true);

      // Warm: while the card stays in, /pkcs11info sends nothing through pcscd.
      const token = async (): Promise<unknown> =>
        ((await (await fetch(`http://127.0.0.1:${agent.port}/pkcs11info`, { headers: { Origin: origin } })).json()) as Pkcs11Info).slots.find((s) => s.slotDescription === VIRTUAL_READER)?.token;
      card.clearLog();
      expect(await token()).toMatchObject({ serialNumber: 'TP03000055550001' });
      expect(card.apduCount).toBe(0);

      // pcscd reports the removal: what was kept is dropped, and the next card is read in full.
      await bridge.close();
      const until = Date.now() + 10_000;
      while ((await token()) !== null && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
      expect(await token()).toBeNull();
      const next = await createVirtualHiCOSCard({ generation: 1, pin: '135790', cardNumber: 'TP03000055550002' });
      bridge = await VpcdBridge.connect(next);
      while (((await token()) as { serialNumber?: string } | null)?.serialNumber !== 'TP03000055550002' && Date.now() < until + 10_000) {
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(await token()).toMatchObject({ serialNumber: 'TP03000055550002' });
      expect(next.apduCount).toBe(minimumReadApdus(next, { includeVersion: true }));
    } finally {
      await agent.close();
      await slots.close();
      await bridge.close();
      release();
    }
  }, 90_000);
});
