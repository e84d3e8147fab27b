import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError, type CliIo } from '../../src/cli/command.js';
import { emsCompareCommand } from '../../src/cli/commands/ems-compare.js';
import { defaultMessages, type MessageKey } from '../../src/messages/index.js';
import { idCheckCommand } from '../../src/cli/commands/id-check.js';
import { applicationWith, EMS_RECORD } from './sample-data.js';

interface Captured {
  io: CliIo;
  stdout(): string;
  stderr(): string;
}

function captureIo(): Captured {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  stdout.on('data', (c: Buffer) => out.push(c));
  stderr.on('data', (c: Buffer) => err.push(c));
  return {
    io: { stdout, stderr, stdin: new PassThrough(), env: {} },
    stdout: () => Buffer.concat(out).toString('utf8'),
    stderr: () => Buffer.concat(err).toString('utf8'),
  };
}

let dir = '';
const file = (name: string): string => join(dir, name);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'twpki-ems-cli-'));
  await writeFile(file('record.json'), JSON.stringify(EMS_RECORD));
  await writeFile(file('same.json'), JSON.stringify(applicationWith()));
  await writeFile(file('seed.json'), JSON.stringify(applicationWith({ facilityAddress: '臺北市中正區重慶南路1段122號5樓' })));
  await writeFile(file('format.json'), JSON.stringify(applicationWith({ companyName: '台灣綠能化學股份有限公司' })));
  await writeFile(file('missing.json'), JSON.stringify({ controlNumber: 'H5602270' }));
  await writeFile(file('number.json'), JSON.stringify(applicationWith({ facilityEmail: 7 as unknown as string })));
  await writeFile(file('broken.json'), '{"controlNumber": ');
  await writeFile(file('huge.json'), JSON.stringify({ companyName: 'x'.repeat(2 * 1024 * 1024) }));
  await writeFile(
    file('fields.json'),
    JSON.stringify([
      { key: 'controlNumber', labelZh: '管制編號', labelEn: 'Control number', compared: true, kind: 'id' },
      { key: 'companyName', labelZh: '公司名稱', labelEn: 'Company name', compared: true, kind: 'name' },
    ]),
  );
  await writeFile(file('two.json'), JSON.stringify({ controlNumber: 'H5602270', companyName: EMS_RECORD.companyName }));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('twpki ems compare', () => {
  it('exits 0 and prints the ✓ list for a matching application', async () => {
    const c = captureIo();
    const code = await emsCompareCommand.run(['--applicant', file('same.json'), '--record', file('record.json')], c.io);
    expect(code).toBe(0);
    expect(c.stdout()).toMatch(/^EMS比對結果：通過\n✓ 管制編號：H5602270\n/);
  });

  it('exits 1 on the seed’s example and prints JSON with --json', async () => {
    const c = captureIo();
    const code = await emsCompareCommand.run(['--applicant', file('seed.json'), '--record', file('record.json'), '--json'], c.io);
    expect(code).toBe(1);
    const doc = JSON.parse(c.stdout()) as { pass: boolean; policy: string; fields: { key: string; pass: boolean | null; reason: unknown }[] };
    expect(doc.pass).toBe(false);
    expect(doc.policy).toBe('strict');
    expect(doc.fields.map((f) => f.pass)).toEqual([true, true, true, false, true, null, null, null]);
    expect(doc.fields[3]?.reason).toMatchObject({ code: 'different', span: { start: 16, applicant: '5樓', record: '3樓之1' } });
  });

  it('--policy normalized passes formatting-only differences (exit 0); strict fails them (exit 1)', async () => {
    const strict = captureIo();
    expect(await emsCompareCommand.run(['--applicant', file('format.json'), '--record', file('record.json')], strict.io)).toBe(1);
    expect(strict.stdout()).toContain('僅格式不同（台/臺）');
    const norm = captureIo();
    const code = await emsCompareCommand.run(
      ['--applicant', file('format.json'), '--record', file('record.json'), '--policy', 'normalized', '--json'],
      norm.io,
    );
    expect(code).toBe(0);
    expect(JSON.parse(norm.stdout())).toMatchObject({ pass: true, policy: 'normalized' });
  });

  it('--html prints an escaped fragment', async () => {
    const c = captureIo();
    await emsCompareCommand.run(['--applicant', file('seed.json'), '--record', file('record.json'), '--html'], c.io);
    expect(c.stdout()).toMatch(/^<section class="twpki-ems-result" data-pass="false"/);
  });

  it('--fields uses a configured field set', async () => {
    const c = captureIo();
    const code = await emsCompareCommand.run(
      ['--applicant', file('two.json'), '--record', file('record.json'), '--fields', file('fields.json'), '--json'],
      c.io,
    );
    expect(code).toBe(0);
    expect((JSON.parse(c.stdout()) as { fields: unknown[] }).fields).toHaveLength(2);
  });

  it.each([
    ['no arguments', [], /--applicant FILE and --record FILE are required/],
    // Not quoted: a stray positional may be a PIN typed in the wrong window.
    ['a stray positional', ['x', '--applicant', 'a', '--record', 'b'], /^ems compare takes no positional arguments \(not repeated here\)/],
  ])('rejects %s with a UsageError (exit 2)', async (_what, args, message) => {
    const c = captureIo();
    const run = emsCompareCommand.run(resolve(args), c.io);
    await expect(run).rejects.toBeInstanceOf(UsageError);
    await expect(run).rejects.toThrow(message);
    expect(c.stdout()).toBe('');
  });

  // A file that cannot be read is reported as the certificate commands report theirs: UNREADABLE_FILE naming it;
  // one that was read but is not JSON is MALFORMED_FILE (it was read: "cannot be read" sent users looking at
  // permissions).
  it.each([
    ['a missing file', ['--applicant', '/nonexistent/a.json', '--record', 'REC'], 'UNREADABLE_FILE', /cannot read applicant file \/nonexistent\/a\.json: ENOENT/],
    ['broken JSON', ['--applicant', 'broken.json', '--record', 'REC'], 'MALFORMED_FILE', /applicant file .*broken\.json is not valid JSON/],
    ['a file over 1 MiB', ['--applicant', 'huge.json', '--record', 'REC'], 'UNREADABLE_FILE', /the limit is 1048576/],
  ])('reports %s with the code that says what is wrong (exit 2)', async (_what, args, code, message) => {
    const c = captureIo();
    expect(await emsCompareCommand.run([...resolve(args), '--json'], c.io)).toBe(2);
    const error = (JSON.parse(c.stdout()) as { error: { code: string; message: string; messages: unknown } }).error;
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
    expect(error.messages).toEqual(defaultMessages.lookup(`cli.${code}` as MessageKey));
  });

  // Data the comparator refuses is bad input too (exit 2, not the failed verdict's 1), reported with the
  // comparator's own code and catalogue messages, as the library raises it (it used to be code USAGE).
  it.each([
    ['a missing field', ['--applicant', 'missing.json', '--record', 'REC'], 'MISSING_FIELD', /公司名稱 \(companyName\)/],
    ['a non-string value', ['--applicant', 'number.json', '--record', 'REC'], 'NOT_A_STRING', /facilityEmail/],
    ['an unknown policy', ['--applicant', 'same.json', '--record', 'REC', '--policy', 'fuzzy'], 'UNKNOWN_POLICY', /"fuzzy"/],
    ['a bad field set', ['--applicant', 'same.json', '--record', 'REC', '--fields', 'same.json'], 'INVALID_FIELD_DEFINITION', /field/],
  ])('reports %s with its EMS code (exit 2)', async (_what, args, code, detail) => {
    const asJson = captureIo();
    expect(await emsCompareCommand.run([...resolve(args), '--json'], asJson.io)).toBe(2);
    const { error } = JSON.parse(asJson.stdout()) as { error: { code: string; message: string; messages: { zhTW: string; en: string } } };
    expect(error.code).toBe(code);
    expect(error.message).toMatch(detail);
    expect(error.messages).toEqual(defaultMessages.lookup(`ems.${code}` as MessageKey));
    const asText = captureIo();
    expect(await emsCompareCommand.run(resolve(args), asText.io)).toBe(2);
    expect(asText.stderr()).toMatch(new RegExp(`^twpki ems compare: ${code}: `));
    expect(asText.stdout()).toBe('');
  });
});

