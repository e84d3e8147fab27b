import { optionsKindProblem } from '../../shared/option-names.js';

/**
 * Refuses an options argument that is not an object, before any setting is read from it: from JavaScript,
 * `new X(null)` (a setting read from configuration that was not there) would otherwise be a bare `TypeError`.
 * Kept free of `node:crypto` and the certificate code: the challenge store uses it too.
 * @param where the constructor or method, for the message.
 * @param optional whether the options may be left out (the message says so).
 * @throws RangeError naming `where` and what was given.
 */
export function requireOptionsObject(value: unknown, where: string, optional = true): void {
  // An array is an object too, but no options object: its settings would all read as left out.
  const problem = optionsKindProblem(value, optional);
  if (problem !== undefined) throw new RangeError(`${where}: ${problem}`);
}
