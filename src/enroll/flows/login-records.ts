/** Rows of the certificate-login enablement flow. */
import type { BusinessId, CertificateSerial, ControlNumber, CardNumber } from '../domain/identifiers.js';
import type { LoginEnablementStatus, LoginMethodStatus } from '../machine/login-machine.js';
import { isoOf, optionalText } from '../store/rows.js';
import type { Row } from '../store/store.js';
import type { EnrollRefusalReason } from '../errors.js';

/** The two certificate login methods of the seed's form. */
export type LoginMethod = 'citizenCard' | 'companyCard';

/** Seed labels of the login methods. */
export const LOGIN_METHOD_LABELS: Readonly<Record<LoginMethod, string>> = {
  citizenCard: '自然人憑證登入',
  companyCard: '工商憑證登入',
};

/** The refusal of a login by a method the account has 停用. */
export const LOGIN_METHOD_REFUSALS = {
  citizenCard: 'CITIZEN_CARD_LOGIN_DISABLED',
  companyCard: 'COMPANY_CARD_LOGIN_DISABLED',
} as const satisfies Record<LoginMethod, EnrollRefusalReason>;

/** A company's certificate-login enablement. */
export interface LoginAccount {
  /** 營利事業統一編號 */
  readonly businessId: BusinessId;
  /** 廢棄物管制編號, absent when the company has none. */
  readonly controlNumber?: ControlNumber;
  /** 公司名稱 */
  readonly companyName: string;
  /** Binding state. */
  readonly status: LoginEnablementStatus;
  /** 啟用 / 停用 per method. */
  readonly methods: Readonly<Record<LoginMethod, LoginMethodStatus>>;
  /** Verification code expiry (ISO). */
  readonly codeExpiresAt: string;
  /** Creation instant (ISO). */
  readonly createdAt: string;
  /** Last change (ISO). */
  readonly updatedAt: string;
  /** Optimistic-lock counter. */
  readonly version: number;
}

/** A card enabled for certificate login. */
export interface LoginBinding {
  /** Which login method the card serves. */
  readonly method: LoginMethod;
  /** Certificate serial. */
  readonly certificateSerial: CertificateSerial;
  /** Card number, when the login carried one. */
  readonly cardNumber?: CardNumber;
  /** Subject name of the certificate. */
  readonly holderName: string;
  /** Company. */
  readonly businessId: BusinessId;
  /** Control number, if any. */
  readonly controlNumber?: ControlNumber;
  /** When bound (ISO). */
  readonly boundAt: string;
}

/** Maps an `enroll_login_accounts` row. */
export function loginAccountFromRow(r: Row): LoginAccount {
  const cn = String(r.control_number);
  return {
    businessId: String(r.business_id) as BusinessId,
    ...(cn === '' ? {} : { controlNumber: cn as ControlNumber }),
    companyName: String(r.company_name),
    status: r.status as LoginEnablementStatus,
    methods: { citizenCard: r.citizen_card as LoginMethodStatus, companyCard: r.company_card as LoginMethodStatus },
    codeExpiresAt: isoOf(r.code_expires_at),
    createdAt: isoOf(r.created_at),
    updatedAt: isoOf(r.updated_at),
    version: Number(r.version),
  };
}

/** Maps an `enroll_login_bindings` row. */
export function loginBindingFromRow(r: Row): LoginBinding {
  const cn = String(r.control_number);
  const card = optionalText(r.card_number);
  return {
    method: r.method as LoginMethod,
    certificateSerial: String(r.certificate_serial) as CertificateSerial,
    ...(card === undefined ? {} : { cardNumber: card as CardNumber }),
    holderName: String(r.holder_name),
    businessId: String(r.business_id) as BusinessId,
    ...(cn === '' ? {} : { controlNumber: cn as ControlNumber }),
    boundAt: isoOf(r.bound_at),
  };
}
