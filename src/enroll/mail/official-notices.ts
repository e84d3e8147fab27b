/**
 * Wording of the official account system's notices (seed: 我的E政府公務帳號申請書,
 * 注意事項 5: 審核完竣，將寄發核可通知信到您的會員資料中填寫之email). Both go to the
 * e-mail in the member's data.
 */
import { rocDate } from '../domain/roc-date.js';
import type { MailMessage } from '../ports/mailer.js';

/** Name and service-desk contacts printed on the 申請書 and in the notices. */
export interface OfficialNoticeBranding {
  /** Portal name, e.g. `我的E政府`. */
  readonly systemName: string;
  /** 客服中心 phone, e.g. `(02)2192-7111`. */
  readonly servicePhone: string;
  /** 客服中心 fax the 申請書 is sent to, e.g. `(02)2192-7186`. */
  readonly serviceFax: string;
  /** E-mail the 申請書 may be sent to, e.g. `egov@service.gov.tw`. */
  readonly serviceEmail: string;
  /** Signature line of the notices. */
  readonly signature: string;
}

/** The seed's portal and service desk. */
export const OFFICIAL_DEFAULT_BRANDING: OfficialNoticeBranding = {
  systemName: '我的E政府',
  servicePhone: '(02)2192-7111',
  serviceFax: '(02)2192-7186',
  serviceEmail: 'egov@service.gov.tw',
  signature: '我的E政府客服中心',
};

/** What a notice says about the application. */
export interface OfficialNoticeFacts {
  /** Member's e-mail. */
  readonly to: string;
  /** Member's name. */
  readonly name: string;
  /** 會員帳號 */
  readonly memberId: string;
  /** When the member applied (ISO). */
  readonly appliedAt: string;
  /** 新機關名稱 */
  readonly agencyName: string;
  /** 新機關OID */
  readonly agencyOid: string;
}

/** 核可通知信: the member is now 公務人員 of the agency. */
export function officialApprovalNotice(f: OfficialNoticeFacts, b: OfficialNoticeBranding = OFFICIAL_DEFAULT_BRANDING): MailMessage {
  return {
    to: f.to,
    subject: `${b.systemName}公務帳號申請核可通知`,
    text:
      `${f.name} 您好：\n\n` +
      `您於${rocDate(f.appliedAt)}以會員帳號 ${f.memberId} 申請之${b.systemName}公務帳號已審核通過。\n` +
      `您的帳號已變更為「公務人員」，所屬機關或單位：${f.agencyName}（機關OID ${f.agencyOid}）。\n\n` +
      `若有問題請電洽 ${b.servicePhone}。\n\n${b.signature}\n`,
  };
}

/** Rejection notice: the application was not approved, and why. */
export function officialRejectionNotice(
  f: OfficialNoticeFacts,
  reason: string,
  b: OfficialNoticeBranding = OFFICIAL_DEFAULT_BRANDING,
): MailMessage {
  return {
    to: f.to,
    subject: `${b.systemName}公務帳號申請審核結果通知`,
    text:
      `${f.name} 您好：\n\n` +
      `您於${rocDate(f.appliedAt)}以會員帳號 ${f.memberId} 申請之${b.systemName}公務帳號（新機關：${f.agencyName}）未審核通過。\n` +
      `原因：${reason}\n` +
      `您的會員資料未變更。如需再次申請，請於會員專區重新申請公務帳號，並依${b.systemName}公務帳號申請書之注意事項完成後續申請作業。\n\n` +
      `若有問題請電洽 ${b.servicePhone}。\n\n${b.signature}\n`,
  };
}
