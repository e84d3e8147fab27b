import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certVerifyCommand } from '../../src/cli/commands/cert-verify.js';
import { createTestPki, type CardHolderCredentials, type TestPki } from '../../src/testing/pki/index.js';
import { buildCrl, LocalRevocationServer, type TestCrlEntry } from '../../src/testing/revocation/index.js';
import { TrustedCertificate } from '../../src/cert/index.js';

let server: LocalRevocationServer;
let pki: TestPki;
let holder: CardHolderCredentials;
let certFile: string;
let anchors: string;

// Enough entries for a CRL of about a megabyte, which arrives in many chunks.
const OTHERS: TestCrlEntry[] = Array.from({ length: 25_000 }, (_, i) => ({
  serialHex: (0x10000000 + i).toString(16),
  revokedAt: new Date('2025-12-01T00:00:00Z'),
}));

beforeAll(async () => {
  server = await LocalRevocationServer.start();
  pki = await createTestPki({ crlBaseUrl: server.crlBaseUrl, ocspUrl: server.ocspUrl });
  holder = await pki.issueCardHolder({ authority: 'moica' });
  const dir = mkdtempSync(join(tmpdir(), 'twpki-crl-progress-'));
  certFile = join(dir, 'holder.der');
  writeFileSync(certFile, holder.sign.certificate);
  anchors = join(dir, 'anchors');
  mkdirSync(anchors);
  writeFileSync(join(anchors, 'root.der'), pki.root.certificate);
  writeFileSync(join(anchors, 'moica.der'), pki.issuer('moica').certificate);
}, 60_000);

afterAll(async () => {
  await server.close();
});

function publish(revokeHolder: boolean): void {
  const serialHex = TrustedCertificate.from(holder.sign.certificate).serialHex;
  const entries = revokeHolder ? [...OTHERS, { serialHex, revokedAt: new Date(Date.now() - 3_600_000) }] : OTHERS;
  const url = server.publishCrl('moica.crl', buildCrl({ issuer: pki.issuer('moica'), entries }));
  expect(url).toBe(pki.crlUrl('moica'));
}

async function run(args: string[], options: { tty: boolean; env?: NodeJS.ProcessEnv }) {
  const out = new PassThrough();
  const err = Object.assign(new PassThrough(), { isTTY: options.tty });
  const o: Buffer[] = [];
  const e: Buffer[] = [];
  out.on('data', (c: Buffer) => o.push(c));
  err.on('data', (c: Buffer) => e.push(c));
  const code = await certVerifyCommand.run([certFile, '--anchors', anchors, '--crl', ...args], {
    stdout: out,
    stderr: err,
    stdin: new PassThrough(),
    env: options.env ?? {},
  });
  return { code, stdout: Buffer.concat(o).toString(), stderr: Buffer.concat(e).toString() };
}

describe('twpki cert verify --crl progress', () => {
  it('on a terminal shows the download and the parsing on stderr, then the result on stdout', async () => {
    publish(false);
    const r = await run([], { tty: true });
    expect(r.code, r.stderr).toBe(0);
    const url = pki.crlUrl('moica');
    expect(r.stderr).toContain(`\r\x1b[Kdownloading ${url}: `);
    expect(r.stderr).toMatch(/downloading \S+: \d+ KB \/ \d+(\.\d)? (KB|MB) \(\d+%\)/);
    expect(r.stderr).toContain('(100%); parsing and verifying the CRL…');
    expect(r.stderr.endsWith(`\r\x1b[KCRL ${url}: good\n`)).toBe(true);
    expect(r.stdout).toMatch(/^TRUSTED at /);
    expect(r.stdout).toContain(`not revoked (CRL ${url})`);
  });

  it('stays silent with --json, even on a terminal', async () => {
    publish(false);
    const r = await run(['--json'], { tty: true });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toMatchObject({ trusted: true, revocation: { kind: 'good', source: 'crl', url: pki.crlUrl('moica') } });
  });

  it('stays silent when stderr is not a terminal', async () => {
    publish(false);
    const r = await run([], { tty: false });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^TRUSTED at /);
  });

  it('reports a revoked certificate with the code and both messages, in the locale\'s language', async () => {
    publish(true);
    const json = await run(['--json'], { tty: false });
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({
      trusted: false,
      revocation: { kind: 'revoked' },
      error: { code: 'CERT_REVOKED', messages: { zhTW: '憑證已廢止，無法登入', en: 'The certificate is revoked and cannot log in' } },
    });
    const zh = await run([], { tty: false, env: { LANG: 'zh_TW.UTF-8' } });
    expect(zh.stdout).toMatch(/^NOT TRUSTED \(CERT_REVOKED\): 憑證已廢止，無法登入/);
    const en = await run([], { tty: false, env: { LANG: 'en_US.UTF-8' } });
    expect(en.stdout).toMatch(/^NOT TRUSTED \(CERT_REVOKED\): The certificate is revoked and cannot/);
  });

  it('fails closed when the CRL cannot be downloaded, ending the progress line', async () => {
    server.publishCrl('moica.crl', new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x00]));
    const r = await run([], { tty: true, env: { LC_ALL: 'zh_TW.UTF-8' } });
    expect(r.code).toBe(1);
    expect(r.stderr.endsWith('\r\x1b[KCRL check failed (CRL_MALFORMED)\n')).toBe(true);
    expect(r.stdout).toMatch(/^NOT TRUSTED \(CRL_MALFORMED\): 憑證廢止清冊（CRL）格式錯誤/);
  });
});
