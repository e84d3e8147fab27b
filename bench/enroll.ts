import { InMemoryEmsSource } from '../src/ems/index.js';
import {
  AccountEnrollmentFlow,
  CapturingMailer,
  EmsLayerAdapter,
  EnrollError,
  systemClock,
  type Actor,
  type EnrollStore,
} from '../src/enroll/index.js';
import { PgStore } from '../src/enroll/pg.js';
import { PgliteStore } from '../src/enroll/pglite.js';
// The enrollment tests' fixtures (no vitest dependency): one source of test cards.
import { citizenCard } from '../test/enroll/fakes.js';
import { startTestPostgres } from '../test/setup/postgres.js';
import { iterations, percentile, type BenchResult } from './result.js';

const CLIENTS = 50;

/** EMS record (and matching typed basic data) of client `n`'s company. */
function basicData(n: number): Record<string, string> {
  const controlNumber = `H${String(5_000_000 + n).padStart(7, '0')}`;
  return {
    controlNumber,
    companyName: `臺灣第${n}化學股份有限公司`,
    responsiblePerson: '陳大文',
    facilityAddress: `臺北市中正區重慶南路一段${(n % 300) + 1}號`,
    facilityEmail: `ems-${controlNumber.toLowerCase()}@example.com.tw`,
    mailingAddress: `臺北市中正區重慶南路一段${(n % 300) + 1}號`,
    contactName: '林小華',
    contactEmail: `contact${n}@example.com`,
  };
}

interface LoadOutcome {
  readonly commands: number;
  readonly seconds: number;
  readonly latenciesMs: number[];
  readonly typedErrors: Map<string, number>;
  readonly untypedErrors: string[];
}

/** Runs `work` for `clients` concurrent clients, each `rounds` times, timing every command. */
async function load(
  clients: number,
  rounds: number,
  work: (client: number, round: number, timed: <T>(p: () => Promise<T>) => Promise<T>) => Promise<void>,
): Promise<LoadOutcome> {
  const latenciesMs: number[] = [];
  const typedErrors = new Map<string, number>();
  const untypedErrors: string[] = [];
  let commands = 0;
  const timed = async <T>(p: () => Promise<T>): Promise<T> => {
    const t = process.hrtime.bigint();
    try {
      return await p();
    } finally {
      latenciesMs.push(Number(process.hrtime.bigint() - t) / 1e6);
      commands++;
    }
  };
  const start = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: clients }, async (_, client) => {
      for (let round = 0; round < rounds; round++) {
        try {
          await work(client, round, timed);
        } catch (err) {
          if (err instanceof EnrollError) typedErrors.set(err.code, (typedErrors.get(err.code) ?? 0) + 1);
          else untypedErrors.push(err instanceof Error ? `${err.name}: ${err.message}` : String(err));
        }
      }
    }),
  );
  return { commands, seconds: Number(process.hrtime.bigint() - start) / 1e9, latenciesMs, typedErrors, untypedErrors };
}

