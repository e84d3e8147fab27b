/**
 * Flow 1 (seed moenv-gps…): company account application and citizen-card binding.
 * control number → basic data (EMS check) → bind card → 審核中 → approve/reject →
 * activation link to the EMS facility e-mail → active; then add/remove cards.
 *
 * The commands live in one module per concern (`account-application.ts`,
 * `account-basic-data.ts`, `account-review.ts`, `account-cards.ts`), the SQL in
 * one module per table (`account-applications-table.ts`,
 * `card-bindings-table.ts`, `activation-tokens-table.ts`,
 * `result-keys-table.ts`); this class validates input and delegates.
 */
import { parseActor, type Actor } from '../domain/actor.js';
import { parseBasicData } from '../domain/basic-data.js';
import { parseCardHolder, type VerifiedCardHolder } from '../domain/card-holder.js';
import { parseCardNumber, parseControlNumber, parseRequiredText, type CardNumber, type ControlNumber } from '../domain/identifiers.js';
import type { AccountStatus } from '../machine/account-machine.js';
import type { EmsComparison } from '../ports/ems.js';
import * as application from './account-application.js';
import { APPLICATION_QUEUE } from './account-applications-table.js';
import * as binding from './account-basic-data.js';
import * as cards from './account-cards.js';
import * as session from './account-card-session.js';
import { citizenCardRequired } from './account-card-session.js';
import {
  parseApplicationId,
  parseBinding,
  parseCardCommandOptions,
  parseCardLogin,
  type AccountCardLogin,
  type AccountEnrollmentOptions,
  type ApprovalResult,
  type BindCardInput,
  type CardCommandOptions,
} from './account-inputs.js';
import type { AccountApplication, AccountCardSession, CardBinding } from './account-records.js';
import * as review from './account-review.js';
import type { PendingActivation } from './account-review.js';
import { accountContext, guarded, type AccountContext } from './account-shared.js';
import { parseRenewalId, pendingRenewals, type PendingRenewal } from './card-renewal.js';
import { listQueue, type QueuePage, type QueueQuery } from './review-queue.js';
import { requireVerifiedLogin } from '../refusals.js';

export type { AccountCardLogin, AccountEnrollmentOptions, ApprovalResult, BindCardInput, BindingContact, CardCommandOptions } from './account-inputs.js';
export type { PendingActivation } from './account-review.js';

/**
 * Commands of the account-application flow. Each returns the new state or throws an `EnrollError`.
 * A card holder (`bindCard`, `addCard`, `resolveLogin`, `openCardSession`) must come from `cardHolderFromLogin` or
 * `HolderSeal.open`; any other object is `NOT_AUTHORIZED`, refusal `VERIFIED_LOGIN_REQUIRED`.
 */
export class AccountEnrollmentFlow {
  private readonly c: AccountContext;

  /** Fixes the dependencies once. */
  public constructor(options: AccountEnrollmentOptions) {
    this.c = accountContext(options);
  }

  /** 帳號申請: opens an application for a control number (one open application per control number). */
  public async apply(input: { controlNumber: string }, actor: Actor): Promise<AccountApplication> {
    const who = parseActor(actor);
    const controlNumber = parseControlNumber((input as { controlNumber?: unknown } | undefined)?.controlNumber);
    return guarded(this.c, () => application.apply(this.c, who, controlNumber));
  }

  /** 基本資料填寫: validates every field, compares with EMS; a mismatch ends in `emsRejected` with the per-field result. */
  public async submitBasicData(applicationId: string, basicData: unknown, actor: Actor): Promise<AccountApplication> {
    const who = parseActor(actor);
    const id = parseApplicationId(applicationId);
    const data = parseBasicData(basicData);
    return guarded(this.c, () => binding.submitBasicData(this.c, id, data, who));
  }

  /** 自然人憑證綁定 + 送出: binds the applicant's card; the application goes to 審核中. */
  public async bindCard(applicationId: string, input: BindCardInput, actor: Actor): Promise<AccountApplication> {
    const who = parseActor(actor);
    const id = parseApplicationId(applicationId);
    const b = parseBinding(input);
    requireVerifiedLogin(b.card);
    return guarded(this.c, () => binding.bindCard(this.c, id, b, who));
  }

  /**
   * Refuses, with {@link bindCard}'s own CARD_ALREADY_BOUND, a card whose 卡號 or certificate is already bound to a
   * control number (pending or active), and otherwise returns: a read, nothing is written or audited. For a page
   * that walks an application the flow did not take through bindCard's checks (the GPS portal's concealed
   * applications), so that a card bound elsewhere is answered alike there and on a real application. The holder
   * must come from a verified login, as for bindCard, so it tells the caller only about a card they hold.
   */
  public async refuseBoundCard(input: BindCardInput): Promise<void> {
    const b = parseBinding(input);
    requireVerifiedLogin(b.card);
    await binding.refuseBoundCard(this.c, b);
  }

