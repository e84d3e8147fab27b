import { RetCode } from '../component/codes.js';
import { ComponentError } from './component-error.js';

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

const MODES: readonly ComponentMode[] = ['auto', 'direct', 'popup'];

/**
 * Applies defaults (`timeoutMs` per operation) and checks what the page
 * passed: a JavaScript caller can pass anything, and a bad value must be a
 * typed error naming the option, not a `TypeError` from `new URL` or a mode
 * nobody implements.
 * @throws {@link ComponentError} `COMPONENT_BAD_REQUEST` naming the option.
 */
export function resolveOptions(options: ComponentOptions | undefined, defaultTimeoutMs: number): ResolvedOptions {
  const bad = (field: string): ComponentError => new ComponentError('COMPONENT_BAD_REQUEST', { field, retCode: RetCode.BAD_PARAMETER });
  const given = options?.url ?? OFFICIAL_COMPONENT_URL;
  if (typeof given !== 'string') throw bad('url');
  const url = given.replace(/\/+$/, '');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw bad('url');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw bad('url');
  const origin = parsed.origin;
  const mode = options?.mode ?? 'auto';
  if (!MODES.includes(mode)) throw bad('mode');
  const positive = (value: number | undefined, fallback: number, field: string): number => {
    if (value === undefined) return fallback;
    if (typeof value !== 'number' || !(value > 0) || !Number.isFinite(value)) throw bad(field);
    return value;
  };
  const popupPath = options?.popupPath ?? '/popupForm';
  if (typeof popupPath !== 'string' || !popupPath.startsWith('/')) throw bad('popupPath');
  return {
    url,
    origin,
    mode,
    timeoutMs: positive(options?.timeoutMs, defaultTimeoutMs, 'timeoutMs'),
    popupHandshakeMs: positive(options?.popupHandshakeMs, 7_000, 'popupHandshakeMs'),
    popupPath,
    popupFeatures: options?.popupFeatures ?? 'width=360,height=240',
  };
}
