import { join, relative } from 'node:path';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SPECIFIERS, built, packedProject, type PackedProject } from './support/packed-project.js';

/**
 * The packed declarations as TypeScript users compile against them, in the three module settings projects use
 * (`nodenext`; `esnext` with `bundler`; `commonjs` with `node10`), each with the strictest flags a project
 * turns on: `strict`, `exactOptionalPropertyTypes`, `noUncheckedIndexedAccess`, and `skipLibCheck: false`, so
 * that an error inside twpki's .d.ts files is reported to the user as theirs. A Node backend's `lib` has no DOM.
 * The project has twpki, its dependencies and @types/node, none of the optional peers: a subpath that does
 * not need a peer must compile without it, and must not make the compiler load any other package's types.
 * Last, the peers are linked in and the subpaths that need them are compiled in each setting too
 * (test/package/packed-install.test.ts does that in `node16` without the strict extras).
 */

interface Setting {
  readonly name: string;
  /** The consumer file, under its own folder (`<folder>/package.json` sets the folder's module type). */
  readonly file: string;
  readonly type: 'module' | 'commonjs';
  readonly options: ts.CompilerOptions;
}

const STRICTEST: ts.CompilerOptions = {
  strict: true,
  skipLibCheck: false,
  exactOptionalPropertyTypes: true,
  noUncheckedIndexedAccess: true,
  target: ts.ScriptTarget.ES2022,
  noEmit: true,
};
/** A Node backend: ES2022 and @types/node, no DOM. */
const BACKEND: ts.CompilerOptions = { ...STRICTEST, lib: ['lib.es2022.d.ts'], types: ['node'] };

const SETTINGS: readonly Setting[] = [
  { name: 'nodenext, ES module', file: 'nodenext-esm/consumer.mts', type: 'module', options: { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext } },
  { name: 'nodenext, CommonJS', file: 'nodenext-cjs/consumer.cts', type: 'commonjs', options: { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext } },
  { name: 'esnext + bundler', file: 'bundler/consumer.ts', type: 'module', options: { module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler } },
  { name: 'commonjs + node10', file: 'node10/consumer.ts', type: 'commonjs', options: { module: ts.ModuleKind.CommonJS, moduleResolution: ts.ModuleResolutionKind.Node10, esModuleInterop: true } },
];

