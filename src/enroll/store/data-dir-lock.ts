import { mkdir, open, readFile, unlink } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { EnrollError } from '../errors.js';

/** Data directories this process holds open (a second PGlite on one directory is as unsafe as a second process). */
const held = new Set<string>();

/**
 * Takes the lock of a PGlite data directory: a file next to it
 * (`<dir>.lock`, holding this process's id), created exclusively. PGlite is
 * PostgreSQL without its postmaster: nothing stops two processes (or two
 * instances in one process) from opening one directory, and then both write
 * it — one crashed at start-up, or commands reported done were lost (two
 * processes applying 100 control numbers each kept 100 rows of 168 reported).
 * A lock left by a process that is gone is taken over. Next to the
 * directory, not in it, so that a snapshot of the directory carries no lock.
 * @returns the release (deletes the lock file).
 * @throws EnrollError `STORE_IN_USE` while another live process, or this one, has the directory open.
 */
export async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  const dir = resolve(dataDir);
  const lockPath = `${dir}.lock`;
  if (held.has(dir)) throw inUse(dir, process.pid);
  // Reserved before the first await: a second open in this process started meanwhile would otherwise find
  // the lock file naming this process, take it for an earlier incarnation's and take it over.
  held.add(dir);
  try {
    await takeLockFile(dir, lockPath);
  } catch (err) {
    held.delete(dir);
    throw err;
  }
  return async () => {
    held.delete(dir);
    await unlink(lockPath).catch(() => undefined);
  };
}

/** Creates `lockPath` naming this process, taking over a lock left by a process that is gone. */
async function takeLockFile(dir: string, lockPath: string): Promise<void> {
  await mkdir(dirname(dir), { recursive: true });
  for (let attempt = 0; ; attempt++) {
    try {
      const file = await open(lockPath, 'wx');
      await file.writeFile(`${process.pid}\n`);
      await file.close();
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = Number.parseInt(await readFile(lockPath, 'utf8').catch(() => ''), 10);
      // Our own id on a lock this process does not hold is an earlier process's (a container's main process
      // gets the same id after every restart): stale, like a dead one's.
      if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && isAlive(owner)) throw inUse(dir, owner);
      // Another process took the lock over between our two tries.
      if (attempt > 0) throw inUse(dir, Number.isInteger(owner) ? owner : 0);
      // Left by a process that ended without closing the store: take it over.
      await unlink(lockPath).catch(() => undefined);
    }
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists, under another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function inUse(dir: string, pid: number): EnrollError {
  const who = pid === process.pid ? 'this process already has it open' : pid > 0 ? `process ${pid} has it open` : 'another process is opening it';
  return new EnrollError(
    'STORE_IN_USE',
    `the PGlite data directory ${dir} is in use (${who}); PGlite is one process's database: share it through that ` +
      'process, or use PostgreSQL (twpki/enroll/pg) for several',
  );
}
