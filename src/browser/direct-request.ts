import { ComponentError } from './component-error.js';
import type { ResolvedOptions } from './options.js';
import { numeric, parseReply, text, type JsonObject } from './reply-fields.js';
import { RetCode } from '../component/codes.js';

/** A direct request's body: `/sign` takes `tbsPackage=<JSON>` as form data. */
export interface DirectBody {
  readonly contentType: string;
  readonly body: string;
}

/**
 * Tells a component that is absent from one the browser will not let the
 * page read: a `no-cors` request needs no CORS answer, so it succeeds
 * whenever something listens. Chrome's Local Network Access blocks it too
 * (see {@link localNetworkState}).
 */
async function componentListens(options: ResolvedOptions): Promise<boolean> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), Math.min(options.timeoutMs, 5_000));
  try {
    // `cache` is a browser RequestInit field the Node typings lack.
    await fetch(`${options.url}/`, { mode: 'no-cors', cache: 'no-store', signal: controller.signal, credentials: 'omit' } as RequestInit);
    return true;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/** A Permissions API state, or undefined when the browser cannot say. */
export type LocalNetworkState = 'granted' | 'denied' | 'prompt' | undefined;

interface PermissionsLike {
  query(descriptor: { name: string }): Promise<{ readonly state: string }>;
}

/** Whether a host name is this machine (no Local Network Access check between two such addresses). */
function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host.endsWith('.localhost') || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * Whether the browser lets this page reach the component's address: Chrome's
 * Local Network Access permission (`loopback-network` for localhost since
 * Chrome 142, `local-network` for other private addresses; the older single
 * name `local-network-access`, which Chrome keeps as an alias). A name the
 * browser does not know makes `query` throw a TypeError: that, or no
 * Permissions API, is `undefined` (the browser has no such permission).
 */
export async function localNetworkState(options: ResolvedOptions): Promise<LocalNetworkState> {
  const g = globalThis as { navigator?: { permissions?: PermissionsLike } };
  const permissions = g.navigator?.permissions;
  if (!permissions || typeof permissions.query !== 'function') return undefined;
  const names = isLoopbackHost(new URL(options.url).hostname) ? ['loopback-network', 'local-network-access'] : ['local-network', 'local-network-access'];
  for (const name of names) {
    try {
      const { state } = await permissions.query({ name });
      if (state === 'granted' || state === 'denied' || state === 'prompt') return state;
    } catch {
      // TypeError: not a permission this browser knows; try the next name.
    }
  }
  return undefined;
}

/**
 * `COMPONENT_ABSENT` errors after which the component may still be there:
 * the page may not reach the local network and the user was not (or not
 * yet) asked, so nothing tells "absent" from "blocked". `auto` mode tries
 * the popup after these.
 */
const possiblyBlocked = new WeakSet<ComponentError>();

/** Whether `auto` mode should try the popup after this direct failure. */
export function popupMayReach(error: unknown): error is ComponentError {
  return error instanceof ComponentError && (error.code === 'COMPONENT_DIRECT_REFUSED' || possiblyBlocked.has(error));
}

/**
 * What a network failure means. Something listens (the `no-cors` probe got
 * through): the page may not read it. Otherwise the page's own address
 * decides: a page on this machine is never kept from localhost, so nothing
 * listens. From elsewhere, Local Network Access may have blocked both
 * requests: `denied` means the page may not reach the component directly at
 * all; `prompt` means the user has not allowed it (a dismissed prompt, or
 * no prompt because nothing listens: the two look the same); a browser
 * without the permission (`undefined`) does not block localhost this way,
 * so nothing listens.
 */
async function networkFailure(options: ResolvedOptions, cause: unknown): Promise<ComponentError> {
  if (await componentListens(options)) return new ComponentError('COMPONENT_DIRECT_REFUSED', { cause });
  const pageHost = (globalThis as { location?: { hostname?: string } }).location?.hostname;
  if (pageHost !== undefined && isLoopbackHost(pageHost)) return new ComponentError('COMPONENT_ABSENT', { cause });
  const state = await localNetworkState(options);
  if (state === 'denied') return new ComponentError('COMPONENT_DIRECT_REFUSED', { cause });
  const absent = new ComponentError('COMPONENT_ABSENT', { cause });
  if (state === 'prompt') possiblyBlocked.add(absent);
  return absent;
}

/**
 * A refusal the component sent with an HTTP error status (the agent's 413
 * for a body over its limit carries `ret_code` 0x7600000C in JSON).
 */
function httpFailure(status: number, body: string): ComponentError {
  let reply: JsonObject | undefined;
  try {
    reply = parseReply(body);
  } catch {
    reply = undefined;
  }
  const retCode = reply === undefined ? undefined : numeric(reply, 'ret_code');
  const componentMessage = (reply === undefined ? undefined : text(reply, 'message')) ?? `HTTP ${status}`;
  if (reply !== undefined && retCode !== undefined && retCode !== 0) {
    return new ComponentError('COMPONENT_FAILED', { retCode, lastError: numeric(reply, 'last_error') ?? 0, componentMessage });
  }
  // 413 Payload Too Large without the component's JSON: still the request's size, not a broken component.
  if (status === 413) return new ComponentError('COMPONENT_FAILED', { retCode: RetCode.BAD_PARAMETER, componentMessage: 'HTTP 413: the request is too large' });
  return new ComponentError('COMPONENT_BAD_REPLY', { componentMessage });
}

/**
 * One request straight to the component. A network failure is reported as
 * `COMPONENT_ABSENT` or `COMPONENT_DIRECT_REFUSED` (the component listens,
 * or the browser keeps this page from it), a hang as `COMPONENT_TIMEOUT`; an
 * HTTP error status with the component's JSON as `COMPONENT_FAILED` with its
 * `ret_code`.
 */
export async function directRequest(options: ResolvedOptions, path: string, body?: DirectBody): Promise<JsonObject> {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, options.timeoutMs);
  let response: Response;
  try {
    response = await fetch(`${options.url}${path}`, {
      method: body ? 'POST' : 'GET',
      cache: 'no-store',
      credentials: 'omit',
      signal: controller.signal,
      ...(body ? { headers: { 'Content-Type': body.contentType }, body: body.body } : {}),
    } as RequestInit);
  } catch (cause) {
    clearTimeout(timer);
    if (timedOut) throw new ComponentError('COMPONENT_TIMEOUT', { cause });
    throw await networkFailure(options, cause);
  }
  try {
    const answer = await response.text();
    if (!response.ok) throw httpFailure(response.status, answer);
    return parseReply(answer);
  } catch (cause) {
    if (cause instanceof ComponentError) throw cause;
    throw new ComponentError(timedOut ? 'COMPONENT_TIMEOUT' : 'COMPONENT_BAD_REPLY', { cause });
  } finally {
    clearTimeout(timer);
  }
}
