/**
 * Flow 3 (seed gepi…): an organization registers with its organization
 * certificate plus the authorized administrator's citizen card; an OID mismatch
 * goes to manual review (retry on the next business day); the administrator then
 * assigns operators by certificate serial, and replaces certificates when renewed.
 */
import type { Actor } from '../domain/actor.js';
import type { VerifiedCardHolder } from '../domain/card-holder.js';
import { parseRequiredText, type CertificateSerial } from '../domain/identifiers.js';
import type { AdministratorSession, OperatorInput, RegisterInput, ReplaceInput, ReviewRequestInput } from './org-inputs.js';
import type { OrganizationCardCheck } from './org-first-registration.js';
import { parseAgencyCode } from './org-inputs.js';
import * as operators from './org-operators.js';
import * as queries from './org-queries.js';
import type { Operator, OrgRegistration, RegistrationRecord } from './org-records.js';
import type { OrgStatus } from '../machine/org-machine.js';
import { listQueue, type QueuePage, type QueueQuery } from './review-queue.js';
import * as registration from './org-first-registration.js';
import * as replacement from './org-replacement.js';
import { checkAgencyFlowOptions, type OrgRegistrationOptions } from './org-shared.js';
import { consentsOf } from './org-receipts-table.js';
import { REGISTRATION_QUEUE } from './org-registrations-table.js';
import { parseActor } from '../domain/actor.js';
import { ORG_COMMANDS, auditRefusals, authorize } from './authorization.js';
import { acceptPendingRenewal, parseRenewalId, pendingRenewals, type PendingRenewal } from './card-renewal.js';
import { applyAcceptedRenewal, lockOrgBindings, type OrgCardRenewal } from './org-cards.js';

export type { AdministratorContact, AdministratorSession, OperatorInput, RegisterInput, ReplaceInput, ReviewRequestInput } from './org-inputs.js';
export type { FirstRegistrationStanding, OrganizationCardCheck } from './org-first-registration.js';
export type { OrgRegistrationOptions } from './org-shared.js';
export type { OrgCardHolder, OrgCardRenewal } from './org-cards.js';

/**
 * Commands and queries of the organization certificate flow. Every card of a
 * registration, a replacement, an administrator session and an operator login
 * must come from `cardHolderFromLogin` or `HolderSeal.open` (any other object
 * is `NOT_AUTHORIZED`, refusal `VERIFIED_LOGIN_REQUIRED`); the two 查詢 of a
 * card take any holder.
 */
export class OrgRegistrationFlow {
  private readonly o: OrgRegistrationOptions;

  /** Fixes the dependencies once. */
  public constructor(options: OrgRegistrationOptions) {
    checkAgencyFlowOptions('OrgRegistrationFlow', options, {
      permissions: { kind: 'other' },
      termsVersion: { kind: 'other' },
      requireAdministratorNationalId: { kind: 'boolean' },
    });
    this.o = options;
  }

  /**
   * 首次註冊 step (一) 機關憑證確認, answered without changing anything: whether the card matches the agency, or
   * the 申請人確認畫面 comes (`reviewNeeded`: file it with {@link requestReview}), or a review stops the
   * registration (`reviewPending`, `retryTooEarly`, with the manual's message), or the reviewed certificate was
   * approved (`reviewApproved`), or the agency has registered. The rule is the one `register` and `requestReview`
   * apply, so the answer is theirs for this card at this instant.
   * @throws InvalidInputError naming `agencyCode` or `organizationCard`; EnrollError `NOT_FOUND` (unknown agency
   * code) or `NOT_AUTHORIZED` (`VERIFIED_LOGIN_REQUIRED`: the card must come from a verified login).
   */
  public checkOrganizationCard(agencyCode: string, organizationCard: VerifiedCardHolder): Promise<OrganizationCardCheck> {
    return registration.checkOrganizationCard(this.o, agencyCode, organizationCard);
  }

