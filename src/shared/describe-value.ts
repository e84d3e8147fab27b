/**
 * Node's KeyObject, told by its tag rather than `instanceof`: this module must not load `node:crypto`, so the
 * options checks (and the challenge store's entry, which uses them) stay free of it.
 */
function isKeyObject(value: unknown): value is { type: string; asymmetricKeyType?: string } {
  return typeof value === 'object' && value !== null && Object.prototype.toString.call(value) === '[object KeyObject]';
}

/** How a message shows a bad value: strings and numbers as written, an invalid Date as such, objects by kind. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'undefined (missing)';
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'an invalid Date' : value.toISOString();
  if (isKeyObject(value)) return `a ${value.type} ${value.asymmetricKeyType ?? ''} KeyObject`.replace('  ', ' ');
  if (value instanceof Uint8Array) return `a ${value.constructor.name} of ${value.length} bytes`;
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'function') return 'a function';
  return 'an object';
}
