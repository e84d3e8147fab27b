/** Rows of the account flow and their mapping to domain records. */
import type { BasicData } from '../domain/basic-data.js';
import type { CardNumber, CertificateSerial, ControlNumber } from '../domain/identifiers.js';
import type { AccountStatus } from '../machine/account-machine.js';
import type { EmsComparison } from '../ports/ems.js';
import type { AccountCardLogin } from './account-inputs.js';
import { isoOf, jsonOf, optionalText } from '../store/rows.js';
import type { Row } from '../store/store.js';

/** A company's account application; once `active` it is the company's account. */
export interface AccountApplication {
  /** Record ID (UUID). */
  readonly id: string;
  /** 管制編號 the application is for. */
  readonly controlNumber: ControlNumber;
  /**
   * The actor ID that applied (`Actor.id` given to `apply`): the application's owner and, once active, the
   * account's, the only applicant `submitBasicData`, `bindCard`, `addCard` and `removeCard` accept. A host acts as
   * it for a session that proved it may (the application it started, a card login to the account): an ID is no
   * credential. Absent for applications made before owners were recorded, which any applicant may act on.
   */
  readonly ownerId?: string;
  /** Current state. */
  readonly status: AccountStatus;
  /** Basic data as typed, once submitted. */
  readonly basicData?: BasicData;
  /** EMS comparison of the basic data (per-field result), once submitted. */
  readonly emsComparison?: EmsComparison;
  /** Reviewer's note on approval or rejection. */
  readonly reviewNote?: string;
  /** Creation instant (ISO). */
  readonly createdAt: string;
  /** Last change (ISO). */
  readonly updatedAt: string;
  /** Optimistic-lock counter, incremented by every transition. */
  readonly version: number;
}

/** A citizen card bound to a control number (one row of 自然人憑證管理). */
export interface CardBinding {
  /** 卡號 */
  readonly cardNumber: CardNumber;
  /** Certificate serial (GPKI). */
  readonly certificateSerial: CertificateSerial;
  /** Control number the card logs into. */
  readonly controlNumber: ControlNumber;
  /** 姓名: the 自然人憑證姓名 typed on the binding form (the certificate's name when left empty). */
  readonly holderName: string;
  /**
   * The name on the certificate (its subject), as the card presented it when bound: what a reviewer compares the
   * typed `holderName` with. Absent for bindings made before it was kept (migration 0002).
   */
  readonly certificateName?: string;
  /** 連絡電話 */
  readonly phone: string;
  /** Email */
  readonly email: string;
  /** `pending` while the application is under review, `active` after activation. */
  readonly status: 'pending' | 'active';
  /** When the card was bound (ISO). */
  readonly boundAt: string;
}

/**
 * What a host needs to open and keep a card session (自然人憑證登入), read in one statement: the account a card login
 * is for and the binding of the card that made it. {@link AccountEnrollmentFlow.openCardSession} returns it at
 * login, {@link AccountEnrollmentFlow.checkCardSession} on every later request while the login stands.
 */
export interface AccountCardSession {
  /** The account: its application ID (`id`), 管制編號, `status` (always `active` here) and `ownerId`, the actor to act as. */
  readonly account: AccountApplication;
  /** The binding of the card that logged in: `cardNumber`, `boundAt`, `status` (always `active` here), the serial after any renewal. */
  readonly binding: CardBinding;
  /** What to keep in the session: pass it to `checkCardSession`, and to `addCard`/`removeCard` as `options.login`. */
  readonly login: AccountCardLogin;
}

/** Maps an `enroll_account_applications` row. */
export function applicationFromRow(r: Row): AccountApplication {
  const reviewNote = optionalText(r.review_note);
  return {
    id: String(r.id),
    controlNumber: String(r.control_number) as ControlNumber,
    ...(typeof r.applicant_id === 'string' ? { ownerId: r.applicant_id } : {}),
    status: r.status as AccountStatus,
    ...(r.basic_data == null ? {} : { basicData: jsonOf<BasicData>(r.basic_data) }),
    ...(r.ems_comparison == null ? {} : { emsComparison: jsonOf<EmsComparison>(r.ems_comparison) }),
    ...(reviewNote === undefined ? {} : { reviewNote }),
    createdAt: isoOf(r.created_at),
    updatedAt: isoOf(r.updated_at),
    version: Number(r.version),
  };
}

/** Maps an `enroll_card_bindings` row. */
export function bindingFromRow(r: Row): CardBinding {
  return {
    cardNumber: String(r.card_number) as CardNumber,
    certificateSerial: String(r.certificate_serial) as CertificateSerial,
    controlNumber: String(r.control_number) as ControlNumber,
    holderName: String(r.holder_name),
    ...(optionalText(r.subject_name) === undefined ? {} : { certificateName: optionalText(r.subject_name) as string }),
    phone: String(r.phone),
    email: String(r.email),
    status: r.status as 'pending' | 'active',
    boundAt: isoOf(r.bound_at),
  };
}
