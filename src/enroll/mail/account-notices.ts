/**
 * Wording of the account-application notices (seed: 帳號申請認證 mails). Both go
 * to the EMS-registered facility e-mail only.
 */
import type { MailMessage } from '../ports/mailer.js';
import { taipeiDateTime } from '../domain/roc-date.js';

/** Branding of the notices; defaults follow the seed's wording without a system name. */
export interface NoticeBranding {
  /** System name used in subject and body, e.g. `毒性及關注化學物質運送車輛即時追蹤系統專區`. */
  readonly systemName: string;
  /** Signature line, e.g. `毒關化物車輛 GPS 客服`. */
  readonly signature: string;
}

/** Generic branding used when the relying party supplies none. */
export const DEFAULT_BRANDING: NoticeBranding = { systemName: '帳號申請系統', signature: '系統客服' };

/** 審核通過: link that activates the account (開通帳號權限). */
export function activationNotice(to: string, link: string, expiresAt: string, b: NoticeBranding): MailMessage {
  return {
    to,
    subject: `${b.systemName}-帳號申請認證`,
    text:
      `您好\n\n${b.systemName}通知，請點選下列連結開通帳號權限；若貴公司未於本系統提送帳號申請需求，請忽略此信件，感謝。\n\n` +
      `${link}\n\n(連結有效期限至 ${taipeiDateTime(expiresAt)}，僅能使用一次)\n\n敬祝 順心\n${b.signature}\n`,
  };
}

/** 審核未通過: tells the company the application was not approved and why. */
export function rejectionNotice(to: string, reason: string, b: NoticeBranding, resultLink?: string): MailMessage {
  return {
    to,
    subject: `${b.systemName}-帳號申請認證`,
    text:
      `您好\n\n${b.systemName}通知，帳號申請未通過，請確認原因：${reason}；若貴公司未於本系統提送帳號申請需求，請忽略此信件，感謝。\n\n` +
      (resultLink === undefined ? '' : `${resultLink}\n\n`) +
      `若資料有誤請至EMS修正，並依正確資料重新申請。\n\n敬祝 順心\n${b.signature}\n`,
  };
}
