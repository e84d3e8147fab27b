import { EmsError } from '../errors.js';
import { validateControlNumber } from '../id/control-number.js';
import type { EmsLookupResult, EmsRecord } from './ems-source.js';

/**
 * An immutable table of EMS records keyed by normalized control number,
 * checked once when built: both in-memory and file sources use it.
 */
export class EmsRecordTable {
  private readonly byControlNumber: ReadonlyMap<string, EmsRecord>;

  /**
   * @param records records with a string `controlNumber`; other values must
   *   be strings or `null` (dropped).
   * @throws {@link EmsError} `MALFORMED_RECORD` naming the bad record.
   */
  public constructor(records: Iterable<unknown>) {
    if (records === null || typeof (records as { [Symbol.iterator]?: unknown })?.[Symbol.iterator] !== 'function') {
      throw new EmsError('MALFORMED_RECORD', 'EMS records must be an iterable (an array of records)');
    }
    const map = new Map<string, EmsRecord>();
    let index = 0;
    for (const raw of records) {
      const [key, record] = checkRecord(raw, index);
      if (map.has(key)) {
        throw new EmsError('MALFORMED_RECORD', `EMS record #${index}: duplicate control number ${key}`);
      }
      map.set(key, record);
      index++;
    }
    this.byControlNumber = map;
  }

  /** Number of records. */
  public get size(): number {
    return this.byControlNumber.size;
  }

  /** Looks a control number up (see {@link EmsSource.lookup}). */
  public lookup(controlNumber: string): EmsLookupResult {
    const id = validateControlNumber(controlNumber);
    if (!id.valid) {
      throw new EmsError('INVALID_CONTROL_NUMBER', `cannot look up "${id.value.slice(0, 40)}": ${id.message}`, {
        field: 'controlNumber',
      });
    }
    const record = this.byControlNumber.get(id.value);
    return record === undefined
      ? { status: 'notFound', controlNumber: id.value }
      : { status: 'found', controlNumber: id.value, record };
  }
}

function checkRecord(raw: unknown, index: number): [string, EmsRecord] {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new EmsError('MALFORMED_RECORD', `EMS record #${index} must be an object`);
  }
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (value === null) continue;
    if (typeof value !== 'string') {
      throw new EmsError('MALFORMED_RECORD', `EMS record #${index}: "${key.slice(0, 40)}" must be a string or null`, {
        field: key,
      });
    }
    out[key] = value;
  }
  const id = validateControlNumber(out.controlNumber);
  if (!id.valid) {
    throw new EmsError('MALFORMED_RECORD', `EMS record #${index}: bad controlNumber: ${id.message}`, {
      field: 'controlNumber',
    });
  }
  // Keyed by the normalized number so lookups forgive case and width; the
  // record itself stays as EMS wrote it, since that is what is compared.
  return [id.value, Object.freeze(out)];
}
