/**
 * With two cards inserted and no --reader, a CLI command that presents a PIN must not pick one: the PIN typed for
 * one card would cost the other a try. It stops with a usage error naming --reader and both readers, before any
 * PIN is read or any VERIFY is sent; with --reader it goes to exactly that card. Commands without a PIN (info)
 * keep taking the first card.
 * Two vpcd readers: "Virtual PCD 00 00" (35963, this file's turn through test/setup/reader-turn.ts) and
 * "Virtual PCD 00 01" (35964, taken here under its own lock, as the other users of it do).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CardEmulator } from '../../src/pcsc/index.js';
import { PcscContext } from '../../src/pcsc/index.js';
import { VirtualHiCOSCard } from '../../src/testing/hicos/virtual-hicos-card.js';
import { VpcdBridge, VPCD_DEFAULT_PORT, vpcdReaderName } from '../../src/testing/vpcd/index.js';
import { testCredentials } from '../apdu/support/virtual-cards.js';
import { pcscAvailable } from '../support/pcsc-rig.js';
import { lockReader } from '../support/reader-lock.js';
import { runCli } from './run-cli.js';

const FIRST_PORT = VPCD_DEFAULT_PORT;
const SECOND_PORT = VPCD_DEFAULT_PORT + 1;
const FIRST = vpcdReaderName(FIRST_PORT);
const SECOND = vpcdReaderName(SECOND_PORT);
const NOWHERE = 'http://127.0.0.1:9';

/** A virtual card that also counts the VERIFY commands (INS 20, with a PIN or a retry-counter probe) it receives. */
interface Counted {
  card: VirtualHiCOSCard;
  emulator: CardEmulator;
  verifies: () => number;
}

function counted(card: VirtualHiCOSCard): Counted {
  let verifies = 0;
  return {
    card,
    emulator: {
      reset: () => card.reset(),
      process: (apdu: Uint8Array) => {
        if (apdu[1] === 0x20) verifies++;
        return card.process(apdu);
      },
    },
    verifies: () => verifies,
  };
}

