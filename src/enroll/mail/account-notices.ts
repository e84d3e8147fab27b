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

/** A card an activation link enables, as the notice and the confirmation page name it. */
export interface ActivationCard {
  /**
   * The name on the card's certificate as the card presented it when bound (the typed 自然人憑證姓名 only for a
   * binding made before that name was kept): a name the certificate vouches for, not text an applicant typed.
   */
  readonly name: string;
  /** 卡號末四碼: enough for the company to tell its cards apart, without the whole 卡號 in a mailbox or on a page. */
  readonly cardNumberEnding: string;
}

/** The account an activation link opens: what the notice and the confirmation page say will be enabled. */
export interface ActivationAccount {
  /** 管制編號 */
  readonly controlNumber: string;
  /** 公司名稱 as submitted (it matched EMS); absent only for an application without basic data. */
  readonly companyName?: string;
  /** The cards that can log in once the account is open (those the application bound), oldest first. */
  readonly cards: readonly ActivationCard[];
}

/**
 * 審核通過: the link that activates the account (開通帳號權限), in the seed's
 * words. With `account`, the mail also names the 管制編號, the company and the
 * cards the link enables, before the link, so that whoever reads the facility
 * mailbox can tell whether the application is theirs (the seed's mail names
 * nothing, and its 「若貴公司未於本系統提送帳號申請需求」 asks the reader to judge).
 * The link's expiry is not in the mail (the seed's has none); an expired link
 * says so when opened (`TOKEN_EXPIRED`), and the approval result carries
 * `expiresAt` for a host that wants to show it.
 */
export function activationNotice(to: string, link: string, b: NoticeBranding, account?: ActivationAccount): MailMessage {
  return {
    to,
    subject: `${b.systemName}-帳號申請認證`,
    text:
      `您好\n\n${b.systemName}通知，請點選下列連結開通帳號權限；若貴公司未於本系統提送帳號申請需求，請忽略此信件，感謝。\n\n` +
      (account === undefined ? '' : `${describeActivation(account)}\n\n`) +
      `${link}\n\n敬祝 順心\n${b.signature}\n`,
  };
}

/** The lines of {@link activationNotice} that name the account and its cards. */
function describeActivation(a: ActivationAccount): string {
  const company = a.companyName === undefined ? '' : `（${a.companyName}）`;
  const cards = a.cards.map((c) => `${c.name}（卡號末四碼 ${c.cardNumberEnding}）`).join('、');
  return `開通帳號：管制編號 ${a.controlNumber}${company}` + (cards === '' ? '' : `\n可登入之自然人憑證：${cards}`);
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
