import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/cli/command.js';
import { certVerifyCommand } from '../../../src/cli/commands/cert-verify.js';
import { runCommand } from './helpers/verification.js';

const FIXTURES = fileURLToPath(new URL('../../../fixtures/ca', import.meta.url));

const run = (args: string[]): ReturnType<typeof runCommand> => runCommand(certVerifyCommand, args);

describe('twpki cert verify', () => {
  it('validates MOICA G3 against the fixture directory and prints one JSON document', async () => {
    const r = await run([join(FIXTURES, 'moica-g3.pem'), '--anchors', FIXTURES, '--at', '2026-01-01T00:00:00Z', '--json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { trusted: boolean; path: { subjectKeyId: string }[] };
    expect(doc.trusted).toBe(true);
    expect(doc.path.map((p) => p.subjectKeyId)).toEqual([
      '4720A3B1264BCD6D48ACF2640886972C7454115F',
      '3A908EE741471973DC9CBDA37ED83D3E83091F03',
    ]);
  });

  it('says when it judged in Taiwan time, and --json keeps the ISO instant', async () => {
    // 2025-12-31 16:30 UTC is 2026-01-01 00:30 in Taiwan: the Taiwan date, not the UTC one, is shown.
    const human = await run([join(FIXTURES, 'moica-g3.pem'), '--anchors', FIXTURES, '--at', '2025-12-31T16:30:00Z']);
    expect(human.code).toBe(0);
    expect(human.stdout.split('\n')[0]).toBe('TRUSTED at 2026-01-01 00:30:00 (Taiwan time, UTC+8)');
    const json = await run([join(FIXTURES, 'moica-g3.pem'), '--anchors', FIXTURES, '--at', '2025-12-31T16:30:00Z', '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ trusted: true, at: '2025-12-31T16:30:00.000Z' });
  });

  it('reports an expired chain with exit 1 and the rule code', async () => {
    const r = await run([join(FIXTURES, 'moica-g1.pem'), '--anchors', FIXTURES, '--at', '2026-01-01', '--json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ trusted: false, error: { code: 'CHAIN_CERT_EXPIRED' } });
    const ok = await run([join(FIXTURES, 'moica-g1.pem'), '--anchors', FIXTURES, '--at', '2020-01-01']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^TRUSTED/);
  });

  it('fails closed on an anchors directory without certificates: a usage error naming --anchors', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'twpki-anchors-'));
    writeFileSync(join(empty, 'notes.txt'), 'nothing here');
    const r = await run([join(FIXTURES, 'moica-g2.pem'), '--anchors', empty, '--json']);
    expect(r.code).toBe(2);
    const doc = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(doc).not.toHaveProperty('trusted');
    expect(doc).toMatchObject({ error: { code: 'USAGE', message: expect.stringContaining('--anchors') } });
  });

  it('reads every certificate of an anchors bundle written with X509 CERTIFICATE armour, as the certificate layer does', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'twpki-anchors-'));
    const relabel = (name: string): string => readFileSync(join(FIXTURES, name), 'latin1').replaceAll('CERTIFICATE-----', 'X509 CERTIFICATE-----');
    // GRCA G2, the anchor MOICA G2 needs, second in the bundle: before, only the first block was read.
    writeFileSync(join(dir, 'bundle.pem'), `${relabel('grca-g3.pem')}\n${relabel('grca-g2.pem')}`);
    const r = await run([join(FIXTURES, 'moica-g2.pem'), '--anchors', dir, '--at', '2026-01-01', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ trusted: true });
  });

  it('takes --anchors as one file too: a PEM bundle (whatever its name), or one root certificate', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'twpki-anchors-'));
    const bundle = join(dir, 'gpki-chain.txt');
    writeFileSync(bundle, `${readFileSync(join(FIXTURES, 'grca-g3.pem'), 'latin1')}\n${readFileSync(join(FIXTURES, 'grca-g2.pem'), 'latin1')}`);
    const fromBundle = await run([join(FIXTURES, 'moica-g2.pem'), '--anchors', bundle, '--at', '2026-01-01', '--json']);
    expect(fromBundle.code).toBe(0);
    expect(JSON.parse(fromBundle.stdout)).toMatchObject({ trusted: true });
    // One root file: the right one trusts, another root is "not trusted" (a verdict), not an unreadable option.
    expect((await run([join(FIXTURES, 'moica-g2.pem'), '--anchors', join(FIXTURES, 'grca-g2.pem'), '--at', '2026-01-01'])).code).toBe(0);
    const other = await run([join(FIXTURES, 'moica-g2.pem'), '--anchors', join(FIXTURES, 'grca-g3.pem'), '--at', '2026-01-01', '--json']);
    expect(other.code).toBe(1);
    expect(JSON.parse(other.stdout)).toMatchObject({ trusted: false });
    // A file of intermediates only is still the option given wrong.
    const noRoot = await run([join(FIXTURES, 'moica-g2.pem'), '--anchors', join(FIXTURES, 'moica-g3.pem'), '--json']);
    expect(noRoot.code).toBe(2);
    expect(JSON.parse(noRoot.stdout)).toMatchObject({ error: { code: 'USAGE', message: expect.stringContaining('no trust anchor') } });
  });

  it('names the anchors file that is not a certificate, or cannot be read', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'twpki-anchors-'));
    writeFileSync(join(dir, 'grca.pem'), readFileSync(join(FIXTURES, 'grca-g2.pem')));
    writeFileSync(join(dir, 'key.pem'), '-----BEGIN CERTIFICATE-----\nMAMCAQA=\n-----END CERTIFICATE-----\n');
    const bad = await run([join(FIXTURES, 'moica-g2.pem'), '--anchors', dir, '--json']);
    expect(bad.code).toBe(2);
    expect(JSON.parse(bad.stdout).error).toMatchObject({ code: 'MALFORMED_CERTIFICATE', message: expect.stringContaining(join(dir, 'key.pem')) });
    rmSync(join(dir, 'key.pem'));
    mkdirSync(join(dir, 'folder.pem'));
    const unreadable = await run([join(FIXTURES, 'moica-g2.pem'), '--anchors', dir, '--json']);
    expect(unreadable.code).toBe(2);
    expect(JSON.parse(unreadable.stdout).error.message).toContain(join(dir, 'folder.pem'));
  });

  it('treats bad arguments and unreadable input as usage errors', async () => {
    await expect(run([join(FIXTURES, 'moica-g2.pem')])).rejects.toBeInstanceOf(UsageError);
    await expect(run([join(FIXTURES, 'moica-g2.pem'), '--anchors', FIXTURES, '--at', 'yesterday'])).rejects.toBeInstanceOf(UsageError);
    const missing = await run(['/nonexistent.pem', '--anchors', FIXTURES, '--json']);
    expect(missing.code).toBe(2);
    const junk = join(mkdtempSync(join(tmpdir(), 'twpki-junk-')), 'junk.der');
    writeFileSync(junk, Buffer.from([0x30, 0x01, 0x00]));
    const bad = await run([junk, '--anchors', FIXTURES, '--json']);
    expect(bad.code).toBe(2);
    expect(JSON.parse(bad.stdout)).toMatchObject({ error: { code: 'MALFORMED_CERTIFICATE' } });
    const broken = join(mkdtempSync(join(tmpdir(), 'twpki-junk-')), 'broken.pem');
    writeFileSync(broken, '-----BEGIN CERTIFICATE-----\nMIIB\n');
    const none = await run([broken, '--anchors', FIXTURES, '--json']);
    expect(none.code).toBe(2);
    expect(JSON.parse(none.stdout)).toMatchObject({ error: { code: 'MALFORMED_CERTIFICATE' } });
  });
});
