/**
 * The one HTTP answer for every enrollment error, for any web framework: the card-login routes
 * (`twpki/fastify`, `twpki/express`) and an application's own routes read the same table, so a code cannot
 * be a 409 on one page and a 503 on the next. Both tables are typed over every code: a new
 * {@link EnrollErrorCode} without a status, or a new 503 without a `Retry-After`, does not compile.
 */
import type { EnrollErrorCode } from './errors.js';

/** The statuses an enrollment error is answered with. */
export type EnrollErrorStatus = 400 | 401 | 403 | 404 | 409 | 500 | 501 | 503;

// The table (documented at ENROLL_ERROR_STATUS) as literals, so that its 503s can be read off at compile time
// (TableUnavailableCode); exported typed as a Record.
const STATUS_BY_CODE = {
  INVALID_INPUT: 400,
  // A serialized state document that does not read back (tampered, stale, hand-built): malformed input, as
  // INVALID_INPUT, not a conflict with any record.
  INVALID_STATE_DOCUMENT: 400,
  // A login the request was made for that no longer stands (its card unbound, its account closed): not
  // authenticated, so the client logs in again, rather than "logged in, not allowed".
  LOGIN_ENDED: 401,
  NOT_AUTHORIZED: 403,
  FORBIDDEN: 403,
  LOGIN_METHOD_DISABLED: 403,
  WRONG_CARD_TYPE: 403,
  NOT_FOUND: 404,
  INVALID_TRANSITION: 409,
  APPLICATION_IN_PROGRESS: 409,
  CARD_ALREADY_BOUND: 409,
  LAST_CARD: 409,
  TOKEN_INVALID: 409,
  TOKEN_EXPIRED: 409,
  TOKEN_USED: 409,
  EMS_RECORD_MISSING: 409,
  MANUAL_REVIEW_PENDING: 409,
  RETRY_TOO_EARLY: 409,
  REVIEW_REJECTED: 409,
  REVIEW_CONTACT_REQUIRED: 409,
  REVIEW_NOT_NEEDED: 409,
  ORGANIZATION_MISMATCH: 409,
  RENEWAL_PENDING_REVIEW: 409,
  OPERATOR_EXISTS: 409,
  AGENCY_OID_UNKNOWN: 409,
  VERIFICATION_CODE_INVALID: 409,
  VERIFICATION_CODE_LOCKED: 409,
  DOCUMENTS_MISSING: 409,
  // A lost race (another request changed the record, or PostgreSQL aborted a deadlock or serialization failure):
  // its writes were undone and the same request may succeed now. 409, not 503: the service is healthy, and a 503
  // tells proxies, clients and monitors that it is not (some resend on their own, and a command may have mailed
  // before it was aborted); the user, told to try again, decides.
  CONCURRENT_UPDATE: 409,
  // A flow misused by the host's code (a transaction inside another, or used after it ended).
  NESTED_TRANSACTION: 500,
  TRANSACTION_ENDED: 500,
  // The agency directory has no search by name: this deployment does not offer it, and trying again will not
  // change that (no 503, whose Retry-After would have clients ask again for ever); the user enters the OID.
  AGENCY_SEARCH_UNAVAILABLE: 501,
  // The server's own dependencies down.
  STORE_UNAVAILABLE: 503,
  STORE_CLOSED: 503,
  STORE_IN_USE: 503,
  POSTAL_CODES_UNAVAILABLE: 503,
  // Another system down or answering garbage; the command wrote nothing (or was rolled back), so trying again is safe.
  EMS_FAILURE: 503,
  MAIL_FAILED: 503,
  COMPANY_REGISTRY_FAILURE: 503,
  PERSONNEL_SYSTEM_FAILURE: 503,
} as const satisfies Readonly<Record<EnrollErrorCode, EnrollErrorStatus>>;

