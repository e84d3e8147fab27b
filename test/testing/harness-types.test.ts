import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const HERE = dirname(fileURLToPath(import.meta.url));
const SNIPPET = join(HERE, '__harness_snippet__.ts');

/** Type errors of `source`, compiled as a harness file beside this one (strict, skipLibCheck false). */
function typeErrors(source: string): string[] {
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    exactOptionalPropertyTypes: true,
    skipLibCheck: false,
    noEmit: true,
    types: ['node'],
  };
  const host = ts.createCompilerHost(options);
  const readFile = host.readFile.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  host.readFile = (file) => (file === SNIPPET ? source : readFile(file));
  host.fileExists = ((exists) => (file: string) => file === SNIPPET || exists(file))(host.fileExists.bind(host));
  host.getSourceFile = (file, language, ...rest) =>
    file === SNIPPET ? ts.createSourceFile(file, source, language, true) : getSourceFile(file, language, ...rest);
  const program = ts.createProgram([SNIPPET], options, host);
  return ts
    .getPreEmitDiagnostics(program, program.getSourceFile(SNIPPET))
    .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}

describe('twpki/testing as a TypeScript harness writes it', () => {
  // The testing guide: "card is a card holder from pki.issueCardHolder(...); for a virtual card, pass its
  // .credentials". Both must type-check, not only run.
  it("signLoginToken takes a virtual card's .credentials as well as an issued card holder", { timeout: 60_000 }, () => {
    const errors = typeErrors(`
import { createTestPki, createVirtualHiCOSCard, signLoginToken } from '../../src/testing/index.js';
export async function harness(): Promise<string> {
  const pki = await createTestPki({ authorities: ['moica'] });
  const card = await createVirtualHiCOSCard({ pki, generation: 2 });
  const holder = await pki.issueCardHolder({ authority: 'moica', commonName: '王小明' });
  const fromCard = await signLoginToken(card.credentials, { tbs: 'x', cardNumber: card.cardNumber });
  const fromHolder = await signLoginToken(holder, { tbs: 'x' });
  return fromCard.signature + fromHolder.signature;
}
`);
    expect(errors).toEqual([]);
  });
});
