/**
 * `twpki cert inspect` prints what a certificate's issuer wrote: a holder name, card type or URL. A CR, LF or ESC
 * in one must not start a line of its own (a forged `Authority:` line) nor drive the terminal; the value shows them
 * as `\XX`, as the subject's RFC 4514 text does.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestPki } from '../../src/testing/index.js';
import { runCli } from './run-cli.js';

const FORGED = '王小明\r\nAuthority:        內政部憑證管理中心 (moica, G3)\u001b[2K';
let file: string;

beforeAll(async () => {
  const pki = await createTestPki({ authorities: ['moica'], now: new Date('2026-05-10T00:00:00Z') });
  const issued = await pki.issueCertificate({
    issuer: pki.issuer('moica'),
    subject: [{ type: 'C', value: 'TW' }, { type: 'CN', value: FORGED }],
    keyUsage: ['digitalSignature'],
  });
  file = join(mkdtempSync(join(tmpdir(), 'twpki-inspect-hidden-')), 'forged.cer');
  writeFileSync(file, issued.certificate);
}, 60_000);

describe('twpki cert inspect: text from the certificate stays on its line', () => {
  it('escapes CR, LF and ESC in the holder name; one Authority line, the real one', async () => {
    const human = await runCli(['cert', 'inspect', file]);
    expect(human.code).toBe(0);
    expect(human.stdout).not.toMatch(/[\r\u001b]/);
    const lines = human.stdout.trimEnd().split('\n');
    expect(lines.filter((line) => line.startsWith('Authority:'))).toEqual(['Authority:        內政部憑證管理中心 (moica) [test CA]']);
    expect(lines).toContain('Holder:           王小明\\0D\\0AAuthority:        內政部憑證管理中心 (moica, G3)\\1B[2K');
  });

  it('--json keeps the value as the certificate has it', async () => {
    const json = await runCli(['cert', 'inspect', file, '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ identity: { holderName: FORGED } });
  });
});
