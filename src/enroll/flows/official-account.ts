/**
 * Flow 4 (seed emic…): the My E-Government official account system. A member
 * (the host's general account) applies to become 公務人員 of an agency
 * (自然人轉公務員): the agency OID is searched and its name filled from the
 * directory, the application is checked automatically against the personnel
 * system, a first application that passes is approved at once, and a mismatch
 * or a second application goes to manual review with the printable 申請書,
 * decided once the service desk has recorded its arrival (收件).
 * Members then upload a citizen card (憑證上傳) and log in with it (憑證登入).
 * Each concern lives in its own module; this class fixes the dependencies.
 */
import type { Actor } from '../domain/actor.js';
import type { VerifiedCardHolder } from '../domain/card-holder.js';
import type { OfficialStatus } from '../machine/official-machine.js';
import type { Agency } from '../ports/agency-directory.js';
import type { OfficialApplicationForm } from '../print/official-application-form.js';
import type { PendingRenewal } from './card-renewal.js';
import * as application from './official-application.js';
import * as certificates from './official-certificates.js';
import * as members from './official-members.js';
import * as personnelSync from './official-personnel-sync.js';
import * as receipt from './official-receipt.js';
import type { OfficialAccountApplication, OfficialCard, OfficialMember } from './official-records.js';
import * as review from './official-review.js';
import type { OfficialAccountOptions } from './official-shared.js';
import type { QueuePage, QueueQuery } from './review-queue.js';
import { checkAgencyFlowOptions } from './org-shared.js';

export {
  OFFICIAL_ATTESTATION,
  OFFICIAL_CONFIRM_QUESTION,
  officialSubmitNotice,
  type OfficialAccountInput,
  type OfficialApplicationPreview,
} from './official-application.js';
export type { OfficialMemberInput } from './official-members.js';
export type { OfficialFormReceiptCorrection, OfficialFormReceiptInput } from './official-receipt.js';
export type {
  OfficialAccountApplication,
  OfficialApplicationItem,
  OfficialCancelledBy,
  OfficialCard,
  OfficialFormReceipt,
  OfficialMember,
} from './official-records.js';
export type { OverdueQuery } from './official-review.js';
export type { OfficialAccountOptions } from './official-shared.js';

/** Commands and queries of the official account system. */
export class OfficialAccountFlow {
  private readonly o: OfficialAccountOptions;

  /** Fixes the dependencies once. */
  public constructor(options: OfficialAccountOptions) {
    checkAgencyFlowOptions('OfficialAccountFlow', options, {
      reasons: { kind: 'other' },
      personnel: { kind: 'port', methods: ['check'], what: 'a PersonnelSystem (行政院人事行政總處 check)' },
      mailer: { kind: 'port', methods: ['send'], what: 'a Mailer such as SmtpMailer or CapturingMailer' },
      branding: { kind: 'other' },
    });
    this.o = options;
  }

  /**
   * Creates or updates the member reference from the host's general account
   * (中文姓名, 身分證統一編號, 電子信箱, and `activatedAt`: when its 啟動連結 was
   * clicked, or `null` while it is not activated; `deactivatedAt` when you deactivated it, if you record that: an
   * instant that cannot be one is INVALID_INPUT `OUT_OF_RANGE`, and one told again for a member already deactivated
   * changes nothing). The type 一般民眾 / 公務人員 and the
   * agency change only through an approved application. A member not activated (deactivated, or never activated)
   * has its applications still under review cancelled (`cancelledBy` `system` when the host synchronized it: such
   * a cancellation does not use up an attempt). Actor: the host (`system`) or the member itself.
   */
  public syncMember(input: members.OfficialMemberInput, actor: Actor): Promise<OfficialMember> {
    return members.syncMember(this.o, input, actor);
  }

  /** 個人資料: the member with its type (一般民眾 / 公務人員) and agency; NOT_FOUND if never synchronized. */
  public member(memberId: string): Promise<OfficialMember> {
    return members.getMember(this.o, memberId);
  }

