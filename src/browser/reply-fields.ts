import { ComponentError } from './component-error.js';

/** A JSON object from the component. */
export type JsonObject = Readonly<Record<string, unknown>>;

/** Whether a value is a plain JSON object (pages test `token instanceof Object` the same way). */
export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A text field; the component writes absent optional fields as `""`, so empty means undefined. */
export function text(obj: JsonObject, name: string): string | undefined {
  const v = obj[name];
  if (typeof v === 'string') return v === '' ? undefined : v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

/** A numeric field, as a number or a numeric string (decimal or `0x` hex); undefined when absent or empty. */
export function numeric(obj: JsonObject, name: string): number | undefined {
  const v = obj[name];
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v !== 'string' || v.trim() === '') return undefined;
  const s = v.trim();
  const n = /^-?0x[0-9a-f]+$/i.test(s) ? parseInt(s, 16) : /^-?\d+$/.test(s) ? Number(s) : NaN;
  return Number.isFinite(n) ? n : undefined;
}

/** Parses a reply body as the component's JSON object. */
export function parseReply(body: unknown): JsonObject {
  let value = body;
  if (typeof body === 'string') {
    try {
      value = JSON.parse(body) as unknown;
    } catch (cause) {
      throw new ComponentError('COMPONENT_BAD_REPLY', { cause });
    }
  }
  if (!isObject(value)) throw new ComponentError('COMPONENT_BAD_REPLY');
  return value;
}

/**
 * Throws the component's failure as a {@link ComponentError} when `ret_code`
 * is not 0; a reply without a readable `ret_code` is a bad reply.
 */
export function requireSuccess(reply: JsonObject): void {
  const retCode = numeric(reply, 'ret_code');
  if (retCode === undefined) throw new ComponentError('COMPONENT_BAD_REPLY', { componentMessage: text(reply, 'message') });
  if (retCode !== 0) {
    throw new ComponentError('COMPONENT_FAILED', {
      retCode,
      lastError: numeric(reply, 'last_error') ?? 0,
      componentMessage: text(reply, 'message'),
    });
  }
}
