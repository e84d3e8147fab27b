/**
 * `twpki info` shows what the card and its certificates say, and a certificate's names are text its issuer chose:
 * a common name with CR LF printed a line of its own (a forged `certificate cert1 sign: …`), and ESC reached the
 * terminal. Each value stays on its line with controls as \XX, as `cert inspect` and `sig verify` show them; `--json`
 * keeps the values as they are. The card is a virtual one behind a mocked reader choice, as in card-exit-status.test.ts.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { EmulatorReader } from '../../src/pcsc/emulator-reader.js';
import { virtualCardCredentials } from '../../src/testing/hicos/card-credentials.js';
import { VirtualHiCOSCard } from '../../src/testing/hicos/virtual-hicos-card.js';
import { createTestPki } from '../../src/testing/pki/index.js';
import { runCli } from './run-cli.js';

const READER = 'Counter Reader 07';
const FORGED = '王小明\r\ncertificate cert1 sign: 總統府\u001b[2J';
let card: VirtualHiCOSCard;

vi.mock('../../src/cli/card-access.js', () => ({
  resolvePinReader: async () => READER,
  openCardTransport: async () => {
    const reader = new EmulatorReader({ name: READER });
    reader.insert(card);
    const transport = reader.connect();
    return { transport, readerName: reader.name, close: async () => transport.disconnect() };
  },
}));

beforeAll(async () => {
  const pki = await createTestPki({ authorities: ['moica'] });
  const holder = await pki.issueCardHolder({ authority: 'moica', commonName: FORGED });
  card = new VirtualHiCOSCard({ credentials: virtualCardCredentials(holder), pin: '246810', cardNumber: 'TP03000000000042' });
}, 60_000);

describe('twpki info with a certificate whose name holds controls', () => {
  it('prints one line per certificate, controls as \\XX; --json keeps the name', async () => {
    const env = { TWPKI_STATE_DIR: mkdtempSync(join(tmpdir(), 'twpki-info-hidden-')) };
    const human = await runCli(['info'], '', env);
    expect(human.code).toBe(0);
    expect(human.stdout).not.toContain('\u001b');
    const certLines = human.stdout.split('\n').filter((l) => l.startsWith('certificate '));
    // Two key pairs' certificates (SIGN, KEYX) and the CA certificates: none split in two by the name.
    for (const line of certLines.filter((l) => l.includes('王小明'))) {
      expect(line).toContain('王小明\\0D\\0Acertificate cert1 sign: 總統府\\1B[2J (moica');
    }
    expect(certLines.filter((l) => l.includes('總統府'))).toHaveLength(certLines.filter((l) => l.includes('王小明')).length);
    expect(certLines.filter((l) => l.includes('王小明')).length).toBeGreaterThan(0);
    const json = await runCli(['info', '--json'], '', env);
    const doc = JSON.parse(json.stdout) as { certificates: { profile?: { commonName?: string } }[] };
    expect(doc.certificates.some((c) => c.profile?.commonName === FORGED)).toBe(true);
  });
});
