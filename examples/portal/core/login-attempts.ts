/**
 * Wrong-password limit of the reviewer login, per client address, kept in the
 * portal's database (like the sessions): every instance behind the load
 * balancer counts the same attempts, and a restart does not wipe a lockout.
 *
 * An attempt is counted before the password is compared and forgiven when it
 * was right: N requests sent at once (to one instance or to several) get N
 * comparisons at most, not one each before the first failure is written.
 * After `maxFailures` attempts that were not right within `windowMs`, the
 * client is refused for `lockoutMs` without any comparison; a right password
 * clears its count.
 */
import type { EnrollStore } from 'twpki/enroll';
import { runMigrations } from 'twpki/enroll/advanced';

/** The example's own table, beside `portal_sessions`. */
const LOGIN_ATTEMPTS_MIGRATION = {
  id: 'portal-0002-login-attempts',
  sql: `CREATE TABLE IF NOT EXISTS portal_login_attempts (
  client TEXT PRIMARY KEY,
  attempts INTEGER NOT NULL,
  window_ends TIMESTAMPTZ NOT NULL,
  locked_until TIMESTAMPTZ
);`,
} as const;

/** At most `maxFailures` wrong passwords per client in `windowMs`, then `lockoutMs` of refusals. */
export interface LoginLimit {
  readonly maxFailures: number;
  readonly windowMs: number;
  readonly lockoutMs: number;
}

type AttemptRow = {
  attempts: number;
  window_ends: Date | string;
  locked_until: Date | string | null;
};

/** The counts, in the database. */
export class LoginAttempts {
  private lastPurge = 0;

  private constructor(
    private readonly db: EnrollStore,
    public readonly limit: LoginLimit,
    private readonly now: () => number,
  ) {}

  /** Creates the table when missing and returns the counter. */
  public static async open(db: EnrollStore, limit: LoginLimit, now: () => number = Date.now): Promise<LoginAttempts> {
    await runMigrations(db, [LOGIN_ATTEMPTS_MIGRATION]);
    return new LoginAttempts(db, limit, now);
  }

  /**
   * Counts an attempt of `client` before its password is compared: `undefined` when it may be compared, else
   * the milliseconds until the client may try again (it is locked out, or its other attempts in flight
   * already use up the allowance).
   */
  public async begin(client: string): Promise<number | undefined> {
    const now = this.now();
    const purge = now - this.lastPurge > 10 * 60_000;
    if (purge) this.lastPurge = now;
    return this.db.transaction(async (tx) => {
      // Rows of clients that stopped trying (their window and lockout over) are swept now and then.
      if (purge) {
        await tx.query('DELETE FROM portal_login_attempts WHERE window_ends < $1 AND (locked_until IS NULL OR locked_until < $1)', [new Date(now)]);
      }
      await tx.query(
        'INSERT INTO portal_login_attempts (client, attempts, window_ends) VALUES ($1, 0, $2) ON CONFLICT (client) DO NOTHING',
        [client, new Date(now + this.limit.windowMs)],
      );
      // The row lock makes concurrent attempts (on any instance) count one after another.
      const [row] = await tx.query<AttemptRow>(
        'SELECT attempts, window_ends, locked_until FROM portal_login_attempts WHERE client = $1 FOR UPDATE',
        [client],
      );
      if (row === undefined) return undefined;
      const lockedUntil = row.locked_until === null ? undefined : new Date(row.locked_until).getTime();
      if (lockedUntil !== undefined && lockedUntil > now) return lockedUntil - now;
      let attempts = row.attempts;
      let windowEnds = new Date(row.window_ends).getTime();
      if (windowEnds <= now || lockedUntil !== undefined) {
        // The window (or the lockout) is over: a fresh allowance.
        attempts = 0;
        windowEnds = now + this.limit.windowMs;
      }
      if (attempts >= this.limit.maxFailures) return Math.max(1, windowEnds - now);
      await tx.query('UPDATE portal_login_attempts SET attempts = $2, window_ends = $3, locked_until = NULL WHERE client = $1', [
        client,
        attempts + 1,
        new Date(windowEnds),
      ]);
      return undefined;
    });
  }

  /** The password of an attempt {@link begin} allowed was wrong: the last one of the allowance starts the lockout. */
  public async failed(client: string): Promise<void> {
    const now = this.now();
    await this.db.transaction((tx) =>
      tx.query(
        'UPDATE portal_login_attempts SET locked_until = $3 WHERE client = $1 AND attempts >= $2 AND locked_until IS NULL',
        [client, this.limit.maxFailures, new Date(now + this.limit.lockoutMs)],
      ),
    );
  }

  /** The password was right: the client's count starts over. */
  public async succeeded(client: string): Promise<void> {
    await this.db.transaction((tx) => tx.query('DELETE FROM portal_login_attempts WHERE client = $1', [client]));
  }
}
