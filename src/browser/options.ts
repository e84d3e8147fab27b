/** The official component's address; pages accept popup messages only from exactly this origin. */
export const OFFICIAL_COMPONENT_URL = 'http://localhost:61161';

/**
 * How to reach the component:
 * - `auto` (default): a direct request; when the browser does not let the page
 *   read it but the component is there, the `/popupForm` bridge. A signature is
 *   never sent twice: the way is chosen before the PIN leaves the page.
 * - `direct`: direct requests only.
 * - `popup`: the `/popupForm` bridge only (call from a click handler, or the
 *   browser blocks the popup).
 */
export type ComponentMode = 'auto' | 'direct' | 'popup';

/** Options of {@link detect} and {@link sign}. */
export interface ComponentOptions {
  /** Component origin, default `http://localhost:61161` (also `twpki agent`'s). */
  readonly url?: string;
  /** How to reach it (default `auto`). */
  readonly mode?: ComponentMode;
  /** Give up after this many ms (default 20 000 for detect, 60 000 for sign). */
  readonly timeoutMs?: number;
  /** How long the popup may take to announce itself (`{"func":"getTbs"}`), default 7 000 ms. */
  readonly popupHandshakeMs?: number;
  /** The popup page (default `/popupForm`; a vendor library uses `/ChtPopupForm`). */
  readonly popupPath?: string;
  /** `window.open` features of the popup. */
  readonly popupFeatures?: string;
}

/** Options with defaults applied. */
export interface ResolvedOptions {
  readonly url: string;
  readonly origin: string;
  readonly mode: ComponentMode;
  readonly timeoutMs: number;
  readonly popupHandshakeMs: number;
  readonly popupPath: string;
  readonly popupFeatures: string;
}

/** Applies defaults; `timeoutMs` defaults per operation. */
export function resolveOptions(options: ComponentOptions | undefined, defaultTimeoutMs: number): ResolvedOptions {
  const url = (options?.url ?? OFFICIAL_COMPONENT_URL).replace(/\/+$/, '');
  return {
    url,
    origin: new URL(url).origin,
    mode: options?.mode ?? 'auto',
    timeoutMs: options?.timeoutMs ?? defaultTimeoutMs,
    popupHandshakeMs: options?.popupHandshakeMs ?? 7_000,
    popupPath: options?.popupPath ?? '/popupForm',
    popupFeatures: options?.popupFeatures ?? 'width=360,height=240',
  };
}
