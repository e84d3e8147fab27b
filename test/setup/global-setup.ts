import type { TestProject } from 'vitest/node';
import { ensurePcscd, type PcscdHandle } from './pcscd.js';
import { testKeyPool } from './test-key-pool.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Whether pcscd with the vpcd driver is up for this run. */
    pcscAvailable: boolean;
    /** A PostgreSQL URL for store tests, or '' when none could be had. */
    databaseUrl: string;
    /** PKCS#8 PEM of RSA-2048 keys every test process takes its test PKIs' keys from first (test/setup/key-pool.ts). */
    testKeyPool: string;
  }
}

const inCi = process.env.CI === 'true';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const stops: Array<() => Promise<void>> = [];
  // Made while pcscd and PostgreSQL start: the keys are generated on libuv's threads.
  const keyPool = testKeyPool();

  let pcscd: PcscdHandle | undefined;
  try {
    pcscd = await ensurePcscd();
  } catch (error) {
    if (inCi) throw error;
    process.stderr.write(`[twpki tests] pcscd unusable: ${(error as Error).message}\n`);
  }
  if (!pcscd && inCi) throw new Error('CI=true but pcscd (Debian: pcscd vsmartcard-vpcd) is not installed: PC/SC tests cannot run');
  if (!pcscd) process.stderr.write('[twpki tests] pcscd not available: PC/SC integration tests will be skipped (they fail under CI=true)\n');
  if (pcscd) stops.push(() => pcscd.stop());
  project.provide('pcscAvailable', pcscd !== undefined);

  let databaseUrl = '';
  try {
    const pg = await import('./postgres.js').catch(() => undefined);
    const started = pg ? await pg.startTestPostgres() : undefined;
    if (started) {
      databaseUrl = started.url;
      stops.push(() => started.stop());
    }
  } catch (error) {
    if (inCi) throw error;
    process.stderr.write(`[twpki tests] PostgreSQL unavailable: ${(error as Error).message}\n`);
  }
  project.provide('databaseUrl', databaseUrl);
  project.provide('testKeyPool', await keyPool);

  return async () => {
    for (const stop of stops.reverse()) await stop();
  };
}