  /**
   * 首次註冊 step (一)'s 申請人確認畫面 → 送出申請 (圖3-6/3-7): files the manual review of an organization
   * certificate that does not match its agency, with only the 申請人's 姓名 and 電話; no administrator is named
   * yet (the registration's `administrator` is absent until then). Once a reviewer approves it, the full
   * {@link register} with this same certificate registers the agency from the next business day
   * (`retryNotBefore`), naming the administrator. Actor default: `{ role: 'applicant', id: <card serial> }`. With
   * `termsVersion`, the consent is recorded with the review, by the agency card and the 申請人 ({@link consents}).
   * @throws InvalidInputError naming `agencyCode`, `organizationCard`, `applicant.name`, `applicant.phone` or
   * `acceptedTerms`; ManualReviewError `MANUAL_REVIEW_PENDING` / `RETRY_TOO_EARLY`; EnrollError
   * `REVIEW_NOT_NEEDED` (the card matches, or is the one approved), `INVALID_TRANSITION` (registered),
   * `NOT_FOUND` (unknown agency code).
   */
  public requestReview(input: ReviewRequestInput, actor?: Actor): Promise<OrgRegistration> {
    return registration.requestReview(this.o, input, actor);
  }

  /**
   * 首次註冊 with both cards in one call. OID match ⇒ `registered`. Mismatch ⇒ `manualReview` (the review
   * contact `reviewContact` required, else REVIEW_CONTACT_REQUIRED) — a page that follows the manual files the
   * review at step (一) with {@link requestReview} instead; until a reviewer approves, every attempt fails with
   * MANUAL_REVIEW_PENDING; after approval, registration of the reviewed certificate is accepted from the next
   * business day (RETRY_TOO_EARLY before).
   */
  public async register(input: RegisterInput, actor?: Actor): Promise<OrgRegistration> {
    return registration.register(this.o, input, actor);
  }

  /** Reviewer accepts a mismatched registration; the agency may register from the next business day. */
  public approveReview(agencyCode: string, reviewer: Actor, note?: string): Promise<OrgRegistration> {
    return registration.review(this.o, agencyCode, reviewer, 'approveReview', 'reviewApproved', note);
  }

  /** Reviewer refuses a mismatched registration (本部將與您聯絡). */
  public async rejectReview(agencyCode: string, reviewer: Actor, reason: string): Promise<OrgRegistration> {
    return registration.review(this.o, agencyCode, reviewer, 'rejectReview', 'reviewRejected', parseRequiredText(reason, 'reason', 2000));
  }

  /**
   * 授權管理者自然人憑證確認 (step (二) of 首次註冊, 授權指派 and each 更換憑證), on its own so a page can answer
   * at that step: the 授權管理者身分證統一編號 typed beside the card must be one and agree with the card's ID hint
   * (`idHintRule`). The commands check it again: `register` and 更換 in `administrator.nationalId`, a session
   * in `administratorNationalId`. It is not compared with the registered administrator's here: the step does not
   * know the sub-function (at 首次註冊 and 更換授權管理者 the ID is a new one), and before both cards are found
   * registered the answer would tell a card holder whose ID is on record. A session command compares it
   * (`listOperators`, the 授權經辦人清單 that follows this step, answers at once), as 更換機關憑證 does.
   * @throws InvalidInputError naming `administratorCard` or `administratorNationalId` (`MISMATCH` when it does not agree
   * with the card's ID hint).
   */
  public confirmAdministratorCard(administratorCard: VerifiedCardHolder, administratorNationalId: string): {
    /** The holder's name from the certificate subject. */
    name: string;
    /** The certificate serial, lower-case hex without separators. */
    certificateSerial: CertificateSerial;
    /** The typed 授權管理者身分證統一編號, normalized (upper-case letter). */
    administratorNationalId: string;
  } {
    return queries.confirmAdministratorCard(this.o, administratorCard, administratorNationalId);
  }

