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
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { LastError, PcscCardSlots, RetCode, startAgent, type Pkcs11Info, type SignResponse } from '../../src/agent/index.js';
import { createVirtualHiCOSCard, VpcdBridge } from '../../src/testing/index.js';
import { VIRTUAL_READER, pcscAvailable, waitForReaderEmpty } from '../support/pcsc-rig.js';

const PCSCD_SOCKET = process.env.PCSCLITE_CSOCK_NAME ?? '/run/pcscd/pcscd.comm';
const RELAY_SOCKET = join(tmpdir(), `twpki-walk-pcscd-${process.pid}.comm`);

// On its own thread: the binding makes some PC/SC calls synchronously on the JavaScript thread, which a relay
// on that same thread could never answer.
const RELAY = `
const { parentPort, workerData } = process.getBuiltinModule('node:worker_threads');
const net = process.getBuiltinModule('node:net');
const fs = process.getBuiltinModule('node:fs');
const { target, path } = workerData;
const open = new Set();
let server;
const unlink = () => { try { fs.unlinkSync(path); } catch {} };
parentPort.on('message', (m) => {
  if (m === 'up') {
    unlink();
    server = net.createServer((client) => {
      const daemon = net.connect(target);
      open.add(client).add(daemon);
      const end = () => { client.destroy(); daemon.destroy(); open.delete(client); open.delete(daemon); };
      for (const s of [client, daemon]) { s.on('error', end); s.on('close', end); }
      client.pipe(daemon);
      daemon.pipe(client);
    });
    server.listen(path, () => parentPort.postMessage('up'));
  } else if (m === 'down') {
    server.close();
    for (const s of open) s.destroy();
    open.clear();
    unlink();
    parentPort.postMessage('down');
  }
});
`;

const relay = new Worker(RELAY, { eval: true, workerData: { target: PCSCD_SOCKET, path: RELAY_SOCKET } });
const tell = (m: 'up' | 'down'): Promise<void> =>
  new Promise((resolve) => {
    relay.once('message', () => resolve());
    relay.postMessage(m);
  });
await tell('up');
process.env.PCSCLITE_CSOCK_NAME = RELAY_SOCKET;

afterAll(async () => {
  await tell('up');
  if (pcscAvailable()) await waitForReaderEmpty();
  await relay.terminate();
  rmSync(RELAY_SOCKET, { force: true });
});

async function poll<T>(read: () => Promise<T>, done: (value: T) => boolean, ms = 10_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > until) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
}

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
