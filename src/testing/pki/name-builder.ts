import { NameAttributeOid } from '../../cert/profile/oids.js';
import { TestPkiError } from './errors.js';
import { encodedString, objectIdentifier, sequence, setOf } from '../der/der-writer.js';
import { isOid } from '../check-input.js';
import { describeValue } from '../../shared/describe-value.js';
import { unknownOptionProblem } from '../../shared/option-names.js';
import type { NameAttributeSpec, NameSpec, NameStringEncoding } from './types.js';

function attributeOid(type: string, label: string, safeArcs: boolean): string {
  if (isOid(type)) {
    // @peculiar/x509 re-encodes a certificate's names, and writes an arc past 2^53 − 1 as another OID.
    if (safeArcs && type.split('.').some((arc) => !Number.isSafeInteger(Number(arc)))) {
      throw new TestPkiError('BAD_SUBJECT_NAME', `${label}: type ${type} has an arc above 2^53 − 1, which a certificate's name cannot carry here (buildName can)`);
    }
    return type;
  }
  if (/^[\d.]+$/.test(type)) throw new TestPkiError('BAD_SUBJECT_NAME', `${label}: type ${type} is not an object identifier DER can carry as written`);
  const oid = Object.hasOwn(NameAttributeOid, type) ? (NameAttributeOid as Record<string, string>)[type] : undefined;
  if (oid === undefined) {
    throw new TestPkiError(
      'BAD_SUBJECT_NAME',
      `${label}: unknown name attribute type: ${type} (the short names are ${Object.keys(NameAttributeOid).join(', ')}; or give a dotted OID)`,
    );
  }
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
export function parseNameString(name: string, label = 'name'): NameAttributeSpec[] {
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
      if (eq <= 0) throw new TestPkiError('BAD_SUBJECT_NAME', `${label}: not a TYPE=value pair: ${part}`);
      return { type: part.slice(0, eq).trim(), value: part.slice(eq + 1).trim() };
    });
}

/** DER of an X.501 Name, one attribute per RDN, in the given order. */
export function buildName(spec: NameSpec): Uint8Array {
  return encodeName(spec, 'buildName: name');
}

/**
 * Most attributes `issueCertificate` writes in a subject: the certificate, with its issuer's name and extensions,
 * must stay under the 10,000 ASN.1 elements @peculiar/x509's parser accepts.
 */
const MAX_CERTIFICATE_NAME_ATTRIBUTES = 1000;

const ENCODINGS: readonly NameStringEncoding[] = ['utf8', 'bmp', 'printable', 'teletex', 'ia5'];
const ATTRIBUTE_NAMES: ReadonlySet<string> = new Set(['type', 'value', 'encoding']);

/**
 * {@link buildName}, with `label` (`issueCertificate: option "subject"`) opening its `BAD_SUBJECT_NAME` messages;
 * `forCertificate` for a certificate's subject, which @peculiar/x509 re-encodes: its arcs must stay within
 * 2^53 − 1, and it may hold at most {@link MAX_CERTIFICATE_NAME_ATTRIBUTES} attributes (the parser refuses a
 * certificate of more than 10,000 ASN.1 elements, four per attribute, with an untyped error).
 * A spec that is neither a string nor an array failed as a TypeError; a value that is not a string was written
 * as its `String()`, and an unknown encoding as a string with tag 0.
 */
export function encodeName(spec: NameSpec, label: string, forCertificate = false): Uint8Array {
  const bad = (why: string): never => {
    throw new TestPkiError('BAD_SUBJECT_NAME', `${label} ${why}`);
  };
  if (typeof spec !== 'string' && !Array.isArray(spec)) {
    bad(`must be a name such as "C=TW, CN=王小明" or an array of { type, value }, not ${describeValue(spec)}`);
  }
  const attributes = typeof spec === 'string' ? parseNameString(spec, label) : spec;
  if (forCertificate && attributes.length > MAX_CERTIFICATE_NAME_ATTRIBUTES) {
    bad(`has ${attributes.length} attributes; a certificate's name may have at most ${MAX_CERTIFICATE_NAME_ATTRIBUTES} (real ones have fewer than 20)`);
  }
  const rdns = attributes.map((attribute: unknown, i) => {
    const at = `attribute ${i}`;
    if (typeof attribute !== 'object' || attribute === null) bad(`${at} must be an object such as { type: 'CN', value: '王小明' }, not ${describeValue(attribute)}`);
    const a = attribute as Record<string, unknown>;
    const unknown = unknownOptionProblem(a, ATTRIBUTE_NAMES);
    if (unknown !== undefined) bad(`${at}: ${unknown}`);
    if (typeof a.type !== 'string') bad(`${at} type must be a short name such as 'CN' or a dotted OID, not ${describeValue(a.type)}`);
    if (typeof a.value !== 'string') bad(`${at} (${a.type as string}) value must be a string, not ${describeValue(a.value)}`);
    if (a.encoding !== undefined && !ENCODINGS.includes(a.encoding as NameStringEncoding)) {
      bad(`${at} (${a.type as string}) encoding must be one of ${ENCODINGS.join(', ')}, not ${describeValue(a.encoding)}`);
    }
    const { type, value, encoding } = attribute as NameAttributeSpec;
    const oid = attributeOid(type, `${label} ${at}`, forCertificate);
    return setOf(sequence(objectIdentifier(oid), encodedString(encoding ?? defaultEncoding(oid), value)));
  });
  return sequence(...rdns);
}
