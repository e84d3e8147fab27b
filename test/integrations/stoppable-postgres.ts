/**
 * A throw-away PostgreSQL cluster a test may stop and start again (an outage), which the shared server of
 * the global setup must not be. Started from the Debian binaries under /usr/lib/postgresql/<n>/bin, as root
 * through `runuser -u postgres`; `undefined` when there are none, except under CI=true, where that is an error
 * (an outage test that skips proves nothing).
 */
import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { quietPort } from '../support/quiet-port.js';

const run = promisify(execFile);

/** A private cluster on a loopback port. */
export interface StoppablePostgres {
  /** `postgres://` URL of its `postgres` database. */
  readonly url: string;
  /**
   * Stops the server: `fast` ends every session with 57P01 (as a service manager's stop does), `smart`
   * refuses new connections (57P03) until the open sessions end; `wait: false` returns at once.
   */
  stop(mode?: 'fast' | 'smart' | 'immediate', wait?: boolean): Promise<void>;
  /** Starts it again on the same port, waiting until it accepts connections. */
  start(): Promise<void>;
  /** Stops it if running and removes its files. */
  remove(): Promise<void>;
}

function binDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const found = readdirSync(root)
    .filter((v) => /^\d+$/.test(v))
    .sort((a, b) => Number(b) - Number(a))
    .map((v) => join(root, v, 'bin'))
    .find((bin) => existsSync(join(bin, 'initdb')) && existsSync(join(bin, 'pg_ctl')));
  return found;
}

/** Starts a private cluster (see the file's comment). */
export async function startStoppablePostgres(): Promise<StoppablePostgres | undefined> {
  const bin = binDir();
  if (bin === undefined) {
    if (process.env['CI'] === 'true') throw new Error('CI needs the PostgreSQL binaries (/usr/lib/postgresql/<n>/bin) for the outage tests');
    return undefined;
  }
  const asRoot = userInfo().uid === 0;
  const dir = mkdtempSync(join(tmpdir(), 'twpki-pg-outage-'));
  const data = join(dir, 'data');
  const exec = async (file: string, args: string[]): Promise<void> => {
    if (asRoot) await run('runuser', ['-u', 'postgres', '--', join(bin, file), ...args]);
    else await run(join(bin, file), args);
  };
  if (asRoot) {
    const [uid, gid] = await Promise.all([run('id', ['-u', 'postgres']), run('id', ['-g', 'postgres'])]);
    chownSync(dir, Number(uid.stdout.trim()), Number(gid.stdout.trim()));
  }
  const port = await quietPort();
  const start = (): Promise<void> =>
    exec('pg_ctl', ['-D', data, '-l', join(dir, 'server.log'), '-w', '-o', `-h 127.0.0.1 -p ${port} -k ${dir} -c fsync=off -c max_prepared_transactions=4`, 'start']);
  let running = false;
  try {
    await exec('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
    await start();
    running = true;
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async stop(mode = 'fast', wait = true) {
      await exec('pg_ctl', ['-D', data, '-m', mode, wait ? '-w' : '-W', 'stop']);
      running = false;
    },
    async start() {
      await start();
      running = true;
    },
    async remove() {
      try {
        if (running || existsSync(join(data, 'postmaster.pid'))) await exec('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
