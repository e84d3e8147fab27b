import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * The guides' and the README's TypeScript snippets are what a new user copies
 * first, so they must compile against the public API as it is: an import of
 * a name twpki does not export, a renamed option or method, an argument of the
 * wrong type is a failure here. Snippets are fragments, so the names they
 * leave to the reader (`token`, `session`, `app`, their own helpers) are not
 * errors: every diagnostic about a name with no declaration is dropped, and
 * such a name is `any` to the checker. Everything else strict mode reports
 * counts.
 */

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Diagnostics that only say the snippet uses a name it leaves to the reader. */
const FREE_NAME_CODES = new Set([
  2304, // Cannot find name 'x'.
  2552, // Cannot find name 'x'. Did you mean 'y'?
  18004, // No value exists in scope for the shorthand property 'x'.
  7005, // Variable 'x' implicitly has an 'any' type.
  7006, // Parameter 'x' implicitly has an 'any' type (a callback whose caller is left out).
  7031, // Binding element 'x' implicitly has an 'any' type.
]);

interface Snippet {
  /** Where it starts, `docs/guides/x.md:12`. */
  readonly where: string;
  /** The virtual file it is checked as. */
  readonly path: string;
  readonly text: string;
  /** A page's script: checked with the browser's library (DOM) instead of Node's types. */
  readonly page: boolean;
}

/** Every name a user can import, and the entry points that export it (`twpki/cert`, …), read by the compiler. */
function exportedNames(options: ts.CompilerOptions): ReadonlyMap<string, readonly string[]> {
  const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { exports: Record<string, unknown> };
  const specifiers = Object.keys(manifest.exports)
    .filter((k) => k !== './package.json')
    .map((k) => (k === '.' ? 'twpki' : `twpki/${k.slice(2)}`));
  const path = join(ROOT, 'docs', 'guides', '__exports.ts');
  const text = specifiers.map((s, i) => `import * as m${i} from '${s}';`).join('\n') + '\nexport {};\n';
  const host = ts.createCompilerHost(options, true);
  const base = { fileExists: host.fileExists.bind(host), readFile: host.readFile.bind(host), getSourceFile: host.getSourceFile.bind(host) };
  host.fileExists = (p) => p === path || base.fileExists(p);
  host.readFile = (p) => (p === path ? text : base.readFile(p));
  host.getSourceFile = (p, language, onError, fresh) =>
    p === path ? ts.createSourceFile(p, text, language, true) : base.getSourceFile(p, language, onError, fresh);
  const program = ts.createProgram({ rootNames: [path], options, host });
  const checker = program.getTypeChecker();
  const file = program.getSourceFile(path);
  const names = new Map<string, string[]>();
  file?.statements.forEach((statement, i) => {
    if (!ts.isImportDeclaration(statement)) return;
    const module = checker.getSymbolAtLocation(statement.moduleSpecifier);
    if (module === undefined) throw new Error(`${specifiers[i]} does not resolve`);
    for (const symbol of checker.getExportsOfModule(module)) names.set(symbol.name, [...(names.get(symbol.name) ?? []), specifiers[i] ?? '']);
  });
  return names;
}

/** The name a "cannot find name" diagnostic is about (its first quoted word). */
function freeName(d: ts.Diagnostic): string | undefined {
  return /'([^']+)'/.exec(ts.flattenDiagnosticMessageText(d.messageText, ' '))?.[1];
}

/** Diagnostics of a name not found, as opposed to an implicit any. */
const NOT_FOUND_CODES = new Set([2304, 2552, 18004]);

/** The page's bundle, as the browser guide serves it, is `twpki/browser`. */
const BROWSER_BUNDLE = /from '\/assets\/twpki-browser\.js'/g;

/**
 * The `ts` blocks of a markdown file, and the module scripts of its `html`
 * blocks (a page's code, importing the served bundle).
 */
function snippetsOf(markdownPath: string): Snippet[] {
  const markdown = readFileSync(markdownPath, 'utf8');
  const out: Snippet[] = [];
  const fence = /```(ts|html)\n([\s\S]*?)```/g;
  for (let m = fence.exec(markdown); m !== null; m = fence.exec(markdown)) {
    const page = m[1] === 'html';
    let code = m[2] ?? '';
    let line = markdown.slice(0, m.index).split('\n').length + 1;
    if (page) {
      const script = /<script type="module">\n([\s\S]*?)<\/script>/.exec(code);
      if (script === null) continue;
      line += code.slice(0, script.index).split('\n').length;
      code = (script[1] ?? '').replace(BROWSER_BUNDLE, "from 'twpki/browser'");
    }
    const where = `${relative(ROOT, markdownPath)}:${line}`;
    // Next to the guide, so relative resolution matches the repository; `export {}` makes it a module (top-level await).
    out.push({ where, path: join(dirname(markdownPath), `__snippet_${out.length}_${line}.ts`), text: `${code}\nexport {};\n`, page });
  }
  return out;
}

