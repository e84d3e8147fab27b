/**
 * Over pcscd (vpcd): a PIN that cannot be valid is refused by `/sign` before the card is connected to, so nothing
 * reaches the card, cold or warm; the answer is the card layer's for that PIN. A PIN of a valid length still signs.
 */
import { describe, expect, it } from 'vitest';
import { LastError, PcscCardSlots, RetCode, startAgent, type SignResponse } from '../../src/agent/index.js';
import { PcscContext } from '../../src/pcsc/index.js';
import { createVirtualHiCOSCard, VPCD_DEFAULT_PORT, VpcdBridge } from '../../src/testing/index.js';
import { VIRTUAL_READER, pcscAvailable, waitForReaderEmpty } from '../support/pcsc-rig.js';
import { lockReader } from '../support/reader-lock.js';

const PIN = '135790';

describe.runIf(pcscAvailable())('/sign over pcscd with a PIN that cannot be valid', () => {
  it('sends no APDU cold or warm, answers as the card layer did, and a valid PIN still signs', async () => {
    const release = await lockReader(VPCD_DEFAULT_PORT);
    const card = await createVirtualHiCOSCard({ generation: 2, pin: PIN, cardNumber: 'TP03000066660001' });
    const bridge = await VpcdBridge.connect(card);
    const waiter = await PcscContext.establish();
    const slots = await PcscCardSlots.open();
    const agent = await startAgent({ slots, port: 0 });
    try {
      await waiter.waitForCard(VIRTUAL_READER, { timeoutMs: 10_000 });
      const sign = async (pin: string): Promise<SignResponse> => {
        const body = `tbsPackage=${JSON.stringify({ func: 'MakeSignature', signatureType: 'PKCS1', tbs: 'x', tbsEncoding: 'NONE', hashAlgorithm: 'SHA256', pin, slotDescription: VIRTUAL_READER })}`;
        return (await (await fetch(`http://127.0.0.1:${agent.port}/sign`, { method: 'POST', body })).json()) as SignResponse;
      };
      const tooShort = { ret_code: RetCode.CARD_LOGIN_FAILED, last_error: LastError.PIN_LEN_RANGE, message: 'the PIN must be 6 to 8 characters', signature: '' };
      card.clearLog();
      expect(await sign('12345')).toMatchObject(tooShort);
      expect(card.apduCount).toBe(0);
      expect(await sign(PIN)).toMatchObject({ ret_code: RetCode.OK });
      // Warm now: still nothing sent for a PIN that cannot be valid.
      card.clearLog();
      expect(await sign('123456789')).toMatchObject(tooShort);
      expect(await sign('123 56')).toMatchObject({ ret_code: RetCode.PIN_FORMAT, last_error: LastError.NONE });
      expect(card.apduCount).toBe(0);
      expect(card.pinTriesLeft).toBe(3);
    } finally {
      await agent.close();
      await slots.close();
      await waiter.close();
      await bridge.close();
      await waitForReaderEmpty();
      release();
    }
  }, 60_000);
});
