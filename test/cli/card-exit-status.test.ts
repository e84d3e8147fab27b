/**
 * The card commands (`info`, `verify-pin`, `sign`) exit with the same status for the same cause: 1 wrong PIN,
 * 2 bad input, 3 PIN locked, 4 no card reached, 5 any other failure (src/cli/command.ts, `exitStatusOf`). Before,
 * `info` and `sign` exited 1 for everything, so a script could not tell a wrong PIN from a missing card, and
 * `verify-pin` said "no card reached" (4) about a card that answered but was no HiCOS card. The card is an
 * emulated one behind a mocked reader choice; verify-pin-no-card.test.ts runs the no-reader case on real pcscd.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { PcscError } from '../../src/pcsc/errors.js';
import { EmulatorReader } from '../../src/pcsc/emulator-reader.js';
import type { CardEmulator } from '../../src/pcsc/transport.js';
import { VirtualHiCOSCard } from '../../src/testing/hicos/virtual-hicos-card.js';
import { testCredentials } from '../apdu/support/virtual-cards.js';
import { runCli, type CliRun } from './run-cli.js';

const READER = 'Counter Reader 03';
/** What the reader holds: a card, or a transport failure every way to it ends in. */
let inReader: CardEmulator | PcscError;
let stateDir: string;

vi.mock('../../src/cli/card-access.js', () => ({
  resolvePinReader: async () => {
    if (inReader instanceof PcscError) throw inReader;
    return READER;
  },
  openCardTransport: async () => {
    if (inReader instanceof PcscError) throw inReader;
    const reader = new EmulatorReader({ name: READER });
    reader.insert(inReader);
    const transport = reader.connect();
    return { transport, readerName: reader.name, close: async () => transport.disconnect() };
  },
}));

/** `twpki <args>` in-process (the reader mocked above), with this file's state folder. */
const run = (args: string[], stdin = ''): Promise<CliRun> => runCli(args, stdin, { TWPKI_STATE_DIR: stateDir });

/** A card that is not a HiCOS card (a bank or health-insurance card in the reader): it refuses every command. */
const notHiCOS: CardEmulator = {
  reset: () => Uint8Array.from([0x3b, 0x88, 0x80, 0x01, 0x00, 0x00, 0x00, 0x00, 0x77, 0x81, 0x81, 0x00, 0x6e]),
  process: () => Uint8Array.from([0x6a, 0x82]),
};

function toSign(): string {
  const file = join(stateDir, 'doc.txt');
  writeFileSync(file, '公文');
  return file;
}

const hicos = async (pinTriesLeft?: number): Promise<VirtualHiCOSCard> =>
  new VirtualHiCOSCard({ credentials: await testCredentials(), pin: '246810', cardNumber: 'TP03000000000042', pinTriesLeft });

beforeAll(async () => {
  await testCredentials();
}, 60_000);

beforeEach(() => {
  stateDir = mkdtempSync(join(tmpdir(), 'twpki-card-exit-'));
});

describe('no card reached: 4 for every card command', () => {
  for (const code of ['NO_CARD', 'SERVICE_UNAVAILABLE', 'CARD_UNRESPONSIVE'] as const) {
    it(`${code}: info, sign and verify-pin exit 4, with and without --json`, async () => {
      inReader = new PcscError(code, `the transport said ${code}`);
      for (const json of [[], ['--json']]) {
        const info = await run(['info', ...json]);
        expect(info.code).toBe(4);
        const sign = await run(['sign', '--in', toSign(), '--pin-stdin', ...json], '246810\n');
        expect(sign.code).toBe(4);
        const verify = await run(['verify-pin', '--pin-stdin', ...json], '246810\n');
        expect(verify.code).toBe(4);
        if (json.length > 0) {
          for (const r of [info, sign, verify]) expect(JSON.parse(r.stdout)).toMatchObject({ error: { code } });
        } else {
          for (const r of [info, sign, verify]) expect(r.stderr).toContain(code);
        }
      }
    });
  }
});

describe('a card that answers but is no HiCOS card: 5 for every card command', () => {
  it('info, sign and verify-pin exit 5, not 1 ("wrong PIN" for verify-pin) nor 4 ("no card reached")', async () => {
    inReader = notHiCOS;
    for (const json of [[], ['--json']]) {
      expect((await run(['info', ...json])).code).toBe(5);
      expect((await run(['sign', '--in', toSign(), '--pin-stdin', ...json], '246810\n')).code).toBe(5);
      expect((await run(['verify-pin', '--pin-stdin', ...json], '246810\n')).code).toBe(5);
    }
  });
});

describe('the PIN answers: sign exits as verify-pin does', () => {
  it('a wrong PIN is 1 for both, a locked card 3 for both', async () => {
    inReader = await hicos();
    expect((await run(['verify-pin', '--pin-stdin', '--json'], '135790\n')).code).toBe(1);
    expect((await run(['sign', '--in', toSign(), '--pin-stdin', '--json'], '135790\n')).code).toBe(1);
    // A fresh state folder: the tries the store remembers from above (1 left) would stop the PIN at the guard.
    stateDir = mkdtempSync(join(tmpdir(), 'twpki-card-exit-'));
    inReader = await hicos(0);
    const verify = await run(['verify-pin', '--pin-stdin', '--json'], '246810\n');
    expect(JSON.parse(verify.stdout)).toMatchObject({ locked: true });
    expect(verify.code).toBe(3);
    const sign = await run(['sign', '--in', toSign(), '--pin-stdin', '--json'], '246810\n');
    expect(sign.code).toBe(3);
    expect(JSON.parse(sign.stdout)).toMatchObject({ reader: READER, error: { code: 'PIN_LOCKED' } });
    // Without --json main reports it, with the same status.
    expect((await run(['sign', '--in', toSign(), '--pin-stdin'], '246810\n')).code).toBe(3);
  });
});

describe('each card command documents the statuses', () => {
  it('info, sign and verify-pin --help list 4 and 5; the PIN commands 1 and 3 too', async () => {
    for (const name of ['info', 'sign', 'verify-pin']) {
      const help = await run([name, '--help']);
      expect(help.stdout).toMatch(/4 no card reached/);
      expect(help.stdout).toMatch(/5 any other failure/);
      if (name !== 'info') expect(help.stdout).toMatch(/1 wrong PIN.*3 PIN locked/s);
    }
  });
});
