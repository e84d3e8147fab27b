import { HiCOSCard } from '../src/apdu/index.js';
import { RetryCounterStore } from '../src/apdu/pin/retry-counter-store.js';
import { EmulatorCardSlots, startAgent, type AgentServer, type Pkcs11Info } from '../src/agent/index.js';
import { EmulatorReader } from '../src/pcsc/emulator-reader.js';
import { minimumReadApdus } from '../src/testing/hicos/minimum-read-apdus.js';
import { createVirtualHiCOSCard } from '../src/testing/hicos/create-virtual-hicos-card.js';
import { createTestPki } from '../src/testing/pki/index.js';
import { iterations, median, sample, type BenchResult } from './result.js';

const ORIGIN = 'https://www.example.gov.tw';
const RUNS = iterations(30, 3);

async function pkcs11info(agent: AgentServer): Promise<Pkcs11Info> {
  const r = await fetch(`http://127.0.0.1:${agent.port}/pkcs11info`, { headers: { Origin: ORIGIN } });
  const doc = (await r.json()) as Pkcs11Info;
  if (doc.ret_code !== 0 || typeof doc.slots[0]?.token !== 'object' || doc.slots[0].token === null) {
    throw new Error('the agent did not list the card: benchmark invalid');
  }
  return doc;
}

/**
 * Local agent: `/pkcs11info` over HTTP on the in-process reader, warm (card
 * kept while it stays in) against cold (read on every request) in the same
 * run, the cold agent against a bare `HiCOSCard.info()`, and the cold APDU
 * count against the minimum the card allows. Through pcscd each APDU costs
 * ~48 ms on this rig, so the warm path's zero APDUs are what keep it fast there.
 */
export async function benchAgent(): Promise<BenchResult[]> {
  const pki = await createTestPki();
  const results: BenchResult[] = [];
  for (const generation of [1, 2] as const) {
    const card = await createVirtualHiCOSCard({ pki, generation, cardNumber: `TP0300008888000${generation}` });
    const reader = new EmulatorReader();
    reader.insert(card);
    const cold = await startAgent({ slots: new EmulatorCardSlots(reader), trusted: [ORIGIN], port: 0, warmCache: false });
    const warm = await startAgent({ slots: new EmulatorCardSlots(reader), trusted: [ORIGIN], port: 0 });
    try {
      card.clearLog();
      await pkcs11info(cold);
      const coldApdus = card.apduCount;
      const minimum = minimumReadApdus(card, { includeVersion: true });
      results.push({
        name: `Gen${generation}: cold /pkcs11info APDUs`,
        value: coldApdus,
        unit: 'APDUs',
        baseline: `minimum the card allows (${minimum})`,
        ratio: coldApdus / minimum,
        goal: { on: 'ratio', op: '<=', bound: 1, text: 'cold stays at the minimum APDU count' },
      });

      const direct = median(await sample(RUNS, async () => (await HiCOSCard.open(reader.connect(), { retryStore: new RetryCounterStore() })).info()));
      const coldMs = median(await sample(RUNS, () => pkcs11info(cold)));
      results.push({ name: `Gen${generation}: cold /pkcs11info median, in-process`, value: coldMs, unit: 'ms', baseline: 'HiCOSCard.info() alone', ratio: coldMs / direct });

      await pkcs11info(warm);
      card.clearLog();
      const warmMs = median(await sample(RUNS, () => pkcs11info(warm)));
      if (card.apduCount !== 0) throw new Error(`warm /pkcs11info sent ${card.apduCount} APDUs: benchmark invalid`);
      results.push({
        name: `Gen${generation}: warm /pkcs11info median`,
        value: warmMs,
        unit: 'ms',
        baseline: 'cold /pkcs11info',
        ratio: warmMs / coldMs,
        note: '0 APDUs while the card stays in',
        goal: { on: 'value', op: '<=', bound: 20, text: 'warm /pkcs11info ≤ 20 ms median' },
      });
    } finally {
      await cold.close();
      await warm.close();
    }
  }
  return results;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const r of await benchAgent()) process.stdout.write(`${JSON.stringify(r)}\n`);
}
