import { spawnSync } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { CardRemovedError, CommandApdu, PcscContext, type PcscEventMap } from '../../src/pcsc/index.js';
import { VpcdBridge } from '../../src/testing/vpcd/index.js';
import { lockReader } from '../support/reader-lock.js';
import { VIRTUAL_READER, pcscAvailable, withPcscRig } from '../support/pcsc-rig.js';
import { ScriptedCard } from '../support/scripted-card.js';

const cmd = (ins: number, extra: Partial<ConstructorParameters<typeof CommandApdu>[0]> = {}): CommandApdu =>
  new CommandApdu({ cla: 0, ins, p1: 0, p2: 0, ...extra });

function until<K extends keyof PcscEventMap>(ctx: PcscContext, event: K, reader: string): Promise<PcscEventMap[K]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${event} within 10 s`)), 10_000);
    const listener = (e: PcscEventMap[K]): void => {
      if ((e as { reader?: string }).reader !== reader) return;
      clearTimeout(timer);
      ctx.off(event, listener);
      resolve(e);
    };
    ctx.on(event, listener);
  });
}

describe.runIf(pcscAvailable())('PC/SC transport through a real pcscd + vpcd', () => {
  it('reports readers present at start-up, then card insertion (with ATR) and removal', async () => {
    const release = await lockReader(35963);
    const attached: string[] = [];
    const ctx = await PcscContext.establish();
    try {
      // Readers that already existed were announced during establish().
      expect(ctx.readers().map((r) => r.name)).toContain(VIRTUAL_READER);
      const late = await PcscContext.establish();
      late.on('reader-attached', (e) => attached.push(e.reader));
      await late.close();

      const inserted = until(ctx, 'card-inserted', VIRTUAL_READER);
      const card = new ScriptedCard();
      const bridge = await VpcdBridge.connect(card);
      const event = await inserted;
      expect(Array.from(event.atr)).toEqual(Array.from(card.atr));
      expect(ctx.readers().find((r) => r.name === VIRTUAL_READER)?.cardPresent).toBe(true);

      const removed = until(ctx, 'card-removed', VIRTUAL_READER);
      await bridge.close();
      await removed;
      expect(ctx.readers().find((r) => r.name === VIRTUAL_READER)?.cardPresent).toBe(false);
    } finally {
      await ctx.close();
      release();
    }
  });

  it('transmits, following 61xx with GET RESPONSE and 6Cxx with the right Le', async () => {
    const card = new ScriptedCard(Uint8Array.from({ length: 450 }, (_, i) => (i * 3) & 0xff), 200);
    await withPcscRig(card, async ({ session }) => {
      expect(session.protocol).toMatch(/^T=/);
      const echo = await session.transmit(cmd(0x10, { data: Uint8Array.of(0xca, 0xfe) }));
      expect(Array.from(echo.data)).toEqual([0xca, 0xfe]);

      const blob = await session.transmit(cmd(0x20));
      expect(Array.from(blob.data)).toEqual(Array.from(card.blob));
      expect(blob.sw.toString()).toBe('9000');

      const exact = await session.transmit(cmd(0x30, { le: 256 }));
      expect(exact.data).toHaveLength(16);
      // The card saw the resend with Le=16.
      expect(card.log.at(-1)?.at(-1)).toBe(16);
    });
  });

  it('raises CardRemovedError when the card is pulled mid-operation', async () => {
    const card = new ScriptedCard();
    await withPcscRig(card, async ({ session, bridge }) => {
      await session.transmit(cmd(0x10));
      const pending = session.transmit(cmd(0x20));
      await bridge.close();
      const outcome = await pending.then(
        () => 'completed',
        (e: unknown) => e,
      );
      // Either the exchange beat the removal or it failed as a removal; never anything else.
      if (outcome !== 'completed') expect(outcome).toBeInstanceOf(CardRemovedError);
      await expect(session.transmit(cmd(0x10))).rejects.toBeInstanceOf(CardRemovedError);
      expect(session.isOpen).toBe(false);
    });
  });

  it('opens a new session to a re-inserted card while the session of the pulled one is still not disconnected', async () => {
    await withPcscRig(new ScriptedCard(), async ({ context, session, bridge }) => {
      // Listening before the card is pulled: close() waits for vpcd to let go, and on a loaded machine the watch
      // can report the removal before close() returns (a listener added after it then waited in vain).
      const removed = until(context, 'card-removed', VIRTUAL_READER);
      await bridge.close();
      await removed;
      const again = await VpcdBridge.connect(new ScriptedCard());
      try {
        await context.waitForCard(VIRTUAL_READER, { timeoutMs: 10_000 });
        const fresh = await context.connect(VIRTUAL_READER);
        try {
          await expect(fresh.transmit(cmd(0x10, { data: Uint8Array.of(7) }))).resolves.toMatchObject({ data: Uint8Array.of(7) });
          await expect(session.transmit(cmd(0x10))).rejects.toBeInstanceOf(CardRemovedError);
          // Two sessions that hold the reader at once are still refused.
          await expect(context.connect(VIRTUAL_READER)).rejects.toMatchObject({ code: 'SHARING_VIOLATION' });
        } finally {
          await fresh.disconnect();
        }
      } finally {
        await again.close();
      }
    });
  });

  it('keeps an exclusive session exclusive and resets the card on request', async () => {
    const card = new ScriptedCard();
    let resets = 0;
    const counting = { reset: () => (resets++, card.reset()), process: (b: Uint8Array) => card.process(b) };
    await withPcscRig(counting, async ({ session }) => {
      const other = await PcscContext.establish();
      try {
        await expect(other.connect(VIRTUAL_READER, { share: 'shared' })).rejects.toMatchObject({ code: 'SHARING_VIOLATION' });
      } finally {
        await other.close();
      }
      const before = resets;
      const epoch = session.epoch;
      await session.reset();
      expect(session.epoch).toBe(epoch + 1);
      // The bridge hands the reset to the card on this thread, and waits for it at most 100 ms before answering
      // pcscd (see VpcdBridge): on a loaded machine the reconnect can return first, so the reset is waited for.
      await vi.waitFor(() => expect(resets).toBeGreaterThan(before), { timeout: 5000 });
      await expect(session.transmit(cmd(0x10))).resolves.toMatchObject({ sw: { sw1: 0x90 } });
    });
  });

  it('a connect under way when its context closes never hands out a session holding the card', async () => {
    await withPcscRig(new ScriptedCard(), async ({ context, session }) => {
      await session.disconnect();
      for (let round = 0; round < 3; round++) {
        const closing = await PcscContext.establish();
        const connecting = closing.connect(VIRTUAL_READER).then(
          (s) => s,
          (e: unknown) => e,
        );
        await closing.close();
        const outcome = await connecting;
        // Closed while connecting: CLOSED. (Had the connect ended first, close() would have closed its session.)
        if (outcome instanceof Error) expect(outcome).toMatchObject({ code: 'CLOSED' });
        else expect((outcome as { isOpen: boolean }).isOpen).toBe(false);
        // The card is free: before, the late session kept it exclusively (SHARING_VIOLATION for everyone else).
        const other = await context.connect(VIRTUAL_READER, { timeoutMs: 3000 });
        await other.disconnect();
      }
    });
  });

  it('twpki readers --json lists the virtual reader with the card present', async () => {
    await withPcscRig(new ScriptedCard(), async () => {
      const out = new PassThrough();
      const chunks: Buffer[] = [];
      out.on('data', (c: Buffer) => chunks.push(c));
      const code = await main(['readers', '--json'], { stdout: out, stderr: new PassThrough(), stdin: new PassThrough(), env: {} });
      expect(code).toBe(0);
      const doc = JSON.parse(Buffer.concat(chunks).toString()) as { readers: Array<{ name: string; cardPresent: boolean; atr: string | null }> };
      expect(doc.readers).toContainEqual({ name: VIRTUAL_READER, cardPresent: true, atr: '3B021450' });
    });
  });

  it('lets the process exit after close()', () => {
    const script = `
      import { PcscContext } from './src/pcsc/index.ts';
      const ctx = await PcscContext.establish();
      ctx.on('card-inserted', () => {});
      await ctx.close();
      console.log('closed');`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: new URL('../..', import.meta.url).pathname,
      timeout: 15_000,
      encoding: 'utf8',
    });
    expect(r.error).toBeUndefined();
    expect(r.stdout.trim()).toBe('closed');
    expect(r.status).toBe(0);
  });
});
