import { ComponentError } from './component-error.js';
import type { ResolvedOptions } from './options.js';
import { parseReply, type JsonObject } from './reply-fields.js';

/** A direct request's body: `/sign` takes `tbsPackage=<JSON>` as form data. */
export interface DirectBody {
  readonly contentType: string;
  readonly body: string;
}

/**
 * Tells a component that is absent from one the browser will not let the
 * page read: a `no-cors` request needs no CORS answer, so it succeeds
 * whenever something listens.
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

/**
 * One request straight to the component. A network failure is reported as
 * `COMPONENT_ABSENT` or `COMPONENT_DIRECT_REFUSED` (the component listens,
 * but this page may not read it), a hang as `COMPONENT_TIMEOUT`.
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
    throw new ComponentError((await componentListens(options)) ? 'COMPONENT_DIRECT_REFUSED' : 'COMPONENT_ABSENT', { cause });
  }
  try {
    if (!response.ok) throw new ComponentError('COMPONENT_BAD_REPLY', { componentMessage: `HTTP ${response.status}` });
    return parseReply(await response.text());
  } catch (cause) {
    if (cause instanceof ComponentError) throw cause;
    throw new ComponentError(timedOut ? 'COMPONENT_TIMEOUT' : 'COMPONENT_BAD_REPLY', { cause });
  } finally {
    clearTimeout(timer);
  }
}
