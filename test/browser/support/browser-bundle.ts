import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/** The browser client's entry (the sources; the package publishes the same module from dist/browser). */
export const BROWSER_ENTRY = fileURLToPath(new URL('../../../src/browser/index.ts', import.meta.url));

/** The bundle a page loads, and the source files that went into it. */
export interface BrowserBundle {
  readonly code: string;
  readonly inputs: readonly string[];
}

/**
 * Bundles `twpki/browser` for a page with esbuild, as an application's bundler
 * would: ESM, browser platform. `contents` replaces the entry (e.g. to import
 * only part of the module).
 */
export async function bundleBrowserModule(options: { minify?: boolean; contents?: string } = {}): Promise<BrowserBundle> {
  const result = await build({
    ...(options.contents !== undefined
      ? { stdin: { contents: options.contents, resolveDir: fileURLToPath(new URL('.', import.meta.url)), loader: 'ts' } }
      : { entryPoints: [BROWSER_ENTRY] }),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2020',
    minify: options.minify === true,
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const code = result.outputFiles[0]?.text ?? '';
  return { code, inputs: Object.keys(result.metafile.inputs) };
}
