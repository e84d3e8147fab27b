/** Rows of the official account system (members, applications, uploaded cards) and their domain records. */
import type { AgencyOid, CardNumber, CertificateSerial, EmailAddress, NationalId } from '../domain/identifiers.js';
import { EnrollError } from '../errors.js';
import type { OfficialFormChannel, OfficialMemberType, OfficialStatus } from '../machine/official-machine.js';
import type { PersonnelCheckResult } from '../ports/personnel-system.js';
import { isoOf, jsonOf, optionalIsoOf, optionalText } from '../store/rows.js';
import type { Row, SqlSession } from '../store/store.js';

/**
 * A member: the host's general account (我的E政府 一般帳號) as the SDK knows it.
 * The host owns password, captcha and confirmation mail; the SDK keeps what
 * the official account needs: name and ID for the personnel check, the e-mail
 * for notices, and the type 一般民眾 / 公務人員 with the agency.
 */
export interface OfficialMember {
  /** 會員帳號 (the host's account ID). */
  readonly memberId: string;
  /** 中文姓名 */
  readonly name: string;
  /** 身分證統一編號 */
  readonly nationalId: NationalId;
  /** 電子信箱 (the notices go here). */
  readonly email: EmailAddress;
  /** 一般民眾 (`citizen`) or 公務人員 (`official`). */
  readonly memberType: OfficialMemberType;
  /** 所屬機關或單位 OID (公務人員 only). */
  readonly agencyOid?: AgencyOid;
  /** 所屬機關或單位 name (公務人員 only). */
  readonly agencyName?: string;
  /**
   * When the general account was activated (ISO): the 啟動連結 of its 會員確認信 clicked, as the host reported it
   * (`OfficialMemberInput.activatedAt`). Absent while the account is not activated (the link never clicked, or the
   * host deactivated the account): such a member cannot apply, upload a card or log in with one. A member the host
   * synchronized without reporting activation (an older host, or one stored before migration 0012) has the time
   * it was first synchronized.
   */
  readonly activatedAt?: string;
  /**
   * While the account is not activated: when it was deactivated (停用, ISO), as the host told it
   * (`OfficialMemberInput.deactivatedAt`), else when the host reported it not activated any more after it had been.
   * Recorded once per deactivation: it stays while the account stays deactivated, whatever instant a later sync
   * tells, until an activation clears it.
   * Absent for an account never activated (the 啟動連結 not clicked yet; also one deactivated before the SDK saw it
   * activated, unless the host told so) and for an activated one. It tells the two refusals apart:
   * `MEMBER_DEACTIVATED` rather than `APPLICANT_NOT_ACTIVATED` / `MEMBER_NOT_ACTIVATED`.
   */
  readonly deactivatedAt?: string;
  /** Creation instant (ISO). */
  readonly createdAt: string;
  /** Last change (ISO). */
  readonly updatedAt: string;
  /** Optimistic-lock counter. */
  readonly version: number;
}

/** Who ended a cancelled application (see {@link OfficialAccountApplication.cancelledBy}). */
export type OfficialCancelledBy = 'member' | 'system';

/** 申請項目: a general member becomes an official, or an official moves to another agency. */
export type OfficialApplicationItem = '自然人轉公務員' | '公務人員轉換機關';

/**
 * 收件 of the 申請書 (the form's office row): when it reached the service desk,
 * how, and who recorded it.
 */
export interface OfficialFormReceipt {
  /** When the 申請書 arrived (ISO), as the desk recorded it; the one working day counts from here. */
  readonly receivedAt: string;
  /** 傳真 or E-mail. */
  readonly channel: OfficialFormChannel;
  /** Actor ID of the reviewer who recorded the arrival. */
  readonly receivedBy: string;
}

