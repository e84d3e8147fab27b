/**
 * Refuses an options argument that is not an object, before any setting is read from it: from JavaScript,
 * `new X(null)` (a setting read from configuration that was not there) would otherwise be a bare `TypeError`.
 * Kept free of `node:crypto` (so not `describeValue`) and the certificate code: the challenge store uses it too.
 * @param where the constructor or method, for the message.
 * @param optional whether the options may be left out (the message says so).
 * @throws RangeError naming `where` and what was given.
 */
export function requireOptionsObject(value: unknown, where: string, optional = true): void {
  // An array is an object too, but no options object: its settings would all read as left out.
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    const given = value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
    throw new RangeError(`${where}: options must be an object${optional ? ' or left out' : ''}, not ${given}`);
  }
}
