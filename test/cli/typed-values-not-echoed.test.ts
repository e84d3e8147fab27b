/**
 * A PIN typed in the wrong place (`--reader 48151623`, a PIN given as FILE or after an option) is not printed back
 * by the error that refuses it: errors stay in terminal scrollback and CI logs. The errors stay useful: they name
 * the option or argument and what is wrong, list the readers pcscd reports for a reader name that matches none,
 * and still show a value that cannot be a PIN (a path with a folder or an extension, a URL).
 * The reader cases need pcscd only to list readers (no card, no vpcd reader lock): without pcscd they fail with
 * NO_READER or SERVICE_UNAVAILABLE, which must not repeat the value either.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { choosePinReader } from '../../src/cli/card-access.js';
import { runCli, type CliRun } from './run-cli.js';

const PIN = '48151623';
/** pcscd is up (then it lists the vpcd readers, and a name that matches none is UNKNOWN_READER). */
const PCSCD = inject('pcscAvailable');
const NOWHERE = 'http://127.0.0.1:9';
const CA = new URL('../../fixtures/ca/grca-g1.pem', import.meta.url).pathname;

/** The `--json` error document of a run. */
function errorOf(run: CliRun): { code: string; message: string } {
  return (JSON.parse(run.stdout) as { error: { code: string; message: string } }).error;
}

/** Everything a run printed, both streams. */
const printed = (run: CliRun): string => run.stdout + run.stderr;

function thrown(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    return error as Error;
  }
  throw new Error('did not throw');
}

