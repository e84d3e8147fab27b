import { describeValue } from '../../shared/describe-value.js';

/**
 * An EMS basic-data record (基本資料表C) as a source returns it: string
 * values keyed by field key. Sources keep every string column they hold;
 * the comparator checks the fields it needs.
 */
export type EmsRecord = Readonly<Record<string, string>>;

/** A record was found for the control number. */
export interface EmsRecordFound {
  /** Discriminant. */
  readonly status: 'found';
  /** Normalized control number looked up. */
  readonly controlNumber: string;
  /** The record. */
  readonly record: EmsRecord;
}

/** EMS holds no record for the control number. */
export interface EmsRecordNotFound {
  /** Discriminant. */
  readonly status: 'notFound';
  /** Normalized control number looked up. */
  readonly controlNumber: string;
}

/** Outcome of {@link EmsSource.lookup}. Not found is a result, not an error. */
export type EmsLookupResult = EmsRecordFound | EmsRecordNotFound;

/**
 * Where EMS basic data comes from: an in-memory table, a JSON export, or a
 * deployment's own adapter to the EMS service.
 */
export interface EmsSource {
  /**
   * Finds the record of a control number (normalized first: full/half width folded, trimmed,
   * upper-cased).
   *
   * @throws {@link EmsError} `INVALID_CONTROL_NUMBER` when `controlNumber`
   *   is not a well-formed 管制編號, `SOURCE_UNREADABLE` when the data cannot
   *   be read.
   */
  lookup(controlNumber: string): Promise<EmsLookupResult>;
}

/**
 * Refuses a source that has no `lookup` method, where it is given rather than at the first look-up (a
 * configuration mistake would otherwise surface as an EMS failure on the first application).
 * @throws RangeError naming `where`.
 * @internal
 */
export function checkEmsSource(where: string, source: unknown): asserts source is EmsSource {
  if (typeof source !== 'object' || source === null || typeof (source as { lookup?: unknown }).lookup !== 'function') {
    throw new RangeError(`${where}: source must be an EmsSource (an object with lookup(controlNumber), such as InMemoryEmsSource or JsonFileEmsSource), not ${describeValue(source)}`);
  }
}