  /**
   * 所屬機關資訊隨 [行政院人事行政總處] 登載資料自動更新: asks the personnel system (`currentAgency`) where a
   * 公務人員 serves now; another agency replaces the member's (audited `followPersonnelRecord`). A member the
   * record lists nowhere keeps their agency (outcome `notListed`, for a reviewer) unless `options.notListed` is
   * `'demote'`, which makes them 自然人 again, audited: members approved by hand on the 申請書 route are often
   * the ones the record does not match. Others are returned unchanged. Actor: the host (`system`) or a reviewer.
   */
  public followPersonnelRecord(memberId: string, actor: Actor, options?: personnelSync.FollowPersonnelRecordOptions): Promise<personnelSync.PersonnelRecordFollowed> {
    return personnelSync.followPersonnelRecord(this.o, memberId, actor, options);
  }

  /** 新機關名稱 autofill: the agency for an OID, or AGENCY_OID_UNKNOWN. */
  public agencyFor(oid: string): Promise<Agency> {
    return application.agencyFor(this.o, oid);
  }

  /** 查詢機關OID: agencies whose name contains `name` (AGENCY_SEARCH_UNAVAILABLE when the directory cannot search). */
  public searchAgencies(name: string, limit?: number): Promise<Agency[]> {
    return application.searchAgencies(this.o, name, limit);
  }

  /**
   * The confirmation step (「請確認是否要申請？」): every check of {@link apply}
   * that needs no write, and the 請注意 text; nothing is stored.
   */
  public prepareApplication(input: application.OfficialAccountInput, actor: Actor): Promise<application.OfficialApplicationPreview> {
    return application.prepareApplication(this.o, input, actor);
  }

  /**
   * 送出資料: validates the OID, 申請原因 and the attestation, refuses a member
   * whose account is not activated (NOT_AUTHORIZED, refusal `APPLICANT_NOT_ACTIVATED`, or `MEMBER_DEACTIVATED` for
   * one the host deactivated), fills the agency
   * name, asks the personnel system (PERSONNEL_SYSTEM_FAILURE when it cannot
   * answer: nothing is written) and opens the application: `approved` for a
   * first application that passes (the member becomes 公務人員, 核可通知信; earlier applications the system
   * cancelled do not count),
   * otherwise `manualReview` (print {@link applicationForm}; {@link receiveForm} when it arrives). Without a
   * personnel system a first application waits in `underReview`.
   */
  public apply(input: application.OfficialAccountInput, actor: Actor): Promise<OfficialAccountApplication> {
    return application.apply(this.o, input, actor);
  }

  /** 取消申請: the member withdraws an application waiting for review. */
  public cancel(applicationId: string, actor: Actor): Promise<OfficialAccountApplication> {
    return application.cancel(this.o, applicationId, actor);
  }

  /** 我的E政府公務帳號申請書: the form's fields for an application on the manual route (render with `renderOfficialApplicationForm`). */
  public applicationForm(applicationId: string): Promise<OfficialApplicationForm> {
    return application.applicationForm(this.o, applicationId);
  }

  /**
   * 收件: the service desk records that the 申請書 of an application on the manual route arrived (傳真 or
   * E-mail, when, by whom): `manualReview` → `formReceived`, due one working day after the arrival. Only a
   * received application can be approved. An applicant whose account is not activated now is NOT_AUTHORIZED
   * (`MEMBER_DEACTIVATED` or `APPLICANT_NOT_ACTIVATED`) and the application cancelled (`cancelledBy` `system`), as
   * at {@link approve}.
   */
  public receiveForm(applicationId: string, input: receipt.OfficialFormReceiptInput, reviewer: Actor): Promise<OfficialAccountApplication> {
    return receipt.receiveForm(this.o, applicationId, input, reviewer);
  }

  /**
   * Corrects a mistyped 收件 (arrival time or channel) while the application is `formReceived`: both values are
   * replaced, the due time counted again from the corrected arrival, and the audit entry `correctFormReceipt`
   * keeps the old and new values with the optional `reason`. After the decision it is INVALID_TRANSITION. An
   * applicant whose account is not activated now is refused and the application cancelled, as at {@link approve}.
   */
  public correctFormReceipt(applicationId: string, correction: receipt.OfficialFormReceiptCorrection, reviewer: Actor, reason?: string): Promise<OfficialAccountApplication> {
    return receipt.correctFormReceipt(this.o, applicationId, correction, reviewer, reason);
  }

