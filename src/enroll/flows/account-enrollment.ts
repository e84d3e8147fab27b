/**
 * Flow 1 (seed moenv-gps…): company account application and citizen-card binding.
 * control number → basic data (EMS check) → bind card → 審核中 → approve/reject →
 * activation link to the EMS facility e-mail → active; then add/remove cards.
 */
import { randomUUID } from 'node:crypto';
import { parseActor, type Actor } from '../domain/actor.js';
import { parseBasicData, type BasicData } from '../domain/basic-data.js';
import { parseCardHolder, type CardAuthority, type CardIdentity, type VerifiedCardHolder } from '../domain/card-holder.js';
import {
  parseCardNumber,
  parseControlNumber,
  parseEmail,
  parsePhone,
  parseRequiredText,
  type CardNumber,
  type ControlNumber,
} from '../domain/identifiers.js';
import { EnrollError, InvalidInputError, IssueCollector } from '../errors.js';
import { DEFAULT_BRANDING, activationNotice, rejectionNotice, type NoticeBranding } from '../mail/account-notices.js';
import { ACCOUNT_MACHINE, type AccountEvent, type AccountStatus } from '../machine/account-machine.js';
import { assertEventAllowed, assertTransition } from '../machine/machine.js';
import type { Clock } from '../ports/clock.js';
import type { EmsComparison, EmsRecordSource, EmsVerifier } from '../ports/ems.js';
import type { MailMessage, Mailer } from '../ports/mailer.js';
import { recordTransition } from '../store/audit.js';
import { isoOf, optionalIsoOf, optionalText } from '../store/rows.js';
import { isUniqueViolation } from '../store/sql-errors.js';
import type { EnrollStore, Row, SqlSession } from '../store/store.js';
import {
  applicationFromRow,
  bindingFromRow,
  lockActiveAccount,
  lockApplication,
  saveApplication,
  type AccountApplication,
  type CardBinding,
} from './account-records.js';
import { ACCOUNT_COMMANDS, auditRefusals, authorize } from './authorization.js';
import { listQueue, type QueuePage, type QueueQuery } from './review-queue.js';
import {
  acceptPendingRenewal,
  parseRenewalId,
  pendingRenewals,
  resolveRenewal,
  type BoundCard,
  type PendingRenewal,
  type RenewalPolicy,
} from './card-renewal.js';
import { hashSecret, isTokenShaped, isUuid, newToken } from './secret-token.js';

/** Dependencies and settings of {@link AccountEnrollment}. */
export interface AccountEnrollmentOptions {
  /** Persistence. */
  readonly store: EnrollStore;
  /** Time source for audit, expiry. */
  readonly clock: Clock;
  /** Outgoing mail. */
  readonly mailer: Mailer;
  /** EMS comparison of basic data. */
  readonly ems: EmsVerifier;
  /** EMS facility e-mail lookup (activation and rejection notices go only there). */
  readonly emsRecords: EmsRecordSource;
  /** Builds the activation URL carrying `token`, e.g. `https://…/AccountActivate?key=${token}`. */
  readonly activationLink: (token: string) => string;
  /** Activation link lifetime; default 7 days. */
  readonly activationTtlMs?: number;
  /** Wording of the notices. */
  readonly branding?: NoticeBranding;
  /**
   * Builds the rejection mail's result-page URL carrying `key`, e.g.
   * `https://…/AccountApplyResult?key=${key}` (seed). When set, every rejection
   * mails a single-purpose key that only reads {@link AccountEnrollment.applicationResult}.
   */
  readonly resultLink?: (key: string) => string;
  /** Result key lifetime; default 30 days. */
  readonly resultTtlMs?: number;
  /** What a renewed certificate on a bound card does at login: update the binding (`automatic`, default) or wait for a reviewer. */
  readonly renewal?: RenewalPolicy;
}

/** Contact data typed next to the card on the binding form (連絡電話, Email). */
export interface BindingContact {
  /** 自然人憑證姓名; defaults to the certificate's subject name. */
  readonly name?: string;
  /** 連絡電話 */
  readonly phone: string;
  /** Email */
  readonly email: string;
}

