import type { EmsLookupResult, EmsSource } from './ems-source.js';
import { EmsRecordTable } from './record-table.js';

/** An {@link EmsSource} over records held in memory (tests, small deployments, caches). */
export class InMemoryEmsSource implements EmsSource {
  private readonly table: EmsRecordTable;

  /**
   * @param records objects with a string `controlNumber` and string (or
   *   `null`) values, e.g. parsed from an EMS export.
   * @throws {@link EmsError} `MALFORMED_RECORD` for a bad or duplicate record.
   */
  public constructor(records: Iterable<unknown>) {
    this.table = new EmsRecordTable(records);
  }

  /** Number of records held. */
  public get size(): number {
    return this.table.size;
  }

  /** {@inheritDoc EmsSource.lookup} */
  public lookup(controlNumber: string): Promise<EmsLookupResult> {
    try {
      return Promise.resolve(this.table.lookup(controlNumber));
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }
}
