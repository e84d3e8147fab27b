/**
 * `twpki/challenge-store`: login challenges in PostgreSQL (or embedded
 * PGlite) on the same store as enrollment, single use across processes, for
 * backends running several instances.
 *
 * ```ts
 * const store = await SqlChallengeStore.open({ store: await PgStore.open({ connectionString }) });
 * const challenges = new ChallengeIssuer({ store });
 * ```
 * @packageDocumentation
 */
export {
  SqlChallengeStore,
  type OpenSqlChallengeStoreOptions,
  type SqlChallengeStoreOptions,
} from './sql-challenge-store.js';
export { CHALLENGE_STORE_MIGRATIONS } from './migrations.js';
export type { ChallengeRecord, ChallengeStore, ConsumedChallenge } from '../cert/trust/login/challenge-store.js';