/** Input of {@link AccountEnrollment.bindCard} and {@link AccountEnrollment.addCard}. */
export interface BindCardInput {
  /** The verified login of the card to bind: `cardHolderFromLogin(login)` of the certificate layer's result. */
  readonly holder: VerifiedCardHolder;
  /** Contact data typed on the form. */
  readonly contact: BindingContact;
}

/** Outcome of approval: the new state and where the link went. */
export interface ApprovalResult {
  /** The application, now `approved`. */
  readonly application: AccountApplication;
  /** The EMS-registered facility e-mail the link was sent to. */
  readonly sentTo: string;
  /** Link expiry (ISO). */
  readonly expiresAt: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const CARD_KEY = 'enroll_card_bindings_card_key';
const SERIAL_KEY = 'enroll_card_bindings_serial_key';
const OPEN_KEY = 'enroll_account_applications_open_key';
const LINK_ACTOR: Actor = { role: 'applicant', id: 'activation-link' };

/** What a binding row recorded, for the renewal rule. */
function boundCardOf(row: Row): BoundCard {
  const b = bindingFromRow(row);
  return {
    cardNumber: b.cardNumber,
    certificateSerial: b.certificateSerial,
    authority: optionalText(row.authority) as CardAuthority | undefined,
    subjectName: optionalText(row.subject_name),
    idHint: optionalText(row.id_hint),
    anchor: optionalText(row.anchor),
    validFrom: optionalIsoOf(row.valid_from),
  };
}

function parseId(value: unknown): string {
  if (!isUuid(value)) throw new InvalidInputError([{ field: 'applicationId', reason: 'must be a UUID' }]);
  return value.toLowerCase();
}

function parseBinding(input: unknown): { card: CardIdentity & { cardNumber: CardNumber }; name: string; phone: string; email: string } {
  const issues = new IssueCollector();
  const v = (typeof input === 'object' && input !== null ? input : {}) as Record<string, unknown>;
  const card = issues.take(() => parseCardHolder(v.holder, 'holder', { requireCardNumber: true }));
  const c = (typeof v.contact === 'object' && v.contact !== null ? v.contact : {}) as Record<string, unknown>;
  const phone = issues.take(() => parsePhone(c.phone, 'contact.phone'));
  const email = issues.take(() => parseEmail(c.email, 'contact.email'));
  const name = c.name === undefined ? card?.subjectName : issues.take(() => parseRequiredText(c.name, 'contact.name'));
  if (card !== undefined && card.authority !== 'MOICA') {
    issues.add('holder.authority', 'a citizen certificate (自然人憑證, MOICA) is required');
  }
  issues.throwIfAny();
  return { card: card as CardIdentity & { cardNumber: CardNumber }, name: name as string, phone: phone as string, email: email as string };
}

function cardBoundError(): EnrollError {
  return new EnrollError(
    'CARD_ALREADY_BOUND',
    '相同自然人憑證僅限對應乙組管制編號: this card is already bound to a control number',
  );
}

/** Commands of the account-application flow. Each returns the new state or throws an {@link EnrollError}. */
export class AccountEnrollment {
  private readonly o: AccountEnrollmentOptions;
  private readonly ttlMs: number;
  private readonly branding: NoticeBranding;

  /** Fixes the dependencies once. */
  public constructor(options: AccountEnrollmentOptions) {
    this.o = options;
    this.ttlMs = options.activationTtlMs ?? 7 * DAY_MS;
    if (!(this.ttlMs > 0)) throw new RangeError('activationTtlMs must be positive');
    this.branding = options.branding ?? DEFAULT_BRANDING;
  }

  private now(): string {
    return this.o.clock.now().toISOString();
  }

  /** 帳號申請: opens an application for a control number (one open application per control number). */
  public async apply(input: { controlNumber: string }, actor: Actor): Promise<AccountApplication> {
    const who = parseActor(actor);
    const controlNumber = parseControlNumber((input as { controlNumber?: unknown } | undefined)?.controlNumber);
    return this.guarded(() => this.applyAs(who, controlNumber));
  }

