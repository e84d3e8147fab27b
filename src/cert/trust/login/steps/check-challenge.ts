import { ChallengeRejectedError } from '../errors.js';
import { need, type LoginContext } from './login-context.js';

/**
 * Step 5, challenge: it was issued, is consumed now (so a replay of the same
 * token fails), has not expired, and belongs to this session. It runs after
 * the signature so that unsigned garbage cannot burn other users' challenges.
 */
export async function checkChallenge(ctx: LoginContext): Promise<void> {
  const value = need(ctx, 'challenge');
  const found = await ctx.settings.challenges.consume(value);
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
