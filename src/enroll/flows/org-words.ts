/**
 * The sentences 首次註冊 step (一) 機關憑證確認 shows when it stops (圖3-6, 圖3-7), in one place: the flow's errors and
 * `checkOrganizationCard`'s answers carry them, and the message catalogue (`twpki/messages`) words
 * REVIEW_CONTACT_REQUIRED, MANUAL_REVIEW_PENDING and RETRY_TOO_EARLY with these very texts, so a page shows the same
 * sentence whether it prints the error's message, the read's `message` or the catalogue's. The catalogue imports
 * this module (enroll never imports the catalogue, which imports enroll's errors).
 */
import { taipeiDate } from '../../shared/taipei-time.js';

/** A sentence in the manual's Traditional Chinese and in English; `{retryDate}` stands for the Taiwan date. */
export interface FirstRegistrationSentence {
  /** The manual's words. */
  readonly zhTW: string;
  /** The same in English. */
  readonly en: string;
}

/** The three answers of 機關憑證確認 that stop 首次註冊. */
export const FIRST_REGISTRATION_SENTENCES = {
  // The manual's words exactly (圖3-6).
  reviewNeeded: {
    zhTW: '貴機關申請憑證註冊，因申請資料比對不符，需進行審核，請填聯絡資料',
    en: 'The registration data does not match and needs review; enter a contact name and phone',
  },
  // 「申請資料審核通過前，於憑證註冊步驟皆會出現上圖訊息」: 圖3-6's sentence, with what the 申請人 is to do (圖3-7).
  reviewPending: {
    zhTW: '貴機關申請憑證註冊，因申請資料比對不符，需進行審核；審核通過前無法註冊，請於次一營業日再重新註冊',
    en: 'The registration data does not match and is under review; registration is not possible until the review passes, register again on the next business day',
  },
  // The day as the applicant reads it: the Taiwan date. The instant is that day's 00:00 Taiwan time, whose UTC ISO text
  // names the day before (2026-03-08T16:00:00.000Z for 2026-03-09).
  retryTooEarly: {
    zhTW: '審核已通過，請於次一營業日（{retryDate}）再重新註冊',
    en: 'The review was approved; register again on the next business day ({retryDate})',
  },
} as const satisfies Readonly<Record<string, FirstRegistrationSentence>>;

/** The `{retryDate}` of RETRY_TOO_EARLY: the Taiwan date of `retryNotBefore` (ISO); `undefined` for no instant. */
export function retryDateOf(retryNotBefore: string): string | undefined {
  const instant = new Date(retryNotBefore);
  return Number.isNaN(instant.getTime()) ? undefined : taipeiDate(instant);
}

/** RETRY_TOO_EARLY's sentence in the manual's words for a retry from `retryNotBefore` (ISO). */
export function retryTooEarlySentence(retryNotBefore: string): string {
  return FIRST_REGISTRATION_SENTENCES.retryTooEarly.zhTW.replace('{retryDate}', retryDateOf(retryNotBefore) ?? retryNotBefore);
}
