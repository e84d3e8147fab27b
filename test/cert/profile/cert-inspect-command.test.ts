import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { certInspectCommand } from '../../../src/cli/commands/cert-inspect.js';
import { EXIT_USAGE, UsageError, type CliIo } from '../../../src/cli/command.js';
import { defaultMessages } from '../../../src/messages/index.js';

const fixture = (name: string): string => new URL(`../../../fixtures/ca/${name}`, import.meta.url).pathname;

function makeIo(): { io: CliIo; stdout: () => string; stderr: () => string } {
  const out = new PassThrough();
  const err = new PassThrough();
  const chunks = { out: [] as Buffer[], err: [] as Buffer[] };
  out.on('data', (c: Buffer) => chunks.out.push(c));
  err.on('data', (c: Buffer) => chunks.err.push(c));
  return {
    io: { stdout: out, stderr: err, stdin: Readable.from([]), env: {} },
    stdout: () => Buffer.concat(chunks.out).toString('utf8'),
    stderr: () => Buffer.concat(chunks.err).toString('utf8'),
  };
}

describe('twpki cert inspect', () => {
  it('prints one JSON document with the profile', async () => {
    const { io, stdout } = makeIo();
    expect(await certInspectCommand.run([fixture('moica-g3.pem'), '--json'], io)).toBe(0);
    const doc = JSON.parse(stdout()) as Record<string, any>;
    expect(doc.authority).toMatchObject({ id: 'moica', generation: 'G3', test: false });
    expect(doc.serialNumber).toBe('5A202D14B39787D0886C37184AC9B76A');
    expect(doc.subject.text).toBe('C=TW, O=行政院, OU=內政部憑證管理中心');
    expect(doc.validity.notAfter).toBe('2044-01-23T15:59:59.000Z');
    expect(typeof doc.der).toBe('string');
  });

  it('reads DER files and prints human lines', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'twpki-inspect-'));
    const pem = (await import('node:fs')).readFileSync(fixture('moeaca-g2.pem'), 'utf8');
    const derFile = join(dir, 'moeaca.cer');
    writeFileSync(derFile, Buffer.from(pem.replace(/-----[A-Z ]+-----|\s/g, ''), 'base64'));
    const { io, stdout } = makeIo();
    expect(await certInspectCommand.run([derFile], io)).toBe(0);
    expect(stdout()).toContain('Authority:        經濟部工商憑證管理中心 (moeaca, G2)');
    expect(stdout()).toMatch(/Policies:\s+2\.16\.886\.101\.0\.3\.3 \(level 3\)/);
  });

  it('reports a file that is not a certificate as a typed error (exit 2)', async () => {
    const { io, stdout } = makeIo();
    expect(await certInspectCommand.run([fixture('README.md'), '--json'], io)).toBe(EXIT_USAGE);
    // The catalogue's messages, as every other command reports bad input.
    expect(JSON.parse(stdout())).toEqual({
      error: { code: 'BAD_BASE64', message: expect.stringContaining('README.md'), messages: defaultMessages.lookup('certificate.BAD_BASE64') },
    });
    const human = makeIo();
    expect(await certInspectCommand.run(['/nonexistent/x.pem'], human.io)).toBe(EXIT_USAGE);
    expect(human.stderr()).toMatch(/^twpki cert inspect: UNREADABLE_FILE: .*\n  \(cannot read \/nonexistent\/x\.pem: ENOENT\)/);
    expect(human.stdout()).toBe('');
  });

  it('rejects bad arguments with UsageError', async () => {
    const { io } = makeIo();
    await expect(certInspectCommand.run([], io)).rejects.toThrow(UsageError);
    await expect(certInspectCommand.run(['a', 'b'], io)).rejects.toThrow(UsageError);
    await expect(certInspectCommand.run(['a', '--bogus'], io)).rejects.toThrow(UsageError);
  });
});