  /** Reviewer approves: mails a single-use, expiring activation link to the EMS facility e-mail. */
  public async approve(applicationId: string, reviewer: Actor, note?: string): Promise<ApprovalResult> {
    const who = parseActor(reviewer);
    const id = parseApplicationId(applicationId);
    const reviewNote = note === undefined ? undefined : parseRequiredText(note, 'note', 2000);
    return guarded(this.c, () => review.approve(this.c, id, who, reviewNote));
  }

  /** Reviewer rejects: releases the pending card binding and notifies the EMS facility e-mail. */
  public async reject(applicationId: string, reviewer: Actor, reason: string): Promise<AccountApplication> {
    const who = parseActor(reviewer);
    const id = parseApplicationId(applicationId);
    const why = parseRequiredText(reason, 'reason', 2000);
    return guarded(this.c, () => review.reject(this.c, id, who, why));
  }

  /** Sends a new activation link (e.g. the first expired); earlier links stop working. */
  public async reissueActivation(applicationId: string, reviewer: Actor): Promise<ApprovalResult> {
    const who = parseActor(reviewer);
    const id = parseApplicationId(applicationId);
    return guarded(this.c, () => review.reissueActivation(this.c, id, who));
  }

  /**
   * Staff (客服) close an active account, e.g. when the company's every bound
   * card is lost, revoked or past its life and it cannot log in to manage
   * its cards: the cards are unbound, the EMS facility e-mail is told why,
   * and the control number is free for a new application (EMS comparison,
   * card, review and an activation link to that e-mail again). Audited with
   * the reason and the unbound card numbers.
   */
  public async closeAccount(controlNumber: string, reviewer: Actor, reason: string): Promise<AccountApplication> {
    const who = parseActor(reviewer);
    const cn = parseControlNumber(controlNumber);
    const why = parseRequiredText(reason, 'reason', 2000);
    return guarded(this.c, () => review.closeAccount(this.c, cn, who, why));
  }

  /**
   * What 開通帳號權限 with this link would open — the 管制編號, 公司名稱, the
   * cards that could then log in (the certificate's name and 卡號末四碼) and
   * when the link expires — for the page the link shows before its button is
   * pressed. Reads only: the link stays usable and nothing is audited. A link
   * {@link activate} would refuse is refused with the same error
   * (TOKEN_INVALID, TOKEN_USED, TOKEN_EXPIRED), so it tells a wrong key no more
   * than activating would.
   */
  public async pendingActivation(token: string): Promise<PendingActivation> {
    return review.pendingActivation(this.c, token);
  }

  /** 開通帳號權限: consumes the token (once, before expiry) and activates the account and its card. */
  public async activate(token: string): Promise<AccountApplication> {
    return review.activate(this.c, token);
  }

  /**
   * 設定自然人憑證: binds another card to an active account (a control number may have several). With
   * `options.login`, only while the card login the command is made for still stands, checked in the command's own
   * transaction (LOGIN_ENDED, refusal `LOGIN_CARD_NO_LONGER_BOUND`, audited, otherwise; an actor other than the
   * account's owner stays FORBIDDEN).
   */
  public async addCard(controlNumber: string, input: BindCardInput, actor: Actor, options?: CardCommandOptions): Promise<CardBinding> {
    const who = parseActor(actor);
    const cn = parseControlNumber(controlNumber);
    const b = parseBinding(input);
    const login = parseCardCommandOptions(options);
    requireVerifiedLogin(b.card);
    return guarded(this.c, () => cards.addCard(this.c, cn, b, who, login));
  }

  /**
   * 自然人憑證管理 → 刪除: unbinds a card; the last card cannot be removed (the account would be unreachable).
   * `options.login` as for {@link addCard}.
   */
  public async removeCard(controlNumber: string, cardNumber: string, actor: Actor, options?: CardCommandOptions): Promise<CardBinding[]> {
    const who = parseActor(actor);
    const cn = parseControlNumber(controlNumber);
    const card = parseCardNumber(cardNumber);
    const login = parseCardCommandOptions(options);
    return guarded(this.c, () => cards.removeCard(this.c, cn, card, who, login));
  }

  /**
   * The cards bound to a control number (自然人憑證管理 list). With `options.login`, the list a card login's page
   * shows: answered only while that login stands for this 管制編號, checked in the same statement that reads the
   * list (one transaction, where {@link checkCardSession} and then `listCards` took two); otherwise LOGIN_ENDED,
   * refusal `LOGIN_CARD_NO_LONGER_BOUND`. A read: nothing is written or audited.
   */
  public async listCards(controlNumber: string, options?: CardCommandOptions): Promise<CardBinding[]> {
    const cn = parseControlNumber(controlNumber);
    const login = parseCardCommandOptions(options);
    return login === undefined ? cards.listCards(this.c, cn) : session.listCardsForLogin(this.c, cn, login);
  }

