/**
 * `verify-pin` and `sign` name the reader whose card the PIN went to: with several readers nothing else tells the
 * user which card took it (and which card's tries a wrong PIN cost). As `info` does: a `reader` line first in the
 * text output (printed before the PIN is asked for), a `reader` member in every `--json` document written once
 * the reader is chosen, failures included. The card is an emulated one in a reader with a name of its own, the
 * reader choice mocked (pin-multi-card.pcsc.test.ts runs the commands on two real vpcd readers).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CliIo } from '../../src/cli/command.js';
import { EmulatorReader } from '../../src/pcsc/emulator-reader.js';
import { VirtualHiCOSCard } from '../../src/testing/hicos/virtual-hicos-card.js';
import { testCredentials } from '../apdu/support/virtual-cards.js';

const READER = 'Agency Desk Reader 01';
let card: VirtualHiCOSCard;
let stateDir: string;

vi.mock('../../src/cli/card-access.js', () => ({
  resolvePinReader: async () => READER,
  openCardTransport: async (options: { reader?: string }) => {
    const reader = new EmulatorReader({ name: options.reader ?? READER });
    reader.insert(card);
    const transport = reader.connect();
    return { transport, readerName: reader.name, close: async () => transport.disconnect() };
  },
}));

const { signCommand } = await import('../../src/cli/commands/sign.js');
const { verifyPinCommand } = await import('../../src/cli/commands/verify-pin.js');
const { main } = await import('../../src/cli/main.js');

function io(stdinText: string): { io: CliIo; out: () => string; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const o: Buffer[] = [];
  const e: Buffer[] = [];
  stdout.on('data', (c: Buffer) => o.push(c));
  stderr.on('data', (c: Buffer) => e.push(c));
  return {
    io: { stdout, stderr, stdin: Readable.from([Buffer.from(stdinText)]), env: { TWPKI_STATE_DIR: stateDir } },
    out: () => Buffer.concat(o).toString(),
    err: () => Buffer.concat(e).toString(),
  };
}

beforeAll(async () => {
  await testCredentials();
}, 60_000);

beforeEach(async () => {
  stateDir = mkdtempSync(join(tmpdir(), 'twpki-reader-shown-'));
  card = new VirtualHiCOSCard({ credentials: await testCredentials(), pin: '246810', cardNumber: 'TP03000000000042' });
});

describe('verify-pin names the reader it used', () => {
  it('--json: a right PIN, a wrong one and a guard refusal each carry the reader', async () => {
    const ok = io('246810\n');
    expect(await verifyPinCommand.run(['--pin-stdin', '--json'], ok.io)).toBe(0);
    expect(JSON.parse(ok.out())).toEqual({ ok: true, reader: READER, retriesLeft: 3, locked: false });
    const wrong = io('135791\n');
    expect(await verifyPinCommand.run(['--pin-stdin', '--json'], wrong.io)).toBe(1);
    expect(JSON.parse(wrong.out())).toEqual({ ok: false, reader: READER, retriesLeft: 2, locked: false });
    expect(wrong.out() + wrong.err()).not.toContain('135791');
    const malformed = io('12\n');
    expect(await verifyPinCommand.run(['--pin-stdin', '--json'], malformed.io)).toBe(2);
    expect(JSON.parse(malformed.out())).toMatchObject({ ok: false, reader: READER, error: { code: 'INVALID_PIN_FORMAT' } });
    // The error object is the one every failure document has: code, detail, and the message in both languages.
    expect(Object.keys(JSON.parse(malformed.out()).error)).toEqual(['code', 'message', 'messages']);
    expect(JSON.parse(malformed.out()).error.messages).toEqual({ zhTW: expect.any(String), en: expect.any(String) });
  });

  it('a PIN refused before the card is reported as every failure is; an empty stdin is a usage slip, not a PIN of length 0', async () => {
    const malformed = io('12\n');
    expect(await verifyPinCommand.run(['--pin-stdin'], malformed.io)).toBe(2);
    expect(malformed.err()).toMatch(/^twpki: INVALID_PIN_FORMAT: /);
    expect(malformed.out() + malformed.err()).not.toContain('12\n');
    for (const json of [false, true]) {
      const empty = io('');
      const args = json ? ['--pin-stdin', '--json'] : ['--pin-stdin'];
      const status = await verifyPinCommand.run(args, empty.io).catch((error: unknown) => error);
      if (json) {
        expect(status).toBe(2);
        expect(JSON.parse(empty.out())).toMatchObject({ reader: READER, error: { code: 'USAGE', message: expect.stringContaining('stdin is empty') } });
      } else {
        expect((status as Error).message).toMatch(/first line of stdin is empty/);
      }
    }
    // Nothing was sent to the card for either.
    expect(card.log.some((e) => e.command[1] === 0x20)).toBe(false);
  });

  it('text: a reader line first, then the answer', async () => {
    const ok = io('246810\n');
    expect(await verifyPinCommand.run(['--pin-stdin'], ok.io)).toBe(0);
    expect(ok.out()).toBe(`reader      ${READER}\nPIN ok\n`);
    const wrong = io('135791\n');
    expect(await verifyPinCommand.run(['--pin-stdin'], wrong.io)).toBe(1);
    expect(wrong.out()).toBe(`reader      ${READER}\nwrong PIN, 2 tries left\n`);
  });
});

describe('sign names the reader it used', () => {
  const file = (): string => {
    const path = join(stateDir, 'doc.txt');
    writeFileSync(path, 'to be signed');
    return path;
  };

  it('--json: the signature document carries the reader', async () => {
    const t = io('246810\n');
    expect(await signCommand.run(['--in', file(), '--pin-stdin', '--json'], t.io)).toBe(0);
    expect(JSON.parse(t.out())).toMatchObject({ reader: READER, signature: expect.any(String), certificate: expect.any(String) });
  });

  it('text: a reader line before the signature', async () => {
    const t = io('246810\n');
    expect(await signCommand.run(['--in', file(), '--pin-stdin'], t.io)).toBe(0);
    expect(t.out()).toMatch(new RegExp(`^reader {6}${READER}\\nsignature {3}\\S+\\ncertificate \\S+\\n$`));
  });

  it('a wrong PIN: the one --json error document names the reader whose card took it; text says it on stdout', async () => {
    const json = io('135791\n');
    expect(await main(['sign', '--in', file(), '--pin-stdin', '--json'], json.io)).toBe(1);
    const doc = JSON.parse(json.out()) as { reader: string; error: { code: string } };
    expect(doc).toMatchObject({ reader: READER, error: { code: 'WRONG_PIN' } });
    expect(json.out() + json.err()).not.toContain('135791');
    const text = io('135791\n');
    expect(await main(['sign', '--in', file(), '--pin-stdin'], text.io)).toBe(1);
    expect(text.out()).toBe(`reader      ${READER}\n`);
    expect(text.err()).toMatch(/^twpki: WRONG_PIN: /);
  });
});
