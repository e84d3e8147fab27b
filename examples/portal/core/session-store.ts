/**
 * `@fastify/session` sessions in the portal's own database (PGlite or
 * PostgreSQL), not in the process: behind a load balancer the instance that
 * answers `/verify` is not always the one that issued the challenge, and a
 * restart must not log every user out. The cookie holds only the signed
 * session id; what the session carries (application ids, the reviewer flag,
 * sealed holders) is this table's row.
 *
 * Two requests of one session may run at once (two tabs, a page with two card
 * readers), each on a copy read at its start, on one instance or two. A save
 * therefore writes only the keys its request changed, merged into the row as
 * it is at that moment, never the whole copy back over another request's
 * change. Each key's value is replaced whole: what can change independently
 * goes under keys of its own (one per card step, see card-view.ts).
 */
import { isDeepStrictEqual } from 'node:util';
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
/** A session as stored: its JSON. */
type SessionRecord = Record<string, unknown>;

/** The row's keys minus the removed ones, plus the changed ones (`||` replaces a top-level key whole). */
const MERGED = '(portal_sessions.data - $2::text[]) || $3::jsonb';

/** The store interface `@fastify/session` calls (callback style). */
export class SqlSessionStore {
  private lastPurge = 0;
  /** What each session object held when its request read it, or when it was last saved. */
  private readonly seen = new WeakMap<object, SessionRecord>();

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

  /**
   * Notes what a request's session holds before its handler runs (call it from an `onRequest` hook added after
   * `@fastify/session`): the save then writes only what the request changed. A session not noted (one
   * `regenerate` made) is written whole.
   */
  public read(session: SessionData | null): void {
    if (session?.sessionId !== undefined) this.seen.set(session, recordOf(session));
  }

  public set(sessionId: string, session: SessionData, callback: Callback): void {
    const now = Date.now();
    // Expired rows are only unreadable, not gone: sweep them now and then, not on every write.
    const purge = now - this.lastPurge > 60_000;
    if (purge) this.lastPurge = now;
    const record = recordOf(session);
    const before = this.seen.get(session);
    const expires = new Date(now + this.ttlMs);
    const write = async (): Promise<void> => {
      await this.db.transaction(async (tx) => {
        if (purge) await tx.query('DELETE FROM portal_sessions WHERE expires_at < $1', [new Date(now)]);
        if (before === undefined) {
          // A new id (`regenerate`): no other request knows it yet.
          await tx.query(
            `INSERT INTO portal_sessions (id, data, expires_at) VALUES ($1, $2, $3)
             ON CONFLICT (id) DO UPDATE SET data = EXCLUDED.data, expires_at = EXCLUDED.expires_at`,
            [sessionId, JSON.stringify(record), expires],
          );
          return;
        }
        const { changed, removed } = changesFrom(before, record);
        // One statement each: PostgreSQL applies a second concurrent one to the row the first left (row lock),
        // and PGlite runs one transaction at a time.
        if (Object.keys(before).some((key) => key !== 'cookie')) {
          // Read with something in it, so the row existed: if it is gone now (a logout, the new id of a login,
          // expiry), the session ended while this request ran, and stays ended.
          await tx.query(`UPDATE portal_sessions SET data = ${MERGED}, expires_at = $4 WHERE id = $1 AND expires_at > $5`, [
            sessionId,
            removed,
            JSON.stringify(changed),
            expires,
            new Date(now),
          ]);
        } else {
          // Empty when read (a first write): made now, or merged into what a request of the same session made first.
          await tx.query(
            `INSERT INTO portal_sessions (id, data, expires_at) VALUES ($1, $5, $4)
             ON CONFLICT (id) DO UPDATE SET data = ${MERGED}, expires_at = EXCLUDED.expires_at`,
            [sessionId, removed, JSON.stringify(changed), expires, JSON.stringify(record)],
          );
        }
      });
    };
    write().then(() => {
      // A second save in the same request (after `regenerate`) writes only what changed since this one.
      this.seen.set(session, record);
      callback();
    }, callback);
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

/** The session as it would be stored (a key set to `undefined` is gone). */
function recordOf(session: SessionData): SessionRecord {
  return JSON.parse(JSON.stringify(session)) as SessionRecord;
}

/** The keys whose value differs from `before` (added or changed), and the keys no longer there. */
function changesFrom(before: SessionRecord, after: SessionRecord): { changed: SessionRecord; removed: string[] } {
  const changed: SessionRecord = {};
  // Both sides come from JSON.parse (plain objects and arrays); key order does not count, as in JSONB.
  for (const [key, value] of Object.entries(after)) if (!isDeepStrictEqual(value, before[key])) changed[key] = value;
  return { changed, removed: Object.keys(before).filter((key) => !Object.hasOwn(after, key)) };
}
