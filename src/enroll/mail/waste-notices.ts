/**
 * Mails of the waste system's certificate-login application, to the 承辦人郵件信箱:
 * 審核通過 with the 驗證碼 and the seed's 啟用 steps (or, for a 申請書 with both login
 * methods 停用, without them), or 審核未通過 with the reason.
 */
import type { MailMessage } from '../ports/mailer.js';
import type { NoticeBranding } from './account-notices.js';
import { taipeiDateTime } from '../domain/roc-date.js';

/** Default branding: the seed calls the site 申報網站. */
export const WASTE_BRANDING: NoticeBranding = { systemName: '申報網站', signature: '系統客服' };

/** The company a notice is about. */
export interface NoticeCompany {
  /** 公司名稱 */
  readonly companyName: string;
  /** 統一編號 */
  readonly businessId: string;
  /** 管制編號, if any. */
  readonly controlNumber?: string;
}

function who(c: NoticeCompany): string {
  return `貴公司（${c.companyName}，統一編號 ${c.businessId}${c.controlNumber === undefined ? '' : `，管制編號 ${c.controlNumber}`}）`;
}

/** 審核通過: the 驗證碼 and how to 啟用 (seed 一.(三)). */
export function verificationCodeNotice(
  to: string,
  company: NoticeCompany,
  code: string,
  expiresAt: string,
  b: NoticeBranding,
  activationPage?: string,
): MailMessage {
  return {
    to,
    subject: `${b.systemName}-憑證登入申請審核通過（驗證碼）`,
    text:
      `您好\n\n${b.systemName}通知，${who(company)}申請使用自然人憑證或工商憑證登入，已審核通過。\n\n` +
      `驗證碼：${code}\n(有效期限至 ${taipeiDateTime(expiresAt)})\n\n` +
      `請進入登入頁面，並點選「憑證登入」，按下啟用憑證按鈕，進入憑證啟用頁面${activationPage === undefined ? '' : `（${activationPage}）`}。` +
      `請插入您的自然人憑證或工商憑證，並輸入您的統一編號、管制編號、申請憑證登入後所取得之驗證碼、以及您的憑證密碼，按下『送出』按鈕，即完成憑證啟用動作。\n\n` +
      `若貴公司未提出此申請，請忽略此信件。\n\n敬祝 順心\n${b.signature}\n`,
  };
}

/**
 * 審核通過 of a 申請書 with 自然人憑證登入 and 工商憑證登入 both 停用: no 驗證碼 (it
 * could enable no card), and how to ask for certificate login later (seed 一.(一)).
 * `disabledBy`: `form` when the 申請書 left both 停用; `record` when the 申請書 had one 啟用 but the company's login
 * record now has both 停用 (switched off since; a company may not switch them on again itself), so the mail does not
 * blame the form.
 */
export function approvalWithoutCertificateLoginNotice(to: string, company: NoticeCompany, b: NoticeBranding, disabledBy: 'form' | 'record' = 'form'): MailMessage {
  return {
    to,
    subject: `${b.systemName}-帳號申請審核通過`,
    text:
      `您好\n\n${b.systemName}通知，${who(company)}之網路帳號密碼申請書，已審核通過。\n\n` +
      (disabledBy === 'form' ? '申請書之自然人憑證登入及工商憑證登入皆為停用' : '貴公司之自然人憑證登入及工商憑證登入目前皆為停用') +
      `，故未核發驗證碼。` +
      `如需使用自然人憑證或工商憑證登入，請於「帳號申請」填妥並勾選欲申請之登入方式，送出後列印申請表，並檢附本用印申請書及公司營利事業登記証影本，掃描上傳至系統。\n\n` +
      `若貴公司未提出此申請，請忽略此信件。\n\n敬祝 順心\n${b.signature}\n`,
  };
}

/** 審核未通過: the reason and how to apply again (seed 一.(一)). */
export function wasteRejectionNotice(to: string, company: NoticeCompany, reason: string, b: NoticeBranding): MailMessage {
  return {
    to,
    subject: `${b.systemName}-憑證登入申請審核未通過`,
    text:
      `您好\n\n${b.systemName}通知，${who(company)}申請使用自然人憑證或工商憑證登入，審核未通過，原因：${reason}\n\n` +
      `請於「帳號申請」填妥並勾選欲申請之登入方式，送出後列印申請表，並檢附本用印申請書及公司營利事業登記証影本，掃描上傳至系統。\n\n` +
      `若貴公司未提出此申請，請忽略此信件。\n\n敬祝 順心\n${b.signature}\n`,
  };
}
