import { inject } from 'vitest';
import { PcscContext, type CardEmulator, type PcscSession, type Transport } from '../../src/pcsc/index.js';
import { VpcdBridge, VPCD_DEFAULT_PORT, vpcdReaderName } from '../../src/testing/vpcd/index.js';
import { lockReader } from './reader-lock.js';

/** The pcscd reader the vpcd bridge's default port feeds. */
export const VIRTUAL_READER = vpcdReaderName(VPCD_DEFAULT_PORT);

/** True when pcscd + vpcd are up (global setup fails the run under CI=true otherwise). */
export function pcscAvailable(): boolean {
  return inject('pcscAvailable');
}

/** Everything a PC/SC integration test holds while it runs. */
export interface PcscRig {
  context: PcscContext;
  bridge: VpcdBridge;
  session: PcscSession;
}

/**
 * Inserts `card` into the real pcscd through vpcd, opens a PC/SC session to
 * it and runs `fn`; everything is torn down afterwards, even on failure.
 */
export async function withPcscRig(card: CardEmulator, fn: (rig: PcscRig) => Promise<void>): Promise<void> {
  const release = await lockReader(VPCD_DEFAULT_PORT);
  let context: PcscContext | undefined;
  let bridge: VpcdBridge | undefined;
  try {
    context = await PcscContext.establish();
    bridge = await VpcdBridge.connect(card);
    await context.waitForCard(VIRTUAL_READER, { timeoutMs: 10_000 });
    const session = await context.connect(VIRTUAL_READER);
    try {
      await fn({ context, bridge, session });
    } finally {
      await session.disconnect().catch(() => undefined);
    }
  } finally {
    await bridge?.close().catch(() => undefined);
    if (context) {
      // Let pcscd see the removal before the next test inserts a card.
      await context.close();
    }
    await waitForReaderEmpty();
    release();
  }
}

/** Short form for card-layer tests that only need the transport. */
export function withPcscCard(card: CardEmulator, fn: (transport: Transport) => Promise<void>): Promise<void> {
  return withPcscRig(card, ({ session }) => fn(session));
}

/** Waits (up to 5 s) until pcscd reports the virtual reader empty, so the next test's card is seen as a new insertion. */
export async function waitForReaderEmpty(): Promise<void> {
  const ctx = await PcscContext.establish();
  try {
    const until = Date.now() + 5_000;
    while (Date.now() < until && ctx.readers().some((r) => r.name === VIRTUAL_READER && r.cardPresent)) {
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    await ctx.close();
  }
}
