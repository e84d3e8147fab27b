import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { LastError, RetCode, type SignResponse } from '../../src/agent/index.js';
import { spawnCli, waitForOutput } from '../cli/run-cli.js';

/** `twpki agent --virtual` as a process: two wrong PINs, then the right one (the virtual card's PIN is 123456). */
async function thirdAttempt(extra: string[]): Promise<SignResponse[]> {
  const child = spawnCli(['agent', '--virtual', '--port', '0', '--json', ...extra]);
  try {
    const out = await waitForOutput(child, (t) => t.trimEnd().endsWith('}'), 60_000);
    const { port } = JSON.parse(out) as { port: number };
    const answers: SignResponse[] = [];
    for (const pin of ['999999', '999999', '123456']) {
      // No Origin: a local non-browser client, which the agent serves.
      const body = `tbsPackage=${JSON.stringify({ func: 'MakeSignature', signatureType: 'PKCS1', tbs: 'x', pin })}`;
      answers.push((await (await fetch(`http://127.0.0.1:${port}/sign`, { method: 'POST', body })).json()) as SignResponse);
    }
    return answers;
  } finally {
    child.kill('SIGTERM');
    if (child.exitCode === null) await once(child, 'exit');
  }
}

describe('twpki agent and the third PIN attempt', () => {
  it('by default sends the user\'s third attempt to the card', async () => {
    const [first, second, third] = await thirdAttempt([]);
    expect(first).toMatchObject({ ret_code: RetCode.CARD_LOGIN_FAILED, last_error: LastError.PIN_INCORRECT_2_LEFT });
    expect(second).toMatchObject({ ret_code: RetCode.CARD_LOGIN_FAILED, last_error: LastError.PIN_INCORRECT_1_LEFT });
    expect(third).toMatchObject({ ret_code: 0, last_error: 0 });
  }, 120_000);

  it('with --guard-last-try refuses it', async () => {
    const [, , third] = await thirdAttempt(['--guard-last-try']);
    expect(third).toMatchObject({ ret_code: RetCode.CARD_LOGIN_FAILED, last_error: LastError.PIN_INCORRECT_1_LEFT });
    expect(third?.message).toMatch(/one try left/);
  }, 120_000);
});
