/**
 * A card session of the account flow (自然人憑證登入, then every request of it):
 * the account a card login is for and the binding of the card that made it,
 * read in one statement, and the one rule of when such a login still stands,
 * shared by the host's per-request check and the card commands' own.
 */
import type { CardIdentity } from '../domain/card-holder.js';
import type { CardNumber, ControlNumber } from '../domain/identifiers.js';
import { EnrollError } from '../errors.js';
import { refusalError } from '../refusals.js';
import { jsonOf } from '../store/rows.js';
import type { Row, SqlSession } from '../store/store.js';
import type { ParsedCardLogin } from './account-inputs.js';
import { applicationFromRow, bindingFromRow, type AccountApplication, type AccountCardSession, type CardBinding } from './account-records.js';
import { nowOf, type AccountContext } from './account-shared.js';
import { hasPendingBinding, lockActiveBinding, renewBinding } from './card-bindings-table.js';
import { resolveRenewal } from './card-renewal.js';

/** An application and its binding of one 卡號 (`undefined` when it has none), as one statement read them. */
export interface AccountAndBinding {
  /** The application. */
  readonly account: AccountApplication;
  /** Its binding of the 卡號, if any. */
  readonly binding: CardBinding | undefined;
}

/**
 * Application `applicationId` and its binding of `cardNumber`, in one statement: one snapshot, so no command
 * committing in between can pair an account with a binding it no longer has (READ COMMITTED gives each statement,
 * not each transaction, its own snapshot). `undefined` when there is no such application.
 */
export async function readAccountAndBinding(tx: SqlSession, applicationId: string, cardNumber: CardNumber): Promise<AccountAndBinding | undefined> {
  const rows = await tx.query(
    `SELECT a.*, to_jsonb(b) AS login_binding
       FROM enroll_account_applications a
       LEFT JOIN enroll_card_bindings b ON b.application_id = a.id AND b.card_number = $2
      WHERE a.id = $1`,
    [applicationId, cardNumber],
  );
  const row = rows[0];
  return row === undefined ? undefined : accountAndBindingOf(row);
}

/** The application of a row and its `login_binding` (the joined binding as one JSON value). */
function accountAndBindingOf(row: Row): AccountAndBinding {
  // A row without a binding has a null whole-row value; a binding's timestamps come back as JSON text.
  const binding = row.login_binding == null ? undefined : jsonOf<Record<string, unknown>>(row.login_binding);
  return { account: applicationFromRow(row), binding: binding === undefined ? undefined : bindingFromRow(binding) };
}

/** {@link AccountAndBinding} and, from the same statement, the cards bound to a control number, oldest first. */
interface AccountBindingAndCards extends AccountAndBinding {
  /** The control number's cards. */
  readonly cards: CardBinding[];
}

/**
 * {@link readAccountAndBinding} and the cards of `controlNumber` (as `bindingsOf` lists them), in one statement: a
 * list answered for a login comes from the snapshot the login was found standing in.
 */
async function readAccountBindingAndCards(tx: SqlSession, login: ParsedCardLogin, controlNumber: ControlNumber): Promise<AccountBindingAndCards | undefined> {
  const rows = await tx.query(
    `SELECT a.*, to_jsonb(b) AS login_binding,
            (SELECT coalesce(jsonb_agg(to_jsonb(c) ORDER BY c.bound_at, c.card_number), '[]'::jsonb)
               FROM enroll_card_bindings c WHERE c.control_number = $3) AS control_number_cards
       FROM enroll_account_applications a
       LEFT JOIN enroll_card_bindings b ON b.application_id = a.id AND b.card_number = $2
      WHERE a.id = $1`,
    [login.applicationId, login.cardNumber, controlNumber],
  );
  const row = rows[0];
  if (row === undefined) return undefined;
  return { ...accountAndBindingOf(row), cards: jsonOf<Array<Record<string, unknown>>>(row.control_number_cards).map(bindingFromRow) };
}

/**
 * Why a card login no longer stands, or `undefined` while it does: the account it logged into is the active one
 * (of `controlNumber`, when a command names one) and the card is bound to it, `active`, by the binding it logged
 * in with (`boundAt` compared as an instant: the card removed and bound again is another binding).
 */
export function whyLoginEnded(found: AccountAndBinding | undefined, login: ParsedCardLogin, controlNumber?: ControlNumber): string | undefined {
  const account = found?.account;
  if (account?.status !== 'active' || (controlNumber !== undefined && account.controlNumber !== controlNumber)) {
    return `application ${login.applicationId} is not the active account of ${controlNumber ?? account?.controlNumber ?? 'its control number'}`;
  }
  const bound = found?.binding;
  if (bound?.status !== 'active') return `card ${login.cardNumber} is no longer bound to the account`;
  if (Date.parse(bound.boundAt) !== login.boundAtMs) return `card ${login.cardNumber} was bound again (${bound.boundAt}) after the login`;
  return undefined;
}

