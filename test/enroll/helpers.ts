/** Shared fixtures of the enrollment tests: stores, fake EMS, cards, clock. */
import { afterAll, beforeAll, beforeEach, describe, expect } from 'vitest';
import { EnrollError } from '../../src/enroll/errors.js';
import pg from 'pg';
import { inject } from 'vitest';
import { startTestPostgres, type TestPostgres } from '../setup/postgres.js';
import type { PgliteStore } from '../../src/enroll/store/pglite-store.js';
import { openMigratedStore } from './support/pglite-template.js';
import { PgStore } from '../../src/enroll/store/pg-store.js';
import type { EnrollStore } from '../../src/enroll/store/store.js';
import { AccountEnrollmentFlow, type AccountEnrollmentOptions } from '../../src/enroll/flows/account-enrollment.js';
import { CapturingMailer } from '../../src/enroll/mail/capturing-mailer.js';
import type { Clock } from '../../src/enroll/ports/clock.js';
import { FakeEms, basicDataFor } from './fakes.js';

const TABLES = [
  'enroll_audit_log',
  'enroll_result_keys',
  'enroll_activation_tokens',
  'enroll_card_bindings',
  'enroll_account_applications',
  'enroll_login_bindings',
  'enroll_login_accounts',
  'enroll_waste_documents',
  'enroll_waste_applications',
  'enroll_org_operators',
  'enroll_org_registration_records',
  'enroll_org_registrations',
  'enroll_official_applications',
  'enroll_card_renewals',
  'enroll_org_consents',
  'enroll_official_cards',
  'enroll_official_members',
];

/** Empties every enroll table (one database per file, reset between tests). */
export async function resetTables(store: EnrollStore): Promise<void> {
  await store.transaction((tx) => tx.query(`TRUNCATE ${TABLES.join(', ')} RESTART IDENTITY CASCADE`));
}

/** Row counts per table, to prove nothing was half-written. */
export async function tableCounts(store: EnrollStore): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  await store.transaction(async (tx) => {
    for (const t of TABLES) out[t] = Number((await tx.query(`SELECT count(*)::int AS n FROM ${t}`))[0]?.n);
  });
  return out;
}

/**
 * An in-memory PGlite store (or one in `dataDir`), loaded from the migrated template (`support/pglite-template.ts`):
 * initdb plus migrations cost seconds per file on a loaded machine.
 */
export function openPglite(dataDir?: string): Promise<PgliteStore> {
  return openMigratedStore(dataDir);
}

let pgServer: Promise<TestPostgres | undefined> | undefined;

/** Database URL from vitest's global setup (`provide('databaseUrl')`), else a server of our own. */
export async function getDatabaseUrl(): Promise<string | undefined> {
  let provided: unknown;
  try {
    provided = (inject as (key: string) => unknown)('databaseUrl');
  } catch {
    provided = undefined;
  }
  if (typeof provided === 'string' && provided !== '') return provided;
  pgServer ??= startTestPostgres();
  return (await pgServer)?.url;
}

/** `url` whose connections use `schema` (as a search path), for a store or pool that opens its own connections. */
export function urlWithSchema(url: string, schema: string): string {
  return `${url}${url.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
}

/** Drops and creates `schema` on the server at `url`, and returns {@link urlWithSchema} for it. */
export async function freshSchemaUrl(url: string, schema: string): Promise<string> {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.query(`CREATE SCHEMA ${schema}`);
  } finally {
    await admin.end();
  }
  return urlWithSchema(url, schema);
}

/** Stops the server {@link getDatabaseUrl} started, if any. */
export async function stopOwnPostgres(): Promise<void> {
  const s = await pgServer;
  pgServer = undefined;
  await s?.stop();
}

/**
 * A PgStore in a schema private to this test file, so files sharing one server
 * (global setup) cannot truncate each other's tables.
 */
export async function openPgStore(url: string, schema: string): Promise<PgStore> {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  const pool = new pg.Pool({ connectionString: url, max: 20, options: `-c search_path=${schema}` });
  const store = await PgStore.open({ pool });
  const close = store.close.bind(store);
  store.close = async () => {
    await close();
    await pool.end();
  };
  return store;
}

/** A named store backend for `describe.each`. */
export interface Backend {
  readonly name: 'pglite' | 'postgres';
  open(): Promise<EnrollStore | undefined>;
}

/** Both stores; `postgres` opens to undefined (test skipped) when no server is available. */
export function backends(schema: string): Backend[] {
  return [
    { name: 'pglite', open: () => openPglite() },
    {
      name: 'postgres',
      open: async () => {
        const url = await getDatabaseUrl();
        if (url === undefined) {
          console.warn('PostgreSQL tests skipped: no server (set TWPKI_TEST_DATABASE_URL or install postgresql)');
          return undefined;
        }
        return openPgStore(url, schema);
      },
    },
  ];
}

/**
 * Runs `body` once per store backend: the store opens before the block and
 * closes after it, every table is emptied before each test, and a backend
 * that cannot open (no PostgreSQL outside CI) skips its tests. `db()` is the
 * open store.
 */
export function describeEachStore(schema: string, body: (db: () => EnrollStore) => void): void {
  afterAll(async () => {
    await stopOwnPostgres();
  });
  describe.each(backends(schema))('$name store', (backend) => {
    let store: EnrollStore | undefined;
    beforeAll(async () => {
      store = await backend.open();
    });
    afterAll(async () => {
      await store?.close();
    });
    beforeEach(async (ctx) => {
      if (store === undefined) {
        ctx.skip();
        return;
      }
      await resetTables(store);
    });
    body(() => {
      if (store === undefined) throw new Error('store not open');
      return store;
    });
  });
}

export { FakeEms, basicDataFor, citizenCard, tokenFromMail } from './fakes.js';

/** The EnrollError a command rejected with (fails the test when it resolved or threw anything else). */
export async function enrollFailure(p: Promise<unknown>): Promise<EnrollError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(EnrollError);
  return err as EnrollError;
}

/**
 * The GPS account flow as the tests build it: a capturing mailer, a fake EMS
 * holding the given control numbers' records, the seed's activation link.
 */
export function gpsAccountFlow(
  store: EnrollStore,
  clock: Clock,
  options: { controlNumbers?: readonly string[]; extra?: Partial<AccountEnrollmentOptions> } = {},
): { flow: AccountEnrollmentFlow; mailer: CapturingMailer; ems: FakeEms } {
  const mailer = new CapturingMailer();
  const ems = new FakeEms();
  for (const cn of options.controlNumbers ?? ['H5600123']) ems.put(basicDataFor(cn));
  const flow = new AccountEnrollmentFlow({
    store,
    clock,
    mailer,
    ems,
    emsRecords: ems,
    activationLink: (t) => `https://gps.example.gov.tw/AccountActivate?key=${t}`,
    ...options.extra,
  });
  return { flow, mailer, ems };
}
