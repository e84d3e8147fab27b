import { EmsError } from './errors.js';
import { checkedFieldSet, DEFAULT_MAX_FIELD_LENGTH, type FieldDefinition, type FieldSet } from './fields/field-definition.js';
import { describeValue } from '../shared/describe-value.js';
import { checkOptionNames } from '../shared/option-names.js';

/**
 * Field values keyed by field key, as typed by an applicant or as held in
 * EMS. A missing key means "no value" and is only allowed for fields that
 * are not compared.
 */
export type FieldValues = Readonly<Partial<Record<string, string>>>;

/** Options of {@link parseFieldValues}. */
export interface ParseFieldValuesOptions {
  /** Which side the object is, used in error messages. */
  readonly side: 'applicant' | 'record';
  /**
   * Reject keys the field set does not define. Default: true for the
   * applicant (a typo there would silently drop a field), false for EMS
   * records (table C has many more columns than the form).
   */
  readonly rejectUnknownKeys?: boolean;
}

/** The names of {@link ParseFieldValuesOptions}; a Record so that an option added there and not here fails to compile. */
const PARSE_OPTIONS: Record<keyof ParseFieldValuesOptions, true> = { side: true, rejectUnknownKeys: true };

/**
 * Checks untrusted input (parsed JSON, a request body) against a field set
 * and returns the string values it holds.
 *
 * Compared fields must be present strings; fields that are not compared may
 * be absent or `null`. Every value must fit the field's `maxLength`.
 *
 * @throws {@link EmsError} `MALFORMED_RECORD`, `MISSING_FIELD`, `NOT_A_STRING`,
 *   `VALUE_TOO_LONG` or `UNKNOWN_FIELD`, naming the field; `INVALID_FIELD_DEFINITION`
 *   for `fields` that is not a valid field set (as `defineFieldSet` checks it).
 * @throws RangeError naming the option, before the input is read, for `options` that
 *   is not an object or has a name that is no option, a `side` that is not `applicant`
 *   or `record` (it chooses whether unknown keys are refused), or a `rejectUnknownKeys`
 *   that is not true or false.
 */
export function parseFieldValues(
  input: unknown,
  fields: FieldSet,
  options: ParseFieldValuesOptions,
): FieldValues {
  const { side, rejectUnknownKeys } = checkedParseOptions(options);
  const set = checkedFieldSet(fields);
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new EmsError('MALFORMED_RECORD', `the ${side} data must be a JSON object keyed by field`);
  }
  const obj = input as Record<string, unknown>;
  const rejectUnknown = rejectUnknownKeys ?? side === 'applicant';
  if (rejectUnknown) {
    const known = knownKeys(set);
    for (const key of Object.keys(obj)) {
      if (!known.has(key)) {
        throw new EmsError(
          'UNKNOWN_FIELD',
          `the ${side} data has an unknown field "${truncate(key)}"; known fields: ${set.map((f) => f.key).join(', ')}`,
          { field: key },
        );
      }
    }
  }
  const out: Record<string, string> = {};
  for (const field of set) {
    const value = Object.hasOwn(obj, field.key) ? obj[field.key] : undefined;
    if (value === undefined || value === null) {
      if (field.compared) {
        throw new EmsError('MISSING_FIELD', `the ${side} data lacks ${field.labelZh} (${field.key})`, {
          field: field.key,
        });
      }
      continue;
    }
    if (typeof value !== 'string') throw notAString(field, side, value);
    const max = field.maxLength ?? DEFAULT_MAX_FIELD_LENGTH;
    if (value.length > max) {
      throw new EmsError(
        'VALUE_TOO_LONG',
        `${field.labelZh} (${field.key}) in the ${side} data is ${value.length} characters long; the limit is ${max}`,
        { field: field.key },
      );
    }
    out[field.key] = value;
  }
  return Object.freeze(out);
}

/**
 * `options` checked: with `5` the message read "the undefined data lacks …", and a misspelt `rejectUnknownKey: false`
 * was dropped, so the applicant's extra keys were still refused.
 */
function checkedParseOptions(options: unknown): ParseFieldValuesOptions {
  checkOptionNames('parseFieldValues', options, PARSE_OPTIONS, false);
  const { side, rejectUnknownKeys } = options as Partial<Record<keyof ParseFieldValuesOptions, unknown>>;
  if (side !== 'applicant' && side !== 'record') {
    throw new RangeError(`parseFieldValues: option side must be "applicant" or "record", not ${describeValue(side)}`);
  }
  if (rejectUnknownKeys !== undefined && typeof rejectUnknownKeys !== 'boolean') {
    throw new RangeError(`parseFieldValues: option rejectUnknownKeys must be true or false, not ${describeValue(rejectUnknownKeys)}`);
  }
  return rejectUnknownKeys === undefined ? { side } : { side, rejectUnknownKeys };
}

// Field sets are immutable and few, so their key sets are computed once.
const keyCache = new WeakMap<FieldSet, ReadonlySet<string>>();

function knownKeys(fields: FieldSet): ReadonlySet<string> {
  let keys = keyCache.get(fields);
  if (keys === undefined) {
    keys = new Set(fields.map((f) => f.key));
    keyCache.set(fields, keys);
  }
  return keys;
}

/** `NOT_A_STRING` for a field value on `side` that is not text, naming the field. */
export function notAString(field: FieldDefinition, side: 'applicant' | 'record', value: unknown): EmsError {
  return new EmsError('NOT_A_STRING', `${field.labelZh} (${field.key}) in the ${side} data must be a string, not ${describeType(value)}`, {
    field: field.key,
  });
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

function truncate(s: string): string {
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}
