/**
 * Walks the agent through pcscd going away and coming back while it runs.
 *
 * Stopping the machine's pcscd would pull the rug from every other PC/SC
 * user of the test run, so this file's process reaches pcscd through a relay
 * of its own (`PCSCLITE_CSOCK_NAME`, read by pcsc-lite at the first PC/SC
 * call): taking the relay down is, for this process only, pcscd stopping
 * (every connection cut, no new one accepted), and putting it back up is
 * pcscd answering again with the same readers and cards, the case no reader
 * event reports.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { LastError, PcscCardSlots, RetCode, startAgent, type Pkcs11Info, type SignResponse } from '../../src/agent/index.js';
import { createVirtualHiCOSCard, VpcdBridge } from '../../src/testing/index.js';
import { VIRTUAL_READER, pcscAvailable, waitForReaderEmpty } from '../support/pcsc-rig.js';
import { startPcscdRelay } from '../support/pcscd-relay.js';
import { poll } from '../support/poll.js';

const relay = await startPcscdRelay('walk-pcscd');
const tell = (m: 'up' | 'down'): Promise<void> => (m === 'up' ? relay.up() : relay.down());

afterAll(async () => {
  await relay.up();
  if (pcscAvailable()) await waitForReaderEmpty();
  await relay.close();
});

describe.runIf(pcscAvailable())('the agent when pcscd goes away and comes back', () => {
  it('answers 無可用讀卡機 while pcscd is away, sends the card nothing, and serves the card again once it is back', async () => {
    const card = await createVirtualHiCOSCard({ generation: 2, cardNumber: 'TP03000000007101' });
    const bridge = await VpcdBridge.connect(card);
    const slots = await PcscCardSlots.open();
    const agent = await startAgent({ slots, port: 0 });
    try {
      const info = async (): Promise<Pkcs11Info> => (await (await fetch(`http://127.0.0.1:${agent.port}/pkcs11info`)).json()) as Pkcs11Info;
      const serial = (doc: Pkcs11Info): unknown => (doc.slots.find((s) => s.slotDescription === VIRTUAL_READER)?.token as { serialNumber?: string } | null)?.serialNumber;
      const sign = async (): Promise<{ status: number; body: SignResponse }> => {
        const body = `tbsPackage=${JSON.stringify({ tbs: 'walk', pin: '123456', signatureType: 'PKCS1', withCardSN: 'true', slotDescription: VIRTUAL_READER })}`;
        const res = await fetch(`http://127.0.0.1:${agent.port}/sign`, { method: 'POST', body });
        return { status: res.status, body: (await res.json()) as SignResponse };
      };
      expect(serial(await poll(info, (d) => serial(d) === 'TP03000000007101'))).toBe('TP03000000007101');

      await tell('down');
      card.clearLog();
      // The reader watch notices within its one-second wait, and tries again every second.
      const away = await poll(info, (d) => d.ret_code === RetCode.NO_READER, 5_000);
      expect(away).toMatchObject({ ret_code: RetCode.NO_READER, last_error: LastError.NONE, slots: [] });
      const refused = await sign();
      expect(refused.status).toBe(200);
      expect(refused.body).toMatchObject({ ret_code: RetCode.NO_READER, last_error: LastError.NONE, signature: '', cardSN: '' });
      expect(card.apduCount).toBe(0);

      await tell('up');
      expect(serial(await poll(info, (d) => serial(d) === 'TP03000000007101'))).toBe('TP03000000007101');
      expect((await sign()).body).toMatchObject({ ret_code: RetCode.OK, cardSN: 'TP03000000007101' });
    } finally {
      await agent.close();
      await slots.close();
      await bridge.close();
    }
  }, 60_000);

  it('says 無可用讀卡機, not 未插入IC卡, while pcscd is away with every reader empty, and lists the readers again once it is back', async () => {
    await waitForReaderEmpty();
    const slots = await PcscCardSlots.open();
    const agent = await startAgent({ slots, port: 0 });
    let bridge: VpcdBridge | undefined;
    try {
      const info = async (): Promise<Pkcs11Info> => (await (await fetch(`http://127.0.0.1:${agent.port}/pkcs11info`)).json()) as Pkcs11Info;
      const before = await info();
      expect(before.ret_code).toBe(RetCode.OK);
      expect(before.slots.map((s) => s.slotDescription)).toContain(VIRTUAL_READER);

      await tell('down');
      const away = await poll(info, (d) => d.ret_code === RetCode.NO_READER, 5_000);
      expect(away).toMatchObject({ ret_code: RetCode.NO_READER, slots: [] });
      const body = `tbsPackage=${JSON.stringify({ tbs: 'walk', pin: '123456', signatureType: 'PKCS1' })}`;
      const refused = (await (await fetch(`http://127.0.0.1:${agent.port}/sign`, { method: 'POST', body })).json()) as SignResponse;
      expect(refused).toMatchObject({ ret_code: RetCode.NO_READER, last_error: LastError.NONE });

      // Back with the same empty readers: no reader event says so.
      await tell('up');
      const back = await poll(info, (d) => d.ret_code === RetCode.OK);
      expect(back.slots.map((s) => s.slotDescription)).toEqual(before.slots.map((s) => s.slotDescription));
      const card = await createVirtualHiCOSCard({ generation: 1, cardNumber: 'TP03000000007102' });
      bridge = await VpcdBridge.connect(card);
      const serial = (doc: Pkcs11Info): unknown => (doc.slots.find((s) => s.slotDescription === VIRTUAL_READER)?.token as { serialNumber?: string } | null)?.serialNumber;
      expect(serial(await poll(info, (d) => serial(d) === 'TP03000000007102'))).toBe('TP03000000007102');
    } finally {
      await agent.close();
      await slots.close();
      await bridge?.close();
    }
  }, 60_000);
});
