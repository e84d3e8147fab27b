import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The built package as Node resolves it by name, what test/package/packed-install.test.ts does not look at:
 * that every file the manifest points at is packed; that `import` and `require` of a subpath give the same
 * module (the `module-sync` condition: one copy of each class, so `instanceof` holds across the two); that the
 * CommonJS build, which only tools without `module-sync` (Jest, webpack) still load, has the same exports; that a
 * backend importing only `twpki/cert` and `twpki/enroll` loads nothing of the test kit. The scripts run in this
 * checkout, where `twpki/...` resolves through the package's own exports map to dist/, as in an install.
 */

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const built = existsSync(join(ROOT, 'dist', 'index.js'));

type Conditional = Record<string, { types: string; default: string }>;
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  main: string;
  module: string;
  types: string;
  bin: Record<string, string>;
  exports: Record<string, Conditional | string>;
};
const conditional = Object.entries(pkg.exports).filter((e): e is [string, Conditional] => typeof e[1] !== 'string');
const specifier = (subpath: string): string => (subpath === '.' ? 'twpki' : `twpki/${subpath.slice(2)}`);
const SPECIFIERS = conditional.map(([subpath]) => specifier(subpath));
const TEST_KIT = /createTestPki|VirtualHiCOSCard|VpcdBridge|loadX509/;
const TEST_KIT_PEERS = /[\\/]node_modules[\\/](@peculiar[\\/]x509|reflect-metadata|tsyringe)[\\/]/;

let scratch = '';

/** Runs an ES module script with the checkout as its directory; its stdout, or the failure with stderr. */
function run(source: string, nodeArgs: string[] = []): string {
  const result = spawnSync(process.execPath, [...nodeArgs, '--input-type=module', '-e', source], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 30_000,
  });
  if (result.status !== 0) throw new Error(`exited ${result.status}: ${result.stderr}`);
  return result.stdout;
}

/** What {@link loadAll}'s script found. */
interface Loaded {
  /** Exports that differ between `import` and `require` of a subpath, and whether a thrown error is one class across both. */
  readonly identity: { differ: Record<string, string[]>; instance: boolean };
  /** The subpaths whose CommonJS build has other exports than their ES module build. */
  readonly cjsDiffer: string[];
}

let loaded: Loaded | undefined;

/**
 * Loads every subpath by `import` and by `require`, then each CommonJS build file by its path, in one Node process
 * for the two tests that look at what loads: each was a Node start loading the whole build. The module-sync
 * comparison runs first, before any CommonJS build file is loaded, as in a process of its own.
 */
function loadAll(): Loaded {
  loaded ??= JSON.parse(
    run(`import { createRequire } from 'node:module';
const require = createRequire(process.cwd() + '/');
const differ = {};
for (const s of ${JSON.stringify(SPECIFIERS)}) {
  const esm = await import(s), cjs = require(s);
  const keys = [...new Set([...Object.keys(esm), ...Object.keys(cjs)])];
  const odd = keys.filter((k) => esm[k] !== cjs[k]);
  if (odd.length > 0) differ[s] = odd;
}
const { TwpkiError } = await import('twpki');
let caught;
try { require('twpki/cert').parseCertificate('not a certificate'); } catch (e) { caught = e; }
const { CertificateParseError } = await import('twpki/cert');
const identity = { differ, instance: caught instanceof CertificateParseError && caught instanceof TwpkiError };
const targets = ${JSON.stringify(conditional.map(([subpath, t]) => [specifier(subpath), t['require']?.default]))};
const cjsDiffer = [];
for (const [s, file] of targets) {
  const cjs = Object.keys(require('./' + file.slice(2))).sort().join();
  const esm = Object.keys(await import(s)).sort().join();
  if (cjs !== esm) cjsDiffer.push(s);
}
process.stdout.write(JSON.stringify({ identity, cjsDiffer }));`),
  ) as Loaded;
  return loaded;
}

