/**
 * Prepared PGlite databases for the enrollment tests that used to start each database with initdb: initdb costs
 * 5–12 s of CPU per start (tens of seconds of wall time on a loaded two-core machine), the migrations well under
 * one. It runs once per machine and PGlite version, into a directory in the temp dir, and each test copies that
 * directory (or loads its tarball in memory). A copy is a real PGlite database, opened by PGlite or PgliteStore
 * as the new one was; only the initdb is not repeated. Starting from an empty directory (initdb inside
 * `PgliteStore.open`) stays covered by the tests that open a new store (test/examples/portal-deploy-state,
 * test/integrations/*).
 *
 * - `bare`: initdb only, no table (what `new PGlite()` gives): for the tests that build an old schema themselves.
 * - `migrated`: the bare database opened and migrated by `PgliteStore.open` (the current migrations).
 *
 * A template is built in a directory of its own and renamed into place, so a reader never sees a half-built one
 * and two processes building at once both end with a whole one; it is never opened after that, only copied.
 */
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { MIGRATIONS } from '../../../src/enroll/migrations/index.js';
import { PgliteStore } from '../../../src/enroll/store/pglite-store.js';
import { MIGRATION_LEDGER_SQL, migrationsBefore } from './postgres-before.js';

const PGLITE_VERSION = (
  JSON.parse(readFileSync(join(dirname(createRequire(import.meta.url).resolve('@electric-sql/pglite')), '..', 'package.json'), 'utf8')) as {
    version: string;
  }
).version;
const MIGRATIONS_KEY = createHash('sha256')
  .update(MIGRATIONS.map((m) => m.id + m.sql).join('\n'))
  .digest('hex')
  .slice(0, 16);

const BARE = join(tmpdir(), `twpki-pglite-template-bare-${PGLITE_VERSION}`);
const BARE_TAR = `${BARE}.tar`;
const MIGRATED = join(tmpdir(), `twpki-pglite-template-migrated-${PGLITE_VERSION}-${MIGRATIONS_KEY}`);
const MIGRATED_TAR = `${MIGRATED}.tar`;

