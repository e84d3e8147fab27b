/**
 * Running a guide's snippet as written: its imports resolved to the source, the names it leaves to the reader
 * given, and the few places that are the reader's machine (paths, a server's address, `process.env`) replaced —
 * each replacement must find its text, so a guide that changes fails here rather than running something else.
 * And the guides' store rule: a snippet that opens PostgreSQL when `DATABASE_URL` is set and PGlite otherwise
 * runs both ways.
 */
import { join } from 'node:path';
import ts from 'typescript';
import { expect, it } from 'vitest';
import { freshSchemaUrl, getDatabaseUrl } from '../../enroll/helpers.js';
import { copyBareDataDir } from '../../enroll/support/pglite-template.js';

/** The first fenced block of `lang` in `guide` (`name` for the error). */
export function guideBlock(guide: string, name: string, lang: string): string {
  const m = new RegExp('```' + lang + '\\n([\\s\\S]*?)```').exec(guide);
  if (m?.[1] === undefined) throw new Error(`${name} has no ${lang} block`);
  return m[1];
}

/** What {@link runGuideSnippet} runs. */
export interface GuideSnippetRun {
  /** The snippet's TypeScript. */
  readonly snippet: string;
  /** Text of the reader's machine in the snippet, and what stands for it here (`process.env.X` → `__env.X`). */
  readonly replace: ReadonlyArray<readonly [from: string, to: string]>;
  /** The module each import specifier resolves to. */
  readonly modules: Readonly<Record<string, unknown>>;
  /** The snippet's `__env` (its `process.env`, once replaced). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The names the snippet uses without defining them; also reachable as `__free.<name>`. */
  readonly free: Readonly<Record<string, unknown>>;
  /** The snippet's own names to hand back, once it has run. */
  readonly returns: readonly string[];
}

/** Runs the snippet and answers its `returns` names. */
export async function runGuideSnippet<T>(run: GuideSnippetRun): Promise<T> {
  let placed = run.snippet;
  for (const [from, to] of run.replace) {
    if (!placed.includes(from)) throw new Error(`the snippet no longer has ${from}: update this test`);
    placed = placed.replaceAll(from, to);
  }
  const js = ts.transpileModule(placed, { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext } }).outputText;
  const imports = /^import \{([^}]*)\} from '([^']+)';$/gm;
  const body = js.replace(imports, (_, names: string, from: string) => `const {${names}} = __import(${JSON.stringify(from)});`);
  expect(body).not.toMatch(/^import /m);
  const execute = new Function(
    '__import',
    '__env',
    '__free',
    `const { ${Object.keys(run.free).join(', ')} } = __free;
     return (async () => {
       ${body}
       return { ${run.returns.join(', ')} };
     })();`,
  ) as (i: (m: string) => unknown, env: Readonly<Record<string, string | undefined>>, free: Readonly<Record<string, unknown>>) => Promise<T>;
  return execute(
    (m) => {
      const module = run.modules[m];
      if (module === undefined) throw new Error(`the snippet imports ${m}, which this test does not map`);
      return module;
    },
    run.env,
    run.free,
  );
}

/** What {@link itRunsOnBothStores} needs. */
export interface BothStores<R> {
  /** What the snippet ends with, after "runs as written on PGlite (no DATABASE_URL): " in the first test's title. */
  readonly ending: string;
  /** The folder the PGlite run's data directory is made in (read when the test runs). */
  readonly dir: () => string;
  /** The snippet's data directory's name there, e.g. `enroll-data`. */
  readonly dataDirName: string;
  /** The PostgreSQL run's schema (made afresh). */
  readonly schema: string;
  /** Runs the snippet with `databaseUrl` as its `DATABASE_URL` and `dataDir` as its PGlite directory. */
  readonly run: (databaseUrl: string | undefined, dataDir: string) => Promise<R>;
  /** The checks on what it left, `store` naming the branch it should have taken. */
  readonly check: (ran: R, store: 'pglite' | 'postgres') => Promise<void>;
}

/**
 * Two tests: the snippet without `DATABASE_URL` (PGlite, in a directory just past initdb: a copy of the template,
 * initdb being tens of seconds of WebAssembly here and not the guide's; the snippet's open still creates every
 * table, as on a first run), and with it (a fresh PostgreSQL schema; under `CI=true` a missing PostgreSQL fails).
 */
export function itRunsOnBothStores<R>(spec: BothStores<R>): void {
  it(`runs as written on PGlite (no DATABASE_URL): ${spec.ending}`, async () => {
    const dataDir = join(spec.dir(), spec.dataDirName);
    await copyBareDataDir(dataDir);
    await spec.check(await spec.run(undefined, dataDir), 'pglite');
  }, 120_000);

  it('runs as written on PostgreSQL (DATABASE_URL set)', async (ctx) => {
    const url = await getDatabaseUrl();
    if (url === undefined) {
      if (process.env['CI'] === 'true') throw new Error('CI needs PostgreSQL for this test');
      return ctx.skip();
    }
    const withSchema = await freshSchemaUrl(url, spec.schema);
    await spec.check(await spec.run(withSchema, join(spec.dir(), 'unused')), 'postgres');
  }, 120_000);
}
