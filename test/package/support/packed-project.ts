import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * A user's project with twpki as `npm install twpki` leaves it, for the packaging tests that look at the
 * install from a toolchain's side (test/package/consumer-types.test.ts, test/package/browser-bundle.test.ts):
 * the tarball `npm pack` makes from the built dist/ and dist-browser/ (npm ci builds them), unpacked into the
 * project's node_modules, and whatever else the project has linked from this checkout's node_modules, as an
 * install would have put it there. No registry is asked: CI has this checkout's node_modules, not the network.
 * packed-install.test.ts uses it too.
 */

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
/** Whether dist/ and dist-browser/ are there to pack (CI builds them; a fresh checkout without them skips). */
export const built = existsSync(join(ROOT, 'dist', 'index.js')) && existsSync(join(ROOT, 'dist-browser', 'index.js'));

export const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  exports: Record<string, unknown>;
  dependencies: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
};

/** Every subpath a user can import, `twpki`, `twpki/pcsc`, …. */
export const SPECIFIERS = Object.keys(manifest.exports)
  .filter((k) => k !== './package.json')
  .map((k) => (k === '.' ? 'twpki' : `twpki/${k.slice(2)}`));

export interface PackedProject {
  /** The project's directory. */
  readonly dir: string;
  /** The packed tarball, in `dir`. */
  readonly tarball: string;
  /** Links `name` from this checkout's node_modules into the project's (a no-op when the checkout lacks it). */
  provide(name: string): void;
  /** Writes `file` (relative to `dir`, folders made); its absolute path. */
  write(file: string, text: string): string;
  /** Deletes the project. */
  remove(): void;
}

/**
 * Packs twpki and unpacks it into a new project (`package.json`: an ES module package), with its dependencies
 * and its optional dependency linked in; nothing else. One per test file: packing takes a few seconds.
 */
export function packedProject(prefix: string): PackedProject {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  const [packed] = JSON.parse(
    execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: ROOT, encoding: 'utf8' }),
  ) as Array<{ filename: string }>;
  const tarball = join(dir, packed?.filename ?? '');
  const target = join(dir, 'node_modules', 'twpki');
  mkdirSync(target, { recursive: true });
  execFileSync('tar', ['xzf', tarball, '-C', target, '--strip-components=1']);
  const provide = (name: string): void => {
    const from = join(ROOT, 'node_modules', name);
    if (!existsSync(from)) return; // an optional dependency that did not install (smartcard without a toolchain)
    const to = join(dir, 'node_modules', name);
    mkdirSync(dirname(to), { recursive: true });
    if (!existsSync(to)) symlinkSync(from, to, 'dir');
  };
  for (const name of [...Object.keys(manifest.dependencies), ...Object.keys(manifest.optionalDependencies ?? {})]) provide(name);
  return {
    dir,
    tarball,
    provide,
    write(file, text) {
      const path = join(dir, file);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, text);
      return path;
    },
    remove() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
