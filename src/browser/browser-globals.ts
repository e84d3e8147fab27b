/**
 * The few browser objects the client uses, typed structurally so that the
 * package's type check (Node typings, no DOM library) and the published
 * declarations do not depend on the DOM library.
 */

/** A message event as the opener window receives it. */
export interface MessageEventLike {
  readonly data: unknown;
  readonly origin: string;
  readonly source: unknown;
}

/** The popup window handle `window.open` returns. */
export interface PopupHandle {
  readonly closed: boolean;
  close(): void;
  postMessage(message: string, targetOrigin: string): void;
}

/** The page's window, as far as the popup bridge needs it. */
export interface PageWindow {
  open(url: string, target: string, features: string): PopupHandle | null;
  addEventListener(type: 'message', listener: (event: MessageEventLike) => void): void;
  removeEventListener(type: 'message', listener: (event: MessageEventLike) => void): void;
}

/** The page's window, or undefined outside a browser page (workers, Node). */
export function pageWindow(): PageWindow | undefined {
  const g = globalThis as { window?: PageWindow };
  return typeof g.window === 'object' && g.window !== null && typeof g.window.open === 'function' ? g.window : undefined;
}
