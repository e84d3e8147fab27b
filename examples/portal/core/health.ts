/**
 * `GET /healthz`'s database check: `SELECT 1`, bounded by a timeout. An
 * instance whose database is gone or hangs answers 503, so the load
 * balancer sends users to another one instead of to every page's 500.
 *
 * Cheap under a monitor's polling: checks that arrive while one is running
 * wait for that one rather than each taking a connection. A query past the
 * timeout is abandoned and the next check asks anew, but at most
 * {@link MAX_ABANDONED} are left waiting: then checks answer 503 without a
 * query until one of them ends, so a database that accepts and never
 * answers holds two of the pool's connections, not all of them. A database
 * that comes back is seen once an abandoned query ends, which a connection
 * that was black-holed does only when the driver gives it up (a pool with
 * `query_timeout` bounds that).
 */
import type { EnrollStore } from 'twpki/enroll';

/** What the check found: `ok`, or why not (a stable code and a line for the operator, no addresses or passwords). */
export type HealthResult =
  | { readonly ok: true }
  | { readonly ok: false; readonly code: 'DATABASE_TIMEOUT' | 'DATABASE_ERROR'; readonly message: string; readonly cause?: unknown };

/** Health queries left waiting past their timeout, at most. */
export const MAX_ABANDONED = 2;

export class DatabaseHealth {
  private running: { readonly answer: Promise<unknown>; readonly startedAt: number } | undefined;
  /** Queries started and not yet settled (the running one included). */
  private unsettled = 0;

  public constructor(
    private readonly db: EnrollStore,
    private readonly timeoutMs: number,
  ) {}

  /** Whether the database answers `SELECT 1` within the timeout. */
  public async check(): Promise<HealthResult> {
    const now = Date.now();
    let running = this.running;
    // A query still running past its timeout is abandoned to its fate; the next check asks anew.
    if (running === undefined || now - running.startedAt >= this.timeoutMs) {
      // Every query still unsettled here is past its timeout: abandoned.
      if (this.unsettled >= MAX_ABANDONED) return this.timedOut();
      const answer = this.db.transaction((tx) => tx.query('SELECT 1'));
      this.unsettled += 1;
      running = { answer, startedAt: now };
      this.running = running;
      const done = (): void => {
        this.unsettled -= 1;
        if (this.running === running) this.running = undefined;
      };
      answer.then(done, done);
    }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.timeoutMs);
    });
    try {
      const outcome = await Promise.race([running.answer.then(() => 'ok' as const), timeout]);
      return outcome === 'ok' ? { ok: true } : this.timedOut();
    } catch (cause) {
      return { ok: false, code: 'DATABASE_ERROR', message: 'the database refused the check', cause };
    } finally {
      clearTimeout(timer);
    }
  }

  private timedOut(): HealthResult {
    return { ok: false, code: 'DATABASE_TIMEOUT', message: `the database did not answer within ${this.timeoutMs} ms` };
  }
}
