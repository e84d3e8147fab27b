import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrustedCertificate } from '../../../src/cert/index.js';
import { UsageError } from '../../../src/cli/command.js';
import { commands } from '../../../src/cli/commands/index.js';
import { sigVerifyCommand } from '../../../src/cli/commands/sig-verify.js';
import { createTestPki, type CardHolderCredentials, type TestPki } from '../../../src/testing/pki/index.js';
import type { LocalRevocationServer } from '../../../src/testing/revocation/index.js';
import { startRevocationRig } from './helpers/fixtures.js';
import { pkijsCms } from './helpers/pkijs-signer.js';
import { runCommand } from './helpers/verification.js';
import { defaultMessages } from '../../../src/messages/index.js';

const CONTENT = new Uint8Array(Buffer.from('公文：核准', 'utf8'));
const CONTENT_SHA256 = createHash('sha256').update(CONTENT).digest('hex');
let server: LocalRevocationServer;
let pki: TestPki;
let holder: CardHolderCredentials;
let dir: string;
let anchors: string;

const run = (args: string[]): ReturnType<typeof runCommand> => runCommand(sigVerifyCommand, args);

function pem(label: string, der: Uint8Array): string {
  return `-----BEGIN ${label}-----\n${Buffer.from(der).toString('base64').replace(/.{64}/g, '$&\n')}\n-----END ${label}-----\n`;
}

function anchorsFor(p: TestPki): string {
  const d = mkdtempSync(join(tmpdir(), 'twpki-sig-anchors-'));
  writeFileSync(join(d, 'root.pem'), pem('CERTIFICATE', p.root.certificate));
  writeFileSync(join(d, 'moica.der'), p.issuer('moica').certificate);
  return d;
}

function file(name: string, data: Uint8Array | string): string {
  const path = join(dir, name);
  writeFileSync(path, data);
  return path;
}

beforeAll(async () => {
  ({ server, pki, holder } = await startRevocationRig({ ocspResponder: true, commonName: '王小明' }));
  dir = mkdtempSync(join(tmpdir(), 'twpki-sig-'));
  anchors = anchorsFor(pki);
});

afterAll(async () => {
  await server.close();
});

