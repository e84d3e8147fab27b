import { readFile, readdir, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative } from 'node:path';
import { defineConfig } from 'tsup';

/**
 * tsup makes the CommonJS chunks by passing each ES module chunk through sucrase under its absolute output path,
 * and that path stays in the chunk's source map as a source of the lines sucrase wrote: the build machine's path
 * (`/home/…/dist/chunk-X.cjs`), a file no install has, which source-map loaders then fail to read. Such a source is
 * the chunk itself, so it is named relative to its map, like the others.
 */
async function relativeMapSources(dir: string): Promise<void> {
  for (const name of await readdir(dir, { recursive: true })) {
    if (!name.endsWith('.map')) continue;
    const file = join(dir, name);
    const map = JSON.parse(await readFile(file, 'utf8')) as { sources: string[]; file?: string };
    if (!map.sources.some((s) => isAbsolute(s)) && !(map.file !== undefined && isAbsolute(map.file))) continue;
    map.sources = map.sources.map((s) => (isAbsolute(s) ? relative(dirname(file), s) : s));
    // The generated file's own name: relative to the map too (it sits beside it).
    if (map.file !== undefined && isAbsolute(map.file)) map.file = relative(dirname(file), map.file);
    await writeFile(file, JSON.stringify(map));
  }
}

export default defineConfig([{
  entry: {
    index: 'src/index.ts',
    'pcsc/index': 'src/pcsc/index.ts',
    'apdu/index': 'src/apdu/index.ts',
    'cert/index': 'src/cert/index.ts',
    'ems/index': 'src/ems/index.ts',
    'enroll/index': 'src/enroll/index.ts',
    'testing/index': 'src/testing/index.ts',
    'agent/index': 'src/agent/index.ts',
    'cli/main': 'src/cli/main.ts',
    'enroll/advanced': 'src/enroll/advanced.ts',
    'cert/advanced': 'src/cert/advanced.ts',
    'enroll/smtp': 'src/enroll/smtp.ts',
    'enroll/pg': 'src/enroll/pg.ts',
    'enroll/pglite': 'src/enroll/pglite.ts',
    'apdu/advanced': 'src/apdu/advanced.ts',
    'messages/index': 'src/messages/index.ts',
    'fastify/index': 'src/integrations/fastify.ts',
    'express/index': 'src/integrations/express.ts',
    'challenge-store/index': 'src/challenge-store/index.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  splitting: true,
  shims: true,
  // The CLI is run only as an ES module (bin/twpki.mjs imports dist/cli/main.js; no export names it), so its
  // CommonJS build, and the command chunks only it reaches, would be shipped and never loaded.
  // The entry object is the one every format's build is given: replaced here, never changed in place.
  esbuildOptions: (options, { format }) => {
    if (format === 'cjs' && options.entryPoints !== undefined && !Array.isArray(options.entryPoints)) {
      options.entryPoints = Object.fromEntries(Object.entries(options.entryPoints).filter(([name]) => name !== 'cli/main'));
    }
  },
  onSuccess: () => relativeMapSources('dist'),
},
// The page module: built for browsers, self-contained (no shared chunks with the Node entries). Its own
// output folder: tsup builds the configs in parallel, and the first one's clean (also of .d.ts files,
// at each declaration pass) would delete files this one wrote under dist/.
{
  entry: { index: 'src/browser/index.ts' },
  outDir: 'dist-browser',
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  platform: 'browser',
  target: 'es2020',
  splitting: false,
}]);