/** Every subpath that needs no optional peer, its main types used and a few functions called (type level only). */
const BACKEND_CONSUMER = `
import { TwpkiError, pcsc, cert as certNamespace } from 'twpki';
import { PcscContext, EmulatorReader, CommandApdu, PcscError, type ShareMode, type ResponseApdu } from 'twpki/pcsc';
import { HiCOSCard, recogniseAtr, type PinVerifyResult, type HiCOSCardInfo } from 'twpki/apdu';
import { aesCmac, parseTokenInfo, type TokenInfo } from 'twpki/apdu/advanced';
import { LoginVerifierBuilder, InMemoryChallengeStore, type LoginVerifier, type LoginVerificationRequest, type VerifiedLogin } from 'twpki/cert';
import { OcspClient, buildOcspRequest, type OcspClientOptions } from 'twpki/cert/advanced';
import { validateNationalId, compareWithEms, identify, type EmsSource, type ComparisonResult } from 'twpki/ems';
import { CapturingMailer, EnrollError, type EnrollStore, type Mailer, type MailMessage } from 'twpki/enroll';
import { runMigrations, MIGRATIONS, parseNationalId } from 'twpki/enroll/advanced';
import { startAgent, AGENT_DEFAULT_PORT, RetCode, type AgentOptions, type AgentServer } from 'twpki/agent';
import { MessageCatalogue, defaultMessages, languageFromAcceptLanguage, type Language } from 'twpki/messages';
import { SqlChallengeStore, type SqlChallengeStoreOptions } from 'twpki/challenge-store';

export async function consume(store: EnrollStore, source: EmsSource, options: AgentOptions): Promise<unknown[]> {
  const share: ShareMode = 'shared';
  const namespaced: pcsc.ShareMode = share;
  const context: PcscContext = await PcscContext.establish();
  const apdu = new CommandApdu({ cla: 0x00, ins: 0xa4, p1: 0x04, p2: 0x00 });
  const atr = recogniseAtr(new Uint8Array([0x3b]));
  const mac: Uint8Array = aesCmac(new Uint8Array(16), new Uint8Array(0));
  const request: LoginVerificationRequest = { sessionId: 's' };
  const alsoRequest: certNamespace.LoginVerificationRequest = request;
  const verifier: LoginVerifier = new LoginVerifierBuilder()
    .withTrustAnchors(new Uint8Array(0))
    .withChallengeStore(new InMemoryChallengeStore())
    .build();
  const verified: VerifiedLogin = await verifier.verify('token', request);
  const id = validateNationalId('A123456789');
  const compared: ComparisonResult = compareWithEms({}, {});
  const mailer: Mailer = new CapturingMailer();
  const applied: string[] = await runMigrations(store, MIGRATIONS);
  const agent: AgentServer = await startAgent({ ...options, port: AGENT_DEFAULT_PORT });
  const language: Language = languageFromAcceptLanguage('zh-TW,zh;q=0.9');
  const catalogue: MessageCatalogue = defaultMessages;
  const challenges: SqlChallengeStore = await SqlChallengeStore.open();
  const errors: unknown[] = [new TwpkiError('X', 'x'), PcscError, EnrollError, RetCode.OK];
  const later: Array<PinVerifyResult | HiCOSCardInfo | TokenInfo | OcspClientOptions | MailMessage | SqlChallengeStoreOptions | ResponseApdu | undefined> = [];
  return [namespaced, context, apdu, atr, mac, alsoRequest, verified, id, compared, identify, source, mailer, applied, agent, language,
    catalogue, challenges, errors, later, EmulatorReader, HiCOSCard, parseTokenInfo, OcspClient, buildOcspRequest, parseNationalId];
}
`;

/** A backend's test suite: the test kit, whose peers (@peculiar/x509, reflect-metadata) are only needed at run time. */
const TESTING_CONSUMER = `
import { createTestPki, type TestPki } from 'twpki/testing';

export async function consume(): Promise<TestPki> {
  return createTestPki({ authorities: ['moica'] });
}
`;

/** A page's code: the browser client, compiled with the DOM and without @types/node. */
const BROWSER_CONSUMER = `
import { detect, sign, parseDistinguishedName, ComponentError, RetCode, type Detection, type SignResult } from 'twpki/browser';

export async function consume(): Promise<SignResult | undefined> {
  const found: Detection = await detect();
  const name = parseDistinguishedName('CN=王小明,C=TW');
  if (!found.present || found.slot === undefined) return undefined;
  try {
    return await sign({ tbs: 'challenge', pin: '123456', slot: found.slot });
  } catch (error) {
    if (error instanceof ComponentError) console.log(error.code, RetCode.OK, name);
    throw error;
  }
}
`;

/** The subpaths that need an optional peer, with the peer (and its types) installed. */
const PEER_CONSUMER = `
import { PgStore, type PgStoreOptions } from 'twpki/enroll/pg';
import { PgliteStore, type PgliteStoreOptions } from 'twpki/enroll/pglite';
import { SmtpMailer, type SmtpMailerOptions } from 'twpki/enroll/smtp';
import { cardLogin as expressLogin, type ExpressCardLoginOptions } from 'twpki/express';
import { cardLogin as fastifyLogin, type FastifyCardLoginOptions } from 'twpki/fastify';

export async function consume(express: ExpressCardLoginOptions, fastify: FastifyCardLoginOptions): Promise<unknown[]> {
  const pg: PgStoreOptions = { connectionString: 'postgres://localhost/x' };
  const lite: PgliteStoreOptions = {};
  const smtp: SmtpMailerOptions = { from: 'noreply@example.gov.tw', transport: 'smtp://localhost:25' };
  return [await PgStore.open(pg), await PgliteStore.open(lite), new SmtpMailer(smtp), expressLogin(express), fastifyLogin, fastify];
}
`;
/** What a backend installs to use those subpaths (README, "Installing"). */
const PEERS = ['pg', '@types/pg', '@electric-sql/pglite', 'nodemailer', '@types/nodemailer', 'express', '@types/express', 'fastify'];