  private async applyAs(who: Actor, controlNumber: ControlNumber): Promise<AccountApplication> {
    authorize(ACCOUNT_COMMANDS, 'apply', who, { subject: controlNumber });
    const at = this.now();
    const id = randomUUID();
    try {
      return await this.o.store.transaction(async (tx) => {
        const rows = await tx.query(
          `INSERT INTO enroll_account_applications (id, control_number, status, created_at, updated_at, applicant_id)
           VALUES ($1,$2,'draft',$3,$3,$4) RETURNING *`,
          [id, controlNumber, at, who.id],
        );
        await recordTransition(tx, {
          flow: 'account',
          subject: id,
          actor: who,
          at,
          event: 'apply',
          from: 'none',
          to: 'draft',
          reason: controlNumber,
        });
        return applicationFromRow(rows[0] ?? {});
      });
    } catch (err) {
      if (isUniqueViolation(err, OPEN_KEY)) {
        throw new EnrollError('APPLICATION_IN_PROGRESS', `control number ${controlNumber} already has an open application or account`);
      }
      throw err;
    }
  }

  /** 基本資料填寫: validates every field, compares with EMS; a mismatch ends in `emsRejected` with the per-field result. */
  public async submitBasicData(applicationId: string, basicData: unknown, actor: Actor): Promise<AccountApplication> {
    const who = parseActor(actor);
    const id = parseId(applicationId);
    const data = parseBasicData(basicData);
    return this.guarded(() => this.submitAs(id, data, who));
  }

  private async submitAs(id: string, data: BasicData, who: Actor): Promise<AccountApplication> {
    const current = await this.get(id);
    authorize(ACCOUNT_COMMANDS, 'submitBasicData', who, { subject: id, state: current.status, owner: await this.ownerOf(id) });
    if (data.controlNumber !== current.controlNumber) {
      throw new InvalidInputError([{ field: 'basicData.controlNumber', reason: 'differs from the application’s control number' }]);
    }
    assertEventAllowed(ACCOUNT_MACHINE, current.status, 'submitBasicData');
    // EMS is remote: ask before opening the transaction, re-check the state inside it.
    const comparison = await this.o.ems.verify(data);
    const to: AccountStatus = comparison.passed ? 'basicDataVerified' : 'emsRejected';
    return this.transition(
      id,
      'submitBasicData',
      to,
      who,
      async (tx, app, at) => saveApplication(tx, app, { status: to, basicData: data, emsComparison: comparison, at }),
      comparison.passed ? undefined : 'EMS 比對不符',
    );
  }

  /** 自然人憑證綁定 + 送出: binds the applicant's card; the application goes to 審核中. */
  public async bindCard(applicationId: string, input: BindCardInput, actor: Actor): Promise<AccountApplication> {
    const who = parseActor(actor);
    const id = parseId(applicationId);
    const b = parseBinding(input);
    return this.guarded(() => this.bindCardAs(id, b, who));
  }

  private async bindCardAs(id: string, b: ReturnType<typeof parseBinding>, who: Actor): Promise<AccountApplication> {
    try {
      return await this.transition(id, 'bindCard', 'underReview', who, async (tx, app, at) => {
        await this.insertBinding(tx, app, b, 'pending', at);
        return saveApplication(tx, app, { status: 'underReview', at });
      }, b.card.cardNumber);
    } catch (err) {
      if (isUniqueViolation(err, CARD_KEY) || isUniqueViolation(err, SERIAL_KEY)) throw cardBoundError();
      throw err;
    }
  }

  /** Reviewer approves: mails a single-use, expiring activation link to the EMS facility e-mail. */
  public async approve(applicationId: string, reviewer: Actor, note?: string): Promise<ApprovalResult> {
    const who = parseActor(reviewer);
    const id = parseId(applicationId);
    const reviewNote = note === undefined ? undefined : parseRequiredText(note, 'note', 2000);
    return this.guarded(() => this.approveAs(id, who, reviewNote));
  }