/** Writes `tarPath` as the tarball (`dumpDataDir`) of a copy of the data directory `dir`, renamed into place. */
async function dumpCopyOf(dir: string, tarPath: string): Promise<void> {
  const work = mkdtempSync(`${dir}.tar-`);
  try {
    cpSync(dir, join(work, 'data'), { recursive: true });
    const db = await PGlite.create({ dataDir: join(work, 'data') });
    writeFileSync(join(work, 'tar'), Buffer.from(await (await db.dumpDataDir('none')).arrayBuffer()));
    await db.close();
    renameSync(join(work, 'tar'), tarPath);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Builds `final` (a data directory) with `build` in a private directory and renames it into place. */
async function buildOnce(final: string, build: (dataDir: string) => Promise<void>): Promise<void> {
  if (existsSync(join(final, 'PG_VERSION'))) return;
  const work = mkdtempSync(`${final}.build-`);
  try {
    const dataDir = join(work, 'data');
    await build(dataDir);
    try {
      renameSync(dataDir, final);
    } catch (err) {
      // Another process renamed its own build into place first: that one is as good.
      if (!existsSync(join(final, 'PG_VERSION'))) throw err;
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

let bare: Promise<void> | undefined;
let migrated: Promise<void> | undefined;

function bareTemplate(): Promise<void> {
  bare ??= (async () => {
    if (existsSync(join(BARE, 'PG_VERSION')) && existsSync(BARE_TAR)) return;
    await buildOnce(BARE, async (dataDir) => {
      const db = await PGlite.create({ dataDir });
      const tar = Buffer.from(await (await db.dumpDataDir('none')).arrayBuffer());
      await db.close();
      const tmp = `${BARE_TAR}.${process.pid}`;
      writeFileSync(tmp, tar);
      renameSync(tmp, BARE_TAR);
    });
    // The directory was there without its tarball (an interrupted build): dump a copy of it.
    if (!existsSync(BARE_TAR)) await dumpCopyOf(BARE, BARE_TAR);
  })();
  return bare;
}

function migratedTemplate(): Promise<void> {
  migrated ??= (async () => {
    await buildOnce(MIGRATED, async (dataDir) => {
      await bareTemplate();
      cpSync(BARE, dataDir, { recursive: true });
      // Migrated as a store opening the directory migrates it.
      await (await PgliteStore.open({ dataDir })).close();
    });
  })();
  return migrated;
}

/**
 * Makes the templates if this machine has none yet (a `beforeAll` with a long timeout: the first build runs
 * initdb, tens of seconds of wall time on a loaded machine, which a test's own timeout is not meant to cover).
 */
export async function prepareTemplates(which: { migrated?: boolean } = {}): Promise<void> {
  await bareTemplate();
  if (which.migrated === true) await migratedTemplate();
}

/** Makes `target` (which must not exist) a PGlite data directory just past initdb: no table yet. */
export async function copyBareDataDir(target: string): Promise<void> {
  await bareTemplate();
  cpSync(BARE, target, { recursive: true, errorOnExist: true, force: false });
}

/** Makes `target` (which must not exist) a PGlite data directory migrated by `PgliteStore.open`, not open. */
export async function copyMigratedDataDir(target: string): Promise<void> {
  await migratedTemplate();
  cpSync(MIGRATED, target, { recursive: true, errorOnExist: true, force: false });
}

let migratedTar: Promise<Buffer> | undefined;

/** The migrated template as a tarball (`dumpDataDir`), made once per machine and read once per process. */
function migratedTarball(): Promise<Buffer> {
  migratedTar ??= (async () => {
    if (!existsSync(MIGRATED_TAR)) {
      await migratedTemplate();
      await dumpCopyOf(MIGRATED, MIGRATED_TAR);
    }
    return readFileSync(MIGRATED_TAR);
  })();
  return migratedTar;
}

/**
 * A migrated `PgliteStore` loaded from the migrated template: in memory, or in `dataDir` (which must not hold a
 * database yet) when given.
 */
export async function openMigratedStore(dataDir?: string): Promise<PgliteStore> {
  return PgliteStore.open({ loadDataDir: new Blob([await migratedTarball()]), ...(dataDir === undefined ? {} : { dataDir }) });
}

/** An in-memory PGlite just past initdb (what `PGlite.create()` gives), loaded from the bare template. */
export async function bareMemoryPglite(): Promise<PGlite> {
  await bareTemplate();
  return PGlite.create({ loadDataDir: new Blob([readFileSync(BARE_TAR)]) });
}

/** Data directories made by {@link databasesBefore}, by case name, and how to remove them. */
export interface DatabasesBefore {
  /** The directory of case `name`. */
  dir(name: string): string;
  remove(): void;
}

/**
 * For a migration's test on existing databases: a database migrated up to (not including) `migrationId`, as
 * the releases before it left it, with `seed` run on it; built once from the bare template, then copied for each
 * case, whose renames (a DBA's or a restore's) are run on its copy. Every directory is made before the tests, so
 * their time is the store's open and the migration's.
 */
export async function databasesBefore(migrationId: string, seed: string, cases: ReadonlyArray<readonly [string, readonly string[]]>): Promise<DatabasesBefore> {
  const before = migrationsBefore(migrationId);
  const parent = mkdtempSync(join(tmpdir(), `twpki-before-${migrationId.slice(0, 4)}-`));
  const base = join(parent, 'base');
  await copyBareDataDir(base);
  const db = new PGlite(base);
  await db.exec(MIGRATION_LEDGER_SQL);
  for (const m of before) {
    await db.exec(m.sql);
    await db.query('INSERT INTO enroll_schema_migrations (id) VALUES ($1)', [m.id]);
  }
  await db.exec(seed);
  await db.close();
  const dirs = new Map<string, string>();
  for (const [name, renames] of cases) {
    const dir = join(parent, `case-${dirs.size}`);
    cpSync(base, dir, { recursive: true });
    if (renames.length > 0) {
      const copy = new PGlite(dir);
      for (const sql of renames) await copy.exec(sql);
      await copy.close();
    }
    dirs.set(name, dir);
  }
  return {
    dir(name) {
      const dir = dirs.get(name);
      if (dir === undefined) throw new Error(`no directory prepared for ${name}`);
      return dir;
    },
    remove: () => rmSync(parent, { recursive: true, force: true }),
  };
}
