/**
 * `auto` mode on a public page where nothing listens and Local Network Access is still `prompt` (the user was
 * never asked, because nothing answered): it tries the popup, which shows the browser's error page. If the user
 * closes that window, the answer is what the direct request found (COMPONENT_ABSENT), not "popup closed".
 * Browser objects are stubbed: headless Chromium answers the permission prompt itself, so `prompt` cannot be
 * produced there.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { callComponent } from '../../src/browser/channel.js';
import { ComponentError } from '../../src/browser/component-error.js';
import { resolveOptions } from '../../src/browser/options.js';

const saved = { window: Reflect.get(globalThis, 'window'), location: Reflect.get(globalThis, 'location'), fetch: globalThis.fetch, navigator: Object.getOwnPropertyDescriptor(globalThis, 'navigator') };

afterEach(() => {
  Reflect.set(globalThis, 'window', saved.window);
  Reflect.set(globalThis, 'location', saved.location);
  globalThis.fetch = saved.fetch;
  if (saved.navigator) Object.defineProperty(globalThis, 'navigator', saved.navigator);
  else Reflect.deleteProperty(globalThis, 'navigator');
});

/** A public page whose requests to the component fail, with the permission state given, and a popup that the user closes at once. */
function publicPage(permission: string, popup: 'closes' | 'blocked'): void {
  Reflect.set(globalThis, 'location', { hostname: 'www.example.gov.tw' });
  globalThis.fetch = () => Promise.reject(new TypeError('Failed to fetch'));
  Object.defineProperty(globalThis, 'navigator', {
    configurable: true,
    value: { permissions: { query: () => Promise.resolve({ state: permission }) } },
  });
  Reflect.set(globalThis, 'window', {
    open: () => {
      if (popup === 'blocked') return null;
      // Open when the bridge looks right after opening it, closed by the user at its next look.
      let looks = 0;
      return { get closed() { return looks++ > 0; }, close: () => undefined, postMessage: () => undefined };
    },
    addEventListener: () => undefined,
    removeEventListener: () => undefined,
  });
}

const call = { path: '/pkcs11info', popupRequest: () => JSON.stringify({ func: 'GetUserCert' }), retryInPopup: true };

async function codeOf(options = resolveOptions({ popupHandshakeMs: 5_000, timeoutMs: 10_000 }, 10_000)): Promise<string> {
  try {
    await callComponent(options, call);
    return 'answered';
  } catch (error) {
    return error instanceof ComponentError ? error.code : String(error);
  }
}

describe('auto mode when nothing says the component is there', () => {
  it('a popup closed before anything answered in it reads as COMPONENT_ABSENT, as a blocked one does', async () => {
    publicPage('prompt', 'closes');
    expect(await codeOf()).toBe('COMPONENT_ABSENT');
    publicPage('prompt', 'blocked');
    expect(await codeOf()).toBe('COMPONENT_ABSENT');
  });

  it('when the browser said it blocks the page (denied), a popup closed unanswered is reported as closed', async () => {
    publicPage('denied', 'closes');
    expect(await codeOf()).toBe('COMPONENT_POPUP_CLOSED');
  });
});
