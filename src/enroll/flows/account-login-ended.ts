/**
 * The refusal of a card command whose card login no longer stands (LOGIN_ENDED, refusal
 * `LOGIN_CARD_NO_LONGER_BOUND`): not a `ForbiddenError`, since the login is not one that may not do this but no
 * login at all now (HTTP 401, log in again), yet audited as every refused command is, so it carries what the
 * audit entry names.
 */
import type { Actor } from '../domain/actor.js';
import { EnrollError } from '../errors.js';
import { refusalError } from '../refusals.js';
import { recordTransition } from '../store/audit.js';
import type { EnrollStore } from '../store/store.js';

/** A card command refused because the login it was made for ended. */
export class LoginEndedError extends EnrollError {
  /**
   * @param command the refused command
   * @param actor who tried
   * @param subject the application the login was to
   * @param state that application's state (`none` when there is no such application)
   * @param why the reason, in English, kept as the message's detail
   */
  public constructor(
    public readonly command: 'addCard' | 'removeCard',
    public readonly actor: Actor,
    public readonly subject: string,
    public readonly state: string,
    why: string,
  ) {
    const refusal = refusalError('LOGIN_CARD_NO_LONGER_BOUND', why);
    super(refusal.code, refusal.message, { refusal: 'LOGIN_CARD_NO_LONGER_BOUND' });
  }
}

/**
 * Audits a {@link LoginEndedError} in a transaction of its own (the refused command's rolled back), as
 * `forbidden:<command>`, the event every refused command is audited with, so a reader of the trail finds it
 * where it found it before the code was LOGIN_ENDED.
 */
export async function auditLoginEnded(store: EnrollStore, at: string, err: LoginEndedError): Promise<void> {
  await store.transaction((tx) =>
    recordTransition(tx, {
      flow: 'account',
      subject: err.subject,
      actor: err.actor,
      at,
      event: `forbidden:${err.command}`,
      from: err.state,
      to: err.state,
      reason: err.message.slice(0, 500),
    }),
  );
}
