/**
 * What is wrong with `options` when it has a key outside `names`, for the
 * kit's `BAD_OPTIONS` messages: `"cn" is not an option (they are …)`, with
 * `hint` after the list. A misspelt name would otherwise be dropped for its
 * default, and the harness fail far from the cause. `undefined` when every
 * key is known.
 */
export function unknownOption(options: object, names: ReadonlySet<string>, hint?: string): string | undefined {
  const unknown = Object.keys(options).find((name) => !names.has(name));
  if (unknown === undefined) return undefined;
  return `${JSON.stringify(unknown)} is not an option (they are ${[...names].join(', ')}${hint === undefined ? '' : `; ${hint}`})`;
}
