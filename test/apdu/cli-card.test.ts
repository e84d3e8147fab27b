import { verify, X509Certificate } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CliIo } from '../../src/cli/command.js';
import { EmulatorReader } from '../../src/pcsc/emulator-reader.js';
import { VirtualHiCOSCard } from '../../src/testing/hicos/virtual-hicos-card.js';
import { testCredentials } from './support/virtual-cards.js';

let card: VirtualHiCOSCard;
let stateDir: string;

vi.mock('../../src/cli/card-access.js', () => ({
  // The one (emulated) card: the reader a PIN command resolves before reading the PIN.
  resolvePinReader: async (options: { reader?: string }) => options.reader ?? 'Test Reader 00',
  openCardTransport: async () => {
    const reader = new EmulatorReader({ name: 'Test Reader 00' });
    reader.insert(card);
    const transport = reader.connect();
    return { transport, readerName: reader.name, close: async () => transport.disconnect() };
  },
}));

const { infoCommand } = await import('../../src/cli/commands/info.js');
const { signCommand } = await import('../../src/cli/commands/sign.js');
const { verifyPinCommand } = await import('../../src/cli/commands/verify-pin.js');

function io(stdinText = ''): { io: CliIo; out: () => string } {
  const stdout = new PassThrough();
  const chunks: Buffer[] = [];
  stdout.on('data', (c: Buffer) => chunks.push(c));
  return {
    io: { stdout, stderr: new PassThrough(), stdin: Readable.from([Buffer.from(stdinText)]), env: { TWPKI_STATE_DIR: stateDir } },
    out: () => Buffer.concat(chunks).toString(),
  };
}

beforeAll(async () => {
  await testCredentials();
}, 60_000);
let plainDuringSm: 'accept' | 'refuse' = 'accept';
beforeEach(async () => {
  stateDir = mkdtempSync(join(tmpdir(), 'twpki-state-'));
  card = new VirtualHiCOSCard({
    credentials: await testCredentials(),
    generation: 2,
    pin: '123456',
    plainCommandsDuringSecureMessaging: plainDuringSm,
  });
});