async function waitUntil(ctx: PcscContext, test: () => boolean, what: string): Promise<void> {
  const until = Date.now() + 10_000;
  while (!test()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(ctx.readers().map((r) => [r.name, r.cardPresent]))}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.runIf(pcscAvailable())('PIN commands with two cards in and no --reader', () => {
  const env = { TWPKI_STATE_DIR: mkdtempSync(join(tmpdir(), 'twpki-pin-multi-')) };
  const input = join(env.TWPKI_STATE_DIR, 'data.txt');
  writeFileSync(input, 'to be signed');
  let first: Counted;
  let second: Counted;
  const bridges: VpcdBridge[] = [];
  const releases: Array<() => void> = [];

  beforeAll(async () => {
    releases.push(await lockReader(FIRST_PORT, 600_000), await lockReader(SECOND_PORT, 600_000));
    const credentials = await testCredentials();
    first = counted(new VirtualHiCOSCard({ credentials, pin: '111111', cardNumber: 'TP03000000000001' }));
    second = counted(new VirtualHiCOSCard({ credentials, pin: '222222', cardNumber: 'TP03000000000002' }));
    bridges.push(await VpcdBridge.connect(first.emulator, { port: FIRST_PORT }));
    bridges.push(await VpcdBridge.connect(second.emulator, { port: SECOND_PORT }));
    const ctx = await PcscContext.establish();
    try {
      await ctx.waitForCard(FIRST, { timeoutMs: 10_000 });
      await ctx.waitForCard(SECOND, { timeoutMs: 10_000 });
    } finally {
      await ctx.close();
    }
  }, 660_000);

  afterAll(async () => {
    for (const bridge of bridges) await bridge.close().catch(() => undefined);
    // Let pcscd see both removals before the next file inserts a card.
    const ctx = await PcscContext.establish().catch(() => undefined);
    if (ctx) {
      await waitUntil(ctx, () => !ctx.readers().some((r) => (r.name === FIRST || r.name === SECOND) && r.cardPresent), 'both readers empty').catch(() => undefined);
      await ctx.close();
    }
    for (const release of releases.reverse()) release();
  });

  /** The usage error every PIN command gives here: exit 2, naming --reader and both readers. */
  function expectAmbiguous(run: { code: number; stdout: string; stderr: string }): void {
    expect(run.code, run.stdout + run.stderr).toBe(2);
    const error = (JSON.parse(run.stdout) as { error: { code: string; message: string } }).error;
    expect(error.code).toBe('USAGE');
    expect(error.message).toContain('--reader');
    expect(error.message).toContain(`"${FIRST}"`);
    expect(error.message).toContain(`"${SECOND}"`);
    expect(run.stdout + run.stderr).not.toMatch(/222222/);
    // Nothing was presented to either card.
    expect([first.verifies(), second.verifies()]).toEqual([0, 0]);
    expect([first.card.pinTriesLeft, second.card.pinTriesLeft]).toEqual([3, 3]);
  }

  it('verify-pin refuses to choose, before any VERIFY', async () => {
    expectAmbiguous(await runCli(['verify-pin', '--pin-stdin', '--json'], '222222\n', env));
  });

  it('sign refuses to choose, before any VERIFY', async () => {
    expectAmbiguous(await runCli(['sign', '--in', input, '--pin-stdin', '--json'], '222222\n', env));
  });

  it('doctor --pin-stdin refuses to choose, before any VERIFY', async () => {
    expectAmbiguous(await runCli(['doctor', '--pin-stdin', '--json', '--agent-url', NOWHERE], '222222\n', env));
  });

  it('doctor --pin-stdin takes TWPKI_READER as the other card commands do', async () => {
    const before = [first.verifies(), second.verifies()];
    const run = await runCli(['doctor', '--pin-stdin', '--json', '--agent-url', NOWHERE], '222222\n', { ...env, TWPKI_READER: SECOND });
    expect(run.code, run.stdout + run.stderr).not.toBe(2);
    expect(first.verifies()).toBe(before[0]);
    expect(second.verifies()).toBeGreaterThan(before[1] as number);
    expect([first.card.pinTriesLeft, second.card.pinTriesLeft]).toEqual([3, 3]);
  });

  it('says it in text too, on stderr', async () => {
    const run = await runCli(['verify-pin', '--pin-stdin'], '222222\n', env);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^twpki: 2 cards are inserted: choose the one the PIN is for with --reader NAME/);
    expect(run.stderr).toContain(FIRST);
    expect(run.stderr).toContain(SECOND);
  });

  it('with --reader (or TWPKI_READER) the PIN goes to exactly that card', async () => {
    const ok = await runCli(['verify-pin', '--reader', SECOND, '--pin-stdin', '--json'], '222222\n', env);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    // The answer names the reader whose card took the PIN.
    expect(JSON.parse(ok.stdout)).toMatchObject({ ok: true, reader: SECOND });
    const byEnv = await runCli(['verify-pin', '--pin-stdin', '--json'], '111111\n', { ...env, TWPKI_READER: FIRST });
    expect(byEnv.code, byEnv.stdout + byEnv.stderr).toBe(0);
    expect(JSON.parse(byEnv.stdout)).toMatchObject({ ok: true, reader: FIRST });
    const text = await runCli(['verify-pin', '--reader', SECOND, '--pin-stdin'], '222222\n', env);
    expect(text.stdout).toBe(`reader      ${SECOND}\nPIN ok\n`);
    const signed = await runCli(['sign', '--in', input, '--reader', SECOND, '--pin-stdin', '--json'], '222222\n', env);
    expect(signed.code, signed.stdout + signed.stderr).toBe(0);
    expect(JSON.parse(signed.stdout)).toMatchObject({ reader: SECOND, signature: expect.any(String) });
    expect([first.card.pinTriesLeft, second.card.pinTriesLeft]).toEqual([3, 3]);
    expect(first.verifies()).toBeGreaterThan(0);
    expect(second.verifies()).toBeGreaterThan(0);
  });

  it('doctor without --pin-stdin still checks both cards; info (no PIN) still reads the first card', async () => {
    const doctor = await runCli(['doctor', '--json', '--agent-url', NOWHERE], '', env);
    const ids = (JSON.parse(doctor.stdout) as { checks: Array<{ id: string; status: string }> }).checks.map((c) => c.id);
    expect(ids).toEqual(expect.arrayContaining([`card:${FIRST}`, `card:${SECOND}`]));
    expect(ids).not.toContain('pin');
    const info = await runCli(['info', '--json'], '', env);
    expect(info.code, info.stdout + info.stderr).toBe(0);
    expect(JSON.parse(info.stdout)).toMatchObject({ reader: FIRST, cardNumber: 'TP03000000000001' });
  });
});