  /**
   * The control number an active card logs into. A renewed certificate on a
   * bound card (same 卡號, authority, trust anchor, holder name and ID hint,
   * from a successful login verification) updates the binding and is audited
   * as `renewCard`; with the `review` policy it waits for {@link acceptRenewal}
   * (RENEWAL_PENDING_REVIEW). A card other than a citizen card is
   * WRONG_CARD_TYPE, refusal `CITIZEN_CARD_REQUIRED` (the system takes 自然人憑證
   * only), unless it names a bound 卡號: that is another certificate on a bound
   * card (RENEWAL_MISMATCH, audited). Anything else is NOT_AUTHORIZED.
   * To open a session, {@link openCardSession} answers the same and also says which account and binding.
   */
  public async resolveLogin(holder: VerifiedCardHolder): Promise<ControlNumber> {
    return (await this.openCardSession(holder)).account.controlNumber;
  }

  /**
   * 自然人憑證登入, for a session: {@link resolveLogin}'s login (the same renewal rule, refusals and audit) that
   * also returns, read in the same transaction, the account the card logs into (application ID, 管制編號,
   * `ownerId`, status `active`) and the card's binding (`cardNumber`, `boundAt`, status `active`), and the
   * `login` to keep in the session. No 刪除 or closure can land between the login and these reads.
   */
  public async openCardSession(holder: VerifiedCardHolder): Promise<AccountCardSession> {
    const presented = parseCardHolder(holder, 'holder');
    requireVerifiedLogin(presented);
    // A company card without a 卡號 is told the kind of card it needs, not to bring a 卡號. One that names a 卡號 is
    // looked up like any card: on a bound 卡號 it is another certificate on that card, refused and audited by the
    // renewal rule (RENEWAL_MISMATCH); on any other, CITIZEN_CARD_REQUIRED (session.openCardSession).
    if (presented.authority !== 'MOICA' && presented.cardNumber === undefined) throw citizenCardRequired(presented.authority);
    const card = parseCardHolder(holder, 'holder', { requireCardNumber: true });
    return session.openCardSession(this.c, card as typeof card & { cardNumber: CardNumber });
  }

  /**
   * Whether a card login (what {@link openCardSession} returned as `login`) still stands, for a host's check on
   * every request of the session: the account it logged into is still its 管制編號's active one and the card is
   * still bound to it, `active`, by the same binding (a card removed and bound again is another binding; `boundAt`
   * is compared as an instant). Answers with the account and binding as they are now, read in one statement.
   * Reads only: nothing is written or audited. A card command made for the login checks it again in its own
   * transaction, so a 刪除 after this check still refuses the command.
   * @throws EnrollError LOGIN_ENDED, refusal `LOGIN_CARD_NO_LONGER_BOUND` (the message says why), when it no longer
   * stands: the request is not authenticated (HTTP 401, as `twpki/fastify` and `twpki/express` answer it), so end
   * the session and ask for a new 自然人憑證登入. The card commands refuse such a login with the same code and refusal.
   * @throws InvalidInputError naming `login.*` for a malformed login.
   */
  public async checkCardSession(login: AccountCardLogin): Promise<AccountCardSession> {
    return session.checkCardSession(this.c, parseCardLogin(login, 'login'));
  }

  /** Renewals waiting for a reviewer (policy `review`), oldest first. */
  public pendingRenewals(): Promise<PendingRenewal[]> {
    return pendingRenewals(this.c.o.store, 'account');
  }

  /** Reviewer accepts a pending renewal: the binding takes the new serial (audited `renewCard`). */
  public async acceptRenewal(renewalId: string, reviewer: Actor): Promise<CardBinding> {
    const who = parseActor(reviewer, 'reviewer');
    const id = parseRenewalId(renewalId);
    return guarded(this.c, () => cards.acceptRenewal(this.c, id, who));
  }

  /**
   * 帳號申請結果 for the rejection mail's link: the application as it was
   * judged — the per-field ✓/✗ EMS comparison stored when the company applied
   * (verdicts only, no values) and the reviewer's reason. The key reads
   * nothing else and expires (TOKEN_INVALID / TOKEN_EXPIRED).
   */
  public async applicationResult(key: string): Promise<{
    /** 管制編號 */
    controlNumber: ControlNumber;
    /** The application's state now (normally `rejected`). */
    status: AccountStatus;
    /** The per-field comparison as stored at application time. */
    emsComparison?: EmsComparison;
    /** The reviewer's reason. */
    reviewNote?: string;
  }> {
    return review.applicationResult(this.c, key);
  }

  /** Current state of an application. */
  public async get(applicationId: string): Promise<AccountApplication> {
    return application.getApplication(this.c, parseApplicationId(applicationId));
  }

  /**
   * Applications currently in `status`, oldest first: the reviewer's 審核 list
   * is `listByStatus('underReview')`.
   */
  public async listByStatus(status: AccountStatus): Promise<AccountApplication[]> {
    return application.listByStatus(this.c, status);
  }

  /** Reviewer queue: applications in `query.status`, oldest first, paged, optionally by creation date. */
  public reviewQueue(query: QueueQuery<AccountStatus>): Promise<QueuePage<AccountApplication>> {
    return listQueue(this.c.o.store, APPLICATION_QUEUE, query);
  }

  /** Every application ever made for a control number, newest first (re-applications included). */
  public async history(controlNumber: string): Promise<AccountApplication[]> {
    return application.history(this.c, parseControlNumber(controlNumber));
  }
}