describe('twpki sig verify', () => {
  it('is listed among the commands', () => {
    expect(commands.map((c) => c.name)).toContain('sig verify');
  });

  it('verifies an attached CMS (DER) with revocation and prints signer, card number, signing time and digest', async () => {
    const signedAt = new Date('2026-11-30T01:02:03Z');
    const cms = await pkijsCms({ content: CONTENT, certificate: holder.sign.certificate, privateKey: holder.sign.privateKey, cardNumber: 'TP0312345678', signingTime: signedAt });
    const r = await run([file('attached.p7s', cms), '--anchors', anchors, '--json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as Record<string, unknown> & { signer: { subject: { commonName: string }; authority: { id: string } } };
    expect(doc).toMatchObject({ valid: true, cardNumber: 'TP0312345678', signedAt: signedAt.toISOString(), contentSha256: CONTENT_SHA256 });
    expect(doc.signer.subject.commonName).toBe('王小明');
    expect(doc.signer.authority.id).toBe('moica');
    const human = await run([file('attached.pem', pem('PKCS7', cms)), '--anchors', anchors, '--no-revocation']);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^VALID signature by 王小明/);
    expect(human.stdout).toContain(CONTENT_SHA256);
  });

  it('shows a signer name with CR LF or ESC on its one line, controls as \\XX (--json keeps the name as it is)', async () => {
    const forged = '王小明\r\nVALID signature by 總統府\u001b[2J';
    const odd = await pki.issueCardHolder({ authority: 'moica', commonName: forged });
    const cms = await pkijsCms({ content: CONTENT, certificate: odd.sign.certificate, privateKey: odd.sign.privateKey, cardNumber: 'TP03\n12345678' });
    const human = await run([file('forged.p7s', cms), '--anchors', anchors, '--no-revocation']);
    expect(human.code).toBe(0);
    const lines = human.stdout.split('\n');
    expect(lines[0]).toMatch(/^VALID signature by 王小明\\0D\\0AVALID signature by 總統府\\1B\[2J \(.*, serial [0-9A-F]+\)$/);
    expect(lines.filter((l) => l.startsWith('VALID'))).toHaveLength(1);
    expect(lines).toContain('card number: TP03\\0A12345678');
    expect(human.stdout).not.toContain('\u001b');
    const json = await run([file('forged.p7s', cms), '--anchors', anchors, '--no-revocation', '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ signer: { subject: { commonName: forged } }, cardNumber: 'TP03\n12345678' });
  });

  it('verifies a detached CMS with --content; without it the input is bad (exit 2)', async () => {
    const cms = await pkijsCms({ content: CONTENT, certificate: holder.sign.certificate, privateKey: holder.sign.privateKey, attached: false });
    const sig = file('detached.p7s', cms);
    const ok = await run([sig, '--content', file('content.txt', CONTENT), '--anchors', anchors, '--no-revocation', '--json']);
    expect(ok.code).toBe(0);
    const doc = JSON.parse(ok.stdout) as Record<string, unknown>;
    expect(doc['contentSha256']).toBe(CONTENT_SHA256);
    expect(doc).not.toHaveProperty('cardNumber');
    const missing = await run([sig, '--anchors', anchors, '--no-revocation', '--json']);
    expect(missing.code).toBe(2);
    expect(JSON.parse(missing.stdout)).toMatchObject({ error: { code: 'CONTENT_MISSING', messages: defaultMessages.lookup('document.CONTENT_MISSING') } });
    const tampered = await run([sig, '--content', file('other.txt', '公文：駁回'), '--anchors', anchors, '--no-revocation', '--json']);
    expect(tampered.code).toBe(1);
    expect(JSON.parse(tampered.stdout)).toMatchObject({ valid: false, code: 'SIGNATURE_INVALID', step: 'signature' });
  });

  it('reports a revoked signer with exit 1 and the step', async () => {
    const revoked = await pki.issueCardHolder({ authority: 'moica' });
    server.setStatus(TrustedCertificate.from(revoked.sign.certificate).serialHex, { kind: 'revoked', revokedAt: new Date(Date.now() - 60_000) });
    const cms = await pkijsCms({ content: CONTENT, certificate: revoked.sign.certificate, privateKey: revoked.sign.privateKey });
    const r = await run([file('revoked.p7s', cms), '--anchors', anchors, '--json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ valid: false, code: 'CERT_REVOKED', step: 'revocation' });
  });

  it('accepts legacy SHA-1 only with --allow-sha1, up to the documented 2020-01-01 cut-off', async () => {
    const old = await createTestPki({ now: new Date('2019-06-01T00:00:00Z') });
    const oldHolder = await old.issueCardHolder({ authority: 'moica' });
    const oldAnchors = anchorsFor(old);
    const legacy = file(
      'legacy.p7s',
      await pkijsCms({ content: CONTENT, certificate: oldHolder.sign.certificate, privateKey: oldHolder.sign.privateKey, hash: 'SHA-1', signedAttributes: false }),
    );
    const base = [legacy, '--anchors', oldAnchors, '--no-revocation', '--json'];
    const refused = await run([...base, '--at', '2019-12-31T23:59:59Z']);
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.stdout)).toMatchObject({
      valid: false,
      code: 'ALGORITHM_NOT_ALLOWED',
      step: 'algorithm',
      message: expect.stringContaining('--allow-sha1'),
    });
    const before = await run([...base, '--allow-sha1', '--at', '2019-12-31T23:59:59Z']);
    expect(before.code).toBe(0);
    expect(JSON.parse(before.stdout)).toMatchObject({ valid: true, contentSha256: CONTENT_SHA256 });
    expect((await run([...base, '--allow-sha1', '--at', '2020-01-01T00:00:00Z'])).code).toBe(0);
    const after = await run([...base, '--allow-sha1', '--at', '2020-01-01T00:00:01Z']);
    expect(after.code).toBe(1);
    expect(JSON.parse(after.stdout)).toMatchObject({ code: 'ALGORITHM_NOT_ALLOWED' });
    expect((await run([...base, '--allow-sha1', '--sha1-until', '2021-01-01', '--at', '2020-06-01'])).code).toBe(0);
  });

  it('fails closed without anchors, and treats bad arguments and unreadable input as usage errors', async () => {
    const cms = file('any.p7s', await pkijsCms({ content: CONTENT, certificate: holder.sign.certificate, privateKey: holder.sign.privateKey }));
    const empty = mkdtempSync(join(tmpdir(), 'twpki-sig-empty-'));
    // No anchor to verify to is the option given wrong: a usage error naming --anchors, nothing judged valid.
    const none = await run([cms, '--anchors', empty, '--no-revocation', '--json']);
    expect(none.code).toBe(2);
    expect(JSON.parse(none.stdout)).toMatchObject({ error: { code: 'USAGE', message: expect.stringContaining('--anchors') } });
    await expect(run([cms])).rejects.toBeInstanceOf(UsageError);
    await expect(run([cms, '--anchors', anchors, '--at', 'yesterday'])).rejects.toBeInstanceOf(UsageError);
    await expect(run([cms, '--anchors', anchors, '--sha1-until', '2020-01-01'])).rejects.toBeInstanceOf(UsageError);
    await expect(run([cms, '--anchors', anchors, '--bogus'])).rejects.toBeInstanceOf(UsageError);
    const unreadable = await run(['/nonexistent.p7s', '--anchors', anchors, '--json']);
    expect(unreadable.code).toBe(2);
    expect(JSON.parse(unreadable.stdout)).toEqual({
      error: { code: 'UNREADABLE_FILE', message: 'cannot read /nonexistent.p7s: ENOENT', messages: defaultMessages.lookup('cli.UNREADABLE_FILE') },
    });
    expect((await run([cms, '--content', '/nonexistent.txt', '--anchors', anchors, '--json'])).code).toBe(2);
    expect((await run([cms, '--anchors', '/nonexistent-dir', '--json'])).code).toBe(2);
    const junkPath = file('junk.p7s', new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x01]));
    const junk = await run([junkPath, '--anchors', anchors, '--json']);
    expect(junk.code).toBe(2);
    // The file given is named, not the library's input field ("signature").
    expect(JSON.parse(junk.stdout)).toMatchObject({ error: { code: 'DOCUMENT_MALFORMED', message: expect.stringMatching(new RegExp(`^${junkPath.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not a CMS SignedData`)) } });
    const certificate = await run([file('card.cer', holder.sign.certificate), '--anchors', anchors, '--json']);
    expect(JSON.parse(certificate.stdout).error.message).not.toContain('"signature"');
    const text = await run([file('junk.txt', 'hello, world'), '--anchors', anchors, '--json']);
    expect(text.code).toBe(2);
  });
});