/** Node's types: @types/node and what it imports. */
const NODE_TYPES = ['@types/node', 'undici-types'];

let project: PackedProject;

interface Checked {
  /** Diagnostics, as `file:line: TSnnnn message` (the file relative to the project). */
  readonly problems: string[];
  /** The packages whose files the compiler loaded (by node_modules folder), sorted. */
  readonly packages: string[];
  /** The twpki files it loaded, relative to the package. */
  readonly twpkiFiles: string[];
}

/**
 * Parsed declaration files, shared by the programs below as TypeScript's own language service shares them
 * (its document registry): keyed by file, the module format the file is implied to have, and the compiler
 * options that affect parsing and binding (`ts.sourceFileAffectingCompilerOptions`). Each program still
 * resolves, loads and type-checks on its own; only re-parsing the same lib, @types/node and twpki files is
 * saved.
 */
const parsed = new Map<string, ts.SourceFile>();
const AFFECTING: readonly string[] = (
  (ts as unknown as { sourceFileAffectingCompilerOptions?: ReadonlyArray<{ name: string }> }).sourceFileAffectingCompilerOptions ?? []
).map((o) => o.name);

function cachingHost(options: ts.CompilerOptions): ts.CompilerHost {
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  // Without the list (a TypeScript that stops exporting it), all options make the key: no sharing across settings.
  const affecting = JSON.stringify(AFFECTING.length > 0 ? AFFECTING.map((name) => options[name]) : options);
  host.getSourceFile = (fileName, languageVersionOrOptions, onError, shouldCreate) => {
    const format = typeof languageVersionOrOptions === 'object' ? languageVersionOrOptions.impliedNodeFormat : undefined;
    const version = typeof languageVersionOrOptions === 'object' ? languageVersionOrOptions.languageVersion : languageVersionOrOptions;
    const key = `${fileName}\0${String(format)}\0${String(version)}\0${affecting}`;
    // Declaration files only: a consumer's own source is written by the test and must be read as written.
    if (!/\.d\.[mc]?ts$/.test(fileName)) return getSourceFile(fileName, languageVersionOrOptions, onError, shouldCreate);
    const known = parsed.get(key);
    if (known !== undefined && !shouldCreate) return known;
    const made = getSourceFile(fileName, languageVersionOrOptions, onError, shouldCreate);
    if (made !== undefined) parsed.set(key, made);
    return made;
  };
  return host;
}

/** Type-checks `source` as `setting`'s consumer (file name suffixed with `tag`) with `options` on top. */
function check(setting: Setting, tag: string, source: string, options: ts.CompilerOptions): Checked {
  const folder = setting.file.split('/')[0] ?? '';
  project.write(`${folder}/package.json`, JSON.stringify({ private: true, type: setting.type }));
  const file = project.write(setting.file.replace(/(\.[mc]?ts)$/, `-${tag}$1`), source);
  const merged = { ...options, ...setting.options };
  const program = ts.createProgram({ rootNames: [file], options: merged, host: cachingHost(merged) });
  // The consumer's own file and twpki's declarations are checked in full (skipLibCheck off, as the strictest projects
  // have it); other packages' declarations are read as needed but not checked through, as TypeScript does when
  // asked about given files: what @types/node or a peer declares wrongly is theirs to answer for, and checking it
  // all again in each of the sixteen programs was most of this file's time.
  const checked = program.getSourceFiles().filter((f) => !program.isSourceFileDefaultLibrary(f) && (f.fileName.includes('/node_modules/twpki/') || !f.fileName.includes('/node_modules/')));
  const diagnostics = [
    ...program.getOptionsDiagnostics(),
    ...program.getGlobalDiagnostics(),
    ...checked.flatMap((f) => [...program.getSyntacticDiagnostics(f), ...program.getSemanticDiagnostics(f)]),
  ];
  const problems = diagnostics
    .map((d) => `${d.file ? relative(project.dir, d.file.fileName) : ''}:${d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line + 1 : 0}: TS${d.code} ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`);
  const packages = new Set<string>();
  const twpkiFiles: string[] = [];
  for (const loaded of program.getSourceFiles()) {
    if (program.isSourceFileDefaultLibrary(loaded)) continue;
    // The last node_modules folder in the path: linked packages resolve to this checkout's node_modules.
    const inModules = /.*\/node_modules\/((?:@[^/]+\/)?[^/]+)\/(.*)$/.exec(loaded.fileName);
    if (inModules === null) continue;
    packages.add(inModules[1] ?? '');
    if (inModules[1] === 'twpki') twpkiFiles.push(inModules[2] ?? '');
  }
  return { problems, packages: [...packages].sort(), twpkiFiles };
}

