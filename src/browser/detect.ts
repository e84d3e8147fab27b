import { ComponentError } from './component-error.js';
import { parsePkcs11Info, type Detection } from './component-info.js';
import { callComponent } from './channel.js';
import { forgetDetection, rememberDetection } from './detection-memory.js';
import { resolveOptions, type ComponentOptions, type ResolvedOptions } from './options.js';

/** Options of {@link detect}. */
export interface DetectOptions extends ComponentOptions {
  /** Also fetch each certificate (`/pkcs11info?withcert=true`, popup `GetUserCert`). Default false. */
  readonly certificates?: boolean;
}

/**
 * Asks the local component what it sees: its version, the readers, the card
 * in each and the card's certificates (label, usage, names, ID hint,
 * serial, validity, the `CA Cert` entry). Needs no PIN and costs no PIN try.
 *
 * Resolves `{ present: false }` when nothing answers at the component's
 * address; throws {@link ComponentError} for anything else that fails (the
 * component refusing this site, a timeout, a blocked popup).
 *
 * What it found is what the page shows, so it is remembered (per component
 * address, readers and tokens only): a later `sign()` without a slot
 * refuses a card other than the only one found here
 * (`COMPONENT_CARD_CHANGED`), before the PIN is sent.
 */
export async function detect(options?: DetectOptions): Promise<Detection> {
  const resolved = resolveOptions(options, 20_000);
  const found = await detectOnce(resolved, options?.certificates === true);
  // What the page is shown now, and so what the PIN it asks for next is typed for (see detection-memory.ts).
  if (found.present) rememberDetection(resolved.origin, found);
  else forgetDetection(resolved.origin);
  return found;
}

/**
 * One detection, remembering nothing: {@link detect} and `sign()` each decide what the answer replaces.
 * @internal
 */
export async function detectOnce(resolved: ResolvedOptions, withCert = false): Promise<Detection> {
  try {
    const { reply, channel } = await callComponent(resolved, {
      path: withCert ? '/pkcs11info?withcert=true' : '/pkcs11info',
      popupRequest: () => JSON.stringify({ func: withCert ? 'GetUserCert' : 'CheckEnvir' }),
      retryInPopup: true,
    });
    return parsePkcs11Info(reply, channel);
  } catch (error) {
    if (error instanceof ComponentError && error.code === 'COMPONENT_ABSENT') return { present: false, error };
    throw error;
  }
}
