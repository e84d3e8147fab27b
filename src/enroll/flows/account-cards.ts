/**
 * 自然人憑證管理 of the account flow: more cards on an active account, removal
 * (never the last card), and a reviewer's acceptance of a card renewal (login
 * by card, which renews by the rule, is account-card-session.ts).
 */
import type { Actor } from '../domain/actor.js';
import type { CardNumber, ControlNumber } from '../domain/identifiers.js';
import { EnrollError } from '../errors.js';
import { ACCOUNT_MACHINE } from '../machine/account-machine.js';
import type { SqlSession } from '../store/store.js';
import { applicationOwner, lockActiveAccountIfAny } from './account-applications-table.js';
import { readAccountAndBinding, whyLoginEnded } from './account-card-session.js';
import type { ParsedBinding, ParsedCardLogin } from './account-inputs.js';
import { LoginEndedError } from './account-login-ended.js';
import type { AccountApplication, CardBinding } from './account-records.js';
import { nowOf, type AccountContext } from './account-shared.js';
import { ACCOUNT_COMMANDS, authorize } from './authorization.js';
import { bindingsOf, deleteBinding, lockBindingsOf, insertBinding, lockBindingWithSerial, renewBinding } from './card-bindings-table.js';
import { acceptPendingRenewal, rejectPendingRenewalsOf, type PendingRenewal } from './card-renewal.js';
import { applyTransition } from './transition.js';

/**
 * Runs a card command on the active account of `cn` in one transaction: lock
 * it, authorize `who` as its owner, check that `login` (when given) still
 * stands, then `apply` as the self-transition `event` (active → active),
 * audited with `reason`.
 */
function onActiveAccount<T>(
  c: AccountContext,
  cn: ControlNumber,
  event: 'addCard' | 'removeCard',
  who: Actor,
  login: ParsedCardLogin | undefined,
  reason: string,
  apply: (tx: SqlSession, app: AccountApplication, at: string) => Promise<T>,
): Promise<T> {
  return c.o.store.transaction(async (tx) => {
    const app = await lockActiveAccountIfAny(tx, cn);
    // A login to an account closed since is refused as a login that ended, not as a number without an account.
    if (app === undefined && login !== undefined) await requireLogin(tx, cn, event, who, login);
    if (app === undefined) throw new EnrollError('NOT_FOUND', `no active account for control number ${cn}`);
    authorize(ACCOUNT_COMMANDS, event, who, { subject: app.id, state: app.status, owner: await applicationOwner(tx, app.id) });
    if (login !== undefined) await requireLogin(tx, cn, event, who, login);
    const at = nowOf(c);
    return applyTransition(tx, ACCOUNT_MACHINE, { subject: app.id, from: app.status, event, to: 'active', actor: who, at }, () => apply(tx, app, at), reason);
  });
}

/**
 * Refuses a card command whose card login no longer stands: the account it
 * logged into is not the active one of `cn` (closed, or another opened since),
 * or the card is no longer bound to it by the binding it logged in with (刪除,
 * or removed and bound again). Read with the account row locked, which every
 * command that unbinds or binds its cards takes first (addCard, removeCard,
 * closeAccount), so the answer holds until this transaction ends.
 * @throws LoginEndedError LOGIN_ENDED, refusal `LOGIN_CARD_NO_LONGER_BOUND`, audited by the command's `guarded`.
 */
async function requireLogin(tx: SqlSession, cn: ControlNumber, event: 'addCard' | 'removeCard', who: Actor, login: ParsedCardLogin): Promise<void> {
  const found = await readAccountAndBinding(tx, login.applicationId, login.cardNumber);
  const why = whyLoginEnded(found, login, cn);
  if (why === undefined) return;
  throw new LoginEndedError(event, who, login.applicationId, found?.account.status ?? 'none', why);
}

/** {@link AccountEnrollmentFlow.addCard}: binds another card to an active account. */
export function addCard(c: AccountContext, cn: ControlNumber, b: ParsedBinding, who: Actor, login?: ParsedCardLogin): Promise<CardBinding> {
  return onActiveAccount(c, cn, 'addCard', who, login, b.card.cardNumber, (tx, app, at) => insertBinding(tx, app, b, 'active', at));
}

/** {@link AccountEnrollmentFlow.removeCard}: unbinds a card; never the last one (LAST_CARD). */
export function removeCard(c: AccountContext, cn: ControlNumber, card: CardNumber, who: Actor, login?: ParsedCardLogin): Promise<CardBinding[]> {
  return onActiveAccount(c, cn, 'removeCard', who, login, card, async (tx, app, at) => {
    const bound = await lockBindingsOf(tx, cn);
    const removed = bound.find((b) => b.cardNumber === card);
    if (removed === undefined) throw new EnrollError('NOT_FOUND', `card ${card} is not bound to ${cn}`);
    if (bound.length === 1) throw new EnrollError('LAST_CARD', 'the last bound card cannot be removed; add another card first');
    await rejectPendingRenewalsOf(tx, 'account', [removed], who, at, { subject: app.id, state: app.status, why: 'the card was removed from the account' });
    await deleteBinding(tx, card, cn);
    return bound.filter((b) => b.cardNumber !== card);
  });
}

/** {@link AccountEnrollmentFlow.listCards} */
export function listCards(c: AccountContext, cn: ControlNumber): Promise<CardBinding[]> {
  return c.o.store.transaction((tx) => bindingsOf(tx, cn));
}

/** {@link AccountEnrollmentFlow.acceptRenewal}: the binding takes the new serial (audited `renewCard`). */
export function acceptRenewal(c: AccountContext, renewalId: string, who: Actor): Promise<CardBinding> {
  return c.o.store.transaction(async (tx) => {
    authorize(ACCOUNT_COMMANDS, 'acceptRenewal', who, { subject: renewalId });
    const lock = (request: PendingRenewal) => lockBindingWithSerial(tx, request.cardNumber, request.oldSerial);
    return acceptPendingRenewal(tx, 'account', renewalId, who, nowOf(c), lock, async (request, held) => {
      const found = held?.bound.certificateSerial === request.oldSerial ? held : undefined;
      if (found === undefined) throw new EnrollError('NOT_FOUND', `card ${request.cardNumber} is no longer bound with ${request.oldSerial}`);
      const result = await renewBinding(tx, found.bound, request.newSerial, request.newValidFrom);
      return { result, subject: found.applicationId, state: 'active' };
    });
  });
}
