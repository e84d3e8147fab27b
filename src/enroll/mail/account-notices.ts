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

/**
 * 審核通過: the link that activates the account (開通帳號權限), in the seed's
 * words. The link's expiry is not in the mail (the seed's has none); an
 * expired link says so when opened (`TOKEN_EXPIRED`), and the approval result
 * carries `expiresAt` for a host that wants to show it.
 */
export function activationNotice(to: string, link: string, b: NoticeBranding): MailMessage {
  return {
    to,
    subject: `${b.systemName}-帳號申請認證`,
    text:
      `您好\n\n${b.systemName}通知，請點選下列連結開通帳號權限；若貴公司未於本系統提送帳號申請需求，請忽略此信件，感謝。\n\n` +
      `${link}\n\n敬祝 順心\n${b.signature}\n`,
  };
}

/**
 * 審核未通過. With a result page (`resultLink`), exactly the seed's mail: 請點選連結確認
 * and the link; the page shows the comparison (紅字) and 申請未通過後請依正確資料重新申請.
 * Without one the mail is all the company gets, so it carries the reason and that advice itself.
 */
export function rejectionNotice(to: string, reason: string, b: NoticeBranding, resultLink?: string): MailMessage {
  const ignore = '若貴公司未於本系統提送帳號申請需求，請忽略此信件，感謝。';
  const body =
    resultLink === undefined
      ? `${b.systemName}通知，帳號申請未通過，原因：${reason}；${ignore}\n\n若資料有誤請至EMS修正，並依正確資料重新申請。`
      : `${b.systemName}通知，帳號申請未通過，請點選連結確認；${ignore}\n\n${resultLink}`;
  return { to, subject: `${b.systemName}-帳號申請認證`, text: `您好\n\n${body}\n\n敬祝 順心\n${b.signature}\n` };
}

/**
 * 帳號關閉: staff closed the account (e.g. at the company's request after its
 * last card was lost); the reason, and the way back (a new application with a
 * card, reviewed and activated again through this mailbox). Not a seed mail:
 * worded as the seed's notices are.
 */
export function closureNotice(to: string, reason: string, b: NoticeBranding): MailMessage {
  return {
    to,
    subject: `${b.systemName}-帳號關閉通知`,
    text:
      `您好\n\n${b.systemName}通知，貴公司帳號已由客服關閉，原因：${reason}；原綁定之自然人憑證已全部解除綁定。` +
      `請以可使用之自然人憑證重新提出帳號申請。若貴公司未提出此需求，請儘速與客服聯繫，感謝。\n\n敬祝 順心\n${b.signature}\n`,
  };
}