/** An official-account application (公務帳號申請). */
export interface OfficialAccountApplication {
  /** Record ID (UUID). */
  readonly id: string;
  /** The applicant's member account (會員帳號). */
  readonly memberId: string;
  /** 新機關OID */
  readonly agencyOid: AgencyOid;
  /** 新機關名稱, filled from the OID. */
  readonly agencyName: string;
  /** 申請原因 */
  readonly reason: string;
  /** Current state. */
  readonly status: OfficialStatus;
  /**
   * 1 for the first application of the member, 2 for the second, … (every application, in order). Whether an
   * application is a 「第二次申請」 (the 申請書 route) counts only the earlier ones that are not {@link cancelledBy}
   * `system`.
   */
  readonly attempt: number;
  /**
   * Who ended a `cancelled` application: `member` (its 取消申請, or a change the member itself synchronized) or
   * `system` (the host deactivated the account or changed its name or ID, or a reviewer's approval, rejection,
   * 收件 or 收件更正 found the account not activated). A `system` cancellation does not use up an attempt. Absent on other states, and on applications
   * cancelled before migration 0014 whose cancellation left no audit entry.
   */
  readonly cancelledBy?: OfficialCancelledBy;
  /** Reviewer's note (the form's 備註): the approval's note or the rejection's reason. */
  readonly reviewNote?: string;
  /** When the applicant confirmed 「我已確認上述資料與證件相符」 (ISO); absent on applications made before it was recorded. */
  readonly attestedAt?: string;
  /** 編號 printed on the 申請書 (absent on records made before it was kept). */
  readonly formNumber?: number;
  /** 申請項目 (absent on records made before it was kept). */
  readonly item?: OfficialApplicationItem;
  /** 姓名 at the time of the application (absent without a member reference). */
  readonly applicantName?: string;
  /** The personnel system's per-item answer, as it was when the member applied. */
  readonly personnelCheck?: PersonnelCheckResult;
  /**
   * By when the reviewer should decide (1 個工作天: end of the next business day): counted from 收件 on the
   * 申請書 route, from applying in `underReview`; absent while the 申請書 has not arrived (applications made
   * before migration 0010 keep the one counted from applying until 收件).
   */
  readonly reviewDueAt?: string;
  /** 收件: the 申請書's arrival, once the service desk recorded it. */
  readonly formReceipt?: OfficialFormReceipt;
  /** When it was approved, rejected or cancelled (ISO): the form's 處理完畢時間. */
  readonly decidedAt?: string;
  /** Creation instant (ISO). */
  readonly createdAt: string;
  /** Last change (ISO). */
  readonly updatedAt: string;
  /** Optimistic-lock counter. */
  readonly version: number;
}

/** The citizen card a member uploaded (憑證上傳) and logs in with (憑證登入). */
export interface OfficialCard {
  /** 會員帳號 */
  readonly memberId: string;
  /** 卡號 */
  readonly cardNumber: CardNumber;
  /** Serial of the bound certificate; changes when the certificate is renewed. */
  readonly certificateSerial: CertificateSerial;
  /** Holder name on the certificate. */
  readonly holderName: string;
  /** When the card was uploaded (ISO). */
  readonly boundAt: string;
}

/** Maps an `enroll_official_members` row. */
export function memberFromRow(r: Row): OfficialMember {
  const oid = optionalText(r.agency_oid);
  const name = optionalText(r.agency_name);
  const activated = optionalIsoOf(r.activated_at);
  // Read only while not activated: a writer of 0012's release that reactivated the member left it behind.
  const deactivated = activated === undefined ? optionalIsoOf(r.deactivated_at) : undefined;
  return {
    memberId: String(r.member_id),
    name: String(r.name),
    nationalId: String(r.national_id) as NationalId,
    email: String(r.email) as EmailAddress,
    memberType: r.member_type as OfficialMemberType,
    ...(oid === undefined ? {} : { agencyOid: oid as AgencyOid }),
    ...(name === undefined ? {} : { agencyName: name }),
    ...(activated === undefined ? {} : { activatedAt: activated }),
    ...(deactivated === undefined ? {} : { deactivatedAt: deactivated }),
    createdAt: isoOf(r.created_at),
    updatedAt: isoOf(r.updated_at),
    version: Number(r.version),
  };
}

/**
 * The one rule of 「第二次申請」, as a condition on `enroll_official_applications` rows: the application counts as
 * one the person made unless the system cancelled it (the host deactivated the account or changed its data, or a
 * reviewer's command found it not activated): such an application had no decision and was not withdrawn. Used for
 * the member's own earlier applications and for the other accounts' applications under the same 身分證統一編號.
 */
export const COUNTS_AS_APPLICATION = "(status <> 'cancelled' OR cancelled_by IS DISTINCT FROM 'system')";