/** apply → basic data → bind under 50 clients on `store`, against as many empty transactions on it. */
async function benchStore(label: string, store: EnrollStore, rounds: number): Promise<BenchResult[]> {
  const companies = CLIENTS * rounds;
  const records = Array.from({ length: companies }, (_, n) => basicData(n));
  const ems = new EmsLayerAdapter(new InMemoryEmsSource(records));
  const flow = new AccountEnrollmentFlow({
    store,
    clock: systemClock,
    mailer: new CapturingMailer(),
    ems,
    emsRecords: ems,
    activationLink: (token) => `https://gps.example.gov.tw/AccountActivate?key=${token}`,
  });
  // Warm-up: one client's full flow (first queries, prepared plans, JIT).
  const warm = basicData(companies + 1);
  const warmEms = new EmsLayerAdapter(new InMemoryEmsSource([warm]));
  const warmFlow = new AccountEnrollmentFlow({
    store,
    clock: systemClock,
    mailer: new CapturingMailer(),
    ems: warmEms,
    emsRecords: warmEms,
    activationLink: (token) => `https://example.gov.tw/a?key=${token}`,
  });
  const warmActor: Actor = { role: 'applicant', id: warm['controlNumber'] ?? '' };
  const w = await warmFlow.apply({ controlNumber: warm['controlNumber'] ?? '' }, warmActor);
  await warmFlow.submitBasicData(w.id, warm, warmActor);
  await warmFlow.bindCard(w.id, { holder: citizenCard(companies + 1), contact: { phone: '02-2345-6789', email: 'typed@example.com' } }, warmActor);

  const enroll = await load(CLIENTS, rounds, async (client, round, timed) => {
    const n = round * CLIENTS + client;
    const data = records[n] as Record<string, string>;
    const actor: Actor = { role: 'applicant', id: data['controlNumber'] ?? '' };
    const app = await timed(() => flow.apply({ controlNumber: data['controlNumber'] ?? '' }, actor));
    await timed(() => flow.submitBasicData(app.id, data, actor));
    await timed(() => flow.bindCard(app.id, { holder: citizenCard(n), contact: { phone: '02-2345-6789', email: `c${n}@example.com` } }, actor));
  });
  // Baseline: the same number of transactions, each one trivial query, from the same 50 clients.
  const raw = await load(CLIENTS, rounds, async (_client, _round, timed) => {
    for (let i = 0; i < 3; i++) await timed(() => store.transaction((tx) => tx.query('SELECT 1 AS one')));
  });
  const rate = enroll.commands / enroll.seconds;
  const rawRate = raw.commands / raw.seconds;
  const typed = [...enroll.typedErrors].map(([code, n]) => `${code}×${n}`).join(', ') || 'none';
  return [
    {
      name: `enroll: ${label}: apply → basic data → bind, 50 clients`,
      value: rate,
      unit: 'commands/s',
      baseline: `empty transactions ${rawRate.toFixed(0)}/s`,
      baselineValue: rawRate,
      ratio: rate / rawRate,
      note: `${enroll.commands} commands in ${enroll.seconds.toFixed(2)} s; typed errors: ${typed}`,
    },
    {
      name: `enroll: ${label}: p99 command latency, 50 clients`,
      value: percentile(enroll.latenciesMs, 99),
      unit: 'ms',
      baseline: `empty transaction p99 ${percentile(raw.latenciesMs, 99).toFixed(1)} ms`,
      baselineValue: percentile(raw.latenciesMs, 99),
      ratio: percentile(enroll.latenciesMs, 99) / percentile(raw.latenciesMs, 99),
      note: `median ${percentile(enroll.latenciesMs, 50).toFixed(1)} ms`,
    },
    {
      name: `enroll: ${label}: errors that are not typed EnrollErrors`,
      value: enroll.untypedErrors.length,
      unit: 'errors',
      goal: { on: 'value', op: '<=', bound: 0, text: 'none' },
      ...(enroll.untypedErrors.length === 0 ? {} : { note: [...new Set(enroll.untypedErrors)].slice(0, 3).join(' | ') }),
    },
  ];
}

/**
 * Enrollment under load on PostgreSQL (a private server from the test setup,
 * or TWPKI_TEST_DATABASE_URL) and on in-memory PGlite, in the same run.
 */
export async function benchEnroll(): Promise<BenchResult[]> {
  const rounds = iterations(4, 1);
  const results: BenchResult[] = [];
  const pglite = await PgliteStore.open();
  try {
    results.push(...(await benchStore('PGlite', pglite, rounds)));
  } finally {
    await pglite.close();
  }
  const server = await startTestPostgres();
  if (server === undefined) {
    results.push({ name: 'enroll: PostgreSQL', value: Number.NaN, unit: 'commands/s', note: 'skipped: no PostgreSQL binaries and TWPKI_TEST_DATABASE_URL unset' });
    return results;
  }
  try {
    const store = await PgStore.open({ connectionString: server.url, max: 20 });
    try {
      results.push(...(await benchStore('PostgreSQL', store, rounds)));
    } finally {
      await store.close();
    }
  } finally {
    await server.stop();
  }
  return results;
}
