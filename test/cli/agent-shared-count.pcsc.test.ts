/**
 * `twpki agent` and the CLI's card commands keep one PIN try count per card (the state folder's file): two wrong
 * PINs typed into a web page through the agent leave the card at one try left, and a mistyped `twpki verify-pin`
 * afterwards is stopped by the last-try guard instead of locking the card.
 */
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LastError, RetCode, type SignResponse } from '../../src/agent/index.js';
import { PcscContext } from '../../src/pcsc/index.js';
import { VirtualHiCOSCard } from '../../src/testing/hicos/virtual-hicos-card.js';
import { VpcdBridge } from '../../src/testing/vpcd/index.js';
import { testCredentials } from '../apdu/support/virtual-cards.js';
import { VIRTUAL_READER, pcscAvailable, waitForReaderEmpty } from '../support/pcsc-rig.js';
import { runCli, spawnCli, waitForOutput } from './run-cli.js';

const cleanup: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const step of cleanup.splice(0).reverse()) await step().catch(() => undefined);
  await waitForReaderEmpty();
});

describe.runIf(pcscAvailable())('twpki agent and twpki verify-pin share the PIN try count', () => {
  it('two wrong PINs through the agent, then a wrong verify-pin: refused by the guard, no third VERIFY', async () => {
    const env = { TWPKI_STATE_DIR: mkdtempSync(join(tmpdir(), 'twpki-shared-count-')) };
    const card = new VirtualHiCOSCard({ credentials: await testCredentials(), pin: '123456', cardNumber: 'TP03000000000077' });
    const bridge = await VpcdBridge.connect(card);
    cleanup.push(() => bridge.close());
    const ctx = await PcscContext.establish();
    try {
      await ctx.waitForCard(VIRTUAL_READER, { timeoutMs: 10_000 });
    } finally {
      await ctx.close();
    }

    const agent = spawnCli(['agent', '--port', '0', '--json'], env);
    try {
      const started = JSON.parse(await waitForOutput(agent, (t) => t.trimEnd().endsWith('}'), 60_000)) as { port?: number; error?: unknown };
      expect(started.error).toBeUndefined();
      const port = started.port;
      const answers: SignResponse[] = [];
      for (const pin of ['999999', '888888']) {
        const body = `tbsPackage=${JSON.stringify({ func: 'MakeSignature', signatureType: 'PKCS1', tbs: 'x', pin })}`;
        answers.push((await (await fetch(`http://127.0.0.1:${port}/sign`, { method: 'POST', body })).json()) as SignResponse);
      }
      expect(answers).toMatchObject([
        { ret_code: RetCode.CARD_LOGIN_FAILED, last_error: LastError.PIN_INCORRECT_2_LEFT },
        { ret_code: RetCode.CARD_LOGIN_FAILED, last_error: LastError.PIN_INCORRECT_1_LEFT },
      ]);
    } finally {
      agent.kill('SIGTERM');
      if (agent.exitCode === null) await once(agent, 'exit');
    }
    expect(card.pinTriesLeft).toBe(1);

    card.clearLog();
    const run = await runCli(['verify-pin', '--pin-stdin', '--json'], '777777\n', env);
    expect(run.code, run.stdout + run.stderr).toBe(2);
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: false, retriesLeft: 1, error: { code: 'LAST_TRY_GUARD' } });
    expect(card.log.filter((e) => e.command[1] === 0x20)).toHaveLength(0);
    expect(card.pinTriesLeft).toBe(1);
  }, 120_000);
});
