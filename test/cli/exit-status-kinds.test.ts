/**
 * What a failure's exit status says depends on what the command is for (src/cli/command.ts, `exitStatusOf`):
 * - a verdict command (`cert verify`, `sig verify`, `ems compare`, `id check`) keeps 1 for its negative answer and
 *   exits 5 when it failed without reaching one. Before, both were 1, so a script read "not trusted" or "not
 *   matching" into a run that had decided nothing;
 * - `readers` and `agent` exit 4 when PC/SC cannot be reached, as the card commands do. Before, 1.
 * The verdict commands' internal failures are made by mocking one module each uses (a failure no input can cause
 * is what "internal" means); pcscd is made unreachable by pointing the child's pcsc-lite at a socket that does not exist.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { applicationWith, EMS_RECORD } from '../ems/sample-data.js';
import { runCli } from './run-cli.js';

/** A real CA certificate: the check must fail inside, not on its input. */
const CERT = fileURLToPath(new URL('../../fixtures/ca/moica-g3.pem', import.meta.url));

/** Set by a test: the module call that fails as an internal error would. */
let failInside: 'trust' | 'json' | 'identify' | undefined;

vi.mock('../../src/cli/trust-directory.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/cli/trust-directory.js')>();
  return {
    ...real,
    readTrustDirectory: async (dir: string) => {
      if (failInside === 'trust') throw new TypeError('an internal fault while reading the trust directory');
      return real.readTrustDirectory(dir);
    },
  };
});

vi.mock('../../src/cli/json-input.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/cli/json-input.js')>();
  return {
    ...real,
    readJsonFile: async (path: string, what: string) => {
      if (failInside === 'json') throw new RangeError('an internal fault while reading JSON');
      return real.readJsonFile(path, what);
    },
  };
});

vi.mock('../../src/ems/index.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/ems/index.js')>();
  return {
    ...real,
    identify: (...args: Parameters<typeof real.identify>) => {
      if (failInside === 'identify') throw new Error('an internal fault while identifying');
      return real.identify(...args);
    },
  };
});

afterEach(() => {
  failInside = undefined;
});

const ROOT = join(import.meta.dirname, '../..');

function files(): { dir: string; cert: string; applicant: string; record: string } {
  const dir = mkdtempSync(join(tmpdir(), 'twpki-exit-kinds-'));
  const applicant = join(dir, 'a.json');
  const record = join(dir, 'r.json');
  writeFileSync(applicant, JSON.stringify(applicationWith({ companyName: '別家股份有限公司' })));
  writeFileSync(record, JSON.stringify(EMS_RECORD));
  return { dir, cert: CERT, applicant, record };
}

describe('a verdict command that reached no verdict exits 5, never its negative answer 1', () => {
  it('cert verify and sig verify: 5, with the failure reported (text and --json)', async () => {
    const { dir, cert } = files();
    failInside = 'trust';
    for (const command of [['cert', 'verify'], ['sig', 'verify']]) {
      const text = await runCli([...command, cert, '--anchors', dir]);
      expect(text.code).toBe(5);
      expect(text.stdout).not.toMatch(/TRUSTED|INVALID/);
      expect(text.stderr).toContain('internal fault');
      const json = await runCli([...command, cert, '--anchors', dir, '--json']);
      expect(json.code).toBe(5);
      expect(JSON.parse(json.stdout)).toHaveProperty('error');
    }
  });

  it('ems compare: 1 for a comparison that fails, 5 when the comparison itself failed', async () => {
    const { applicant, record } = files();
    const answered = await runCli(['ems', 'compare', '--applicant', applicant, '--record', record]);
    expect(answered.code).toBe(1);
    failInside = 'json';
    const failed = await runCli(['ems', 'compare', '--applicant', applicant, '--record', record]);
    expect(failed.code).toBe(5);
    expect(failed.stderr).toContain('internal fault');
  });

  it('id check: 1 for an invalid value, 5 when the check itself failed', async () => {
    expect((await runCli(['id', 'check', 'A123456788'])).code).toBe(1);
    failInside = 'identify';
    expect((await runCli(['id', 'check', 'A123456789'])).code).toBe(5);
  });

  it('usage errors stay 2 for the verdict commands', async () => {
    expect((await runCli(['cert', 'verify'])).code).toBe(2);
    expect((await runCli(['ems', 'compare'])).code).toBe(2);
  });
});

/** Runs `twpki <args>` in a child whose pcsc-lite looks for pcscd at a socket nobody listens on. */
async function withoutPcscd(args: string[]): Promise<{ code: number | null; stdout: string }> {
  const script = `import { main } from './src/cli/main.ts'; process.exitCode = await main(${JSON.stringify(args)});`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: ROOT,
    env: { ...process.env, PCSCLITE_CSOCK_NAME: join(tmpdir(), 'twpki-exit-kinds-no-pcscd.sock'), TWPKI_STATE_DIR: files().dir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { code, stdout };
}

describe('readers and agent exit 4 when PC/SC cannot be reached, as the card commands do', () => {
  it('readers --json: 4, naming the transport failure', async () => {
    const r = await withoutPcscd(['readers', '--json']);
    expect(r.code).toBe(4);
    expect(JSON.parse(r.stdout)).toMatchObject({ error: { code: expect.stringMatching(/^[A-Z_]+$/) } });
  }, 60_000);

  it('agent --json (PC/SC readers, not --virtual): 4 before it listens', async () => {
    const r = await withoutPcscd(['agent', '--port', '0', '--json']);
    expect(r.code).toBe(4);
    expect(r.stdout).not.toContain('"url"');
  }, 60_000);
});