  private async approveAs(id: string, who: Actor, reviewNote: string | undefined): Promise<ApprovalResult> {
    authorize(ACCOUNT_COMMANDS, 'approve', who, { subject: id });
    const current = await this.get(id);
    assertEventAllowed(ACCOUNT_MACHINE, current.status, 'approve');
    const sentTo = await this.facilityEmail(current.controlNumber);
    let expiresAt = '';
    const application = await this.transition(id, 'approve', 'approved', who, async (tx, app, at) => {
      expiresAt = await this.issueToken(tx, app, sentTo, at);
      return saveApplication(tx, app, { status: 'approved', ...(reviewNote === undefined ? {} : { reviewNote }), at });
    }, `activation link to ${sentTo}`);
    return { application, sentTo, expiresAt };
  }

  /** Reviewer rejects: releases the pending card binding and notifies the EMS facility e-mail. */
  public async reject(applicationId: string, reviewer: Actor, reason: string): Promise<AccountApplication> {
    const who = parseActor(reviewer);
    const id = parseId(applicationId);
    const why = parseRequiredText(reason, 'reason', 2000);
    return this.guarded(() => this.rejectAs(id, who, why));
  }

  private async rejectAs(id: string, who: Actor, why: string): Promise<AccountApplication> {
    authorize(ACCOUNT_COMMANDS, 'reject', who, { subject: id });
    const current = await this.get(id);
    assertEventAllowed(ACCOUNT_MACHINE, current.status, 'reject');
    const to = await this.o.emsRecords.facilityEmail(current.controlNumber);
    return this.transition(id, 'reject', 'rejected', who, async (tx, app, at) => {
      await tx.query('DELETE FROM enroll_card_bindings WHERE application_id = $1', [app.id]);
      const saved = await saveApplication(tx, app, { status: 'rejected', reviewNote: why, at });
      let link: string | undefined;
      if (this.o.resultLink !== undefined) {
        const key = newToken();
        const expires = new Date(new Date(at).getTime() + (this.o.resultTtlMs ?? 30 * DAY_MS)).toISOString();
        await tx.query('INSERT INTO enroll_result_keys (key_hash, application_id, created_at, expires_at) VALUES ($1,$2,$3,$4)', [
          hashSecret(key),
          app.id,
          at,
          expires,
        ]);
        link = this.o.resultLink(key);
      }
      if (to !== undefined) await this.mail(rejectionNotice(to, why, this.branding, link));
      return saved;
    }, why);
  }

  /** Sends a new activation link (e.g. the first expired); earlier links stop working. */
  public async reissueActivation(applicationId: string, reviewer: Actor): Promise<ApprovalResult> {
    const who = parseActor(reviewer);
    const id = parseId(applicationId);
    return this.guarded(() => this.reissueAs(id, who));
  }

  private async reissueAs(id: string, who: Actor): Promise<ApprovalResult> {
    authorize(ACCOUNT_COMMANDS, 'reissueActivation', who, { subject: id });
    const current = await this.get(id);
    assertEventAllowed(ACCOUNT_MACHINE, current.status, 'reissueActivation');
    const sentTo = await this.facilityEmail(current.controlNumber);
    let expiresAt = '';
    const application = await this.transition(id, 'reissueActivation', 'approved', who, async (tx, app, at) => {
      await tx.query(
        'UPDATE enroll_activation_tokens SET revoked_at = $2 WHERE application_id = $1 AND used_at IS NULL AND revoked_at IS NULL',
        [app.id, at],
      );
      expiresAt = await this.issueToken(tx, app, sentTo, at);
      return saveApplication(tx, app, { status: 'approved', at });
    }, `activation link to ${sentTo}`);
    return { application, sentTo, expiresAt };
  }

