/** The persistence contract the flows run on: SQL sessions inside transactions. */

/** A row as returned by the driver. */
export type Row = Record<string, unknown>;

/** Runs SQL inside one open transaction. */
export interface SqlSession {
  /** Executes `text` with positional `$n` parameters and returns the rows. */
  query<R extends Row = Row>(text: string, params?: readonly unknown[]): Promise<R[]>;
  /** Runs a parameterless script of several statements (migrations). */
  runScript(script: string): Promise<void>;
}

/**
 * A database holding the enrollment schema. `transaction` commits when `fn`
 * resolves and rolls back when it throws, so a command either happens entirely
 * or not at all.
 */
export interface EnrollStore {
  /** Runs `fn` in a transaction (READ COMMITTED; invariants rest on constraints and row locks). */
  transaction<T>(fn: (tx: SqlSession) => Promise<T>): Promise<T>;
  /** Applies pending migrations; safe to call from several processes at once. */
  migrate(): Promise<void>;
  /** Releases connections (or the embedded database). */
  close(): Promise<void>;
}
