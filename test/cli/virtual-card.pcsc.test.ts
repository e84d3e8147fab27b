import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { GEN1_ATR, GEN2_ATR } from '../../src/testing/index.js';
import { toHex } from '../../src/shared/bytes.js';
import { lockReader } from '../support/reader-lock.js';
import { VIRTUAL_READER, pcscAvailable } from '../support/pcsc-rig.js';
import { runCli, spawnCli, waitForOutput } from './run-cli.js';

interface ReadersDoc {
  readers: Array<{ name: string; cardPresent: boolean; atr: string | null }>;
}

async function readers(): Promise<ReadersDoc> {
  const r = await runCli(['readers', '--json']);
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as ReadersDoc;
}

describe('twpki virtual-card', () => {
  it('rejects bad options with exit status 2 before touching pcscd', async () => {
    for (const args of [['--profile', 'hsm'], ['--generation', '3'], ['--pin', '12'], ['--card-number', 'TP123'], ['--port', 'x']]) {
      const r = await runCli(['virtual-card', ...args, '--json']);
      expect(r.code, args.join(' ')).toBe(2);
      expect(JSON.parse(r.stdout)).toMatchObject({ error: { code: 'USAGE' } });
    }
  });

  it.runIf(pcscAvailable()).each([1, 2] as const)(
    'Gen%i: the card shows in `twpki readers --json` while it runs, and leaves on SIGINT',
    async (generation) => {
      const release = await lockReader(35963);
      const child = spawnCli(['virtual-card', '--json', '--generation', String(generation), '--card-number', 'TP03000099990001']);
      try {
        const started = JSON.parse(await waitForOutput(child, (t) => t.trim().endsWith('}'))) as Record<string, unknown>;
        const atr = toHex(generation === 1 ? GEN1_ATR : GEN2_ATR).toUpperCase();
        expect(started).toMatchObject({ reader: VIRTUAL_READER, generation, cardNumber: 'TP03000099990001', atr });

        let doc = await readers();
        for (let i = 0; i < 40 && !doc.readers.some((r) => r.name === VIRTUAL_READER && r.cardPresent); i++) {
          await new Promise((r) => setTimeout(r, 100));
          doc = await readers();
        }
        expect(doc.readers).toContainEqual({ name: VIRTUAL_READER, cardPresent: true, atr });

        child.kill('SIGINT');
        const [code] = (await once(child, 'exit')) as [number | null];
        expect(code).toBe(0);
        let after = await readers();
        for (let i = 0; i < 40 && after.readers.some((r) => r.name === VIRTUAL_READER && r.cardPresent); i++) {
          await new Promise((r) => setTimeout(r, 100));
          after = await readers();
        }
        expect(after.readers.find((r) => r.name === VIRTUAL_READER)?.cardPresent).toBe(false);
      } finally {
        if (child.exitCode === null) child.kill('SIGKILL');
        release();
      }
    },
    60_000,
  );
});
