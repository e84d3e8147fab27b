import { pageWindow, type MessageEventLike, type PopupHandle } from './browser-globals.js';
import { ComponentError } from './component-error.js';
import type { ResolvedOptions } from './options.js';
import { parseReply, type JsonObject } from './reply-fields.js';

/** How often the bridge looks whether the user closed the popup. */
const CLOSED_POLL_MS = 250;

/**
 * `COMPONENT_POPUP_CLOSED` errors of popups closed before anything in them
 * announced itself: the window showed the browser's error page, or was
 * closed faster than a component answers (tens of milliseconds).
 */
const unanswered = new WeakSet<ComponentError>();

/** Whether `error` is a popup closed before any component answered in it. */
export function closedUnanswered(error: unknown): boolean {
  return error instanceof ComponentError && unanswered.has(error);
}

/**
 * One request over the `/popupForm` bridge, as the official component's
 * popup expects it: the popup posts the string `{"func":"getTbs"}`, the page
 * answers with the request as a JSON string (to the component's origin only:
 * it may hold the PIN), the popup posts the reply back as a string and closes.
 * Only messages from exactly the component's origin and from this popup count.
 *
 * `takeRequest` is called once, when the popup asks for the request, so the
 * request text (and any PIN in it) is built at the last moment and not kept.
 */
export function popupRequest(options: ResolvedOptions, takeRequest: () => string): Promise<JsonObject> {
  const win = pageWindow();
  if (!win) return Promise.reject(new ComponentError('COMPONENT_POPUP_BLOCKED', { componentMessage: 'no window to open a popup from' }));
  const opened = win.open(`${options.url}${options.popupPath}`, '_blank', options.popupFeatures);
  if (!opened || opened.closed) return Promise.reject(new ComponentError('COMPONENT_POPUP_BLOCKED'));
  const popup: PopupHandle = opened;

  return new Promise<JsonObject>((resolve, reject) => {
    let sent = false;
    let settled = false;
    let closedSeen = false;
    const timers: ReturnType<typeof setTimeout>[] = [];

    const finish = (error: ComponentError | undefined, reply?: JsonObject): void => {
      if (settled) return;
      settled = true;
      win.removeEventListener('message', onMessage);
      for (const t of timers) clearTimeout(t);
      clearInterval(poll);
      if (!popup.closed) popup.close();
      if (error) reject(error);
      else resolve(reply as JsonObject);
    };

    function onMessage(event: MessageEventLike): void {
      if (event.origin !== options.origin || event.source !== popup) return;
      let message: JsonObject;
      try {
        message = parseReply(event.data);
      } catch (error) {
        finish(error as ComponentError);
        return;
      }
      if (message.func === 'getTbs') {
        if (sent) return;
        sent = true;
        popup.postMessage(takeRequest(), options.origin);
        return;
      }
      if (sent) finish(undefined, message);
    }

    win.addEventListener('message', onMessage);
    // Nothing announced itself: no component behind the address (the popup shows an error page).
    timers.push(setTimeout(() => sent || finish(new ComponentError('COMPONENT_ABSENT')), options.popupHandshakeMs));
    timers.push(setTimeout(() => finish(new ComponentError('COMPONENT_TIMEOUT')), options.timeoutMs));
    // The popup closes itself right after posting its reply: allow that message one more round to arrive.
    const poll = setInterval(() => {
      if (!popup.closed) return;
      if (closedSeen) {
        const closed = new ComponentError('COMPONENT_POPUP_CLOSED');
        if (!sent) unanswered.add(closed);
        finish(closed);
      }
      closedSeen = true;
    }, CLOSED_POLL_MS);
  });
}