  /**
   * Reviewer approves (`formReceived`, or `underReview`): the member becomes 公務人員 of the agency and gets the 核可通知信.
   * The applicant's account is read again: one not activated now is NOT_AUTHORIZED (refusal `MEMBER_DEACTIVATED`,
   * or `APPLICANT_NOT_ACTIVATED` for one never activated), and the application is cancelled (`cancelledBy`
   * `system`, not counted as an attempt) rather than left to wait for an approval that cannot come.
   */
  public approve(applicationId: string, reviewer: Actor, note?: string): Promise<OfficialAccountApplication> {
    return review.approve(this.o, applicationId, reviewer, note);
  }

  /**
   * Reviewer rejects with a reason (also a 申請書 that never came); the member gets the rejection notice. An
   * applicant whose account is not activated now is refused and the application cancelled by the system instead,
   * as at {@link approve}: a rejection would use up an attempt (「第二次申請」) the member did not cause.
   */
  public reject(applicationId: string, reviewer: Actor, reason: string): Promise<OfficialAccountApplication> {
    return review.reject(this.o, applicationId, reviewer, reason);
  }

  /** Reviewer queue: applications in `query.status` (`manualReview` waiting for 收件, `formReceived`, `underReview`…), oldest first, paged, optionally by creation date. */
  public reviewQueue(query: QueueQuery<OfficialStatus>): Promise<QueuePage<OfficialAccountApplication>> {
    return review.reviewQueue(this.o, query);
  }

  /** Applications whose one working day has ended undecided (`formReceived`, `underReview`), the longest overdue first, paged. */
  public overdueReviews(query?: review.OverdueQuery): Promise<QueuePage<OfficialAccountApplication>> {
    return review.overdueReviews(this.o, query);
  }

  /** One application. */
  public get(applicationId: string): Promise<OfficialAccountApplication> {
    return application.getApplication(this.o, applicationId);
  }

  /** Every application of a member, newest first. */
  public applications(memberId: string): Promise<OfficialAccountApplication[]> {
    return application.memberApplications(this.o, memberId);
  }

  /**
   * 憑證上傳: binds the member's citizen card from a verified login (holder name and ID hint must match the member);
   * replaces an earlier card. A member not activated is NOT_AUTHORIZED (refusal `MEMBER_NOT_ACTIVATED`, or
   * `MEMBER_DEACTIVATED` for one the host deactivated).
   */
  public uploadCertificate(memberId: string, holder: VerifiedCardHolder, actor: Actor): Promise<OfficialCard> {
    return certificates.uploadCertificate(this.o, memberId, holder, actor);
  }

  /** Removes the member's uploaded card. */
  public removeCertificate(memberId: string, actor: Actor): Promise<void> {
    return certificates.removeCertificate(this.o, memberId, actor);
  }

  /** The member's uploaded card, or `undefined`. */
  public certificate(memberId: string): Promise<OfficialCard | undefined> {
    return certificates.memberCard(this.o, memberId);
  }

  /**
   * 憑證登入: the member whose uploaded card logs in. A renewed certificate of
   * that card takes over (audited `renewCard`), or waits for
   * {@link acceptRenewal} under the `review` policy; anything else is NOT_AUTHORIZED. So is the card of a
   * member whose account is not activated (refusal `MEMBER_NOT_ACTIVATED`, or `MEMBER_DEACTIVATED`).
   */
  public certificateLogin(holder: VerifiedCardHolder): Promise<OfficialMember> {
    return certificates.certificateLogin(this.o, holder);
  }

  /** Renewals waiting for a reviewer (policy `review`), oldest first. */
  public pendingRenewals(): Promise<PendingRenewal[]> {
    return certificates.officialPendingRenewals(this.o);
  }

  /**
   * Reviewer accepts a pending renewal: the uploaded card takes the new serial. Not while the member's account is
   * not activated (NOT_AUTHORIZED, refusal `MEMBER_DEACTIVATED` or `MEMBER_NOT_ACTIVATED`): the request stays pending.
   */
  public acceptRenewal(renewalId: string, reviewer: Actor): Promise<OfficialCard> {
    return certificates.acceptRenewal(this.o, renewalId, reviewer);
  }
}
