/**
 * The page bundle of twpki/browser: under its size budget (10 KB minified +
 * gzipped), without runtime dependencies, and tree-shakeable.
 */
import { relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { bundleBrowserModule } from './support/browser-bundle.js';

const BUDGET_BYTES = 10 * 1024;

describe('twpki/browser bundle', () => {
  it('fits 10 KB minified and gzipped', async () => {
    const { code } = await bundleBrowserModule({ minify: true });
    const gzipped = gzipSync(Buffer.from(code), { level: 9 }).length;
    expect(code.length).toBeGreaterThan(1000); // the real module, not an empty bundle
    expect(gzipped).toBeLessThanOrEqual(BUDGET_BYTES);
  });

  it('pulls in only its own sources, the shared code table and the error base class', async () => {
    const { code, inputs } = await bundleBrowserModule({ minify: true });
    const outside = inputs.map((i) => relative(process.cwd(), i)).filter((i) => !i.startsWith('src/browser/'));
    expect(outside.sort()).toEqual(['src/component/codes.ts', 'src/shared/twpki-error.ts']);
    expect(inputs.some((i) => i.includes('node_modules'))).toBe(false);
    // No import left for the page to resolve, and nothing Node-only.
    expect(code).not.toMatch(/\bimport\s*[{("'*]|require\(|node:/);
  });

  it('drops what a page does not import', async () => {
    const full = await bundleBrowserModule({ minify: true });
    const errorsOnly = await bundleBrowserModule({ minify: true, contents: "export { ComponentError } from '../../../src/browser/index.js';" });
    expect(errorsOnly.code.length).toBeLessThan(full.code.length * 0.75);
    expect(errorsOnly.code).not.toContain('getTbs');
    expect(full.code).toContain('getTbs');
  });
});
