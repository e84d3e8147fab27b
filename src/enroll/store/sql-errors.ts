/** Recognizes PostgreSQL errors by SQLSTATE; both pg and PGlite expose `code` and `constraint`. */
import { TwpkiError } from '../../shared/twpki-error.js';
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

/**
 * SQLSTATEs with which PostgreSQL says it cannot serve the connection now, whatever the statement: class 08
 * (connection exception: 08000, 08001, 08003, 08006, 08007; not 08P01 or 08004), 57P01 (an administrator's shutdown or `pg_terminate_backend`), 57P02 (a crash of
 * another server process), 57P03 (starting up, shutting down or in recovery) and 53300 (too many connections).
 */
function unavailableState(code: string): string | undefined {
  switch (code) {
    // Class 08 by name, not by prefix: 08P01 (protocol_violation) is also what a statement whose parameters do not
    // match its placeholders gets, a caller's bug that trying again does not mend, and 08004 is the server
    // refusing the connection for a reason of its own.
    case '08000':
    case '08001':
    case '08003':
    case '08006':
    case '08007':
      return 'the connection to PostgreSQL failed';
    case '57P01':
      return 'PostgreSQL ended the connection (shutdown or an administrator)';
    case '57P02':
      return 'PostgreSQL ended the connection after a crash of another server process';
    case '57P03':
      return 'PostgreSQL is starting up, shutting down or in recovery and accepts no connections now';
    case '53300':
      return 'PostgreSQL has no connection slot free';
    default:
      return undefined;
  }
}

/** Node's socket and name-lookup errors: the server could not be reached or the network dropped the connection. */
const NETWORK_ERRORS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * pg's own errors for a connection that ended or never came up; they carry no code, only this wording
 * (`Connection terminated unexpectedly`, `Connection terminated due to connection timeout`, the pool's
 * `timeout exceeded when trying to connect`).
 */
const PG_CONNECTION_WORDING = /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error)/;

/** Where in a store transaction a failure came: its checkout of a connection, its statements, or its COMMIT. */
export type StoreFailureStage = 'connect' | 'transaction' | 'commit';

/** What the store knows about a failure besides the error itself. */
export interface StoreFailureContext {
  /** Where it came. */
  readonly stage?: StoreFailureStage;
  /** The driver reported the connection lost (pg's client `'error'` event) while the store held it. */
  readonly connectionLost?: boolean;
}

const AFTER: Readonly<Record<StoreFailureStage, string>> = {
  connect: 'nothing was run',
  transaction: 'its database changes were undone',
  // The server may have committed before the connection went: only a later read can tell.
  commit: 'it was lost while committing, so whether its changes were saved is unknown',
};

/**
 * `err` as the store's callers see it: {@link lostRaceError}'s `CONCURRENT_UPDATE`, or EnrollError
 * `STORE_UNAVAILABLE` when the database could not be reached or dropped the connection (refused, reset, timed
 * out, shut down: the SQLSTATEs of {@link unavailableState}, Node's socket errors, pg's own "Connection
 * terminated", or any driver error without a SQLSTATE once the driver reported the connection lost), the
 * driver's error kept as `cause`. Anything else (a constraint violation, a syntax error, a refused password, a
 * database that does not exist) is returned as is: those do not pass by trying again.
 */
export function storeError(err: unknown, context: StoreFailureContext = {}): unknown {
  if (err instanceof TwpkiError || typeof err !== 'object' || err === null) return err;
  const raced = lostRaceError(err);
  if (raced !== err) return raced;
  const code = (err as PgErrorShape).code;
  const sqlState = typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
  const message = err instanceof Error ? err.message : String(err);
  const why =
    sqlState !== undefined
      ? unavailableState(sqlState)
      : typeof code === 'string' && NETWORK_ERRORS.has(code)
        ? 'PostgreSQL could not be reached or the network dropped the connection'
        : PG_CONNECTION_WORDING.test(message) || (context.connectionLost === true && code === undefined)
          ? 'the connection to PostgreSQL was lost'
          : undefined;
  if (why === undefined) return err;
  const shown = sqlState !== undefined ? `SQLSTATE ${sqlState}: ${message}` : message;
  return new EnrollError('STORE_UNAVAILABLE', `${why} (${shown}); ${AFTER[context.stage ?? 'transaction']}: try again later`, { cause: err });
}
