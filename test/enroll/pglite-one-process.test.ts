import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccountEnrollmentFlow, CapturingMailer, EnrollError, systemClock } from '../../src/enroll/index.js';
import { PgliteStore } from '../../src/enroll/pglite.js';
import { FakeEms } from './fakes.js';
import { openPglite } from './helpers.js';
import { copyMigratedDataDir, prepareTemplates } from './support/pglite-template.js';

// PGlite is PostgreSQL without its postmaster: two processes (or two instances in one) opening one data
// directory both wrote it; one crashed at start-up, or 68 applications reported done were lost. And a command
// run inside store.transaction on a flow not built with joinTransaction waited for ever on PGlite's one
// connection. Both are typed errors now.

const ROOT = new URL('../..', import.meta.url).pathname;
const base = mkdtempSync(join(tmpdir(), 'twpki-pglite-lock-'));

beforeAll(() => prepareTemplates({ migrated: true }), 180_000);

afterAll(() => {
  rmSync(base, { recursive: true, force: true });
});

async function code(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
  } catch (err) {
    if (err instanceof EnrollError) return err.code;
    throw err;
  }
  return undefined;
}

describe('a PGlite data directory is one process’s', () => {
  it('a second open in this process is STORE_IN_USE; after close it opens again and the lock is gone', async () => {
    const dir = join(base, 'same-process');
    // An existing directory, a copy of a migrated one: the lock is what is tested, not initdb.
    await copyMigratedDataDir(dir);
    const first = await PgliteStore.open({ dataDir: dir });
    try {
      expect(existsSync(`${dir}.lock`)).toBe(true);
      await expect(PgliteStore.open({ dataDir: dir })).rejects.toMatchObject({ code: 'STORE_IN_USE', message: expect.stringContaining('this process') });
    } finally {
      await first.close();
    }
    expect(existsSync(`${dir}.lock`)).toBe(false);
    const again = await PgliteStore.open({ dataDir: dir });
    await again.close();
  }, 60_000);

  it("a lock naming this process's id that this process does not hold is an earlier incarnation's, and is taken over", async () => {
    // A container's main process gets the same id after every restart; a lock it left behind must not bar it.
    const dir = join(base, 'same-pid');
    // The directory the earlier incarnation left, a copy of a migrated one (initdb is not what is tested).
    await copyMigratedDataDir(dir);
    expect(existsSync(`${dir}.lock`)).toBe(false);
    writeFileSync(`${dir}.lock`, `${process.pid}\n`);
    const store = await PgliteStore.open({ dataDir: dir });
    await store.close();
    expect(existsSync(`${dir}.lock`)).toBe(false);
  }, 60_000);

  it('another live process holding it is named; once it is killed, its lock is taken over', async () => {
    const dir = join(base, 'two-processes');
    // An existing directory (a copy of a migrated one): the child's open is the lock's, not an initdb.
    await copyMigratedDataDir(dir);
    const script = `import { PgliteStore } from './src/enroll/pglite.ts'; await PgliteStore.open({ dataDir: ${JSON.stringify(dir)} }); process.stdout.write('open\\n'); setInterval(() => {}, 60_000);`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (c: Buffer) => c.toString().includes('open') && resolve());
        child.once('exit', (c) => reject(new Error(`child exited ${c}`)));
      });
      await expect(PgliteStore.open({ dataDir: dir })).rejects.toMatchObject({
        code: 'STORE_IN_USE',
        message: expect.stringContaining(`process ${child.pid} has it open`),
      });
    } finally {
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
    }
    // The killed process never released its lock: it is taken over, and the directory is usable.
    expect(existsSync(`${dir}.lock`)).toBe(true);
    const store = await PgliteStore.open({ dataDir: dir });
    await store.close();
  }, 90_000);

  it('a store transaction started inside another is NESTED_TRANSACTION, not a wait for ever; work scheduled for after it may transact', async () => {
    // An in-memory store from the migrated snapshot (openPglite): initdb is not what this test is about.
    const store = await openPglite();
    try {
      const ems = new FakeEms();
      const flow = new AccountEnrollmentFlow({ store, ems, emsRecords: ems, mailer: new CapturingMailer(), clock: systemClock, activationLink: (t) => t });
      const inner = await store.transaction(async () => {
        const direct = await code(store.transaction(async () => 1));
        const viaFlow = await code(flow.apply({ controlNumber: 'H5600123' }, { role: 'applicant', id: 'acct-1' }));
        return [direct, viaFlow];
      });
      expect(inner).toEqual(['NESTED_TRANSACTION', 'NESTED_TRANSACTION']);
      // A timer set inside a transaction inherits its context; it runs after the commit and may transact.
      let later: Promise<number> | undefined;
      await store.transaction(async () => {
        setTimeout(() => (later = store.transaction(async () => 2)), 20);
      });
      await new Promise((resolve) => setTimeout(resolve, 100));
      await expect(later).resolves.toBe(2);
      // Nothing was left half-done: the flow works outside.
      await expect(flow.apply({ controlNumber: 'H5600123' }, { role: 'applicant', id: 'acct-1' })).resolves.toMatchObject({ status: 'draft' });
    } finally {
      await store.close();
    }
  }, 60_000);
});
