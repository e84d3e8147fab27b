import { HiCOSCard } from '../../apdu/index.js';
import { EmulatorReader, PcscContext, type Transport } from '../../pcsc/index.js';
import { VpcdBridge, vpcdReaderName, type VirtualHiCOSCard } from '../../testing/index.js';

/** The demo's card connection and how it was made. */
export interface DemoCard {
  card: HiCOSCard;
  transport: Transport;
  via: 'pcscd' | 'in-process';
  close(): Promise<void>;
}

const VPCD_READER = vpcdReaderName();

/**
 * Puts the virtual card in pcscd's vpcd reader when pcscd runs, so the demo
 * goes through real PC/SC; otherwise attaches it in-process. A real card
 * already in a reader is never touched by the demo.
 */
export async function connectDemoCard(virtual: VirtualHiCOSCard): Promise<DemoCard> {
  let context: PcscContext | undefined;
  try {
    context = await PcscContext.establish({ startupTimeoutMs: 2_000 });
  } catch {
    context = undefined;
  }
  const vpcd = context?.readers().find((r) => r.name === VPCD_READER && !r.cardPresent);
  if (context && vpcd) {
    try {
      // Long enough for the bridge to take the card out and put it in again once (about 3 s) if pcscd missed a removal.
      const bridge = await VpcdBridge.connect(virtual, { timeoutMs: 5_000 });
      await context.waitForCard(VPCD_READER, { timeoutMs: 5_000 });
      const session = await context.connect(VPCD_READER);
      const ctx = context;
      return {
        card: await HiCOSCard.open(session),
        transport: session,
        via: 'pcscd',
        close: async () => {
          await session.disconnect();
          await bridge.close();
          await ctx.close();
        },
      };
    } catch {
      // Fall through to the in-process reader.
    }
  }
  await context?.close();
  const reader = new EmulatorReader({ name: 'twpki in-process reader' });
  reader.insert(virtual);
  const session = reader.connect();
  return { card: await HiCOSCard.open(session), transport: session, via: 'in-process', close: () => session.disconnect() };
}
