import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';

const VPCD_PORT = 35963;
const PCSCD_CANDIDATES = ['/usr/sbin/pcscd', '/usr/local/sbin/pcscd', '/sbin/pcscd'];

/** A pcscd this run relies on; `stop` only stops one we started. */
export interface PcscdHandle {
  startedHere: boolean;
  stop(): Promise<void>;
}

function pcscdRunning(): boolean {
  return spawnSync('pgrep', ['-x', 'pcscd']).status === 0;
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

async function waitForPort(port: number, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await portOpen(port)) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

/**
 * Makes sure pcscd with the vpcd driver is running: uses one that already
 * runs, else starts `pcscd --foreground` (needs root). Returns undefined when
 * that is impossible (no pcscd installed), which CI must treat as a failure.
 */
export async function ensurePcscd(): Promise<PcscdHandle | undefined> {
  if (pcscdRunning()) {
    if (!(await waitForPort(VPCD_PORT, 5_000))) {
      throw new Error('pcscd is running but the vsmartcard-vpcd driver does not listen on 127.0.0.1:35963 (install vsmartcard-vpcd and restart pcscd)');
    }
    return { startedHere: false, stop: async () => undefined };
  }
  const binary = PCSCD_CANDIDATES.find((p) => existsSync(p));
  if (!binary) return undefined;
  const child: ChildProcess = spawn(binary, ['--foreground'], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  if (!(await waitForPort(VPCD_PORT, 10_000))) {
    child.kill('SIGTERM');
    throw new Error(`started ${binary} but the vpcd driver never listened on 127.0.0.1:${VPCD_PORT}`);
  }
  return {
    startedHere: true,
    stop: async () => {
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 3_000))]);
    },
  };
}
