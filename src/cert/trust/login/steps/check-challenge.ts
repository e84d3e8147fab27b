import type { ConsumedChallenge } from '../challenge-store.js';
import { ChallengeRejectedError } from '../errors.js';
import { need, type LoginContext } from './login-context.js';

/**
 * Step 5, challenge: it was issued, is consumed now (so a replay of the same
 * token fails), has not expired, and belongs to this session. It runs after
 * the signature so that unsigned garbage cannot burn other users' challenges.
 *
 * Two halves around the store's one await: {@link consumeChallenge} asks the
 * store, {@link checkChallenge} judges its answer. An `async` step awaiting
 * the store would cost a second promise and microtask per login.
 */
export function consumeChallenge(ctx: LoginContext): Promise<ConsumedChallenge | undefined> {
  return ctx.settings.challenges.consume(need(ctx, 'challenge'));
}

/** The second half of step 5: judges what {@link consumeChallenge} found. */
export function checkChallenge(ctx: LoginContext, found: ConsumedChallenge | undefined): void {
  if (found === undefined) throw new ChallengeRejectedError('CHALLENGE_UNKNOWN', 'the signed challenge was not issued here');
  if (found.alreadyUsed) throw new ChallengeRejectedError('CHALLENGE_USED', 'the signed challenge was already used');
  if (ctx.at.getTime() > found.record.expiresAt.getTime()) {
    throw new ChallengeRejectedError('CHALLENGE_EXPIRED', `the challenge expired at ${found.record.expiresAt.toISOString()}`);
  }
  if (found.record.sessionId !== ctx.sessionId) {
    throw new ChallengeRejectedError('CHALLENGE_SESSION_MISMATCH', 'the challenge was issued to another session');
  }
  ctx.challengeRecord = found.record;
}
