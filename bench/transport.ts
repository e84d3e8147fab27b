import { createRequire } from 'node:module';
import { CommandApdu, EmulatorReader, PcscContext } from '../src/pcsc/index.js';
import type { NativeContext, NativeReader } from '../src/pcsc/pcsclite-binding.js';
import { VpcdBridge, vpcdReaderName } from '../src/testing/vpcd/index.js';
import { ScriptedCard } from '../test/support/scripted-card.js';
import { median, sample, type BenchResult } from './result.js';

const READER = vpcdReaderName();
const echo = new CommandApdu({ cla: 0, ins: 0x10, p1: 0, p2: 0, data: Uint8Array.of(1, 2, 3, 4) });

/** In-process: SDK transmit (locking, timeouts, follow-up logic) vs calling the card directly. */
async function inProcess(): Promise<BenchResult> {
  const card = new ScriptedCard();
  const reader = new EmulatorReader();
  reader.insert(card);
  const session = reader.connect();
  const bytes = echo.toBytes();
  const n = 20_000;
  const rawTimes = await sample(5, async () => {
    for (let i = 0; i < n; i++) await card.process(bytes);
  });
  const sdkTimes = await sample(5, async () => {
    for (let i = 0; i < n; i++) await session.transmit(echo);
  });
  const raw = (median(rawTimes) / n) * 1000;
  const sdk = (median(sdkTimes) / n) * 1000;
  return {
    name: 'transport: in-process transmit (per APDU)',
    value: sdk,
    unit: 'µs',
    baseline: `direct emulator call ${raw.toFixed(2)} µs`,
    ratio: sdk / raw,
    note: 'SDK overhead with no I/O floor',
  };
}

/** Through pcscd + vpcd: SDK PcscSession.transmit vs raw pcsclite transmit on the same reader. */
async function throughPcscd(): Promise<BenchResult | undefined> {
  let ctx: PcscContext;
  try {
    ctx = await PcscContext.establish();
  } catch {
    return undefined;
  }
  if (!ctx.readers().some((r) => r.name === READER)) {
    await ctx.close();
    return undefined;
  }
  const bridge = await VpcdBridge.connect(new ScriptedCard());
  try {
    await ctx.waitForCard(READER, { timeoutMs: 10_000 });
    const n = 30;
    const session = await ctx.connect(READER);
    const sdk = median(await sample(n, () => session.transmit(echo)));
    await session.disconnect();

    // Raw binding, no twpki code on the path.
    const pcsc = createRequire(import.meta.url)('pcsclite') as () => NativeContext;
    const raw = pcsc();
    const rawReader = await new Promise<NativeReader>((resolve) => {
      raw.on('reader', (r: NativeReader) => {
        if (r.name === READER) resolve(r);
      });
    });
    const protocol = await new Promise<number>((resolve, reject) =>
      rawReader.connect({ share_mode: rawReader.SCARD_SHARE_EXCLUSIVE }, (e, p) => (e ? reject(e) : resolve(p))),
    );
    const bytes = Buffer.from(echo.toBytes());
    const rawMs = median(
      await sample(n, () => new Promise<void>((resolve, reject) => rawReader.transmit(bytes, 258, protocol, (e) => (e ? reject(e) : resolve())))),
    );
    await new Promise<void>((resolve) => rawReader.disconnect(rawReader.SCARD_LEAVE_CARD, () => resolve()));
    // The binding opens a monitor (a native thread and async handle) for
    // every reader it lists, not only the one used here: all must be closed,
    // or the process never exits.
    for (const reader of Object.values(raw.readers)) {
      reader.on('error', () => undefined);
      reader.close();
    }
    raw.on('error', () => undefined);
    raw.close();
    return {
      name: 'transport: pcscd+vpcd transmit (median per APDU)',
      value: sdk,
      unit: 'ms',
      baseline: `raw pcsclite transmit ${rawMs.toFixed(2)} ms`,
      ratio: sdk / rawMs,
      // Debian's vpcd waits a delayed ACK per APDU unless 127.0.0.1 has quick ACKs (scripts/setup-debian.sh).
      note:
        rawMs > 20
          ? 'both dominated by the vpcd driver\'s ~40 ms delayed-ACK wait: run scripts/setup-debian.sh as root for quick ACKs on 127.0.0.1'
          : 'through pcscd and the vpcd driver with quick ACKs on 127.0.0.1',
    };
  } finally {
    await bridge.close();
    await ctx.close();
  }
}

/** Transport benchmarks; the pcscd one is skipped (with a note) when pcscd is not running. */
export async function benchTransport(): Promise<BenchResult[]> {
  const results = [await inProcess()];
  const viaPcscd = await throughPcscd();
  results.push(
    viaPcscd ?? { name: 'transport: pcscd+vpcd transmit', value: Number.NaN, unit: 'ms', note: 'skipped: pcscd with vpcd not running' },
  );
  return results;
}