/** Maps an `enroll_official_applications` row (old rows lack the issue-13 and 0010 columns). */
export function applicationFromRow(r: Row): OfficialAccountApplication {
  const note = optionalText(r.review_note);
  const item = optionalText(r.application_item);
  const applicantName = optionalText(r.applicant_name);
  const due = optionalIsoOf(r.review_due_at);
  const decided = optionalIsoOf(r.decided_at);
  const received = optionalIsoOf(r.form_received_at);
  const cancelledBy = r.status === 'cancelled' ? optionalText(r.cancelled_by) : undefined;
  return {
    id: String(r.id),
    memberId: String(r.member_id),
    agencyOid: String(r.agency_oid) as AgencyOid,
    agencyName: String(r.agency_name),
    reason: String(r.reason),
    status: r.status as OfficialStatus,
    attempt: Number(r.attempt),
    ...(cancelledBy === undefined ? {} : { cancelledBy: cancelledBy as OfficialCancelledBy }),
    ...(note === undefined ? {} : { reviewNote: note }),
    ...(r.attested_at == null ? {} : { attestedAt: isoOf(r.attested_at) }),
    ...(r.form_number == null ? {} : { formNumber: Number(r.form_number) }),
    ...(item === undefined ? {} : { item: item as OfficialApplicationItem }),
    ...(applicantName === undefined ? {} : { applicantName }),
    ...(r.personnel_check == null ? {} : { personnelCheck: jsonOf<PersonnelCheckResult>(r.personnel_check) }),
    ...(due === undefined ? {} : { reviewDueAt: due }),
    ...(received === undefined
      ? {}
      : { formReceipt: { receivedAt: received, channel: r.form_received_via as OfficialFormChannel, receivedBy: String(r.form_received_by) } }),
    ...(decided === undefined ? {} : { decidedAt: decided }),
    createdAt: isoOf(r.created_at),
    updatedAt: isoOf(r.updated_at),
    version: Number(r.version),
  };
}

/**
 * Whether an application was approved by the personnel check on apply, with no review: the automatic route never
 * had a due time (a reviewed one got it at apply before 0010, at 收件 since) nor a 申請書 received.
 */
export function approvedAutomatically(app: OfficialAccountApplication): boolean {
  return app.status === 'approved' && app.personnelCheck !== undefined && app.reviewDueAt === undefined && app.formReceipt === undefined;
}

/** Maps an `enroll_official_cards` row. */
export function cardFromRow(r: Row): OfficialCard {
  return {
    memberId: String(r.member_id),
    cardNumber: String(r.card_number) as CardNumber,
    certificateSerial: String(r.certificate_serial) as CertificateSerial,
    holderName: String(r.subject_name),
    boundAt: isoOf(r.bound_at),
  };
}

/** Reads a member `FOR UPDATE`; `undefined` when the host never registered it. */
export async function lockMember(tx: SqlSession, memberId: string): Promise<OfficialMember | undefined> {
  const rows = await tx.query('SELECT * FROM enroll_official_members WHERE member_id=$1 FOR UPDATE', [memberId]);
  return rows[0] === undefined ? undefined : memberFromRow(rows[0]);
}

/** Reads a member; NOT_FOUND when the host never registered it. */
export async function readMember(tx: SqlSession, memberId: string): Promise<OfficialMember> {
  const rows = await tx.query('SELECT * FROM enroll_official_members WHERE member_id=$1', [memberId]);
  if (rows[0] === undefined) throw new EnrollError('NOT_FOUND', `no member ${memberId} (the host registers members with syncMember)`);
  return memberFromRow(rows[0]);
}

/**
 * The member an application belongs to, read without a lock, so a command on
 * the application can lock the member first: the order of `apply` and
 * `syncMember` (member, then its applications).
 */
export async function memberOfApplication(tx: SqlSession, id: string): Promise<string | undefined> {
  const rows = await tx.query('SELECT member_id FROM enroll_official_applications WHERE id=$1', [id]);
  return rows[0] === undefined ? undefined : String(rows[0].member_id);
}

/** Reads an application `FOR UPDATE`; NOT_FOUND when there is none. */
export async function lockApplication(tx: SqlSession, id: string): Promise<OfficialAccountApplication> {
  const rows = await tx.query('SELECT * FROM enroll_official_applications WHERE id=$1 FOR UPDATE', [id]);
  if (rows[0] === undefined) throw new EnrollError('NOT_FOUND', `no official-account application ${id}`);
  return applicationFromRow(rows[0]);
}
