/**
 * 審核 of the account flow: approval mails a single-use, expiring activation
 * link to the EMS facility e-mail; rejection releases the card and mails the
 * reason (with a read-only result-page key when configured); the link
 * activates the account; the result page reads the application as judged.
 */
import type { Actor } from '../domain/actor.js';
import type { ControlNumber } from '../domain/identifiers.js';
import { EnrollError } from '../errors.js';
import { activationNotice, closureNotice, rejectionNotice, type ActivationAccount } from '../mail/account-notices.js';
import { ACCOUNT_MACHINE, type AccountStatus } from '../machine/account-machine.js';
import { assertEventAllowed } from '../machine/machine.js';
import type { EmsComparison } from '../ports/ems.js';
import type { SqlSession } from '../store/store.js';
import { applicationOfToken, consumeToken, insertActivationToken, liveToken, revokeOpenTokens, tokenFailure } from './activation-tokens-table.js';
import { applicationsOf, findApplication, lockActiveAccount, lockApplication, saveApplication } from './account-applications-table.js';
import type { ApprovalResult } from './account-inputs.js';
import type { AccountApplication, CardBinding } from './account-records.js';
import { facilityEmail, nowOf, transitionApplication, type AccountContext } from './account-shared.js';
import { sendNotice } from '../mail/send-notice.js';
import { ACCOUNT_COMMANDS, authorize } from './authorization.js';
import { activateBindingsOf, bindingsOfApplication, deleteBindingsOf, lockBindingsOf } from './card-bindings-table.js';
import { rejectPendingRenewalsOf } from './card-renewal.js';
import { applicationByResultKey, insertResultKey } from './result-keys-table.js';
import { hashSecret, isTokenShaped, newToken } from './secret-token.js';
import { applyTransition } from './transition.js';

const LINK_ACTOR: Actor = { role: 'applicant', id: 'activation-link' };

/** 帳號申請結果 as the result page shows it. */
export interface ApplicationResult {
  /** 管制編號 */
  controlNumber: ControlNumber;
  /** The application's state now (normally `rejected`). */
  status: AccountStatus;
  /** The per-field comparison as stored at application time. */
  emsComparison?: EmsComparison;
  /** The reviewer's reason. */
  reviewNote?: string;
}

/** What a live activation link would open ({@link AccountEnrollmentFlow.pendingActivation}). */
export interface PendingActivation extends ActivationAccount {
  /** When the link stops working (ISO). */
  readonly expiresAt: string;
}

/** The account and cards an application's activation enables, as the notice and the confirmation page name them. */
function activationAccountOf(app: AccountApplication, cards: readonly CardBinding[]): ActivationAccount {
  const companyName = app.basicData?.companyName;
  return {
    controlNumber: app.controlNumber,
    ...(companyName === undefined ? {} : { companyName }),
    cards: cards.map((b) => ({ name: b.certificateName ?? b.holderName, cardNumberEnding: b.cardNumber.slice(-4) })),
  };
}

/** Stores a new activation link and mails it (inside the transaction: a failed send rolls the command back). */
async function issueToken(c: AccountContext, tx: SqlSession, app: AccountApplication, sentTo: string, at: string): Promise<string> {
  const token = newToken();
  const expiresAt = new Date(new Date(at).getTime() + c.ttlMs).toISOString();
  await insertActivationToken(tx, { hash: hashSecret(token), applicationId: app.id, sentTo, at, expiresAt });
  const account = activationAccountOf(app, await bindingsOfApplication(tx, app.id));
  // Mailing inside the transaction: a failed send rolls the approval back, so
  // no approved application is left without a link. See docs/decisions.md.
  await sendNotice(c.o.mailer, activationNotice(sentTo, linkOf('activationLink', c.o.activationLink(token)), c.branding, account));
  return expiresAt;
}

/**
 * The checks before a reviewer's decision, outside the transaction because
 * EMS is remote: the actor may run `event`, and the application's state has
 * an edge for it (re-checked inside the transaction). Returns the application.
 */
async function beforeDecision(c: AccountContext, id: string, who: Actor, event: 'approve' | 'reject' | 'reissueActivation'): Promise<AccountApplication> {
  // Read before the role check so that a refusal's audit entry names the state it was aimed at; the role is
  // still checked before NOT_FOUND, so a refused actor learns nothing about which IDs exist.
  const current = await c.o.store.transaction((tx) => findApplication(tx, id));
  authorize(ACCOUNT_COMMANDS, event, who, { subject: id, state: current?.status ?? 'none' });
  if (current === undefined) throw new EnrollError('NOT_FOUND', `no account application ${id}`);
  assertEventAllowed(ACCOUNT_MACHINE, current.status, event);
  return current;
}

