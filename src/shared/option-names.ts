import { describeValue } from './describe-value.js';

/**
 * Refuses an options argument that is not a plain object (an array or `null` included), or that has a name
 * outside `names`. From JavaScript or a configuration file a misspelt option was dropped for its default without
 * a word, and options of the wrong kind failed later, far from the mistake (or were read as no options at all).
 * `names` is the caller's `Record<keyof Options, true>`, so an option added to the interface and not to the list
 * fails to compile.
 * @throws RangeError naming `where` and the option.
 * @internal
 */
export function checkOptionNames(where: string, options: unknown, names: Readonly<Record<string, true>>): void {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new RangeError(`${where}: options must be an object or left out, not ${describeValue(options)}`);
  }
  const unknown = Object.keys(options).find((name) => !Object.hasOwn(names, name));
  if (unknown !== undefined) throw new RangeError(`${where}: ${JSON.stringify(unknown)} is not an option (they are ${Object.keys(names).join(', ')})`);
}
