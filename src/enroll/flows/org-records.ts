/** Rows of the organization flow and their domain records. */
import type { CardAuthority } from '../domain/card-holder.js';
import type { CertificateSerial, NationalId } from '../domain/identifiers.js';
import type { OrgStatus } from '../machine/org-machine.js';
import { isoOf, jsonOf, optionalIsoOf, optionalText } from '../store/rows.js';
import type { Row } from '../store/store.js';

/** The authorized administrator (授權管理者) of a registered organization. */
export interface OrgAdministrator {
  /** Serial of the administrator's citizen certificate. */
  readonly certificateSerial: CertificateSerial;
  /** 姓名 */
  readonly name: string;
  /** 電子信箱 */
  readonly email: string;
  /** 連絡電話 */
  readonly phone: string;
}

/** An organization's certificate registration (要保機關憑證註冊). */
export interface OrgRegistration {
  /** The relying party's agency code (e.g. 公保機關代號). */
  readonly agencyCode: string;
  /** Current state. */
  readonly status: OrgStatus;
  /** Organization name from the organization certificate. */
  readonly organizationName: string;
  /** Authority of the organization certificate (GCA, XCA, MOEACA). */
  readonly organizationAuthority: CardAuthority;
  /** Serial of the registered organization certificate. */
  readonly organizationCertificateSerial: CertificateSerial;
  /** Identifier compared with the agency directory: organization OID, or 統一編號 for MOEACA. */
  readonly organizationIdentifier: string;
  /**
   * The authorized administrator; always there once `registered`. Absent on a review filed at 機關憑證確認
   * (`requestReview`, before any administrator was named) until the `register` that follows its approval.
   */
  readonly administrator?: OrgAdministrator;
  /** Contact given for manual review (必填 when the OID does not match). */
  readonly reviewContact?: {
    /** Contact person's name (姓名). */
    readonly name: string;
    /** Contact phone number as entered (電話), extension allowed. */
    readonly phone: string;
  };
  /** Registration may be retried from this instant (next business day) after a manual review. */
  readonly retryNotBefore?: string;
  /** Reviewer's note. */
  readonly reviewNote?: string;
  /** Creation instant (ISO). */
  readonly createdAt: string;
  /** Last change (ISO). */
  readonly updatedAt: string;
  /** Optimistic-lock counter. */
  readonly version: number;
}

/** A registration once `registered`: its administrator is always on record (migration 0013's CHECK). */
export type RegisteredOrganization = OrgRegistration & { readonly administrator: OrgAdministrator };

/** An operator (經辦人) authorized by certificate serial with function permissions. */
export interface Operator {
  /** Agency the operator works for. */
  readonly agencyCode: string;
  /** Serial of the operator's citizen certificate; changes on card renewal. */
  readonly certificateSerial: CertificateSerial;
  /** 授權經辦人姓名 */
  readonly name: string;
  /** 身分證統一編號 */
  readonly nationalId: NationalId;
  /** 功能選單項目 the operator may use. */
  readonly permissions: readonly string[];
  /** Creation instant (ISO). */
  readonly createdAt: string;
  /** Last change (ISO). */
  readonly updatedAt: string;
}

/** 註冊項目 of a registration record. */
export type RegistrationItem = '首次註冊' | '首次註冊(需審核)' | '更換機關憑證' | '更換授權管理者自然人憑證' | '更換機關憑證和更換授權管理者自然人憑證';

/** One row of 查詢憑證註冊收件紀錄: name, time received, item. */
export interface RegistrationRecord {
  /** Agency code. */
  readonly agencyCode: string;
  /** 機關名稱 */
  readonly organizationName: string;
  /** 收件時間 (ISO). */
  readonly receivedAt: string;
  /** 註冊項目 */
  readonly item: RegistrationItem;
}

/** Maps an `enroll_org_registrations` row. */
export function registrationFromRow(r: Row): OrgRegistration {
  const contactName = optionalText(r.review_contact_name);
  const contactPhone = optionalText(r.review_contact_phone);
  const retryNotBefore = optionalIsoOf(r.retry_not_before);
  const reviewNote = optionalText(r.review_note);
  const adminSerial = optionalText(r.admin_certificate_serial);
  return {
    agencyCode: String(r.agency_code),
    status: r.status as OrgStatus,
    organizationName: String(r.organization_name),
    organizationAuthority: r.org_authority as CardAuthority,
    organizationCertificateSerial: String(r.org_certificate_serial) as CertificateSerial,
    organizationIdentifier: String(r.org_identifier),
    // Migration 0013's CHECK keeps the four columns all present or all absent.
    ...(adminSerial === undefined ? {} : {
      administrator: {
        certificateSerial: adminSerial as CertificateSerial,
        name: String(r.admin_name),
        email: String(r.admin_email),
        phone: String(r.admin_phone),
      },
    }),
    ...(contactName === undefined || contactPhone === undefined ? {} : { reviewContact: { name: contactName, phone: contactPhone } }),
    ...(retryNotBefore === undefined ? {} : { retryNotBefore }),
    ...(reviewNote === undefined ? {} : { reviewNote }),
    createdAt: isoOf(r.created_at),
    updatedAt: isoOf(r.updated_at),
    version: Number(r.version),
  };
}

/** Maps an `enroll_org_operators` row. */
export function operatorFromRow(r: Row): Operator {
  return {
    agencyCode: String(r.agency_code),
    certificateSerial: String(r.certificate_serial) as CertificateSerial,
    name: String(r.name),
    nationalId: String(r.national_id) as NationalId,
    permissions: jsonOf<string[]>(r.permissions),
    createdAt: isoOf(r.created_at),
    updatedAt: isoOf(r.updated_at),
  };
}

/** Maps an `enroll_org_registration_records` row. */
export function recordFromRow(r: Row): RegistrationRecord {
  return {
    agencyCode: String(r.agency_code),
    organizationName: String(r.organization_name),
    receivedAt: isoOf(r.received_at),
    item: r.item as RegistrationItem,
  };
}