/** {@link AccountEnrollmentFlow.approve} */
export async function approve(c: AccountContext, id: string, who: Actor, reviewNote: string | undefined): Promise<ApprovalResult> {
  const sentTo = await facilityEmail(c, (await beforeDecision(c, id, who, 'approve')).controlNumber);
  let expiresAt = '';
  const application = await transitionApplication(c, id, 'approve', 'approved', who, async (tx, app, at) => {
    expiresAt = await issueToken(c, tx, app, sentTo, at);
    return saveApplication(tx, app, { status: 'approved', ...(reviewNote === undefined ? {} : { reviewNote }), at });
  }, `activation link to ${sentTo}`);
  return { application, sentTo, expiresAt };
}

/** {@link AccountEnrollmentFlow.reject} */
export async function reject(c: AccountContext, id: string, who: Actor, why: string): Promise<AccountApplication> {
  const to = await c.o.emsRecords.facilityEmail((await beforeDecision(c, id, who, 'reject')).controlNumber);
  return transitionApplication(c, id, 'reject', 'rejected', who, async (tx, app, at) => {
    await deleteBindingsOf(tx, app.id);
    const saved = await saveApplication(tx, app, { status: 'rejected', reviewNote: why, at });
    let link: string | undefined;
    if (c.o.resultLink !== undefined) {
      const key = newToken();
      const expiresAt = new Date(new Date(at).getTime() + c.resultTtlMs).toISOString();
      await insertResultKey(tx, { hash: hashSecret(key), applicationId: app.id, at, expiresAt });
      link = linkOf('resultLink', c.o.resultLink(key));
    }
    if (to !== undefined) await sendNotice(c.o.mailer, rejectionNotice(to, why, c.branding, link));
    return saved;
    // The decision stands without a mailbox (a facility gone from EMS must not keep its application open for ever),
    // but the audit says no one was told, so a desk does not assume the company knows.
  }, to === undefined ? `${why}（未寄送通知：EMS 無事業電子郵件信箱）` : why);
}

/** {@link AccountEnrollmentFlow.reissueActivation} */
export async function reissueActivation(c: AccountContext, id: string, who: Actor): Promise<ApprovalResult> {
  const sentTo = await facilityEmail(c, (await beforeDecision(c, id, who, 'reissueActivation')).controlNumber);
  let expiresAt = '';
  const application = await transitionApplication(c, id, 'reissueActivation', 'approved', who, async (tx, app, at) => {
    await revokeOpenTokens(tx, app.id, at);
    expiresAt = await issueToken(c, tx, app, sentTo, at);
    return saveApplication(tx, app, { status: 'approved', at });
  }, `activation link to ${sentTo}`);
  return { application, sentTo, expiresAt };
}

/**
 * {@link AccountEnrollmentFlow.closeAccount}: staff close an active account;
 * its cards are unbound (the audit entry names them), open links revoked,
 * the EMS facility e-mail told, and the control number free for a new
 * application that goes through EMS, review and activation again.
 */
export async function closeAccount(c: AccountContext, cn: ControlNumber, who: Actor, why: string): Promise<AccountApplication> {
  // Read before the role check so that a refusal's audit entry names the account; the role is still checked
  // before NOT_FOUND, so a refused actor learns nothing about which accounts exist.
  const current = (await c.o.store.transaction((tx) => applicationsOf(tx, cn))).find((a) => a.status === 'active');
  authorize(ACCOUNT_COMMANDS, 'close', who, { subject: current?.id ?? cn, state: current?.status ?? 'none' });
  if (current === undefined) throw new EnrollError('NOT_FOUND', `no active account for control number ${cn}`);
  // EMS is remote: read outside the transaction, as for a rejection.
  const to = await c.o.emsRecords.facilityEmail(cn);
  return c.o.store.transaction(async (tx) => {
    const app = await lockActiveAccount(tx, cn);
    const at = nowOf(c);
    const bound = await lockBindingsOf(tx, cn);
    const reason = `${why} (unbound: ${bound.map((b) => b.cardNumber).join(', ') || 'none'})`;
    return applyTransition(tx, ACCOUNT_MACHINE, { subject: app.id, from: app.status, event: 'close', to: 'closed', actor: who, at }, async () => {
      await rejectPendingRenewalsOf(tx, 'account', bound, who, at, { subject: app.id, state: app.status, why: 'the account was closed' });
      await deleteBindingsOf(tx, app.id);
      await revokeOpenTokens(tx, app.id, at);
      const saved = await saveApplication(tx, app, { status: 'closed', reviewNote: why, at });
      // Inside the transaction, as the other notices: a failed send closes nothing.
      if (to !== undefined) await sendNotice(c.o.mailer, closureNotice(to, why, c.branding));
      return saved;
    }, reason);
  });
}

