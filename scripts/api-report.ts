/**
 * The public API report: one text file per package entry point listing every
 * exported symbol with its kind and type, so a change of the public surface shows
 * up in review as a diff of `api-report/` and is always deliberate.
 *
 *   npm run api-report            rewrite api-report/ from the sources
 *   npm run api-report -- --check exit 1 and name the entries that differ
 *
 * `test/package/api-report.test.ts` runs the check in `npm test`.
 */
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const REPORT_DIR = join(ROOT, 'api-report');

const FORMAT = ts.TypeFormatFlags.NoTruncation | ts.TypeFormatFlags.WriteArrowStyleSignature | ts.TypeFormatFlags.UseAliasDefinedOutsideCurrentScope;

type ExportTarget = { import?: { types?: string } };

/**
 * Package subpath (`.`, `./cert`, …) → its source entry: the export's declaration
 * file (`./dist/fastify/index.d.ts`) names a tsup entry (`fastify/index` in outDir
 * `dist`), and tsup's config names that entry's source.
 */
async function entryPoints(): Promise<Map<string, string>> {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { exports: Record<string, ExportTarget | string> };
  const configs = (await import(pathToFileURL(join(ROOT, 'tsup.config.ts')).href)) as { default: unknown };
  const list = (Array.isArray(configs.default) ? configs.default : [configs.default]) as Array<{ entry: Record<string, string>; outDir?: string }>;
  const sources = new Map<string, string>();
  for (const config of list) {
    for (const [name, source] of Object.entries(config.entry)) sources.set(`${config.outDir ?? 'dist'}/${name}`, join(ROOT, source));
  }
  const entries = new Map<string, string>();
  for (const [subpath, target] of Object.entries(pkg.exports)) {
    const types = typeof target === 'string' ? undefined : target.import?.types;
    if (!types) continue; // ./package.json
    const source = sources.get(types.replace(/^\.\//, '').replace(/\.d\.ts$/, ''));
    if (!source) throw new Error(`package.json export ${subpath} (${types}) matches no tsup entry`);
    entries.set(subpath === '.' ? 'index' : subpath.slice(2), source);
  }
  return entries;
}

function kindOf(symbol: ts.Symbol): string {
  const f = symbol.flags;
  if (f & ts.SymbolFlags.Class) return 'class';
  if (f & ts.SymbolFlags.Interface) return 'interface';
  if (f & ts.SymbolFlags.TypeAlias) return 'type';
  if (f & ts.SymbolFlags.Enum) return 'enum';
  if (f & ts.SymbolFlags.Function) return 'function';
  if (f & ts.SymbolFlags.Module) return 'namespace';
  if (f & ts.SymbolFlags.Variable) return 'const';
  return 'symbol';
}

const SRC = join(ROOT, 'src');

/** Public, and declared by twpki (members inherited from `Error` or other libraries are not its surface). */
function isPublicMember(symbol: ts.Symbol): boolean {
  const decl = symbol.declarations?.[0];
  if (!decl) return true;
  if (!symbol.declarations?.some((d) => resolve(d.getSourceFile().fileName).startsWith(SRC))) return false;
  const mods = ts.getCombinedModifierFlags(decl);
  return !(mods & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) && !symbol.name.startsWith('#');
}

/**
 * A member's name as its source writes it. TypeScript names a symbol-keyed member `__@asyncDispose@294`, the number
 * being the symbol's id in this one program: it moved whenever an import was added anywhere, and the report with it,
 * though no signature had changed. Such a member is shown by its computed key (`[Symbol.asyncDispose]`).
 */
function memberName(symbol: ts.Symbol): string {
  if (!symbol.name.startsWith('__@')) return symbol.name;
  const name = symbol.declarations?.map((d) => ts.getNameOfDeclaration(d)).find((n) => n !== undefined && ts.isComputedPropertyName(n));
  if (name !== undefined) return name.getText();
  // No declaration to read (a synthesized member): the name without the program's id.
  return `[${symbol.name.slice(3).replace(/@\d+$/, '')}]`;
}

function membersOf(checker: ts.TypeChecker, type: ts.Type, at: ts.Node): string[] {
  return checker
    .getPropertiesOfType(type)
    .filter(isPublicMember)
    .map((m) => `    ${memberName(m)}${m.flags & ts.SymbolFlags.Optional ? '?' : ''}: ${checker.typeToString(checker.getTypeOfSymbolAtLocation(m, at), at, FORMAT)}`)
    .sort();
}

function describe(checker: ts.TypeChecker, exported: ts.Symbol): string[] {
  const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
  const decl = symbol.declarations?.[0];
  const kind = kindOf(symbol);
  const head = `${kind} ${exported.name}`;
  if (!decl) return [head];
  if (kind === 'namespace') return [`${head} (re-exported module)`];
  if (kind === 'class') {
    const lines = [head];
    const ctorType = checker.getTypeOfSymbolAtLocation(symbol, decl);
    for (const sig of ctorType.getConstructSignatures()) lines.push(`    new${checker.signatureToString(sig, decl, FORMAT)}`);
    const statics = checker.getPropertiesOfType(ctorType).filter((m) => m.name !== 'prototype' && isPublicMember(m));
    for (const s of statics.sort((a, b) => a.name.localeCompare(b.name))) {
      lines.push(`    static ${memberName(s)}: ${checker.typeToString(checker.getTypeOfSymbolAtLocation(s, decl), decl, FORMAT)}`);
    }
    lines.push(...membersOf(checker, checker.getDeclaredTypeOfSymbol(symbol), decl));
    return lines;
  }
  if (kind === 'interface') return [head, ...membersOf(checker, checker.getDeclaredTypeOfSymbol(symbol), decl)];
  if (kind === 'type' || kind === 'enum') return [`${head} = ${checker.typeToString(checker.getDeclaredTypeOfSymbol(symbol), decl, FORMAT | ts.TypeFormatFlags.InTypeAlias)}`];
  return [`${head}: ${checker.typeToString(checker.getTypeOfSymbolAtLocation(symbol, decl), decl, FORMAT)}`];
}

/** The report text of every entry point, by entry name. */
export async function buildApiReports(): Promise<Map<string, string>> {
  const entries = await entryPoints();
  const config = ts.getParsedCommandLineOfConfigFile(join(ROOT, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined });
  if (!config) throw new Error('cannot read tsconfig.json');
  const program = ts.createProgram({ rootNames: [...entries.values()], options: { ...config.options, noEmit: true } });
  const checker = program.getTypeChecker();
  const reports = new Map<string, string>();
  for (const [name, file] of entries) {
    const source = program.getSourceFile(file);
    const moduleSymbol = source && checker.getSymbolAtLocation(source);
    if (!moduleSymbol) throw new Error(`no module symbol for ${file}`);
    const exports = checker.getExportsOfModule(moduleSymbol).sort((a, b) => a.name.localeCompare(b.name));
    const body = exports.flatMap((e) => describe(checker, e));
    reports.set(name, [`# twpki${name === 'index' ? '' : `/${name}`}: ${exports.length} exports`, '', ...body, ''].join('\n'));
  }
  return reports;
}

function fileName(entry: string): string {
  return `${entry.replaceAll('/', '-')}.api.txt`;
}

/** Entries whose committed report differs from the sources (missing, changed or stale files). */
export function staleReports(reports: Map<string, string>): string[] {
  const wanted = new Set([...reports.keys()].map(fileName));
  let present: string[] = [];
  try {
    present = readdirSync(REPORT_DIR);
  } catch {
    // no reports yet: every entry is stale
  }
  const stale = present.filter((f) => !wanted.has(f));
  for (const [entry, text] of reports) {
    let committed: string | undefined;
    try {
      committed = readFileSync(join(REPORT_DIR, fileName(entry)), 'utf8');
    } catch {
      committed = undefined;
    }
    if (committed !== text) stale.push(fileName(entry));
  }
  return stale.sort();
}

function writeReports(reports: Map<string, string>): void {
  rmSync(REPORT_DIR, { recursive: true, force: true });
  mkdirSync(REPORT_DIR, { recursive: true });
  for (const [entry, text] of reports) writeFileSync(join(REPORT_DIR, fileName(entry)), text);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const reports = await buildApiReports();
  if (process.argv.includes('--check')) {
    const stale = staleReports(reports);
    if (stale.length > 0) {
      process.stderr.write(`api-report: the public API differs from api-report/ in ${stale.join(', ')}; review and run npm run api-report\n`);
      process.exit(1);
    }
    process.stdout.write('api-report: up to date\n');
  } else {
    writeReports(reports);
    process.stdout.write(`api-report: wrote ${reports.size} reports to api-report/\n`);
  }
}
