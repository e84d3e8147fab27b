import { readFile, stat } from 'node:fs/promises';
import { EmsError } from '../errors.js';
import type { EmsLookupResult, EmsSource } from './ems-source.js';
import { EmsRecordTable } from './record-table.js';
import { describeValue } from '../../shared/describe-value.js';
import { checkOptionNames } from '../../shared/option-names.js';

/** Options of {@link JsonFileEmsSource}. */
export interface JsonFileEmsSourceOptions {
  /** Largest file accepted, in bytes; default 64 MiB. */
  readonly maxBytes?: number;
}

const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;

/** The names of {@link JsonFileEmsSourceOptions}; a Record so that an option added there and not here fails to compile. */
const SOURCE_OPTIONS: Record<keyof JsonFileEmsSourceOptions, true> = { maxBytes: true };

/**
 * An {@link EmsSource} over a JSON export: either an array of records or
 * `{"records": [...]}`. The file is read and checked once, on the first
 * lookup (or {@link JsonFileEmsSource.load}); a failed read is retried on
 * the next lookup.
 */
export class JsonFileEmsSource implements EmsSource {
  private readonly path: string;
  private readonly maxBytes: number;
  private loading: Promise<EmsRecordTable> | undefined;

  /**
   * @param path path of the JSON file.
   * @throws RangeError when `path` is not a non-empty string, `options` not an object or with a name that is no
   *   option, or `maxBytes` not a positive whole number (checked here: each failed only at the first look-up,
   *   and a `maxBytes` of `NaN` lifted the limit).
   */
  public constructor(path: string, options: JsonFileEmsSourceOptions = {}) {
    if (typeof path !== 'string' || path.trim() === '') {
      throw new RangeError(`JsonFileEmsSource: path must be the JSON file's path (a non-empty string), not ${describeValue(path)}`);
    }
    checkOptionNames('JsonFileEmsSource', options, SOURCE_OPTIONS);
    const { maxBytes } = options;
    if (maxBytes !== undefined && (typeof maxBytes !== 'number' || !Number.isSafeInteger(maxBytes) || maxBytes < 1)) {
      throw new RangeError(`JsonFileEmsSource: option maxBytes must be a positive whole number of bytes, not ${describeValue(maxBytes)}`);
    }
    this.path = path;
    this.maxBytes = maxBytes ?? DEFAULT_MAX_BYTES;
  }

  /**
   * Reads and checks the file now, returning the number of records.
   *
   * @throws {@link EmsError} `SOURCE_UNREADABLE` or `MALFORMED_RECORD`.
   */
  public async load(): Promise<number> {
    return (await this.table()).size;
  }

  /** {@inheritDoc EmsSource.lookup} */
  public async lookup(controlNumber: string): Promise<EmsLookupResult> {
    return (await this.table()).lookup(controlNumber);
  }

  private table(): Promise<EmsRecordTable> {
    if (this.loading === undefined) {
      this.loading = this.read();
      this.loading.catch(() => {
        this.loading = undefined;
      });
    }
    return this.loading;
  }

  private async read(): Promise<EmsRecordTable> {
    let text: string;
    try {
      const info = await stat(this.path);
      if (info.size > this.maxBytes) {
        throw new EmsError('SOURCE_UNREADABLE', `${this.path} is ${info.size} bytes; the limit is ${this.maxBytes}`);
      }
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if (err instanceof EmsError) throw err;
      throw new EmsError('SOURCE_UNREADABLE', `cannot read EMS data from ${this.path}: ${(err as Error).message}`, {
        cause: err,
      });
    }
    let data: unknown;
    try {
      // Exports from Windows tools often start with a byte-order mark, which JSON.parse refuses.
      data = JSON.parse(text.startsWith('\uFEFF') ? text.slice(1) : text);
    } catch (err) {
      throw new EmsError('SOURCE_UNREADABLE', `${this.path} is not valid JSON: ${(err as Error).message}`, {
        cause: err,
      });
    }
    const records =
      typeof data === 'object' && data !== null && !Array.isArray(data) && 'records' in data
        ? (data as { records: unknown }).records
        : data;
    if (!Array.isArray(records)) {
      throw new EmsError('SOURCE_UNREADABLE', `${this.path} must hold an array of records or {"records": [...]}`);
    }
    return new EmsRecordTable(records);
  }
}