  /** 開通帳號權限: consumes the token (once, before expiry) and activates the account and its card. */
  public async activate(token: string): Promise<AccountApplication> {
    if (!isTokenShaped(token)) throw new EnrollError('TOKEN_INVALID', 'activation link is malformed');
    const hash = hashSecret(token);
    return this.o.store.transaction(async (tx) => {
      const at = this.now();
      const used = await tx.query(
        `UPDATE enroll_activation_tokens SET used_at = $2
          WHERE token_hash = $1 AND used_at IS NULL AND revoked_at IS NULL AND expires_at > $2
          RETURNING application_id`,
        [hash, at],
      );
      const applicationId = used[0]?.application_id;
      if (applicationId === undefined) throw await this.tokenFailure(tx, hash);
      const app = await lockApplication(tx, String(applicationId));
      assertTransition(ACCOUNT_MACHINE, app.status, 'activate', 'active');
      await tx.query(`UPDATE enroll_card_bindings SET status = 'active' WHERE application_id = $1`, [app.id]);
      const saved = await saveApplication(tx, app, { status: 'active', at });
      await recordTransition(tx, {
        flow: 'account',
        subject: app.id,
        actor: LINK_ACTOR,
        at,
        event: 'activate',
        from: app.status,
        to: 'active',
      });
      return saved;
    });
  }

  /** 設定自然人憑證: binds another card to an active account (a control number may have several). */
  public async addCard(controlNumber: string, input: BindCardInput, actor: Actor): Promise<CardBinding> {
    const who = parseActor(actor);
    const cn = parseControlNumber(controlNumber);
    const b = parseBinding(input);
    return this.guarded(() => this.addCardAs(cn, b, who));
  }

  private async addCardAs(cn: ControlNumber, b: ReturnType<typeof parseBinding>, who: Actor): Promise<CardBinding> {
    try {
      return await this.o.store.transaction(async (tx) => {
        const app = await lockActiveAccount(tx, cn);
        authorize(ACCOUNT_COMMANDS, 'addCard', who, { subject: app.id, state: app.status, owner: await this.ownerOf(app.id, tx) });
        const at = this.now();
        assertTransition(ACCOUNT_MACHINE, app.status, 'addCard', 'active');
        const binding = await this.insertBinding(tx, app, b, 'active', at);
        await recordTransition(tx, {
          flow: 'account',
          subject: app.id,
          actor: who,
          at,
          event: 'addCard',
          from: 'active',
          to: 'active',
          reason: b.card.cardNumber,
        });
        return binding;
      });
    } catch (err) {
      if (isUniqueViolation(err, CARD_KEY) || isUniqueViolation(err, SERIAL_KEY)) throw cardBoundError();
      throw err;
    }
  }

  /** 自然人憑證管理 → 刪除: unbinds a card; the last card cannot be removed (the account would be unreachable). */
  public async removeCard(controlNumber: string, cardNumber: string, actor: Actor): Promise<CardBinding[]> {
    const who = parseActor(actor);
    const cn = parseControlNumber(controlNumber);
    const card = parseCardNumber(cardNumber);
    return this.guarded(() => this.o.store.transaction(async (tx) => {
      const app = await lockActiveAccount(tx, cn);
      authorize(ACCOUNT_COMMANDS, 'removeCard', who, { subject: app.id, state: app.status, owner: await this.ownerOf(app.id, tx) });
      const at = this.now();
      assertTransition(ACCOUNT_MACHINE, app.status, 'removeCard', 'active');
      const rows = await tx.query(
        'SELECT * FROM enroll_card_bindings WHERE control_number = $1 ORDER BY bound_at, card_number',
        [cn],
      );
      if (!rows.some((r) => r.card_number === card)) {
        throw new EnrollError('NOT_FOUND', `card ${card} is not bound to ${cn}`);
      }
      if (rows.length === 1) {
        throw new EnrollError('LAST_CARD', 'the last bound card cannot be removed; add another card first');
      }
      await tx.query('DELETE FROM enroll_card_bindings WHERE card_number = $1 AND control_number = $2', [card, cn]);
      await recordTransition(tx, {
        flow: 'account',
        subject: app.id,
        actor: who,
        at,
        event: 'removeCard',
        from: 'active',
        to: 'active',
        reason: card,
      });
      return rows.filter((r) => r.card_number !== card).map(bindingFromRow);
    }));
  }

