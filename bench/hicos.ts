import { performance } from 'node:perf_hooks';
import { HiCOSCard } from '../src/apdu/index.js';
import { RetryCounterStore } from '../src/apdu/pin/retry-counter-store.js';
import { EmulatorReader } from '../src/pcsc/emulator-reader.js';
import type { CardEmulator } from '../src/pcsc/transport.js';
import { minimumReadApdus } from '../src/testing/hicos/minimum-read-apdus.js';
import { VirtualHicosCard } from '../src/testing/hicos/virtual-hicos-card.js';
import type { VirtualCardCredentials } from '../src/testing/hicos/virtual-card-options.js';
import { createTestPki } from '../src/testing/pki/index.js';
import { median, type BenchResult } from './result.js';

/** Records the exact bytes sent, so a raw baseline can replay them. */
class RecordingCard implements CardEmulator {
  public readonly commands: Uint8Array[] = [];
  public constructor(private readonly inner: VirtualHicosCard) {}
  public reset(): Uint8Array {
    return this.inner.reset();
  }
  public process(command: Uint8Array): Uint8Array {
    this.commands.push(Uint8Array.from(command));
    return this.inner.process(command);
  }
}

async function time(runs: number, fn: () => Promise<unknown> | unknown): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < runs + 3; i++) {
    const start = performance.now();
    await fn();
    if (i >= 3) samples.push(performance.now() - start);
  }
  return median(samples);
}

async function credentials(): Promise<VirtualCardCredentials> {
  const holder = await (await createTestPki()).issueCardHolder({ authority: 'moica' });
  return {
    sign: { certificate: holder.sign.certificate, privateKey: holder.sign.privateKey },
    keyx: { certificate: holder.keyx.certificate, privateKey: holder.keyx.privateKey },
    caCertificates: [...holder.chain],
  };
}

/**
 * HiCOS card layer: APDUs to read all certificates and the card number vs
 * the minimum the virtual card allows, and the SDK's info()/sign time on the
 * in-process transport vs replaying the same APDUs straight to the card.
 */
export async function benchHicos(): Promise<BenchResult[]> {
  const creds = await credentials();
  const results: BenchResult[] = [];
  for (const generation of [1, 2] as const) {
    // A fixed card challenge makes the Gen2 SCP03 exchange replayable for the raw baseline.
    const make = () => new VirtualHicosCard({ generation, credentials: creds, random: (n) => new Uint8Array(n).fill(0x42) });
    const open = async (card: CardEmulator) => {
      const reader = new EmulatorReader();
      reader.insert(card);
      return HiCOSCard.open(reader.connect(), { retryStore: new RetryCounterStore() });
    };

    const counted = make();
    const hicos = await open(counted);
    await hicos.certificates();
    await hicos.cardNumber();
    results.push({
      name: `Gen${generation}: APDUs to read all certificates + card number`,
      value: counted.apduCount,
      unit: 'APDUs',
      baseline: `minimum the card allows (${minimumReadApdus(counted)})`,
      ratio: counted.apduCount / minimumReadApdus(counted),
    });

    const infoCard = make();
    const infoRecorder = new RecordingCard(infoCard);
    await (await open(infoRecorder)).info();
    // Cards are built before timing: their construction is not the SDK's cost.
    const fresh = Array.from({ length: 33 }, make);
    const sdkInfo = await time(30, async () => (await open(fresh.pop()!)).info());
    const replayCard = make();
    const rawInfo = await time(30, () => {
      replayCard.clearLog();
      replayCard.reset();
      for (const c of infoRecorder.commands) replayCard.process(c);
    });
    const refused = replayCard.log.filter((e) => ![0x90, 0x62].includes(e.response[e.response.length - 2]!)).length;
    // Gen1 detection on a listed ATR sends no failing probe; Gen2 neither. Anything refused means a bad baseline.
    if (refused > 0) throw new Error(`Gen${generation} info replay was refused ${refused} times: baseline invalid`);
    results.push({ name: `Gen${generation}: info() median, in-process`, value: sdkInfo, unit: 'ms', baseline: 'raw APDU replay', ratio: sdkInfo / rawInfo });

    const signRecorder = new RecordingCard(make());
    const signer = await open(signRecorder);
    await signer.privateKeys();
    await signer.cardNumber();
    signRecorder.commands.length = 0;
    await signer.sign(new Uint8Array(64), { pin: '123456' });
    const signCommands = [...signRecorder.commands];
    const sdkSign = await time(30, () => signer.sign(new Uint8Array(64), { pin: '123456' }));
    const replaySign = make();
    replaySign.reset();
    const prelude = new RecordingCard(replaySign);
    const preludeCard = await open(prelude);
    await preludeCard.privateKeys();
    await preludeCard.cardNumber();
    let replayFailures = 0;
    const rawSign = await time(30, () => {
      for (const c of signCommands) {
        const r = replaySign.process(c);
        if (r[r.length - 2] !== 0x90) replayFailures++;
      }
    });
    if (replayFailures > 0) throw new Error(`Gen${generation} sign replay was refused ${replayFailures} times: baseline invalid`);
    results.push({
      name: `Gen${generation}: sign() with PIN median, in-process`,
      value: sdkSign,
      unit: 'ms',
      baseline: 'raw APDU replay',
      ratio: sdkSign / rawSign,
      note: `${signCommands.length} APDUs`,
    });
  }
  return results;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const r of await benchHicos()) process.stdout.write(`${JSON.stringify(r)}\n`);
}