/** The session of a standing login, as the flow returns it. */
function sessionOf(account: AccountApplication, binding: CardBinding): AccountCardSession {
  return { account, binding, login: { applicationId: account.id, cardNumber: binding.cardNumber, boundAt: binding.boundAt } };
}

/**
 * {@link AccountEnrollmentFlow.checkCardSession}: whether a card login still stands, with its account and binding,
 * in one statement. Reads only: nothing is locked, written or audited (a command made for the login checks it again
 * in its own transaction).
 * @throws EnrollError LOGIN_ENDED (not authenticated: log in again), refusal `LOGIN_CARD_NO_LONGER_BOUND`, with the
 * reason as detail.
 */
export async function checkCardSession(c: AccountContext, login: ParsedCardLogin): Promise<AccountCardSession> {
  const found = await c.o.store.transaction((tx) => readAccountAndBinding(tx, login.applicationId, login.cardNumber));
  const why = whyLoginEnded(found, login);
  if (why !== undefined || found?.binding === undefined) throw refusalError('LOGIN_CARD_NO_LONGER_BOUND', why);
  return sessionOf(found.account, found.binding);
}

/**
 * {@link AccountEnrollmentFlow.listCards} made for a card login: the cards of `controlNumber`, in one statement with
 * the check that the login stands (the account it logged into is the number's active one, its card bound to it by
 * the same binding). A read, as {@link checkCardSession}: nothing locked, written or audited.
 * @throws EnrollError LOGIN_ENDED, refusal `LOGIN_CARD_NO_LONGER_BOUND`, with the reason as detail.
 */
export async function listCardsForLogin(c: AccountContext, controlNumber: ControlNumber, login: ParsedCardLogin): Promise<CardBinding[]> {
  const found = await c.o.store.transaction((tx) => readAccountBindingAndCards(tx, login, controlNumber));
  const why = whyLoginEnded(found, login, controlNumber);
  if (why !== undefined || found === undefined) throw refusalError('LOGIN_CARD_NO_LONGER_BOUND', why);
  return found.cards;
}

/** The refusal of a card that is not a citizen card: the system takes 自然人憑證 only (本系統採自然人憑證單一登入方式). */
export function citizenCardRequired(authority: string): EnrollError {
  return refusalError('CITIZEN_CARD_REQUIRED', `a ${authority} certificate cannot log in to this system`);
}

/**
 * {@link AccountEnrollmentFlow.openCardSession}: the account a card logs into and its binding, renewing the
 * binding by the rule, in one transaction. The active binding is locked first, as at every login, so neither a
 * 刪除 nor a closure of its account (both lock the bindings they delete) lands before the session is read.
 */
export async function openCardSession(c: AccountContext, card: CardIdentity & { cardNumber: CardNumber }): Promise<AccountCardSession> {
  const outcome = await c.o.store.transaction(async (tx): Promise<AccountCardSession | EnrollError> => {
    const found = await lockActiveBinding(tx, card.cardNumber);
    // Not a citizen card: no binding could be its, so it is told the kind of card the system takes.
    if (found === undefined && card.authority !== 'MOICA') return citizenCardRequired(card.authority);
    // A card bound by an application still in review (or approved, link not yet clicked) is told so, not "not bound".
    if (found === undefined) return refusalError((await hasPendingBinding(tx, card.cardNumber)) ? 'ACCOUNT_NOT_YET_OPENED' : 'CARD_NOT_BOUND');
    const result = await resolveRenewal(tx, found.bound, card, {
      flow: 'account',
      subject: found.applicationId,
      state: 'active',
      policy: c.o.renewal,
      at: nowOf(c),
      refusal: 'RENEWAL_MISMATCH',
      renew: async () => {
        await renewBinding(tx, found.bound, card.certificateSerial, card.validFrom);
      },
    });
    if (result instanceof EnrollError) return result;
    // Read after the renewal (the binding's new serial); the login is the binding just locked, so it stands unless
    // the account is not active, which an active binding never outlives: refused as a card bound to no account.
    const read = await readAccountAndBinding(tx, found.applicationId, card.cardNumber);
    const login = { applicationId: found.applicationId, cardNumber: card.cardNumber, boundAtMs: Date.parse(found.binding.boundAt) };
    if (whyLoginEnded(read, login) !== undefined || read?.binding === undefined) return refusalError('CARD_NOT_BOUND');
    return sessionOf(read.account, read.binding);
  });
  if (outcome instanceof EnrollError) throw outcome;
  return outcome;
}
