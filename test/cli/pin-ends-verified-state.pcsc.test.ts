/**
 * `twpki verify-pin` and `twpki sign` present the PIN to the card. A Gen1 card then stays PIN-verified for every
 * connection until it is reset, so a program that connects next signs without the PIN. The commands end their
 * session with a card reset (`--after-pin reset`, the default); `--after-pin leave` leaves the card verified.
 * "Another program" connects at once after the command (pcscd powers an unused card down about 400 ms after its
 * last handle goes, which would end the state too; a program waiting for the card is faster).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PcscContext } from '../../src/pcsc/index.js';
import type { CardEmulator } from '../../src/pcsc/transport.js';
import type { VirtualCardCredentials } from '../../src/testing/hicos/virtual-card-options.js';
import { VirtualHiCOSCard } from '../../src/testing/hicos/virtual-hicos-card.js';
import { VpcdBridge } from '../../src/testing/vpcd/index.js';
import { otherProgramSigns } from '../apdu/support/other-program.js';
import { testCredentials } from '../apdu/support/virtual-cards.js';
import { pcscAvailable, VIRTUAL_READER, waitForReaderEmpty } from '../support/pcsc-rig.js';
import { lockReader } from '../support/reader-lock.js';
import { runCli } from './run-cli.js';

const PIN = '271828';

describe.runIf(pcscAvailable())('CLI PIN commands end the Gen1 verified state they create', () => {
  const env = { TWPKI_STATE_DIR: mkdtempSync(join(tmpdir(), 'twpki-pin-ends-')) };
  const input = join(env.TWPKI_STATE_DIR, 'data.txt');
  writeFileSync(input, 'to be signed');
  let credentials: VirtualCardCredentials;
  let card: VirtualHiCOSCard;
  let verifies = 0;
  let bridge: VpcdBridge;
  let context: PcscContext;
  let release: () => void;

  beforeAll(async () => {
    release = await lockReader(35963, 600_000);
    credentials = await testCredentials();
    card = new VirtualHiCOSCard({ credentials, pin: PIN, cardNumber: 'TP03000000007701' });
    const counted: CardEmulator = {
      reset: () => card.reset(),
      process: (apdu) => {
        if (apdu[1] === 0x20) verifies++;
        return card.process(apdu);
      },
    };
    bridge = await VpcdBridge.connect(counted);
    // Established before the commands run, so the "other program" connects at once after each.
    context = await PcscContext.establish();
    await context.waitForCard(VIRTUAL_READER, { timeoutMs: 10_000 });
  }, 120_000);

  afterAll(async () => {
    await bridge?.close().catch(() => undefined);
    await context?.close();
    await waitForReaderEmpty();
    release?.();
  }, 60_000);

  /** What a program connecting right after the command can do with the card, without the PIN. */
  async function otherProgram(): Promise<'signed' | 'refused'> {
    const session = await context.connect(VIRTUAL_READER, { share: 'shared' });
    try {
      return await otherProgramSigns(session, 1, credentials);
    } finally {
      await session.disconnect();
    }
  }

  const cases = [
    ['verify-pin', ['verify-pin', '--pin-stdin', '--json']],
    ['sign', ['sign', '--in', input, '--pin-stdin', '--json']],
  ] as const;

  it.each(cases)('%s: default (--after-pin reset): the next connection finds the card not verified', async (_name, args) => {
    const run = await runCli([...args], `${PIN}\n`, env);
    expect(run.code, run.stderr).toBe(0);
    expect(await otherProgram()).toBe('refused');
    expect(card.pinTriesLeft).toBe(3);
  }, 60_000);

  it.each(cases)('%s: --after-pin reset, said explicitly', async (_name, args) => {
    const run = await runCli([...args, '--after-pin', 'reset'], `${PIN}\n`, env);
    expect(run.code, run.stderr).toBe(0);
    expect(await otherProgram()).toBe('refused');
  }, 60_000);

  it.each(cases)('%s: --after-pin leave: the card stays verified, as before', async (_name, args) => {
    const run = await runCli([...args, '--after-pin', 'leave'], `${PIN}\n`, env);
    expect(run.code, run.stderr).toBe(0);
    expect(await otherProgram()).toBe('signed');
    // End that state for the next test.
    const session = await context.connect(VIRTUAL_READER);
    await session.disconnect('reset');
  }, 60_000);

  it.each(cases)('%s: an unknown --after-pin value is a usage error before the PIN is read or any VERIFY sent; the value is not repeated', async (_name, args) => {
    const before = verifies;
    const run = await runCli([...args, '--after-pin', '314159'], `${PIN}\n`, env);
    expect(run.code).toBe(2);
    expect(run.stderr + run.stdout).toContain('--after-pin must be reset or leave');
    expect(run.stderr + run.stdout).not.toContain('314159');
    expect(verifies).toBe(before);
  }, 60_000);

  it('a wrong PIN leaves nothing verified: the session ends as it did, and the card is not verified', async () => {
    const run = await runCli(['verify-pin', '--pin-stdin', '--json'], '000000\n', env);
    expect(run.code).toBe(1);
    expect(await otherProgram()).toBe('refused');
    // The right PIN restores the count (and is reset away again).
    expect((await runCli(['verify-pin', '--pin-stdin'], `${PIN}\n`, env)).code).toBe(0);
  }, 60_000);
});