/** Test file names and the REC placeholder as paths. */
function resolve(args: string[]): string[] {
  return args.map((a) => (a === 'REC' ? file('record.json') : a.endsWith('.json') && !a.startsWith('/') ? file(a) : a));
}

describe('twpki id check', () => {
  it.each([
    ['H5602270', 0, { value: 'H5602270', kind: 'controlNumber', valid: true, reason: null }],
    ['04595252', 0, { value: '04595252', kind: 'businessId', valid: true, reason: null }],
    ['A123456788', 1, { value: 'A123456788', kind: 'nationalId', valid: false, reason: 'INVALID_CHECKSUM', messages: expect.objectContaining({ zhTW: expect.stringMatching(/身分證/) }) }],
    ['A800000014', 0, { value: 'A800000014', kind: 'residentId', valid: true, reason: null }],
    ['TP03000012345678', 0, { value: 'TP03000012345678', kind: 'cardNumber', valid: true, reason: null }],
    ['a@b', 1, { value: 'a@b', kind: 'email', valid: false, reason: 'INVALID_DOMAIN', messages: { zhTW: expect.any(String), en: expect.any(String) } }],
    ['???', 1, { value: '???', kind: 'unknown', valid: false, reason: 'UNRECOGNIZED', messages: { zhTW: expect.any(String), en: expect.any(String) } }],
  ])('%s --json → exit %i, exactly {value, kind, valid, reason} and, when invalid, the reason in both languages', async (value, exit, doc) => {
    const c = captureIo();
    expect(await idCheckCommand.run([value, '--json'], c.io)).toBe(exit);
    expect(JSON.parse(c.stdout())).toStrictEqual(doc);
  });

  it('prints a readable line without --json', async () => {
    const c = captureIo();
    expect(await idCheckCommand.run(['12345678'], c.io)).toBe(1);
    expect(c.stdout()).toBe('12345678\t統一編號 (business ID)\tinvalid: INVALID_CHECKSUM (the weighted digit sum 42 is not divisible by 5)\n');
  });

  it('gives the reason in Chinese under a zh_TW locale', async () => {
    const c = captureIo();
    c.io.env = { LANG: 'zh_TW.UTF-8' };
    expect(await idCheckCommand.run(['12345678'], c.io)).toBe(1);
    expect(c.stdout()).toMatch(/^12345678\t統一編號 \(business ID\)\tinvalid: INVALID_CHECKSUM \([^)]*[\u4e00-\u9fff][^)]*\)\n$/);
  });

  it('--legacy-business-id-rule switches the checksum rule', async () => {
    const c = captureIo();
    expect(await idCheckCommand.run(['04595252', '--legacy-business-id-rule', '--json'], c.io)).toBe(1);
  });

  it.each([[[]], [['a', 'b']]])('rejects %j with a UsageError', async (args) => {
    await expect(idCheckCommand.run(args, captureIo().io)).rejects.toBeInstanceOf(UsageError);
  });
});
