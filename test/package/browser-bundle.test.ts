import { spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, launchChromium } from '../browser/chromium.js';
import { built, packedProject, type PackedProject } from './support/packed-project.js';

/**
 * `twpki/browser` from the installed package, bundled by a page's own toolchain: Vite (Rollup) and esbuild,
 * resolving the package through its exports map for the browser. test/browser/browser-client-bundle.test.ts
 * bundles the sources; this looks at what npm users get: dist-browser/, as packed. The page must take nothing
 * of Node (no node: import, no Buffer or process polyfill a bundler would have to inject) and nothing of the
 * server side of twpki, stay within the client's size budget, and run in Chromium.
 */

/** The client's budget, minified and gzipped (as test/browser/browser-client-bundle.test.ts). */
const BUDGET_BYTES = 10 * 1024;
/** The one file of twpki a page may contain. */
const BROWSER_BUILD = 'node_modules/twpki/dist-browser/index.js';

const PAGE = `import { detect, sign, parseDistinguishedName, ComponentError, RetCode, retCodeMessage } from 'twpki/browser';
const name = parseDistinguishedName('CN=王小明,C=TW');
window.__twpki = { detect: typeof detect, sign: typeof sign, error: typeof ComponentError, ok: RetCode.OK, message: retCodeMessage(RetCode.OK), cn: JSON.stringify(name) };
`;

/** Vite's build, run as the project's own script (outside this test process and its NODE_ENV=test). */
const VITE_BUILD = `import { build } from 'vite';
const result = await build({ root: process.cwd(), configFile: false, logLevel: 'silent', mode: 'production', build: { write: false } });
const outputs = (Array.isArray(result) ? result : [result]).flatMap((r) => r.output);
process.stdout.write(JSON.stringify(outputs.map((o) => o.type === 'chunk'
  ? { fileName: o.fileName, code: o.code, modules: Object.keys(o.modules) }
  : { fileName: o.fileName, code: typeof o.source === 'string' ? o.source : Buffer.from(o.source).toString('latin1'), modules: [] })));
`;

interface Output {
  readonly fileName: string;
  readonly code: string;
  readonly modules: string[];
}

let project: PackedProject;
let vite: Output[] = [];

/** Runs Vite's production build of `main.js` (imported by index.html) in the project. */
function viteBuild(main: string): Output[] {
  project.write('main.js', main);
  const env = { ...process.env };
  delete env['NODE_ENV'];
  delete env['VITEST'];
  const run = spawnSync(process.execPath, ['vite-build.mjs'], { cwd: project.dir, encoding: 'utf8', env, timeout: 60_000, maxBuffer: 64 << 20 });
  if (run.status !== 0) throw new Error(`vite build exited ${run.status}: ${run.stderr}`);
  return JSON.parse(run.stdout) as Output[];
}

/**
 * The page's modules besides its own files and Vite's own runtime (`\0vite/…`, the module preload polyfill):
 * `node_modules/…` paths, or the stand-ins Vite puts for what a browser has not (`__vite-browser-external…`).
 */
function foreignModules(outputs: readonly Output[]): string[] {
  const modules = outputs.flatMap((o) => o.modules).map((m) => (m.startsWith(project.dir + '/') ? m.slice(project.dir.length + 1) : m));
  return [...new Set(modules.filter((m) => m !== 'main.js' && m !== 'index.html' && !m.startsWith('\0vite/')))].sort();
}

