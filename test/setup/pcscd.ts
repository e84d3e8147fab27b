import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

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

/**
 * Looks for a listening socket in /proc/net/tcp{,6}. Connecting to vpcd's
 * port would insert a phantom card, so never probe it with a connection.
 */
function portOpen(port: number): Promise<boolean> {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  const listening = ['/proc/net/tcp', '/proc/net/tcp6'].some((file) => {
    try {
      return readFileSync(file, 'utf8')
        .split('\n')
        .some((line) => {
          const cols = line.trim().split(/\s+/);
          return cols[1]?.toUpperCase().endsWith(`:${hexPort}`) === true && cols[3] === '0A';
        });
    } catch {
      return false;
    }
  });
  return Promise.resolve(listening);
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