function allSnippets(): Snippet[] {
  const guides = join(ROOT, 'docs', 'guides');
  const files = [join(ROOT, 'README.md'), ...readdirSync(guides).filter((f) => f.endsWith('.md')).map((f) => join(guides, f))];
  return files.flatMap(snippetsOf);
}

/**
 * Type-checks `snippets` with the repository's compiler options (page
 * scripts with the browser's library instead of Node's types); one line per
 * diagnostic that is not about a free name.
 */
function check(snippets: readonly Snippet[]): string[] {
  return [
    ...checkWith(snippets.filter((s) => !s.page), {}),
    ...checkWith(snippets.filter((s) => s.page), { lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'], types: [] }),
  ];
}

function checkWith(snippets: readonly Snippet[], overrides: ts.CompilerOptions): string[] {
  if (snippets.length === 0) return [];
  const configPath = join(ROOT, 'tsconfig.json');
  const config = ts.readConfigFile(configPath, (p) => ts.sys.readFile(p));
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, ROOT, { noEmit: true }, configPath);
  parsed.options = { ...parsed.options, ...overrides };
  const byPath = new Map(snippets.map((s) => [s.path, s]));
  const host = ts.createCompilerHost(parsed.options, true);
  const baseGetSourceFile = host.getSourceFile.bind(host);
  const baseFileExists = host.fileExists.bind(host);
  const baseReadFile = host.readFile.bind(host);
  host.fileExists = (p) => byPath.has(p) || baseFileExists(p);
  host.readFile = (p) => byPath.get(p)?.text ?? baseReadFile(p);
  host.getSourceFile = (p, language, onError, fresh) => {
    const snippet = byPath.get(p);
    return snippet ? ts.createSourceFile(p, snippet.text, language, true) : baseGetSourceFile(p, language, onError, fresh);
  };
  const program = ts.createProgram({ rootNames: [...byPath.keys()], options: parsed.options, host });
  const exported = exportedNames(parsed.options);
  const problems: string[] = [];
  for (const snippet of snippets) {
    const file = program.getSourceFile(snippet.path);
    if (file === undefined) {
      problems.push(`${snippet.where}: not compiled`);
      continue;
    }
    const diagnostics = [...program.getSyntacticDiagnostics(file), ...program.getSemanticDiagnostics(file)];
    for (const d of diagnostics) {
      const line = d.start === undefined ? 0 : file.getLineAndCharacterOfPosition(d.start).line;
      // A name left to the reader, unless twpki exports it: then the snippet forgot its import, and copied alone
      // (as readers copy them) it stops at a ReferenceError.
      const name = NOT_FOUND_CODES.has(d.code) ? freeName(d) : undefined;
      const from = name === undefined ? undefined : exported.get(name);
      if (from !== undefined) {
        problems.push(`${snippet.where} (+${line}): ${name} is used without an import (exported by ${from.join(', ')})`);
        continue;
      }
      if (FREE_NAME_CODES.has(d.code)) continue;
      problems.push(`${snippet.where} (+${line}): TS${d.code} ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`);
    }
  }
  return problems;
}

describe('TypeScript snippets and page scripts of the README and the guides', () => {
  it('compile against the public API (names left to the reader aside)', { timeout: 120_000 }, () => {
    const snippets = allSnippets();
    expect(snippets.length).toBeGreaterThan(20);
    expect(check(snippets)).toEqual([]);
  });

  it('the check reports a wrong import, a wrong option and a wrong argument, and only free names pass', { timeout: 120_000 }, () => {
    const path = join(ROOT, 'docs', 'guides', '__snippet_self_check.ts');
    const text = [
      "import { LoginVerifierBuilder, NoSuchThing } from 'twpki/cert';",
      "import { PcscContext } from 'twpki/pcsc';",
      'const verifier = new LoginVerifierBuilder().withAllowedOrigins(42).build();',
      'await PcscContext.establish({ startupTimeout: 5 });',
      'await verifier.verify(tokenFromThePage, { sessionId });',
      'const card = await HiCOSCard.open(session);',
      'export {};',
    ].join('\n');
    const problems = check([{ where: 'self-check', path, text, page: false }]);
    expect(problems).toHaveLength(4);
    expect(problems[0]).toMatch(/\(\+0\): TS2305 .*NoSuchThing/);
    expect(problems[1]).toMatch(/\(\+2\): TS2345 .*number/);
    expect(problems[2]).toMatch(/\(\+3\): TS2561 .*startupTimeout/);
    // twpki's own name, used without its import (the reader's `session` still passes).
    expect(problems[3]).toBe('self-check (+5): HiCOSCard is used without an import (exported by twpki/apdu)');
  });
});