/** esbuild's browser bundle of a page whose whole script is `contents`, in the packed project. */
function pageBundle(contents: string) {
  return build({
    stdin: { contents, resolveDir: project.dir, sourcefile: 'page.js', loader: 'js' },
    absWorkingDir: project.dir,
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2020',
    minify: true,
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
}

const scripts = (outputs: readonly Output[]): Output[] => outputs.filter((o) => o.fileName.endsWith('.js'));

describe.runIf(built || process.env.CI === 'true')('twpki/browser bundled from the installed package', () => {
  beforeAll(() => {
    project = packedProject('twpki-browser-bundle-');
    project.provide('vite');
    project.write('index.html', '<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>twpki</title><script type="module" src="./main.js"></script>\n');
    project.write('vite-build.mjs', VITE_BUILD);
    vite = viteBuild(PAGE);
  }, 60_000);

  afterAll(() => project?.remove());

  it('Vite takes dist-browser/index.js and nothing else of twpki or Node', () => {
    expect(foreignModules(vite)).toEqual([BROWSER_BUILD]);
    for (const { fileName, code } of scripts(vite)) {
      expect(code, fileName).not.toMatch(/\bimport\s*[{("'*]|\brequire\(|node:|__vite-browser-external|\bBuffer\b|\bprocess\.\w/);
    }
  });

  it('Vite\'s page fits the client\'s budget, and drops what the page does not import', { timeout: 60_000 }, () => {
    const size = (outputs: readonly Output[]): number => gzipSync(Buffer.from(scripts(outputs).map((o) => o.code).join('\n')), { level: 9 }).length;
    const full = size(vite);
    expect(full).toBeGreaterThan(1000); // the real client, not an empty page
    expect(full).toBeLessThanOrEqual(BUDGET_BYTES);
    const codesOnly = viteBuild("import { RetCode } from 'twpki/browser';\nwindow.__twpki = { ok: RetCode.OK };\n");
    expect(foreignModules(codesOnly)).toEqual([BROWSER_BUILD]);
    expect(size(codesOnly)).toBeLessThan(full * 0.5);
    expect(scripts(codesOnly).map((o) => o.code).join('')).not.toContain('getTbs');
  });

  it('esbuild, for the browser, takes only the browser build: by import and by require', async () => {
    for (const [contents, file] of [
      ["import { detect } from 'twpki/browser'; console.log(detect);", BROWSER_BUILD],
      ["const { detect } = require('twpki/browser'); console.log(detect);", 'node_modules/twpki/dist-browser/index.cjs'],
    ] as const) {
      const result = await pageBundle(contents);
      expect(Object.keys(result.metafile.inputs).filter((i) => i !== 'page.js'), contents).toEqual([file]);
      expect(result.outputFiles[0]?.text, contents).not.toMatch(/node:|\bBuffer\b|\bprocess\.\w/);
    }
  });

  it('a page may bundle twpki/messages: error tables only, nothing of Node, the parsers or the card layers', async () => {
    const contents = "import { MessageCatalogue } from 'twpki/messages'; console.log(new MessageCatalogue().message('login.CHALLENGE_EXPIRED', 'zh-TW'));";
    const result = await pageBundle(contents);
    const text = result.outputFiles[0]?.text ?? '';
    expect(text).not.toMatch(/node:|\bBuffer\b|\bprocess\.\w|\brequire\(/);
    // What the catalogue needs and nothing more: no DER reader, certificate parser or verifier came along.
    expect(text).not.toMatch(/createPublicKey|subjectPublicKeyInfo|tbsCertificate/i);
    expect(gzipSync(Buffer.from(text), { level: 9 }).length).toBeLessThan(40 * 1024);
    const printed: string[] = [];
    new Function('console', text)({ log: (line: string) => printed.push(line) });
    expect(printed).toHaveLength(1);
    expect(printed[0]).toMatch(/[\u4e00-\u9fff]/);
  });

  it.runIf(chromiumAvailable())('Vite\'s page runs in Chromium', { timeout: 60_000 }, async () => {
    const files = new Map(vite.map((o) => [`/${o.fileName}`, o.code]));
    const server: Server = createServer((request, response) => {
      const path = request.url === '/' ? '/index.html' : (request.url ?? '');
      const body = files.get(path);
      if (body === undefined) {
        response.writeHead(404).end();
        return;
      }
      response.writeHead(200, { 'content-type': path.endsWith('.js') ? 'text/javascript; charset=utf-8' : 'text/html; charset=utf-8' });
      response.end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      const failures: string[] = [];
      page.on('pageerror', (error) => failures.push(error.message));
      page.on('console', (message) => {
        if (message.type() === 'error') failures.push(message.text());
      });
      await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      const loaded = await page.waitForFunction(() => (globalThis as unknown as { __twpki?: unknown }).__twpki).then((h) => h.jsonValue());
      expect(failures).toEqual([]);
      expect(loaded).toMatchObject({ detect: 'function', sign: 'function', error: 'function', ok: 0 });
      expect(JSON.parse((loaded as { cn: string }).cn)).toBeTruthy();
    } finally {
      await browser.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