  /**
   * 授權指派 → 新增: authorizes an operator by certificate serial with function permissions. The session's
   * `administratorNationalId` (typed at 授權管理者自然人憑證確認) is checked against its card (`MISMATCH`) and against the
   * registered administrator's (`NOT_ON_RECORD`), as for every session command.
   */
  public async assignOperator(agencyCode: string, session: AdministratorSession, operator: OperatorInput): Promise<Operator> {
    return operators.assignOperator(this.o, agencyCode, session, operator);
  }

  /**
   * 修改授權經辦人資料: replaces an operator's serial, name, ID and permissions.
   * After a card renewal (展期/換卡) this is how the new serial is recorded.
   */
  public async editOperator(
    agencyCode: string,
    session: AdministratorSession,
    currentSerial: string,
    operator: OperatorInput,
  ): Promise<Operator> {
    return operators.editOperator(this.o, agencyCode, session, currentSerial, operator);
  }

  /** 刪除授權經辦人 (operator left, or before re-adding with a renewed card). */
  public async removeOperator(agencyCode: string, session: AdministratorSession, certificateSerial: string): Promise<Operator[]> {
    return operators.removeOperator(this.o, agencyCode, session, certificateSerial);
  }

  /** 授權經辦人清單 (administrator session required). */
  public async listOperators(agencyCode: string, session: AdministratorSession): Promise<Operator[]> {
    return operators.listOperators(this.o, agencyCode, session);
  }

  /**
   * Operator login: the card's certificate serial must be assigned and hold
   * `permission`. A renewed card has a new serial and fails until edited.
   */
  public async authorizeOperator(agencyCode: string, holder: VerifiedCardHolder, permission: string): Promise<Operator> {
    return operators.authorizeOperator(this.o, agencyCode, holder, permission);
  }

  /**
   * 更換機關憑證: new organization certificate, authenticated by the registered administrator card. The administrator
   * stays, so `administrator.nationalId` must be the registered one when one is on record (INVALID_INPUT,
   * `NOT_ON_RECORD` naming it; `MISMATCH` is an ID that does not agree with the card's hint), and is recorded when
   * none is (a registration made before migration 0011).
   */
  public replaceOrganizationCertificate(agencyCode: string, input: ReplaceInput): Promise<OrgRegistration> {
    return replacement.replace(this.o, agencyCode, input, 'replaceOrganizationCertificate');
  }

  /**
   * 更換授權管理者自然人憑證: new administrator card, authenticated by the registered organization certificate; the
   * new administrator's `administrator.nationalId` replaces the one on record.
   */
  public replaceAdministratorCard(agencyCode: string, input: ReplaceInput): Promise<OrgRegistration> {
    return replacement.replace(this.o, agencyCode, input, 'replaceAdministratorCard');
  }

  /**
   * 更換機關憑證和更換授權管理者自然人憑證: both new; the new organization certificate must match the agency. The
   * new administrator's `administrator.nationalId` replaces the one on record.
   */
  public replaceBoth(agencyCode: string, input: ReplaceInput): Promise<OrgRegistration> {
    return replacement.replace(this.o, agencyCode, input, 'replaceBoth');
  }

  /** Renewals of administrator and operator cards waiting for a reviewer (policy `review`), oldest first. */
  public pendingRenewals(): Promise<PendingRenewal[]> {
    return pendingRenewals(this.o.store, 'organization');
  }

  /**
   * Reviewer accepts a pending renewal: the administrator's or the operator's
   * binding takes the new serial (audited `renewCard` on the agency).
   */
  public async acceptRenewal(renewalId: string, reviewer: Actor): Promise<OrgCardRenewal> {
    const who = parseActor(reviewer, 'reviewer');
    const id = parseRenewalId(renewalId);
    return auditRefusals(this.o.store, this.o.clock, 'organization', () =>
      this.o.store.transaction(async (tx) => {
        authorize(ORG_COMMANDS, 'acceptRenewal', who, { subject: id });
        const at = this.o.clock.now().toISOString();
        const lock = (request: PendingRenewal) => lockOrgBindings(tx, request.cardNumber, request.oldSerial);
        return acceptPendingRenewal(tx, 'organization', id, who, at, lock, (request) => applyAcceptedRenewal(tx, request, at));
      }),
    );
  }

