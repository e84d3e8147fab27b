import { NameAttributeOid } from '../../cert/profile/oids.js';
import { TestPkiError } from './errors.js';
import { encodedString, objectIdentifier, sequence, setOf } from '../der/der-writer.js';
import type { NameAttributeSpec, NameSpec, NameStringEncoding } from './types.js';


function attributeOid(type: string): string {
  if (/^\d+(\.\d+)+$/.test(type)) return type;
  const oid = (NameAttributeOid as Record<string, string>)[type];
  if (oid === undefined) throw new TestPkiError('BAD_SUBJECT_NAME', `unknown name attribute type: ${type}`);
  return oid;
}

function defaultEncoding(oid: string): NameStringEncoding {
  // Real GPKI certificates: C and serialNumber PrintableString, every other
  // value (Chinese included) UTF8String.
  if (oid === NameAttributeOid.C || oid === NameAttributeOid.serialNumber) return 'printable';
  if (oid === NameAttributeOid.E) return 'ia5';
  return 'utf8';
}

/** Splits `"C=TW, O=行政院"` into attributes; `\,` keeps a comma in a value. */
export function parseNameString(name: string): NameAttributeSpec[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < name.length; i++) {
    const ch = name[i];
    if (ch === '\\' && i + 1 < name.length) {
      current += name[++i];
    } else if (ch === ',') {
      parts.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  parts.push(current);
  return parts
    .map((p) => p.trim())
    .filter((p) => p.length > 0)
    .map((part) => {
      const eq = part.indexOf('=');
      if (eq <= 0) throw new TestPkiError('BAD_SUBJECT_NAME', `not a TYPE=value pair: ${part}`);
      return { type: part.slice(0, eq).trim(), value: part.slice(eq + 1).trim() };
    });
}

/** DER of an X.501 Name, one attribute per RDN, in the given order. */
export function buildName(spec: NameSpec): Uint8Array {
  const attributes = typeof spec === 'string' ? parseNameString(spec) : spec;
  const rdns = attributes.map((attribute) => {
    const oid = attributeOid(attribute.type);
    const encoding = attribute.encoding ?? defaultEncoding(oid);
    return setOf(sequence(objectIdentifier(oid), encodedString(encoding, attribute.value)));
  });
  return sequence(...rdns);
}
