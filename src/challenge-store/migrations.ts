import type { Migration } from '../enroll/migrations/migration.js';

/**
 * The challenge table. Recorded in the same migration ledger as enrollment
 * (ids are namespaced), so one `migrate()` per database covers both.
 * `used_at` NULL means unused; a used row stays until it expires so a replay
 * is told apart from a forgery.
 */
export const CHALLENGE_STORE_MIGRATIONS: readonly Migration[] = [
  {
    id: 'challenge-store-0001',
    sql: `
CREATE TABLE twpki_login_challenges (
  value      text PRIMARY KEY CHECK (length(value) BETWEEN 1 AND 512),
  session_id text NOT NULL CHECK (length(session_id) BETWEEN 1 AND 1024),
  issued_at  timestamptz NOT NULL,
  expires_at timestamptz NOT NULL CHECK (expires_at > issued_at),
  used_at    timestamptz
);
CREATE INDEX twpki_login_challenges_expiry ON twpki_login_challenges (expires_at);
`,
  },
];
