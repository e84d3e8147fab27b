/**
 * `twpki/browser` for the pages, bundled once at start with esbuild and served
 * at `/twpki-browser.js`. The package name resolves like the portal's other
 * imports: to the installed package's `dist-browser`, or in this repository
 * (through tsconfig paths) to the sources. With a bundler of your own, import
 * `twpki/browser` in your page code instead.
 */
import { fileURLToPath } from 'node:url';

/** The ES module text of `twpki/browser` (it has no imports of its own). */
export async function bundleBrowserModule(): Promise<string> {
  const { build } = await import('esbuild');
  const result = await build({
    stdin: { contents: "export * from 'twpki/browser';", resolveDir: fileURLToPath(new URL('.', import.meta.url)), loader: 'ts' },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2020',
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]?.text ?? '';
}
