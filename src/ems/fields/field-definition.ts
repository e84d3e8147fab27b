import { EmsError } from '../errors.js';

/**
 * What a field holds. The kind picks the normalization rules used to tell a
 * formatting difference from a real one.
 * - `id`: an identifier (管制編號, 統一編號): width, all spaces, upper case.
 * - `name`: a person's name (負責人, 聯絡人): width, spaces; 台 and 臺 stay
 *   apart (the household register records one of them).
 * - `organizationName`: a company's or agency's name (公司名稱): as `name`, and
 *   台 is 臺 (台灣/臺灣).
 * - `address`: width, spaces, postal code, 台/臺, floors, numerals, 之.
 * - `email`: width, all spaces, lower case.
 * - `text`: width and spaces only.
 */
export type FieldKind = 'id' | 'name' | 'address' | 'email' | 'text' | 'organizationName';

/** Every {@link FieldKind}, in a stable order (kinds added later come last). */
export const FIELD_KINDS: readonly FieldKind[] = ['id', 'name', 'address', 'email', 'text', 'organizationName'];

/**
 * One field of the applicant form and the EMS basic-data record. Plain data,
 * so a deployment can add fields (e.g. 統一編號) from configuration.
 */
export interface FieldDefinition {
  /** Key in applicant and record objects, e.g. `facilityAddress`. */
  readonly key: string;
  /** Chinese label as the form shows it, e.g. `事業地址`. */
  readonly labelZh: string;
  /** English label, for logs and English UIs. */
  readonly labelEn: string;
  /** Whether the field takes part in the verdict (the seed's ✓/✗ fields). */
  readonly compared: boolean;
  /** Normalization family of the value. */
  readonly kind: FieldKind;
  /** Longest accepted value in UTF-16 code units; {@link DEFAULT_MAX_FIELD_LENGTH} when absent. */
  readonly maxLength?: number;
}

/**
 * Longest value accepted by default. Real EMS values (addresses included)
 * are far shorter; the cap keeps a hostile request from making the
 * comparison quadratic work or a megabyte error page.
 */
export const DEFAULT_MAX_FIELD_LENGTH = 1024;

/** An ordered, validated list of field definitions with unique keys. */
export type FieldSet = readonly FieldDefinition[];

const KEY_PATTERN = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;

/**
 * Validates field definitions coming from configuration (e.g. a JSON file)
 * and returns them as a frozen {@link FieldSet}.
 *
 * @throws {@link EmsError} `INVALID_FIELD_DEFINITION` naming the first bad entry.
 */
export function defineFieldSet(definitions: unknown): FieldSet {
  if (!Array.isArray(definitions) || definitions.length === 0) {
    throw new EmsError('INVALID_FIELD_DEFINITION', 'field definitions must be a non-empty array');
  }
  const seen = new Set<string>();
  const out: FieldDefinition[] = [];
  definitions.forEach((raw: unknown, index) => {
    const def = checkDefinition(raw, index);
    if (seen.has(def.key)) {
      throw new EmsError('INVALID_FIELD_DEFINITION', `field #${index}: duplicate key "${def.key}"`, {
        field: def.key,
      });
    }
    seen.add(def.key);
    out.push(def);
  });
  const set = Object.freeze(out);
  CHECKED.add(set);
  return set;
}

/** Field sets made by {@link defineFieldSet}: checked once, trusted by the comparison after. */
const CHECKED = new WeakSet<FieldSet>();

/**
 * `fields` if {@link defineFieldSet} made it, else `fields` checked by it (a
 * set built by hand or read from a configuration file).
 * @throws {@link EmsError} `INVALID_FIELD_DEFINITION` naming the problem.
 */
export function checkedFieldSet(fields: unknown): FieldSet {
  return typeof fields === 'object' && fields !== null && CHECKED.has(fields as FieldSet) ? (fields as FieldSet) : defineFieldSet(fields);
}

/**
 * Returns `base` with `extra` definitions appended (or replacing a base
 * definition with the same key, in place), validated as a whole.
 */
export function extendFieldSet(base: FieldSet, extra: readonly FieldDefinition[]): FieldSet {
  // From configuration as often as from code: each extra definition is checked before it is looked into.
  if (!Array.isArray(extra)) throw new EmsError('INVALID_FIELD_DEFINITION', 'the extra fields must be an array of field definitions');
  extra.forEach((e: unknown, i) => checkDefinition(e, base.length + i));
  const merged = base.map((b) => extra.find((e) => e.key === b.key) ?? b);
  for (const e of extra) if (!base.some((b) => b.key === e.key)) merged.push(e);
  return defineFieldSet(merged);
}

function checkDefinition(raw: unknown, index: number): FieldDefinition {
  const where = `field #${index}`;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new EmsError('INVALID_FIELD_DEFINITION', `${where}: must be an object`);
  }
  const r = raw as Record<string, unknown>;
  const { key, labelZh, labelEn, compared, kind, maxLength } = r;
  if (typeof key !== 'string' || !KEY_PATTERN.test(key)) {
    throw new EmsError(
      'INVALID_FIELD_DEFINITION',
      `${where}: "key" must be an identifier (letter, then letters/digits/_; at most 64)`,
    );
  }
  const at = `${where} ("${key}")`;
  if (typeof labelZh !== 'string' || labelZh.trim() === '') {
    throw new EmsError('INVALID_FIELD_DEFINITION', `${at}: "labelZh" must be a non-empty string`, { field: key });
  }
  if (typeof labelEn !== 'string' || labelEn.trim() === '') {
    throw new EmsError('INVALID_FIELD_DEFINITION', `${at}: "labelEn" must be a non-empty string`, { field: key });
  }
  if (typeof compared !== 'boolean') {
    throw new EmsError('INVALID_FIELD_DEFINITION', `${at}: "compared" must be true or false`, { field: key });
  }
  if (typeof kind !== 'string' || !(FIELD_KINDS as readonly string[]).includes(kind)) {
    throw new EmsError(
      'INVALID_FIELD_DEFINITION',
      `${at}: "kind" must be one of ${FIELD_KINDS.join(', ')}`,
      { field: key },
    );
  }
  if (maxLength !== undefined && !(Number.isInteger(maxLength) && (maxLength as number) > 0)) {
    throw new EmsError('INVALID_FIELD_DEFINITION', `${at}: "maxLength" must be a positive integer`, {
      field: key,
    });
  }
  const def: FieldDefinition = {
    key,
    labelZh,
    labelEn,
    compared,
    kind: kind as FieldKind,
    ...(maxLength === undefined ? {} : { maxLength: maxLength as number }),
  };
  return Object.freeze(def);
}