  /** The cards bound to a control number (自然人憑證管理 list). */
  public async listCards(controlNumber: string): Promise<CardBinding[]> {
    const cn = parseControlNumber(controlNumber);
    return this.o.store.transaction(async (tx) =>
      (await tx.query(
        'SELECT * FROM enroll_card_bindings WHERE control_number = $1 ORDER BY bound_at, card_number',
        [cn],
      )).map(
        bindingFromRow,
      ),
    );
  }

  /**
   * The control number an active card logs into. A renewed certificate on a
   * bound card (same 卡號, authority, trust anchor, holder name and ID hint,
   * from a successful login verification) updates the binding and is audited
   * as `renewCard`; with the `review` policy it waits for {@link acceptRenewal}
   * (RENEWAL_PENDING_REVIEW). Anything else is NOT_AUTHORIZED.
   */
  public async resolveLogin(holder: VerifiedCardHolder): Promise<ControlNumber> {
    const card = parseCardHolder(holder, 'holder', { requireCardNumber: true });
    const outcome = await this.o.store.transaction(async (tx): Promise<ControlNumber | EnrollError> => {
      const rows = await tx.query(`SELECT * FROM enroll_card_bindings WHERE card_number = $1 AND status = 'active' FOR UPDATE`, [card.cardNumber]);
      const row = rows[0];
      if (row === undefined) return new EnrollError('NOT_AUTHORIZED', 'this card and certificate are not bound to an active account');
      const binding = bindingFromRow(row);
      const bound = boundCardOf(row);
      const result = await resolveRenewal(tx, bound, card, {
        flow: 'account',
        subject: String(row.application_id),
        state: 'active',
        policy: this.o.renewal,
        at: this.now(),
        refusal: 'this card and certificate are not bound to an active account',
        renew: async () => {
          await this.renewBinding(tx, bound, card.certificateSerial, card.validFrom);
        },
      });
      return result instanceof EnrollError ? result : binding.controlNumber;
    });
    if (outcome instanceof EnrollError) throw outcome;
    return outcome;
  }

  /** Renewals waiting for a reviewer (policy `review`), oldest first. */
  public pendingRenewals(): Promise<PendingRenewal[]> {
    return pendingRenewals(this.o.store, 'account');
  }

  /** Reviewer accepts a pending renewal: the binding takes the new serial (audited `renewCard`). */
  public async acceptRenewal(renewalId: string, reviewer: Actor): Promise<CardBinding> {
    const who = parseActor(reviewer, 'reviewer');
    const id = parseRenewalId(renewalId);
    return this.guarded(() =>
      this.o.store.transaction(async (tx) => {
        authorize(ACCOUNT_COMMANDS, 'acceptRenewal', who, { subject: id });
        return acceptPendingRenewal(tx, 'account', id, who, this.now(), async (request) => {
          const rows = await tx.query('SELECT * FROM enroll_card_bindings WHERE card_number = $1 AND certificate_serial = $2 FOR UPDATE', [
            request.cardNumber,
            request.oldSerial,
          ]);
          const row = rows[0];
          if (row === undefined) throw new EnrollError('NOT_FOUND', `card ${request.cardNumber} is no longer bound with ${request.oldSerial}`);
          const result = await this.renewBinding(tx, boundCardOf(row), request.newSerial, request.newValidFrom);
          return { result, subject: String(row.application_id), state: 'active' };
        });
      }),
    );
  }

