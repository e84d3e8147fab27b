/**
 * Implements the enroll EMS ports on the EMS layer's comparator and record
 * source, so a deployment wires `EmsSource` once and both flows use it.
 */
import {
  DEFAULT_FIELDS,
  DEFAULT_POLICY,
  EmsError,
  defineFieldSet,
  parsePolicy,
  verifyApplication,
  type CompareOptions,
  type EmsSource,
} from '../../ems/index.js';
import { BASIC_DATA_FIELDS, type BasicData, type BasicDataField } from '../domain/basic-data.js';
import type { ControlNumber } from '../domain/identifiers.js';
import { EnrollError } from '../errors.js';
import type { EmsComparison, EmsRecordSource, EmsVerifier, FieldVerdict } from '../ports/ems.js';
import { describeValue } from '../../shared/describe-value.js';
import { checkOptionNames } from '../../shared/option-names.js';

/** The names of {@link CompareOptions}; a Record so that an option added there and not here fails to compile. */
const ADAPTER_OPTIONS: Record<keyof CompareOptions, true> = { policy: true, fields: true };

function failure(err: unknown): unknown {
  return err instanceof EmsError ? new EnrollError('EMS_FAILURE', `EMS comparison failed (${err.code})`, { cause: err }) : err;
}

/** {@link EmsVerifier} and {@link EmsRecordSource} over an EMS-layer {@link EmsSource}. */
export class EmsLayerAdapter implements EmsVerifier, EmsRecordSource {
  private readonly source: EmsSource;
  private readonly options: CompareOptions;

  /**
   * Uses `source` for lookups and `options` (policy, field set) for comparisons.
   * @throws EmsError `UNKNOWN_POLICY` or `INVALID_FIELD_DEFINITION` (from `twpki/ems`) when `options` cannot be used: a
   * configuration fault, told when the adapter is built rather than as an EMS failure on the first application.
   * @throws RangeError, for the same reason, when `source` is not an {@link EmsSource} (an object with `lookup`), or
   *   `options` is not an object or has a name that is no option (a misspelt `polcy` was dropped for `strict`).
   */
  public constructor(source: EmsSource, options: CompareOptions = {}) {
    if (typeof source !== 'object' || source === null || typeof (source as { lookup?: unknown }).lookup !== 'function') {
      throw new RangeError(`EmsLayerAdapter: source must be an EmsSource (an object with lookup(controlNumber), such as InMemoryEmsSource or JsonFileEmsSource), not ${describeValue(source)}`);
    }
    checkOptionNames('EmsLayerAdapter', options, ADAPTER_OPTIONS);
    this.source = source;
    this.options = {
      policy: options.policy === undefined ? DEFAULT_POLICY : parsePolicy(options.policy),
      fields: options.fields === undefined ? DEFAULT_FIELDS : defineFieldSet(options.fields),
    };
  }

  /** {@inheritDoc EmsVerifier.verify} */
  public async verify(data: BasicData): Promise<EmsComparison> {
    const fields = Object.fromEntries(BASIC_DATA_FIELDS.map((f) => [f, 'notCompared'])) as Record<BasicDataField, FieldVerdict>;
    let outcome: Awaited<ReturnType<typeof verifyApplication>>;
    try {
      outcome = await verifyApplication({ ...data }, this.source, this.options);
    } catch (err) {
      throw failure(err);
    }
    if (outcome.status === 'notFound') {
      // No EMS record: the control number itself is what does not match.
      fields.controlNumber = 'mismatch';
      return { passed: false, fields };
    }
    for (const r of outcome.result.fields) {
      const key = r.field.key as BasicDataField;
      if (!BASIC_DATA_FIELDS.includes(key)) continue;
      fields[key] = r.compared ? (r.pass ? 'match' : 'mismatch') : 'notCompared';
    }
    return { passed: outcome.result.pass, fields };
  }

  /** {@inheritDoc EmsRecordSource.facilityEmail} */
  public async facilityEmail(controlNumber: ControlNumber): Promise<string | undefined> {
    try {
      const r = await this.source.lookup(controlNumber);
      return r.status === 'found' ? r.record.facilityEmail : undefined;
    } catch (err) {
      throw failure(err);
    }
  }
}