// The Gen2 card runs with both answers to a plain command during secure messaging (unknown for real cards).
describe.each(['accept', 'refuse'] as const)('twpki info / verify-pin / sign (plain commands during SM: %s)', (mode) => {
  beforeAll(() => {
    plainDuringSm = mode;
  });

  it('info --json prints one document with the certificates in base64', async () => {
    const t = io();
    expect(await infoCommand.run(['--json'], t.io)).toBe(0);
    const doc = JSON.parse(t.out()) as {
      reader: string;
      generation: number;
      cardNumber: string;
      certificates: { usage: string; der: string; profile?: { authority: string; commonName?: string; idHint?: string; serialNumber: string } }[];
    };
    expect(doc.reader).toBe('Test Reader 00');
    expect(doc.generation).toBe(2);
    expect(doc.cardNumber).toBe('TP03000012345678');
    expect(doc.certificates.map((c) => c.usage)).toEqual(['SIGN', 'KEYX', 'CA', 'CA']);
    expect(Buffer.from(doc.certificates[0]!.der, 'base64')[0]).toBe(0x30);
    // Parsed by the certificate layer: the SIGN certificate is a (test) MOICA citizen certificate.
    expect(doc.certificates[0]!.profile).toMatchObject({ authority: 'moica', idHint: expect.stringMatching(/^\d{4}$/) });
    expect(doc.certificates[0]!.profile?.serialNumber).toMatch(/^[0-9A-F]+$/);
  });

  it('info without --json prints each certificate\'s end in Taiwan time, where --json has the ISO instant', async () => {
    const json = io();
    expect(await infoCommand.run(['--json'], json.io)).toBe(0);
    const notAfter = (JSON.parse(json.out()) as { certificates: { usage: string; profile?: { notAfter: string } }[] }).certificates.find((c) => c.usage === 'SIGN')?.profile?.notAfter ?? '';
    const taiwan = new Date(new Date(notAfter).getTime() + 8 * 3_600_000).toISOString().replace('T', ' ').slice(0, 19);
    const human = io();
    expect(await infoCommand.run([], human.io)).toBe(0);
    const line = human.out().split('\n').find((l) => l.startsWith('certificate ') && l.includes('SIGN')) ?? '';
    expect(line).toContain(`until ${taiwan} (Taiwan time)`);
    expect(line).not.toContain(notAfter);
  });

  it('verify-pin exit codes: 0 ok, 1 wrong, 2 malformed, 3 locked; the PIN never appears in output', async () => {
    const ok = io('123456\n');
    expect(await verifyPinCommand.run(['--pin-stdin', '--json'], ok.io)).toBe(0);
    expect(JSON.parse(ok.out())).toEqual({ ok: true, reader: 'Test Reader 00', retriesLeft: 3, locked: false });
    const wrong = io('654321\n');
    expect(await verifyPinCommand.run(['--pin-stdin', '--json'], wrong.io)).toBe(1);
    expect(JSON.parse(wrong.out())).toEqual({ ok: false, reader: 'Test Reader 00', retriesLeft: 2, locked: false });
    expect(wrong.out()).not.toContain('654321');
    const bad = io('12\n');
    expect(await verifyPinCommand.run(['--pin-stdin', '--json'], bad.io)).toBe(2);
    expect(JSON.parse(bad.out())).toMatchObject({ ok: false, error: { code: 'INVALID_PIN_FORMAT' } });
    expect(await verifyPinCommand.run(['--pin-stdin'], io('000000\n').io)).toBe(1);
    // The last known count (1) survives between invocations: the guard refuses without --allow-last-try.
    const guarded = io('000000\n');
    expect(await verifyPinCommand.run(['--pin-stdin', '--json'], guarded.io)).toBe(2);
    expect(JSON.parse(guarded.out())).toMatchObject({ ok: false, retriesLeft: 1, error: { code: 'LAST_TRY_GUARD' } });
    expect(card.pinTriesLeft).toBe(1);
    expect(await verifyPinCommand.run(['--pin-stdin', '--allow-last-try'], io('000000\n').io)).toBe(3);
    const locked = io('123456\n');
    expect(await verifyPinCommand.run(['--pin-stdin', '--json'], locked.io)).toBe(3);
    expect(JSON.parse(locked.out())).toEqual({ ok: false, reader: 'Test Reader 00', retriesLeft: 0, locked: true });
  });

  it('a state folder it cannot write: the card\'s answers as they are, and a warning on stderr', async () => {
    stateDir = '/dev/null/twpki';
    const wrong = io('654321\n');
    expect(await verifyPinCommand.run(['--pin-stdin', '--json'], wrong.io)).toBe(1);
    expect(JSON.parse(wrong.out())).toEqual({ ok: false, reader: 'Test Reader 00', retriesLeft: 2, locked: false });
    const stderr = (wrong.io.stderr as PassThrough).read()?.toString() ?? '';
    expect(stderr).toMatch(/^twpki: warning: could not save PIN try counts to \/dev\/null\/twpki\/pin-retries\.json .*TWPKI_STATE_DIR/m);
    expect(stderr).not.toContain('654321');
    const ok = io('123456\n');
    expect(await verifyPinCommand.run(['--pin-stdin', '--json'], ok.io)).toBe(0);
    expect(JSON.parse(ok.out())).toEqual({ ok: true, reader: 'Test Reader 00', retriesLeft: 3, locked: false });
  });

  it('sign --json prints a signature that verifies with the printed certificate', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'twpki-sign-'));
    const file = join(dir, 'doc.txt');
    writeFileSync(file, '公文 content');
    const t = io('123456\n');
    expect(await signCommand.run(['--in', file, '--pin-stdin', '--json'], t.io)).toBe(0);
    const doc = JSON.parse(t.out()) as { signature: string; certificate: string };
    const cert = new X509Certificate(Buffer.from(doc.certificate, 'base64'));
    expect(verify('sha256', Buffer.from('公文 content'), cert.publicKey, Buffer.from(doc.signature, 'base64'))).toBe(true);
  });

  it('refuses to prompt without a terminal', async () => {
    // With --json the refusal is the command's own document, naming the reader; main's exit status for usage.
    const t = io();
    expect(await verifyPinCommand.run(['--json'], t.io)).toBe(2);
    expect(JSON.parse(t.out())).toMatchObject({ reader: 'Test Reader 00', error: { code: 'USAGE', message: expect.stringMatching(/--pin-stdin/) } });
  });
});