  private async renewBinding(tx: SqlSession, bound: BoundCard, newSerial: string, validFrom: string | undefined): Promise<CardBinding> {
    try {
      const rows = await tx.query(
        'UPDATE enroll_card_bindings SET certificate_serial = $3, valid_from = $4 WHERE card_number = $1 AND certificate_serial = $2 RETURNING *',
        [bound.cardNumber, bound.certificateSerial, newSerial, validFrom ?? null],
      );
      return bindingFromRow(rows[0] ?? {});
    } catch (err) {
      if (isUniqueViolation(err, SERIAL_KEY)) throw cardBoundError();
      throw err;
    }
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
    if (!isTokenShaped(key)) throw new EnrollError('TOKEN_INVALID', 'result link is malformed');
    const rows = await this.o.store.transaction((tx) =>
      tx.query(
        `SELECT a.*, k.expires_at AS key_expires_at FROM enroll_result_keys k JOIN enroll_account_applications a ON a.id = k.application_id
          WHERE k.key_hash = $1`,
        [hashSecret(key)],
      ),
    );
    const row = rows[0];
    if (row === undefined) throw new EnrollError('TOKEN_INVALID', 'unknown result link');
    if (this.o.clock.now().getTime() >= new Date(isoOf(row.key_expires_at)).getTime()) {
      throw new EnrollError('TOKEN_EXPIRED', 'this result link has expired');
    }
    const app = applicationFromRow(row);
    return {
      controlNumber: app.controlNumber,
      status: app.status,
      ...(app.emsComparison === undefined ? {} : { emsComparison: app.emsComparison }),
      ...(app.reviewNote === undefined ? {} : { reviewNote: app.reviewNote }),
    };
  }

  /** Current state of an application. */
  public async get(applicationId: string): Promise<AccountApplication> {
    const id = parseId(applicationId);
    const rows = await this.o.store.transaction((tx) => tx.query(
      'SELECT * FROM enroll_account_applications WHERE id = $1',
      [id],
    ));
    const row = rows[0];
    if (row === undefined) throw new EnrollError('NOT_FOUND', `no account application ${id}`);
    return applicationFromRow(row);
  }

  /**
   * Applications currently in `status`, oldest first: the reviewer's 審核 list
   * is `listByStatus('underReview')`.
   */
  public async listByStatus(status: AccountStatus): Promise<AccountApplication[]> {
    if (!(ACCOUNT_MACHINE.states as readonly unknown[]).includes(status)) {
      throw new InvalidInputError([{ field: 'status', reason: `must be one of ${ACCOUNT_MACHINE.states.join(', ')}` }]);
    }
    const rows = await this.o.store.transaction((tx) =>
      tx.query('SELECT * FROM enroll_account_applications WHERE status = $1 ORDER BY created_at, id', [status]),
    );
    return rows.map(applicationFromRow);
  }

  /** Reviewer queue: applications in `query.status`, oldest first, paged, optionally by creation date. */
  public reviewQueue(query: QueueQuery<AccountStatus>): Promise<QueuePage<AccountApplication>> {
    return listQueue(this.o.store, { table: 'enroll_account_applications', key: 'id', states: ACCOUNT_MACHINE.states, map: applicationFromRow }, query);
  }

  /** Every application ever made for a control number, newest first (re-applications included). */
  public async history(controlNumber: string): Promise<AccountApplication[]> {
    const cn = parseControlNumber(controlNumber);
    const rows = await this.o.store.transaction((tx) =>
      tx.query(
        'SELECT * FROM enroll_account_applications WHERE control_number = $1 ORDER BY created_at DESC, id',
        [cn],
      ),
    );
    return rows.map(applicationFromRow);
  }

  private async transition(
    id: string,
    event: AccountEvent,
    to: AccountStatus,
    actor: Actor,
    apply: (tx: SqlSession, app: AccountApplication, at: string) => Promise<AccountApplication>,
    reason?: string,
  ): Promise<AccountApplication> {
    return this.o.store.transaction(async (tx) => {
      const app = await lockApplication(tx, id);
      if (event in ACCOUNT_COMMANDS) {
        authorize(ACCOUNT_COMMANDS, event as keyof typeof ACCOUNT_COMMANDS, actor, { subject: id, state: app.status, owner: await this.ownerOf(id, tx) });
      }
      assertTransition(ACCOUNT_MACHINE, app.status, event, to);
      const at = this.now();
      const saved = await apply(tx, app, at);
      await recordTransition(tx, {
        flow: 'account',
        subject: id,
        actor,
        at,
        event,
        from: app.status,
        to,
        ...(reason === undefined ? {} : { reason }),
      });
      return saved;
    });
  }