describe.runIf(built || process.env.CI === 'true')('twpki declarations in TypeScript consumers, with the strictest flags', () => {
  beforeAll(() => {
    project = packedProject('twpki-consumer-types-');
    for (const name of NODE_TYPES) project.provide(name);
  }, 60_000);

  afterAll(() => project?.remove());

  describe.each(SETTINGS)('$name', (setting) => {
    it('a backend importing every subpath that needs no peer compiles, and loads no other package\'s types', { timeout: 60_000 }, () => {
      const { problems, packages, twpkiFiles } = check(setting, 'backend', BACKEND_CONSUMER, BACKEND);
      expect(problems).toEqual([]);
      expect(packages.filter((p) => !NODE_TYPES.includes(p))).toEqual(['twpki']);
      // A backend that never imports twpki/testing reads none of the test kit's declarations.
      expect(twpkiFiles.filter((f) => f.startsWith('dist/testing/'))).toEqual([]);
    });

    it('a test suite importing twpki/testing compiles without the kit\'s peers', { timeout: 60_000 }, () => {
      const { problems, packages } = check(setting, 'testing', TESTING_CONSUMER, BACKEND);
      expect(problems).toEqual([]);
      expect(packages.filter((p) => !NODE_TYPES.includes(p))).toEqual(['twpki']);
    });

    it('a page importing twpki/browser compiles with the DOM and without @types/node', { timeout: 60_000 }, () => {
      const { problems, packages, twpkiFiles } = check(setting, 'browser', BROWSER_CONSUMER, {
        ...STRICTEST,
        lib: ['lib.es2020.d.ts', 'lib.dom.d.ts'],
        types: [],
      });
      expect(problems).toEqual([]);
      expect(packages).toEqual(['twpki']);
      expect(twpkiFiles.every((f) => f.startsWith('dist-browser/'))).toBe(true);
    });
  });

  it('node10 finds every subpath of the exports map, at the declarations `import` resolves it to', () => {
    // node10 reads no exports map: package.json "typesVersions" maps each subpath, and must follow "exports".
    const from = join(project.dir, 'node10', 'resolve.ts');
    const resolve = (specifier: string, options: ts.CompilerOptions): string => {
      const found = ts.resolveModuleName(specifier, from, options, ts.sys).resolvedModule?.resolvedFileName;
      return found === undefined ? 'unresolved' : relative(project.dir, found);
    };
    const resolved = SPECIFIERS.map((s) => [
      s,
      resolve(s, { moduleResolution: ts.ModuleResolutionKind.Node10, module: ts.ModuleKind.CommonJS }),
      resolve(s, { moduleResolution: ts.ModuleResolutionKind.Bundler, module: ts.ModuleKind.ESNext }),
    ]);
    expect(resolved.filter(([, node10, bundler]) => node10 !== bundler || node10 === 'unresolved')).toEqual([]);
  });

  // Last: the peers stay linked once provided.
  describe.each(SETTINGS)('$name, with the optional peers installed', (setting) => {
    beforeAll(() => {
      for (const peer of PEERS) project.provide(peer);
    });

    it('the subpaths that need them compile', { timeout: 60_000 }, () => {
      const { problems } = check(setting, 'peers', PEER_CONSUMER, BACKEND);
      // The peers' own declarations are theirs to answer for (skipLibCheck off reports them too).
      expect(problems.filter((p) => p.startsWith(':') || /^(node_modules\/twpki\/|[\w-]+\/consumer)/.test(p))).toEqual([]);
    });
  });
});
