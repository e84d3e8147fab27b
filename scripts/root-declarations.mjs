// Runs after tsup (npm run build). The root entry re-exports the production layers as namespaces
// (`export * as pcsc from './pcsc/index.js'`). tsup's declaration bundler (rollup-plugin-dts 6.1.1,
// bundled in tsup 8.5) writes such a namespace into the layer's shared declaration chunk, with a
// `declare const index_X: typeof X` for every member it cannot see is a type (one imported from another
// chunk). That is an error in the published files (`skipLibCheck: false` reports it to every user of
// the layer, not only of the root), and through the root the types are lost: `pcsc.ShareMode` or
// `cert.LoginVerificationRequest` do not compile. The layers are entry points with correct
// declarations of their own, so the root's declarations re-export those, and the namespace blocks are
// taken out of the chunks. test/package/packed-install.test.ts type-checks the packed result.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dist = 'dist';
const fail = (message) => {
  throw new Error(`root-declarations: ${message}`);
};
const escape = (s) => s.replace(/[$]/g, '\\$&');

const source = readFileSync('src/index.ts', 'utf8');
const expected = [...source.matchAll(/^export \* as (\w+) from '\.\/(\w+)\/index\.js';$/gm)].map((m) => {
  if (m[1] !== m[2]) fail(`namespace ${m[1]} is not its folder ${m[2]}`);
  return m[1];
});

for (const [declarations, ext] of [['index.d.ts', 'js'], ['index.d.cts', 'cjs']]) {
  const path = join(dist, declarations);
  const text = readFileSync(path, 'utf8');
  const seen = [];
  const rewritten = text.replace(/^export \{ ([\w$]+) as (\w+) \} from '\.\/(index-[\w-]+)\.c?js';$/gm, (_line, alias, name, chunk) => {
    if (!existsSync(join(dist, name, declarations))) fail(`no ${dist}/${name}/${declarations}`);
    seen.push(name);
    stripNamespace(join(dist, `${chunk}.${declarations.slice('index.'.length)}`), alias);
    return `export * as ${name} from './${name}/index.${ext}';`;
  });
  if (seen.sort().join() !== [...expected].sort().join()) {
    fail(`${path} re-exports [${seen}] as namespaces, src/index.ts [${expected}]`);
  }
  writeFileSync(path, rewritten);
}

/** Takes the namespace exported as `alias` out of `chunk`: its block, its members' aliases, its export. */
function stripNamespace(chunk, alias) {
  let text = readFileSync(chunk, 'utf8');
  const exported = new RegExp(`(?:^|[{,] )([\\w$]+) as ${escape(alias)}(?=[,} ])`).exec(text.slice(text.lastIndexOf('\nexport {')));
  if (!exported) fail(`${chunk} does not export ${alias}`);
  const local = exported[1];
  const block = new RegExp(`^declare namespace ${escape(local)} \\{\\n  export \\{ ([^\\n]*) \\};\\n\\}\\n`, 'm').exec(text);
  if (!block) fail(`${chunk} has no namespace ${local}`);
  text = text.slice(0, block.index) + text.slice(block.index + block[0].length);
  const members = [...block[1].matchAll(/(?:type )?([\w$]+) as [\w$]+/g)].map((m) => m[1]);
  for (const member of members) {
    // A class has both: `type index_X = X;` and `declare const index_X: typeof X;`.
    const declaration = new RegExp(`^(?:declare const ${escape(member)}: [^\\n]*;|type ${escape(member)}(?:<[^\\n]*?>)? = [^\\n]*;)\\n`, 'gm');
    if (!declaration.test(text)) fail(`${chunk}: no declaration of ${member}`);
    text = text.replace(declaration, '');
    if (new RegExp(`\\b${escape(member)}\\b`).test(text)) fail(`${chunk}: ${member} is still named`);
  }
  const lastExport = text.lastIndexOf('\nexport {');
  const tail = text
    .slice(lastExport)
    .replace(new RegExp(`\\nexport \\{ ${escape(local)} as ${escape(alias)} \\};`), '\n')
    .replace(new RegExp(`${escape(local)} as ${escape(alias)}, |, ${escape(local)} as ${escape(alias)}(?= \\})`), '');
  text = text.slice(0, lastExport) + tail;
  if (new RegExp(`\\b${escape(local)} as ${escape(alias)}\\b`).test(text)) fail(`${chunk}: still exports ${alias}`);
  // A chunk that held only the namespace is left empty of declarations: nothing imports it any more.
  if (!/^(?:declare|interface|type|export \{ \w)/m.test(text)) rmSync(chunk);
  else writeFileSync(chunk, text);
}