  /** Runs a command, auditing a {@link ForbiddenError} before it propagates. */
  private guarded<T>(command: () => Promise<T>): Promise<T> {
    return auditRefusals(this.o.store, this.o.clock, 'account', command);
  }

  /** The actor ID that applied (`null` for applications made before owners were recorded). */
  private async ownerOf(id: string, tx?: SqlSession): Promise<string | null> {
    const read = (t: SqlSession): Promise<Row[]> => t.query('SELECT applicant_id FROM enroll_account_applications WHERE id = $1', [id]);
    const rows = tx === undefined ? await this.o.store.transaction(read) : await read(tx);
    const owner = rows[0]?.applicant_id;
    return typeof owner === 'string' ? owner : null;
  }

  private async insertBinding(
    tx: SqlSession,
    app: AccountApplication,
    b: ReturnType<typeof parseBinding>,
    status: 'pending' | 'active',
    at: string,
  ): Promise<CardBinding> {
    const rows = await tx.query(
      `INSERT INTO enroll_card_bindings
         (card_number, certificate_serial, control_number, application_id, holder_name, phone, email, status, bound_at,
          authority, subject_name, id_hint, anchor, valid_from)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14) RETURNING *`,
      [b.card.cardNumber, b.card.certificateSerial, app.controlNumber, app.id, b.name, b.phone, b.email, status, at,
        b.card.authority, b.card.subjectName, b.card.idHint ?? null, b.card.anchor ?? null, b.card.validFrom ?? null],
    );
    return bindingFromRow(rows[0] ?? {});
  }

  private async facilityEmail(controlNumber: ControlNumber): Promise<string> {
    const raw = await this.o.emsRecords.facilityEmail(controlNumber);
    if (raw === undefined) {
      throw new EnrollError('EMS_RECORD_MISSING', `EMS has no facility e-mail for ${controlNumber}`);
    }
    try {
      return parseEmail(raw, 'ems.facilityEmail');
    } catch {
      throw new EnrollError('EMS_RECORD_MISSING', `EMS facility e-mail of ${controlNumber} is not a valid address`);
    }
  }

  private async issueToken(tx: SqlSession, app: AccountApplication, sentTo: string, at: string): Promise<string> {
    const token = newToken();
    const expiresAt = new Date(new Date(at).getTime() + this.ttlMs).toISOString();
    await tx.query(
      `INSERT INTO enroll_activation_tokens (token_hash, application_id, sent_to, created_at, expires_at) VALUES ($1,$2,$3,$4,$5)`,
      [hashSecret(token), app.id, sentTo, at, expiresAt],
    );
    // Mailing inside the transaction: a failed send rolls the approval back, so
    // no approved application is left without a link. See docs/decisions.md.
    await this.mail(activationNotice(sentTo, this.o.activationLink(token), expiresAt, this.branding));
    return expiresAt;
  }

  private async mail(message: MailMessage): Promise<void> {
    try {
      await this.o.mailer.send(message);
    } catch (err) {
      throw new EnrollError('MAIL_FAILED', `could not send mail to ${message.to}`, { cause: err });
    }
  }

  private async tokenFailure(tx: SqlSession, hash: string): Promise<EnrollError> {
    const rows = await tx.query(
      'SELECT used_at, revoked_at, expires_at FROM enroll_activation_tokens WHERE token_hash = $1',
      [hash],
    );
    const row = rows[0];
    if (row === undefined) return new EnrollError('TOKEN_INVALID', 'unknown activation link');
    if (row.used_at != null) return new EnrollError('TOKEN_USED', 'this activation link was already used');
    if (row.revoked_at != null) return new EnrollError('TOKEN_INVALID', 'this activation link was replaced by a newer one');
    return new EnrollError('TOKEN_EXPIRED', `this activation link expired at ${isoOf(row.expires_at)}`);
  }
}