/** {@link AccountEnrollmentFlow.activate}: consumes the link (once, before expiry); the account and its card become active. */
export async function activate(c: AccountContext, token: string): Promise<AccountApplication> {
  if (!isTokenShaped(token)) throw new EnrollError('TOKEN_INVALID', 'activation link is malformed');
  const hash = hashSecret(token);
  return c.o.store.transaction(async (tx) => {
    // The application first, then the link: the order of every reviewer command (a reissue locks the
    // application, then revokes its links). The other order deadlocked against a concurrent reissue.
    const applicationId = await applicationOfToken(tx, hash);
    if (applicationId === undefined) throw await tokenFailure(tx, hash);
    const app = await lockApplication(tx, applicationId);
    const at = nowOf(c);
    if ((await consumeToken(tx, hash, at)) === undefined) throw await tokenFailure(tx, hash);
    return applyTransition(tx, ACCOUNT_MACHINE, { subject: app.id, from: app.status, event: 'activate', to: 'active', actor: LINK_ACTOR, at }, async () => {
      await activateBindingsOf(tx, app.id);
      return saveApplication(tx, app, { status: 'active', at });
    });
  });
}

/**
 * {@link AccountEnrollmentFlow.pendingActivation}: what the link would open, read without using, locking or
 * auditing anything. A link is found by its hash, as {@link activate} finds it, and one that activation would
 * refuse is refused with activation's own error (TOKEN_INVALID, TOKEN_USED, TOKEN_EXPIRED, or the machine's
 * INVALID_TRANSITION), so a wrong key learns nothing here that it would not learn by trying to activate.
 */
export async function pendingActivation(c: AccountContext, token: string): Promise<PendingActivation> {
  if (!isTokenShaped(token)) throw new EnrollError('TOKEN_INVALID', 'activation link is malformed');
  const hash = hashSecret(token);
  return c.o.store.transaction(async (tx) => {
    const live = await liveToken(tx, hash, nowOf(c));
    if (live === undefined) throw await tokenFailure(tx, hash);
    const app = await findApplication(tx, live.applicationId);
    if (app === undefined) throw new EnrollError('TOKEN_INVALID', 'unknown activation link');
    assertEventAllowed(ACCOUNT_MACHINE, app.status, 'activate');
    return { ...activationAccountOf(app, await bindingsOfApplication(tx, app.id)), expiresAt: live.expiresAt };
  });
}

/** {@link AccountEnrollmentFlow.applicationResult}: the application as judged; the key reads nothing else and expires. */
export async function applicationResult(c: AccountContext, key: string): Promise<ApplicationResult> {
  if (!isTokenShaped(key)) throw new EnrollError('TOKEN_INVALID', 'result link is malformed');
  const found = await c.o.store.transaction((tx) => applicationByResultKey(tx, hashSecret(key)));
  if (found === undefined) throw new EnrollError('TOKEN_INVALID', 'unknown result link');
  if (c.o.clock.now().getTime() >= new Date(found.expiresAt).getTime()) throw new EnrollError('TOKEN_EXPIRED', 'this result link has expired');
  const app = found.application;
  return {
    controlNumber: app.controlNumber,
    status: app.status,
    ...(app.emsComparison === undefined ? {} : { emsComparison: app.emsComparison }),
    ...(app.reviewNote === undefined ? {} : { reviewNote: app.reviewNote }),
  };
}

/**
 * What a link option returned, checked before it is mailed: a number or an
 * object would reach the recipient as "42" (the transaction rolls back).
 */
function linkOf(option: 'activationLink' | 'resultLink', value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new RangeError(`AccountEnrollmentFlow: option ${option} must return the link as text, not ${JSON.stringify(value) ?? typeof value}`);
  }
  return value;
}
