import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// What a backend that installs twpki loads: the static import graph of each
// production entry point. Test machinery (src/testing, @peculiar/x509 and its
// reflect-metadata polyfill) may only be reached through a dynamic import that
// a user asked for (`twpki demo`, `twpki agent --virtual`).

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
};
const TEST_KIT_PACKAGES = ['@peculiar/x509', 'reflect-metadata'];
const PRODUCTION_ENTRIES = [
  'index',
  'pcsc/index',
  'apdu/index',
  'apdu/advanced',
  'cert/index',
  'ems/index',
  'enroll/index',
  'enroll/pglite',
  'enroll/pg',
  'enroll/smtp',
  'agent/index',
  'browser/index',
  'messages/index',
  'challenge-store/index',
  'integrations/fastify',
  'integrations/express',
  'cli/main',
];

/** Runtime (not type-only) static import specifiers of one source file. */
function staticImports(source: string): string[] {
  const specs: string[] = [];
  const pattern = /^\s*(import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]/gm;
  for (const m of source.matchAll(pattern)) if (!m[2]) specs.push(m[3]!);
  return specs;
}

function packageName(spec: string): string {
  const parts = spec.split('/');
  return spec.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
}

/** Every source file and bare package reachable by static imports from `entry`. */
function staticGraph(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const todo = [join(ROOT, 'src', `${entry}.ts`)];
  while (todo.length > 0) {
    const file = todo.pop()!;
    if (files.has(file)) continue;
    files.add(file);
    for (const spec of staticImports(readFileSync(file, 'utf8'))) {
      if (spec.startsWith('.')) todo.push(resolve(dirname(file), spec.replace(/\.js$/, '.ts')));
      else if (!spec.startsWith('node:') && !builtinModules.includes(spec)) packages.add(packageName(spec));
    }
  }
  return { files, packages };
}

describe('the production import graph carries no test machinery', () => {
  it.each(PRODUCTION_ENTRIES)('src/%s.ts reaches no file of src/testing statically', (entry) => {
    const { files } = staticGraph(entry);
    const testing = [...files].map((f) => relative(ROOT, f)).filter((f) => f.startsWith('src/testing/'));
    expect(testing).toEqual([]);
    expect(files.size).toBeGreaterThan(1);
  });

  it.each(PRODUCTION_ENTRIES)('src/%s.ts imports only declared runtime dependencies', (entry) => {
    const declared = new Set([...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.optionalDependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {})]);
    const undeclared = [...staticGraph(entry).packages].filter((p) => !declared.has(p));
    expect(undeclared).toEqual([]);
    for (const p of TEST_KIT_PACKAGES) expect(staticGraph(entry).packages.has(p)).toBe(false);
  });

  it.each(['index', 'enroll/index'])('src/%s.ts loads no database driver or mail library (they have their own subpaths)', (entry) => {
    const { packages } = staticGraph(entry);
    expect([...packages].filter((p) => ['pg', '@electric-sql/pglite', 'nodemailer'].includes(p))).toEqual([]);
    expect(staticGraph('enroll/pg').packages.has('pg')).toBe(true);
  });

  it('the walker does follow imports (the test kit itself reaches x509 through its loader only)', () => {
    const { files } = staticGraph('testing/index');
    expect([...files].some((f) => f.endsWith('src/testing/pki/x509-loader.ts'))).toBe(true);
    expect([...files].some((f) => f.endsWith('src/testing/hicos/virtual-hicos-card.ts'))).toBe(true);
  });

  it('the test kit\'s packages are optional peers, not dependencies', () => {
    for (const p of TEST_KIT_PACKAGES) {
      expect(pkg.dependencies?.[p]).toBeUndefined();
      expect(pkg.peerDependencies?.[p]).toBeDefined();
      expect(pkg.peerDependenciesMeta?.[p]?.optional).toBe(true);
    }
    expect(pkg.dependencies?.['@peculiar/webcrypto']).toBeUndefined();
  });

  it('the database drivers and the mailer are optional peers, reached only from their own subpaths', () => {
    const drivers: Record<string, string> = { pg: 'enroll/pg', '@electric-sql/pglite': 'enroll/pglite', nodemailer: 'enroll/smtp' };
    for (const [p, entry] of Object.entries(drivers)) {
      expect(pkg.dependencies?.[p], p).toBeUndefined();
      expect(pkg.peerDependenciesMeta?.[p]?.optional, p).toBe(true);
      expect(staticGraph(entry).packages.has(p), p).toBe(true);
      const others = PRODUCTION_ENTRIES.filter((e) => e !== entry && staticGraph(e).packages.has(p));
      expect(others, p).toEqual([]);
    }
    for (const types of ['@types/pg', '@types/nodemailer']) {
      expect(pkg.dependencies?.[types], types).toBeUndefined();
      expect(pkg.peerDependenciesMeta?.[types]?.optional, types).toBe(true);
    }
  });

  it('the import scanner sees runtime imports and skips type-only ones', () => {
    const specs = staticImports(
      ["import { a, type B } from './a.js';", "import type { C } from './c.js';", "export { d } from './d.js';", "export type { E } from './e.js';", "import './side-effect.js';", "const m = await import('./lazy.js');"].join('\n'),
    );
    expect(specs).toEqual(['./a.js', './d.js', './side-effect.js']);
  });
});
