/**
 * Reviewer queues: the records of a flow in one state, oldest first, paged and
 * optionally limited to a creation-date window. One query shape for every
 * flow that has a review.
 */
import { InvalidInputError, IssueCollector } from '../errors.js';
import type { EnrollStore, Row } from '../store/store.js';

/** Filter and page of a reviewer queue. */
export interface QueueQuery<S extends string> {
  /** The state to list, e.g. `underReview`. */
  readonly status: S;
  /** Only records created at or after this instant: ISO with its offset, or a date (that day's start in Taiwan). */
  readonly createdFrom?: string;
  /** Only records created before this instant: ISO with its offset, or a date (that day's start in Taiwan). */
  readonly createdBefore?: string;
  /** Page size, 1–500; default 50. */
  readonly limit?: number;
  /** Records to skip, default 0. */
  readonly offset?: number;
}

/** One page of a reviewer queue. */
export interface QueuePage<T> {
  /** The records of this page, oldest first. */
  readonly items: T[];
  /** How many records match the filter in all. */
  readonly total: number;
}

/** Where a flow's queue reads from (fixed by the flow, never user input). */
export interface QueueSource<T> {
  /** Table name. */
  readonly table: string;
  /** Tie-breaking key column after `created_at`. */
  readonly key: string;
  /** Allowed states. */
  readonly states: readonly string[];
  /** Row mapper. */
  readonly map: (row: Row) => T;
}

// A date-time with its offset (Z or ±hh:mm), or a calendar date alone: nothing whose instant depends on the server.
const OFFSET_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * A filter bound as an ISO instant. A date-time must carry its offset: without one, `Date.parse` reads it in the
 * server's own time zone, so one query answered differently on two machines. A date alone is that day in Taiwan
 * (00:00 +08:00), what a reviewer asking for "from 1 March" means; `Date.parse` would take midnight UTC (08:00 in
 * Taipei) and leave out the night's applications.
 */
function instant(value: unknown, field: string, issues: IssueCollector): string | null {
  if (value === undefined) return null;
  const text = typeof value === 'string' ? value : '';
  const t = DATE_ONLY.test(text) ? offsetInstantMs(`${text}T00:00:00+08:00`) : offsetInstantMs(text);
  if (Number.isNaN(t)) {
    issues.add(field, 'INVALID_FORMAT', 'must be an ISO instant with its offset (2026-03-01T00:00:00+08:00) or a date (2026-03-01, the day in Taiwan)');
    return null;
  }
  return new Date(t).toISOString();
}

/**
 * The instant of an ISO date-time with its offset (Z or ±hh:mm), in ms; NaN for anything else, a date alone
 * included. Date.parse would roll 2026-02-30 over to March: a date that does not exist is refused, not moved.
 */
export function offsetInstantMs(text: string): number {
  return OFFSET_INSTANT.test(text) && calendarDate(text.slice(0, 10)) ? Date.parse(text) : Number.NaN;
}

/** Whether `yyyy-mm-dd` names a day the calendar has. */
function calendarDate(text: string): boolean {
  const [y, m, d] = text.split('-').map(Number) as [number, number, number];
  const day = new Date(Date.UTC(y, m - 1, d));
  return day.getUTCFullYear() === y && day.getUTCMonth() === m - 1 && day.getUTCDate() === d;
}

function whole(value: unknown, field: string, min: number, max: number, fallback: number, issues: IssueCollector): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    issues.add(field, 'OUT_OF_RANGE', `must be an integer from ${min} to ${max}`);
    return fallback;
  }
  return value;
}

/** A query's page (`limit` 1–500, default 50; `offset` from 0, default 0); a bad one is an issue naming the field. */
export function pageOf(q: { readonly limit?: unknown; readonly offset?: unknown }, issues: IssueCollector): { limit: number; offset: number } {
  return { limit: whole(q.limit, 'limit', 1, 500, 50, issues), offset: whole(q.offset, 'offset', 0, 1_000_000, 0, issues) };
}

/** Lists one page of `source` per `query`; INVALID_INPUT names each bad field. */
export async function listQueue<T>(store: EnrollStore, source: QueueSource<T>, query: QueueQuery<string>): Promise<QueuePage<T>> {
  const issues = new IssueCollector();
  const q = (typeof query === 'object' && query !== null ? query : {}) as unknown as Record<string, unknown>;
  if (typeof q.status !== 'string' || !source.states.includes(q.status)) {
    issues.add('status', 'NOT_AN_OPTION', `must be one of ${source.states.join(', ')}`);
  }
  const from = instant(q.createdFrom, 'createdFrom', issues);
  const before = instant(q.createdBefore, 'createdBefore', issues);
  const { limit, offset } = pageOf(q, issues);
  issues.throwIfAny();
  if (from !== null && before !== null && from >= before) throw new InvalidInputError([{ field: 'createdBefore', code: 'OUT_OF_RANGE', reason: 'must be after createdFrom' }]);
  const where = `status = $1 AND ($2::timestamptz IS NULL OR created_at >= $2) AND ($3::timestamptz IS NULL OR created_at < $3)`;
  return store.transaction(async (tx) => {
    const count = await tx.query(`SELECT count(*)::int AS n FROM ${source.table} WHERE ${where}`, [q.status, from, before]);
    const rows = await tx.query(
      `SELECT * FROM ${source.table} WHERE ${where} ORDER BY created_at, ${source.key} LIMIT $4 OFFSET $5`,
      [q.status, from, before, limit, offset],
    );
    return { items: rows.map(source.map), total: Number(count[0]?.n ?? 0) };
  });
}