describe('twpki info / verify-pin on a card without a card-number file', () => {
  beforeEach(async () => {
    card = new VirtualHiCOSCard({ credentials: await testCredentials(), generation: 2, pin: '123456', cardNumberFile: 'no-ef' });
  });

  it('info says the card number is unknown (JSON null) and lists the certificates', async () => {
    const json = io();
    expect(await infoCommand.run(['--json'], json.io)).toBe(0);
    expect(JSON.parse(json.out())).toMatchObject({ cardNumber: null, certificates: [{ usage: 'SIGN' }, { usage: 'KEYX' }, {}, {}] });
    const human = io();
    expect(await infoCommand.run([], human.io)).toBe(0);
    expect(human.out()).toContain('card number unknown (the card has no card-number file, EF 0900/0903)\n');
  });

  it('verify-pin works, and the count kept between invocations still guards the last try', async () => {
    expect(await verifyPinCommand.run(['--pin-stdin'], io('123456\n').io)).toBe(0);
    expect(await verifyPinCommand.run(['--pin-stdin'], io('000000\n').io)).toBe(1);
    expect(await verifyPinCommand.run(['--pin-stdin'], io('000000\n').io)).toBe(1);
    const guarded = io('000000\n');
    expect(await verifyPinCommand.run(['--pin-stdin', '--json'], guarded.io)).toBe(2);
    expect(JSON.parse(guarded.out())).toMatchObject({ ok: false, retriesLeft: 1, error: { code: 'LAST_TRY_GUARD' } });
    expect(card.pinTriesLeft).toBe(1);
  });
});

describe('FileRetryCounterStore', () => {
  it('persists counts across instances and ignores a corrupt file', async () => {
    const { FileRetryCounterStore } = await import('../../src/apdu/pin/file-retry-counter-store.js');
    const dir = mkdtempSync(join(tmpdir(), 'twpki-store-'));
    const path = join(dir, 'sub', 'pin-retries.json');
    const a = new FileRetryCounterStore(path);
    a.set('TP03000012345678', 1);
    a.set('TP03000000000001', 2);
    a.delete('TP03000000000001');
    const b = new FileRetryCounterStore(path);
    expect(b.get('TP03000012345678')).toBe(1);
    expect(b.get('TP03000000000001')).toBeUndefined();
    writeFileSync(path, '{not json');
    expect(new FileRetryCounterStore(path).get('TP03000012345678')).toBeUndefined();
  });
});

describe('twpki verify-pin: terminal prompt', () => {
  /** A stdin that claims to be a terminal and records raw-mode switches, as a TTY would. */
  function ttyIo(keystrokes: string[]): { io: CliIo; out: () => string; err: () => string; rawModes: boolean[] } {
    const stdin = Readable.from(keystrokes.map((k) => Buffer.from(k))) as Readable & { isTTY?: boolean; setRawMode?: (raw: boolean) => void };
    const rawModes: boolean[] = [];
    stdin.isTTY = true;
    stdin.setRawMode = (raw: boolean) => {
      rawModes.push(raw);
    };
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    const o: Buffer[] = [];
    const e: Buffer[] = [];
    stdout.on('data', (c: Buffer) => o.push(c));
    stderr.on('data', (c: Buffer) => e.push(c));
    return {
      io: { stdout, stderr, stdin, env: { TWPKI_STATE_DIR: stateDir } },
      out: () => Buffer.concat(o).toString(),
      err: () => Buffer.concat(e).toString(),
      rawModes,
    };
  }

  it('reads the PIN in raw mode without echo, honours backspace, and restores the terminal', async () => {
    // "1239" then backspace, then "456", Enter: the PIN is 123456.
    const t = ttyIo(['123', '9\x7f', '456\r']);
    expect(await verifyPinCommand.run(['--json'], t.io)).toBe(0);
    expect(JSON.parse(t.out())).toEqual({ ok: true, reader: 'Test Reader 00', retriesLeft: 3, locked: false });
    expect(t.rawModes).toEqual([true, false]);
    expect(t.err()).toBe('PIN: \n');
    expect(t.out() + t.err()).not.toContain('123456');
  });

  it('Ctrl-C cancels before anything is sent to the card', async () => {
    const t = ttyIo(['12\x03']);
    const before = card.log.length;
    expect(await verifyPinCommand.run(['--json'], t.io)).toBe(2);
    expect(JSON.parse(t.out())).toMatchObject({ error: { code: 'USAGE', message: expect.stringMatching(/cancelled/) } });
    expect(card.log.length).toBe(before);
    expect(t.rawModes).toEqual([true, false]);
  });

  it('without a terminal and without --pin-stdin it refuses instead of reading argv', async () => {
    const t = io('');
    expect(await verifyPinCommand.run(['--json'], t.io)).toBe(2);
    expect(JSON.parse(t.out())).toMatchObject({ error: { code: 'USAGE', message: expect.stringMatching(/--pin-stdin/) } });
  });
});
