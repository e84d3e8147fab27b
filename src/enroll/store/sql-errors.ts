/** Recognizes PostgreSQL errors by SQLSTATE; both pg and PGlite expose `code` and `constraint`. */

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
