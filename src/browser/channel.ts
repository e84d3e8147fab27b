import { ComponentError } from './component-error.js';
import type { ComponentChannel } from './component-info.js';
import { directRequest, popupMayReach, type DirectBody } from './direct-request.js';
import type { ResolvedOptions } from './options.js';
import { closedUnanswered, popupRequest } from './popup-bridge.js';
import type { JsonObject } from './reply-fields.js';

/** The way that worked last, per component origin (no request data is kept here). */
const learned = new Map<string, ComponentChannel>();

/** The channel `auto` mode settled on for a component, if any. */
export function learnedChannel(options: ResolvedOptions): ComponentChannel | undefined {
  return options.mode === 'auto' ? learned.get(options.origin) : options.mode;
}

/** One request: the direct form and the popup form of the same call. */
export interface ComponentCall {
  /** Path of the direct request (`/pkcs11info`, `/sign`). */
  readonly path: string;
  /** Body of the direct request, built when needed. */
  readonly directBody?: () => DirectBody;
  /** The popup request text, built when the popup asks for it. */
  readonly popupRequest: () => string;
  /**
   * Whether `auto` may fall back to the popup after a direct request the
   * browser refused or may have blocked (Local Network Access). Never for a
   * signature: the component may have acted on it.
   */
  readonly retryInPopup: boolean;
}

/** Sends a call by the chosen or learned channel; returns the reply and the channel used. */
export async function callComponent(options: ResolvedOptions, call: ComponentCall): Promise<{ reply: JsonObject; channel: ComponentChannel }> {
  const channel = learnedChannel(options) ?? 'direct';
  if (channel === 'popup') {
    const reply = await popupRequest(options, call.popupRequest);
    return { reply, channel };
  }
  let directError: ComponentError;
  try {
    const reply = await directRequest(options, call.path, call.directBody?.());
    if (options.mode === 'auto') learned.set(options.origin, 'direct');
    return { reply, channel };
  } catch (error) {
    if (!popupMayReach(error) || options.mode !== 'auto' || !call.retryInPopup) throw error;
    directError = error;
  }
  let reply: JsonObject;
  try {
    reply = await popupRequest(options, call.popupRequest);
  } catch (error) {
    // Nothing said the component is there (Local Network Access not granted, no prompt answered) and the popup
    // could not even be opened, or was closed while it showed the browser's error page: report what the direct
    // request found, not a popup the page never meant to use.
    const unconfirmed = directError.code === 'COMPONENT_ABSENT';
    if (unconfirmed && error instanceof ComponentError && (error.code === 'COMPONENT_POPUP_BLOCKED' || closedUnanswered(error))) throw directError;
    throw error;
  }
  learned.set(options.origin, 'popup');
  return { reply, channel: 'popup' };
}
