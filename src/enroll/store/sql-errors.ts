/** Recognizes PostgreSQL errors by SQLSTATE; both pg and PGlite expose `code` and `constraint`. */
import { EnrollError } from '../errors.js';

interface PgErrorShape {
  code?: unknown;
  constraint?: unknown;
}

/** True if `err` is a unique violation (23505), optionally of the named constraint or index. */
export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as PgErrorShape;
  return e.code === '23505' && (constraint === undefined || e.constraint === constraint);
}

/**
 * SQLSTATEs with which PostgreSQL aborts a transaction that lost a race to
 * another one, not because of anything in its own input: 40P01, a deadlock
 * (PostgreSQL chose this transaction as the victim), and 40001, a
 * serialization failure (under REPEATABLE READ or SERIALIZABLE, which a
 * database or role may set as its default).
 */
const LOST_RACE = new Map<string, string>([
  ['40P01', 'PostgreSQL broke a deadlock with another transaction by aborting this one'],
  ['40001', 'PostgreSQL could not serialize this transaction with a concurrent one and aborted it'],
]);

/**
 * `err` as the store's callers see it: a transaction PostgreSQL aborted for a
 * lost race becomes EnrollError `CONCURRENT_UPDATE` (the driver's error kept
 * as `cause`, its SQLSTATE in the message); anything else is returned as is.
 *
 * The store does not run the transaction again by itself: a command may have
 * done something outside the database before PostgreSQL aborted it (an
 * approval mails its activation link inside the transaction), so a second run
 * would do it twice. Whoever called the command knows whether that is safe.
 */
export function lostRaceError(err: unknown): unknown {
  if (err instanceof EnrollError || typeof err !== 'object' || err === null) return err;
  const code = (err as PgErrorShape).code;
  const why = typeof code === 'string' ? LOST_RACE.get(code) : undefined;
  if (why === undefined) return err;
  return new EnrollError('CONCURRENT_UPDATE', `${why} (SQLSTATE ${code as string}); its database changes were undone: try again`, { cause: err });
}
