/**
 * `@fastify/session` sessions in the portal's own database (PGlite or
 * PostgreSQL), not in the process: behind a load balancer the instance that
 * answers `/verify` is not always the one that issued the challenge, and a
 * restart must not log every user out. The cookie holds only the signed
 * session id; what the session carries (application ids, the reviewer flag,
 * sealed holders) is this table's row.
 */
import type { FastifyRequest } from 'fastify';
import type { EnrollStore } from 'twpki/enroll';
import { runMigrations } from 'twpki/enroll/advanced';

/** The example's own table, recorded with the SDK's migrations so two instances starting at once create it once. */
const SESSION_MIGRATION = {
  id: 'portal-0001-sessions',
  sql: `CREATE TABLE IF NOT EXISTS portal_sessions (
  id TEXT PRIMARY KEY,
  data JSONB NOT NULL,
  expires_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX IF NOT EXISTS portal_sessions_expires ON portal_sessions (expires_at);`,
} as const;

type Callback = (err?: unknown) => void;
type SessionData = FastifyRequest['session'];

/** The store interface `@fastify/session` calls (callback style). */
export class SqlSessionStore {
  private lastPurge = 0;

  /**
   * @param db the portal's store, migrated by {@link SqlSessionStore.open}
   * @param ttlMs how long a session lives after its last write
   */
  private constructor(
    private readonly db: EnrollStore,
    private readonly ttlMs: number,
  ) {}

  /** Creates the table when missing and returns the store. */
  public static async open(db: EnrollStore, ttlMs: number): Promise<SqlSessionStore> {
    await runMigrations(db, [SESSION_MIGRATION]);
    return new SqlSessionStore(db, ttlMs);
  }

  public set(sessionId: string, session: SessionData, callback: Callback): void {
    const now = Date.now();
    // Expired rows are only unreadable, not gone: sweep them now and then, not on every write.
    const purge = now - this.lastPurge > 60_000;
    if (purge) this.lastPurge = now;
    const write = async (): Promise<void> => {
      await this.db.transaction(async (tx) => {
        if (purge) await tx.query('DELETE FROM portal_sessions WHERE expires_at < $1', [new Date(now)]);
        await tx.query(
        `INSERT INTO portal_sessions (id, data, expires_at) VALUES ($1, $2, $3)
         ON CONFLICT (id) DO UPDATE SET data = EXCLUDED.data, expires_at = EXCLUDED.expires_at`,
        [sessionId, JSON.stringify(session), new Date(now + this.ttlMs)],
        );
      });
    };
    write().then(() => callback(), callback);
  }

  public get(sessionId: string, callback: (err: unknown, session?: SessionData | null) => void): void {
    this.db
      .transaction((tx) => tx.query<{ data: unknown }>('SELECT data FROM portal_sessions WHERE id = $1 AND expires_at > $2', [sessionId, new Date()]))
      .then((rows) => {
        const data = rows[0]?.data;
        // pg and PGlite both parse JSONB; a driver that hands back text is parsed here.
        callback(null, (typeof data === 'string' ? JSON.parse(data) : (data ?? null)) as SessionData | null);
      }, callback);
  }

  public destroy(sessionId: string, callback: Callback): void {
    this.db.transaction((tx) => tx.query('DELETE FROM portal_sessions WHERE id = $1', [sessionId])).then(() => callback(), callback);
  }
}
