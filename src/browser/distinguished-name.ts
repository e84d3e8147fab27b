/** One attribute of a distinguished name as the component writes it. */
export interface NameAttribute {
  /** Attribute type as written (`C`, `O`, `OU`, `CN`, `serialNumber`, …). */
  readonly type: string;
  /** Attribute value. */
  readonly value: string;
}

/** A distinguished name from the component's `subjectDN` / `issuerDN` text. */
export interface DistinguishedName {
  /** The text as the component sent it (official: certificate order, joined by `,` with no space). */
  readonly text: string;
  /** The attributes in the order written (C first). */
  readonly attributes: readonly NameAttribute[];
}

/**
 * Splits a DN string the way the official component writes it
 * (`C=TW,CN=王小明,serialNumber=0000000000000000`). A comma-space separator
 * (as some other components write) is accepted too; a segment without `=`
 * belongs to the previous value, since the component does not escape commas.
 */
export function parseDistinguishedName(text: string): DistinguishedName {
  const attributes: NameAttribute[] = [];
  for (const segment of text.split(',')) {
    const eq = segment.indexOf('=');
    const type = eq > 0 ? segment.slice(0, eq).trim() : '';
    const last = attributes[attributes.length - 1];
    if ((eq <= 0 || !/^(?:[A-Za-z][A-Za-z0-9-]*|\d+(?:\.\d+)*)$/.test(type)) && last) {
      attributes[attributes.length - 1] = { type: last.type, value: `${last.value},${segment}` };
    } else if (eq > 0) {
      attributes.push({ type, value: segment.slice(eq + 1) });
    }
  }
  return { text, attributes };
}

/** The first value of an attribute type (case-insensitive), or undefined. */
export function nameValue(name: DistinguishedName, type: string): string | undefined {
  const t = type.toLowerCase();
  return name.attributes.find((a) => a.type.toLowerCase() === t)?.value;
}
