import { describeValue } from './describe-value.js';

/**
 * The one check of an options argument's kind and names, for every layer: from JavaScript or a configuration file, a
 * misspelt option was dropped for its default without a word, and options of the wrong kind failed later, far from
 * the mistake (or read as no options at all). Each layer throws its own error with these messages (RangeError, or
 * the layer's typed error where it has one). Free of `node:crypto`: the challenge store's entry uses it.
 */

/**
 * The option names of an options type: its `Record<keyof Options, true>` (so an option added to the interface and
 * not to the list fails to compile), or the names as a set or list.
 */
export type OptionNames = Readonly<Record<string, true>> | ReadonlySet<string> | readonly string[];

/**
 * What is wrong with `options` when it is not an options object (an array and `null` included), `undefined` when it
 * is one: `options must be an object or left out, not 5`.
 * @param optional whether the options may be left out (the message says so).
 */
export function optionsKindProblem(options: unknown, optional = true): string | undefined {
  if (typeof options === 'object' && options !== null && !Array.isArray(options)) return undefined;
  // A string where the options go was meant as something else, and is often a secret: a connection string with its
  // password (`PgliteStore.open(process.env.DATABASE_URL)`), a PIN (`HiCOSCard.open(session, pin)`). Not shown:
  // these messages end up in logs.
  const given = typeof options === 'string' ? 'a string' : describeValue(options);
  return `options must be an object${optional ? ' or left out' : ''}, not ${given}`;
}

/**
 * What is wrong with `options` when it has a name outside `names`, `undefined` when every name is known:
 * `"ttl" is not an option (they are ttlMs, store, …)`, with `hint` after the list.
 */
export function unknownOptionProblem(options: object, names: OptionNames, hint?: string): string | undefined {
  const known = listOf(names);
  const unknown = Object.keys(options).find((name) => !known.includes(name));
  if (unknown === undefined) return undefined;
  return `${JSON.stringify(unknown)} is not an option (they are ${known.join(', ')}${hint === undefined ? '' : `; ${hint}`})`;
}

function listOf(names: OptionNames): readonly string[] {
  if (Array.isArray(names)) return names as readonly string[];
  if (names instanceof Set) return [...names];
  return Object.keys(names);
}

/**
 * Refuses an options argument that is not an object or left out, or (with `names`) has a name outside `names`.
 * @param optional whether the options may be left out; `false` for options with a required member, so that the
 *   message does not offer leaving them out.
 * @throws RangeError naming `where` and the option.
 * @internal
 */
export function checkOptionNames(where: string, options: unknown, names?: OptionNames, optional = true): void {
  const problem = optionsKindProblem(options, optional) ?? (names === undefined ? undefined : unknownOptionProblem(options as object, names));
  if (problem !== undefined) throw new RangeError(`${where}: ${problem}`);
}