  /** Reviewer queue: registrations in `query.status` (`manualReview` for GEPI's manual reviews), oldest first, paged, optionally by creation date. */
  public reviewQueue(query: QueueQuery<OrgStatus>): Promise<QueuePage<OrgRegistration>> {
    return listQueue(this.o.store, REGISTRATION_QUEUE, query);
  }

  /**
   * Consents to the 用戶約定條款 recorded for an agency (sub-function, terms version, who, time), oldest first. An
   * administrator's carries `administratorSerial`; the 申請人's, given with a review filed at 機關憑證確認
   * ({@link requestReview}, before any administrator is named), carries `organizationSerial` and `applicant` instead.
   */
  public async consents(agencyCode: string): Promise<Array<{
    /** 首次註冊 or the 更換 sub-function. */
    subFunction: string;
    /** The terms version agreed to. */
    termsVersion: string;
    /** Serial of the administrator card that agreed; absent for the consent of a review filed at 機關憑證確認. */
    administratorSerial?: string;
    /** Serial of the agency card a review was filed with at 機關憑證確認; absent for an administrator's consent. */
    organizationSerial?: string;
    /** The 申請人 who filed that review; absent for an administrator's consent. */
    applicant?: {
      /** 姓名 */
      name: string;
      /** 電話, as entered. */
      phone: string;
    };
    /** When (ISO). */
    acceptedAt: string;
  }>> {
    const code = parseAgencyCode(agencyCode);
    return this.o.store.transaction((tx) => consentsOf(tx, code));
  }

  /** Current registration of an agency. */
  public async get(agencyCode: string): Promise<OrgRegistration> {
    return queries.getRegistration(this.o, agencyCode);
  }

  /** 查詢憑證註冊收件紀錄: name, time received and item of every registration event, oldest first. */
  public async registrationRecords(agencyCode: string): Promise<RegistrationRecord[]> {
    return queries.registrationRecords(this.o, agencyCode);
  }

  /**
   * 查詢機關憑證 OID: organization name and OID (or 統一編號) of an organization
   * certificate, for the 機關代號 typed beside it (both 必填).
   * @throws InvalidInputError naming `organizationCard` or `agencyCode`.
   */
  public organizationCertificateOid(organizationCard: VerifiedCardHolder, agencyCode: string): {
    /** The 機關代號 the query was made for. */
    agencyCode: string;
    /** The certificate's subject name. */
    organizationName: string;
    /** Dotted organization OID (GCA/XCA cards); absent when the certificate has none. */
    organizationOid?: string;
    /** 統一編號 (MOEACA cards); absent when the certificate has none. */
    businessId?: string;
  } {
    return queries.organizationCertificateOid(organizationCard, agencyCode);
  }

  /**
   * 查詢自然人憑證序號: holder name and certificate serial, to paste into
   * 新增授權經辦人, for the 身分證統一編號 typed beside the card (both 必填),
   * which must agree with the card's ID hint (`idHintRule`).
   * @throws InvalidInputError naming `citizenCard` or `nationalId` (`MISMATCH` when it is another person's card).
   */
  public citizenCertificateSerial(citizenCard: VerifiedCardHolder, nationalId: string): {
    /** The holder's name from the certificate subject. */
    name: string;
    /** The certificate serial, lower-case hex without separators. */
    certificateSerial: CertificateSerial;
  } {
    return queries.citizenCertificateSerial(this.o, citizenCard, nationalId);
  }
}
