/**
 * Throw-away PostgreSQL server for the store tests.
 *
 * `TWPKI_TEST_DATABASE_URL` wins when set (CI or a developer's own server).
 * Otherwise the Debian binaries under /usr/lib/postgresql/<n>/bin start a private
 * cluster in a temp dir on a free loopback port; it is removed by `stop()`.
 * PostgreSQL refuses to run as root, so when we are root the cluster runs as the
 * `postgres` system user via runuser.
 */
import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { quietPort } from '../support/quiet-port.js';

const run = promisify(execFile);

/** A reachable database plus how to dispose of it. */
export interface TestPostgres {
  /** `postgres://` URL of an empty database. */
  readonly url: string;
  /** Shuts the server down and removes its files (no-op for an external URL). */
  stop(): Promise<void>;
}

function findBinDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => /^\d+$/.test(v))
    .sort((a, b) => Number(b) - Number(a));
  for (const v of versions) {
    const bin = join(root, v, 'bin');
    if (existsSync(join(bin, 'initdb')) && existsSync(join(bin, 'pg_ctl'))) return bin;
  }
  return undefined;
}

function lookupUid(name: string): Promise<{ uid: number; gid: number }> {
  return Promise.all([run('id', ['-u', name]), run('id', ['-g', name])]).then(([u, g]) => ({
    uid: Number(u.stdout.trim()),
    gid: Number(g.stdout.trim()),
  }));
}

/**
 * Starts (or points at) a PostgreSQL database for tests. Returns `undefined` when
 * no server is available outside CI, so the caller can skip with a message; in CI
 * (`CI=true`) a missing server is an error, not a silent skip.
 */
export async function startTestPostgres(): Promise<TestPostgres | undefined> {
  const external = process.env.TWPKI_TEST_DATABASE_URL;
  if (external !== undefined && external !== '') {
    return { url: external, stop: async () => {} };
  }
  const bin = findBinDir();
  if (bin === undefined) {
    if (process.env.CI === 'true') {
      throw new Error(
        'no PostgreSQL binaries under /usr/lib/postgresql/*/bin and TWPKI_TEST_DATABASE_URL unset',
      );
    }
    return undefined;
  }

  const asRoot = userInfo().uid === 0;
  const dir = mkdtempSync(join(tmpdir(), 'twpki-pg-'));
  const data = join(dir, 'data');
  const exec = async (file: string, args: string[]): Promise<void> => {
    if (asRoot) await run('runuser', ['-u', 'postgres', '--', join(bin, file), ...args]);
    else await run(join(bin, file), args);
  };
  if (asRoot) {
    const { uid, gid } = await lookupUid('postgres');
    chownSync(dir, uid, gid);
  }
  const port = await quietPort();
  try {
    await exec('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
    await exec('pg_ctl', [
      '-D',
      data,
      '-l',
      join(dir, 'server.log'),
      '-w',
      '-o',
      `-h 127.0.0.1 -p ${port} -k ${dir} -c fsync=off -c max_connections=120`,
      'start',
    ]);
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const { default: pg } = await import('pg');
  const admin = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${port}/postgres` });
  await admin.connect();
  await admin.query('CREATE DATABASE twpki_test');
  await admin.end();

  return {
    url: `postgres://postgres@127.0.0.1:${port}/twpki_test`,
    stop: async () => {
      try {
        await exec('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
