import { ComponentError } from './component-error.js';
import { parsePkcs11Info, type Detection } from './component-info.js';
import { callComponent } from './channel.js';
import { forgetDetection, rememberDetection } from './popup-detection.js';
import { resolveOptions, type ComponentOptions } from './options.js';

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
 */
export async function detect(options?: DetectOptions): Promise<Detection> {
  const resolved = resolveOptions(options, 20_000);
  const withCert = options?.certificates === true;
  try {
    const { reply, channel } = await callComponent(resolved, {
      path: withCert ? '/pkcs11info?withcert=true' : '/pkcs11info',
      popupRequest: () => JSON.stringify({ func: withCert ? 'GetUserCert' : 'CheckEnvir' }),
      retryInPopup: true,
    });
    const found = parsePkcs11Info(reply, channel);
    rememberDetection(resolved.origin, found);
    return found;
  } catch (error) {
    if (error instanceof ComponentError && error.code === 'COMPONENT_ABSENT') {
      forgetDetection(resolved.origin);
      return { present: false, error };
    }
    throw error;
  }
}
