/** A process SIGKILLed in the middle of a transition leaves the database consistent. */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccountEnrollmentFlow } from '../../src/enroll/flows/account-enrollment.js';
import { CapturingMailer } from '../../src/enroll/mail/capturing-mailer.js';
import { ManualClock } from '../../src/enroll/ports/clock.js';
import { PgliteStore } from '../../src/enroll/store/pglite-store.js';
import type { EnrollStore } from '../../src/enroll/store/store.js';
import { FakeEms, basicDataFor, citizenCard, getDatabaseUrl, openPgStore, stopOwnPostgres, tableCounts } from './helpers.js';
import { copyMigratedDataDir, prepareTemplates } from './support/pglite-template.js';

const SCHEMA = 'enroll_crash_test';
const childScript = join(import.meta.dirname, 'fixtures', 'crash-child.ts');

beforeAll(() => prepareTemplates({ migrated: true }), 180_000);

afterAll(async () => {
  await stopOwnPostgres();
});

function flowOn(store: EnrollStore, ems: FakeEms): AccountEnrollmentFlow {
  return new AccountEnrollmentFlow({
    store,
    clock: new ManualClock('2026-03-02T01:00:00Z'),
    mailer: new CapturingMailer(),
    ems,
    emsRecords: ems,
    activationLink: (t) => t,
  });
}

async function verifiedApplication(store: EnrollStore, ems: FakeEms): Promise<string> {
  ems.put(basicDataFor());
  const flow = flowOn(store, ems);
  const app = await flow.apply({ controlNumber: 'H5600123' }, { role: 'applicant', id: 't' });
  await flow.submitBasicData(app.id, basicDataFor(), { role: 'applicant', id: 't' });
  return app.id;
}

/** Runs the child until it reports PAUSED inside the transaction, then SIGKILLs it. */
function killMidTransaction(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', childScript, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('PAUSED')) child.kill('SIGKILL');
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (_code, signal) => {
      if (signal === 'SIGKILL' && out.includes('PAUSED')) resolve();
      else reject(new Error(`child did not pause: ${out} ${err}`));
    });
  });
}

describe('process killed mid-transition', () => {
  it('postgres: the open transaction dies with the process; the card stays free', async (ctx) => {
    const url = await getDatabaseUrl();
    if (url === undefined) ctx.skip();
    const store = await openPgStore(url ?? '', SCHEMA);
    try {
      const ems = new FakeEms();
      const id = await verifiedApplication(store, ems);
      const before = await tableCounts(store);
      await killMidTransaction([url ?? '', id, SCHEMA]);
      expect(await tableCounts(store)).toEqual(before);
      const flow = flowOn(store, ems);
      expect((await flow.get(id)).status).toBe('basicDataVerified');
      // The killed session's row locks are gone too: the same command now succeeds.
      const done = await flow.bindCard(id, { holder: citizenCard(1), contact: { phone: '0223456789', email: 'a@b.tw' } }, { role: 'applicant', id: 't' });
      expect(done.status).toBe('underReview');
    } finally {
      await store.close();
    }
  });

  it('pglite on disk: reopening after the kill recovers the committed state only', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'twpki-pglite-'));
    try {
      const ems = new FakeEms();
      // A copy of a migrated data directory (initdb is not what is tested).
      await copyMigratedDataDir(dir);
      let store = await PgliteStore.open({ dataDir: dir });
      const id = await verifiedApplication(store, ems);
      const before = await tableCounts(store);
      await store.close();
      await killMidTransaction([`pglite:${dir}`, id]);
      store = await PgliteStore.open({ dataDir: dir });
      try {
        expect(await tableCounts(store)).toEqual(before);
        expect((await flowOn(store, ems).get(id)).status).toBe('basicDataVerified');
      } finally {
        await store.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    // Two PGlite start-ups on disk (child and reopen), each several seconds of WebAssembly on a shared core.
  }, 120_000);
});