/**
 * HTTP status of each enrollment error, by whose the failure is:
 * - the request's own fault, mended by sending another one: 400 (malformed), 401 (log in again), 403 (this
 *   user or card may not), 404 (no such record);
 * - the flow's rules or the record's current state refuse a well-formed request (a conflict, a token or
 *   code spent, a lost race): 409, which blames neither the server nor a malformed request;
 * - the server's own code or wiring (a bug, a feature not configured): 500, or 501 for a deployment that does
 *   not offer a function at all;
 * - something the server depends on is down, its own (the database, the 郵遞區號 table) or another system
 *   (EMS, the mail relay, the company registry, the personnel system): 503 with
 *   {@link ENROLL_RETRY_AFTER_SECONDS}. Not 502: RFC 9110 gives 502 to a gateway or proxy relaying an invalid
 *   response, and an origin server that answers it looks to operators and monitors like its own proxy failing
 *   to reach it; 503 says "unable to handle this now, try later" and is the status `Retry-After` is defined for.
 */
export const ENROLL_ERROR_STATUS: Readonly<Record<EnrollErrorCode, EnrollErrorStatus>> = Object.freeze(STATUS_BY_CODE);

/** The enrollment codes answered 503 in {@link ENROLL_ERROR_STATUS}: something the server depends on is down. */
export type EnrollUnavailableCode =
  | 'STORE_UNAVAILABLE'
  | 'STORE_CLOSED'
  | 'STORE_IN_USE'
  | 'POSTAL_CODES_UNAVAILABLE'
  | 'EMS_FAILURE'
  | 'MAIL_FAILED'
  | 'COMPANY_REGISTRY_FAILURE'
  | 'PERSONNEL_SYSTEM_FAILURE';

/** The codes the table answers 503: `ENROLL_RETRY_AFTER_SECONDS` must name exactly these and EnrollUnavailableCode. */
type TableUnavailableCode = { [C in EnrollErrorCode]: (typeof STATUS_BY_CODE)[C] extends 503 ? C : never }[EnrollErrorCode];

/**
 * Seconds each enrollment 503 asks the client to wait before trying again (`Retry-After`), by who brings the
 * cause back. A hint for the clients, proxies and monitors that honour it: too short and they come back to a
 * service still down (adding to its load), too long and a user waits past the recovery.
 * - the database (`STORE_*`): PostgreSQL restarting or failing over, a pool full for a moment, this process being
 *   replaced (its store closed, a PGlite directory not yet released by the instance before it) come back by
 *   themselves within seconds: 5 s.
 * - the 郵遞區號 table (`POSTAL_CODES_UNAVAILABLE`: the package's data file, or the host's directory): read afresh
 *   at each call, but restored by an administrator: a minute.
 * - another agency's system or the mail relay (`EMS_FAILURE`, `MAIL_FAILED`, `COMPANY_REGISTRY_FAILURE`,
 *   `PERSONNEL_SYSTEM_FAILURE`): restored by their operators: a minute.
 */
export const ENROLL_RETRY_AFTER_SECONDS: Readonly<Record<EnrollUnavailableCode, number>> = Object.freeze({
  STORE_UNAVAILABLE: 5,
  STORE_CLOSED: 5,
  STORE_IN_USE: 5,
  POSTAL_CODES_UNAVAILABLE: 60,
  EMS_FAILURE: 60,
  MAIL_FAILED: 60,
  COMPANY_REGISTRY_FAILURE: 60,
  PERSONNEL_SYSTEM_FAILURE: 60,
} satisfies Record<TableUnavailableCode, number>);

/**
 * The HTTP status of enrollment error `code` ({@link ENROLL_ERROR_STATUS}). A string that is no enrollment code
 * (an error built with a cast) is 500: the server's own mistake, never blamed on the request.
 */
export function enrollErrorStatus(code: string): EnrollErrorStatus {
  return Object.hasOwn(ENROLL_ERROR_STATUS, code) ? ENROLL_ERROR_STATUS[code as EnrollErrorCode] : 500;
}

/** The `Retry-After` seconds of enrollment error `code`: {@link ENROLL_RETRY_AFTER_SECONDS} for a 503, else `undefined`. */
export function enrollRetryAfter(code: string): number | undefined {
  return Object.hasOwn(ENROLL_RETRY_AFTER_SECONDS, code) ? ENROLL_RETRY_AFTER_SECONDS[code as EnrollUnavailableCode] : undefined;
}