describe.runIf(built || process.env.CI === 'true')('twpki resolved by name from its build', () => {
  beforeAll(() => {
    scratch = mkdtempSync(join(tmpdir(), 'twpki-packaging-'));
  });

  afterAll(() => {
    if (scratch !== '') rmSync(scratch, { recursive: true, force: true });
  });

  it('packs every file that main, module, types, bin and each export condition names', () => {
    const [packed] = JSON.parse(
      execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8' }),
    ) as Array<{ files: Array<{ path: string }> }>;
    const files = new Set(packed?.files.map((f) => f.path));
    const named = [pkg.main, pkg.module, pkg.types, ...Object.values(pkg.bin)];
    for (const [, target] of conditional) for (const c of Object.values(target)) named.push(c.types, c.default);
    expect(named.map((p) => p.replace(/^\.\//, '')).filter((p) => !files.has(p))).toEqual([]);
  });

  it('names no build-machine path in its source maps (tsup.config.ts relativeMapSources)', () => {
    const absolute: string[] = [];
    for (const dir of ['dist', 'dist-browser']) {
      for (const name of readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' })) {
        if (!name.endsWith('.map')) continue;
        const map = JSON.parse(readFileSync(join(ROOT, dir, name), 'utf8')) as { sources: string[]; file?: string };
        if (map.sources.some((s) => isAbsolute(s)) || (map.file !== undefined && isAbsolute(map.file))) absolute.push(`${dir}/${name}`);
      }
    }
    expect(absolute, 'stale dist/? run npm run build').toEqual([]);
  });

  it('gives import and require one module per subpath: the same classes and functions', () => {
    for (const [subpath, target] of conditional) {
      // module-sync first, and the same file as import: Node >= 20.19 then loads the ES module build for require too.
      expect(Object.keys(target)[0], subpath).toBe('module-sync');
      expect(target['module-sync'], subpath).toEqual(target['import']);
    }
    const { identity } = loadAll();
    expect(identity).toEqual({ differ: {}, instance: true });
  });

  it('has a CommonJS build, for tools without module-sync, with the exports of the ES module build', () => {
    const { cjsDiffer } = loadAll();
    expect(cjsDiffer).toEqual([]);
  });

  it('loads nothing of the test kit or its peers for a backend importing twpki/cert and twpki/enroll', () => {
    const hooks = join(scratch, 'log-hooks.mjs');
    writeFileSync(hooks, `export async function resolve(s, c, next) { const r = await next(s, c); process._rawDebug('RESOLVED ' + r.url); return r; }`);
    const register = join(scratch, 'log-register.mjs');
    writeFileSync(register, `import { register } from 'node:module'; register(${JSON.stringify(pathToFileURL(hooks).href)});`);
    const result = spawnSync(
      process.execPath,
      ['--import', register, '--input-type=module', '-e', "await import('twpki/cert'); await import('twpki/enroll');"],
      { cwd: ROOT, encoding: 'utf8', timeout: 30_000 },
    );
    expect(result.status, result.stderr).toBe(0);
    const loaded = result.stderr
      .split('\n')
      .filter((l) => l.startsWith('RESOLVED file:'))
      .map((l) => fileURLToPath(l.slice('RESOLVED '.length)));
    expect(loaded.some((f) => f.startsWith(join(ROOT, 'dist', 'enroll')))).toBe(true);
    expect(loaded.filter((f) => TEST_KIT_PEERS.test(f))).toEqual([]);
    const ours = loaded.filter((f) => f.startsWith(join(ROOT, 'dist') + '/'));
    expect(ours.filter((f) => TEST_KIT.test(readFileSync(f, 'utf8')))).toEqual([]);

    // The CommonJS build, as Jest or webpack would load it.
    const cjs = run(`import { createRequire } from 'node:module';
const require = createRequire(process.cwd() + '/');
require('./dist/cert/index.cjs'); require('./dist/enroll/index.cjs');
process.stdout.write(JSON.stringify(Object.keys(require.cache)));`);
    const required = JSON.parse(cjs) as string[];
    expect(required.filter((f) => TEST_KIT_PEERS.test(f))).toEqual([]);
    expect(required.filter((f) => f.startsWith(join(ROOT, 'dist') + '/') && TEST_KIT.test(readFileSync(f, 'utf8')))).toEqual([]);
  });

  it.each([
    ['the test kit peers', ['reflect-metadata', '@peculiar/x509'], '@peculiar/x509 reflect-metadata'],
    ['PGlite', ['@electric-sql/pglite'], '@electric-sql/pglite'],
    ['all of them', ['reflect-metadata', '@peculiar/x509', '@electric-sql/pglite'], '@peculiar/x509 reflect-metadata @electric-sql/pglite'],
  ])('`twpki demo` without %s prints what to install, all at once, and exits', (what, denied, install) => {
    const hooks = join(scratch, `deny-hooks-${denied.length}-${denied[0]?.length ?? 0}.mjs`);
    writeFileSync(
      hooks,
      `const denied = ${JSON.stringify(denied)};
export async function resolve(s, c, next) {
  if (denied.some((d) => s === d || s.startsWith(d + '/'))) throw Object.assign(new Error("Cannot find package '" + s + "'"), { code: 'ERR_MODULE_NOT_FOUND' });
  return next(s, c);
}`,
    );
    const register = join(scratch, `deny-register-${denied.length}-${denied[0]?.length ?? 0}.mjs`);
    writeFileSync(register, `import { register } from 'node:module'; register(${JSON.stringify(pathToFileURL(hooks).href)});`);
    const result = spawnSync(process.execPath, ['--import', register, join(ROOT, 'bin', 'twpki.mjs'), 'demo'], {
      cwd: scratch,
      encoding: 'utf8',
      // Bounds a hang, not the speed: a cold node start beside the whole suite on two cores took over 8 s once.
      timeout: 20_000,
    });
    expect(result.stderr, what).toContain('TEST_KIT_DEPENDENCY_MISSING');
    expect(result.stderr, what).toContain(`npm install --save-dev ${install})`);
    expect(result.status, what).toBe(1); // null: killed at the timeout
  });
});
