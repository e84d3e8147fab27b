import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium (the setup script installs it; Playwright's own download is never used). */
export const CHROMIUM = '/usr/bin/chromium';

/** Whether browser tests can run; under CI=true a missing Chromium fails the run instead. */
export function chromiumAvailable(): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (process.env.CI === 'true') throw new Error(`CI=true but ${CHROMIUM} is missing (Debian package chromium)`);
  return false;
}

/** Headless Chromium with the flags this closed-network machine needs, and any a test adds. */
export function launchChromium(extraArgs: readonly string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-popup-blocking',
      ...extraArgs,
    ],
  });
}

/** Where browser tests leave screenshots (git-ignored). */
export function artifactPath(name: string): string {
  const dir = join(new URL('../..', import.meta.url).pathname, 'test-artifacts');
  mkdirSync(dir, { recursive: true });
  return join(dir, name);
}