describe('a reader name that matches no reader', () => {
  const readers = [{ name: 'Agency 00', cardPresent: true }, { name: 'Citizen 01', cardPresent: false }];

  it('is not repeated; the error names --reader / TWPKI_READER and lists the readers there are', () => {
    const error = thrown(() => choosePinReader(readers, PIN));
    expect(error).toMatchObject({ code: 'UNKNOWN_READER' });
    expect(error.message).not.toContain(PIN);
    expect(error.message).toContain('--reader');
    expect(error.message).toContain('"Agency 00", "Citizen 01"');
    // Not even a name that cannot be a PIN: the list is what helps, and one rule is easier to trust.
    expect(thrown(() => choosePinReader(readers, 'Agency 0')).message).not.toContain('"Agency 0"');
  });

  for (const command of [['verify-pin', '--pin-stdin'], ['sign', '--in', CA, '--pin-stdin'], ['info']]) {
    it(`${command[0]} --reader PIN: exit without a prompt, the value not printed`, async () => {
      const run = await runCli([...command, '--reader', PIN, '--json'], '123456\n');
      expect(run.code).not.toBe(0);
      const error = errorOf(run);
      expect(PCSCD ? ['UNKNOWN_READER'] : ['UNKNOWN_READER', 'NO_READER', 'SERVICE_UNAVAILABLE']).toContain(error.code);
      expect(printed(run)).not.toContain(PIN);
      expect(printed(run)).not.toContain('123456');
      if (error.code === 'UNKNOWN_READER') expect(error.message).toMatch(/--reader .*; readers: "/);
      const text = await runCli([...command, '--reader', PIN], '123456\n');
      expect(printed(text)).not.toContain(PIN);
    });
  }

  it('from TWPKI_READER: the error says so, and does not repeat it', async () => {
    const run = await runCli(['info', '--json'], '', { TWPKI_READER: PIN });
    expect(printed(run)).not.toContain(PIN);
    if (PCSCD) expect(errorOf(run).message).toMatch(/^no reader has the name given with TWPKI_READER .*; readers: "/);
  });

  it('doctor --reader PIN: the readers check lists the readers, in both languages, without the value', async () => {
    const run = await runCli(['doctor', '--reader', PIN, '--json', '--agent-url', NOWHERE]);
    expect(printed(run)).not.toContain(PIN);
    const readersCheck = (JSON.parse(run.stdout) as { checks: Array<{ id: string; detail?: string; detailZhTW?: string }> }).checks.find((c) => c.id === 'readers');
    expect(readersCheck !== undefined).toBe(PCSCD);
    if (readersCheck !== undefined) {
      expect(readersCheck.detail).toMatch(/--reader .*; readers: /);
      expect(readersCheck.detailZhTW).toContain('現有讀卡機');
    }
    const zh = await runCli(['doctor', '--reader', PIN, '--agent-url', NOWHERE], '', { LANG: 'zh_TW.UTF-8' });
    expect(printed(zh)).not.toContain(PIN);
  });
});

describe('a file argument that could be a PIN', () => {
  const dir = mkdtempSync(join(tmpdir(), 'twpki-not-echoed-'));
  const some = join(dir, 'some.p7s');
  writeFileSync(some, 'not a signature');
  const record = join(dir, 'record.json');
  writeFileSync(record, '{}');

  const cases: Array<[string, string[], RegExp]> = [
    ['sign --in PIN', ['sign', '--in', PIN, '--pin-stdin'], /^cannot read --in FILE \(not repeated here: it could be a PIN\): ENOENT/],
    ['cert inspect PIN', ['cert', 'inspect', PIN], /^cannot read FILE \(not repeated here: it could be a PIN\): ENOENT/],
    ['cert verify PIN', ['cert', 'verify', PIN, '--anchors', dir], /^cannot read FILE \(not repeated here: it could be a PIN\): ENOENT/],
    ['cert verify --anchors PIN', ['cert', 'verify', CA, '--anchors', PIN], /^cannot read directory --anchors DIR \(not repeated here: it could be a PIN\): ENOENT/],
    ['sig verify PIN', ['sig', 'verify', PIN, '--anchors', dir], /^cannot read FILE \(not repeated here: it could be a PIN\): ENOENT/],
    ['sig verify --content PIN', ['sig', 'verify', some, '--content', PIN, '--anchors', dir], /^cannot read --content FILE \(not repeated here: it could be a PIN\): ENOENT/],
    ['ems compare --applicant PIN', ['ems', 'compare', '--applicant', PIN, '--record', record], /^cannot read applicant file \(its name is not repeated here: it could be a PIN\): ENOENT/],
  ];

  for (const [name, args, message] of cases) {
    it(`${name}: exit 2, the error says which file and why, without the value`, async () => {
      const run = await runCli([...args, '--json'], '123456\n');
      expect(run.code, printed(run)).toBe(2);
      expect(errorOf(run).message).toMatch(message);
      // One code for a file a command cannot read, whichever command (sign said USAGE).
      expect(errorOf(run).code).toBe('UNREADABLE_FILE');
      expect(printed(run)).not.toContain(PIN);
      const text = await runCli(args, '123456\n');
      expect(text.code).toBe(2);
      expect(printed(text)).not.toContain(PIN);
    });
  }

  it('a path that cannot be a PIN is still shown: it is what the user needs to fix a typo', async () => {
    const missing = join(dir, 'missing.pem');
    for (const args of [['cert', 'inspect', missing], ['sign', '--in', missing, '--pin-stdin'], ['ems', 'compare', '--applicant', missing, '--record', record]]) {
      const run = await runCli([...args, '--json']);
      expect([args[0], errorOf(run).message]).toEqual([args[0], expect.stringContaining(`${missing}: ENOENT`)]);
    }
    const anchors = await runCli(['cert', 'verify', CA, '--anchors', join(dir, 'no-such-dir'), '--json']);
    expect(errorOf(anchors).message).toBe(`cannot read directory ${join(dir, 'no-such-dir')}: ENOENT`);
  });
});

describe('an option value that could be a PIN', () => {
  const cases: Array<[string, string[], RegExp]> = [
    ['cert verify --at', ['cert', 'verify', CA, '--anchors', '.', '--at', PIN], /^--at: not an ISO date/],
    ['sig verify --sha1-until', ['sig', 'verify', CA, '--anchors', '.', '--allow-sha1', '--sha1-until', PIN], /^--sha1-until: not an ISO date/],
    ['doctor --agent-url', ['doctor', '--agent-url', PIN], /^--agent-url must be http\(s\):\/\/host\[:port\], got a value not repeated here/],
    ['doctor --origin', ['doctor', '--origin', PIN], /^--origin must be a page origin/],
    ['agent --port', ['agent', '--virtual', '--port', PIN], /^--port must be a TCP port, got a value not repeated here/],
    ['virtual-card --port', ['virtual-card', '--port', PIN], /^--port must be a TCP port, got a value not repeated here/],
    ['agent --trust', ['agent', '--virtual', '--port', '0', '--trust', `${PIN}!`], /^--trust not a host name or origin: a value not repeated here/],
    // Digits alone parse as an IPv4 address (refused as a host no page is served from); the address would give the digits back.
    ['agent --trust (digits alone)', ['agent', '--virtual', '--port', '0', '--trust', PIN], /^--trust not a host name or origin: a value not repeated here/],
    ['ems compare --policy', ['ems', 'compare', '--applicant', CA, '--record', CA, '--policy', PIN], /^--policy: unknown comparison policy \(not repeated here: it could be a PIN\); use strict or normalized/],
  ];

  for (const [name, args, message] of cases) {
    it(`${name}: exit 2, the error names the option, without the value`, async () => {
      const run = await runCli([...args, '--json']);
      expect(run.code, printed(run)).toBe(2);
      expect(errorOf(run).message).toMatch(message);
      expect(printed(run)).not.toContain(PIN);
    });
  }

  it('a value that cannot be a PIN is still shown', async () => {
    expect(errorOf(await runCli(['doctor', '--agent-url', 'ftp://x', '--json'])).message).toContain('got "ftp://x"');
    expect(errorOf(await runCli(['virtual-card', '--port', 'x', '--json'])).message).toContain('got "x"');
    expect(errorOf(await runCli(['cert', 'verify', CA, '--anchors', '.', '--at', '2026-12-02T25:00:00', '--json'])).message).toContain('2026-12-02T25:00:00');
    expect(errorOf(await runCli(['agent', '--virtual', '--port', '0', '--trust', 'not a url', '--json'])).message).toContain('not a url');
    expect(errorOf(await runCli(['agent', '--virtual', '--port', '0', '--trust', '127.1', '--json'])).message).toBe(
      '--trust not a host name as browsers write it: "127.1" is read as 127.0.0.1; trust 127.0.0.1 instead',
    );
  });
});
