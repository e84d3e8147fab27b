import type { CodeMessage } from '../../component/codes.js';
import type { BusinessIdFailure } from '../../ems/id/business-id.js';
import type { CardNumberFailure } from '../../ems/id/card-number.js';
import type { ControlNumberFailure } from '../../ems/id/control-number.js';
import type { EmailFailure } from '../../ems/id/email.js';
import type { CommonIdFailure } from '../../ems/id/id-validation.js';
import type { IdentifierKind } from '../../ems/id/identify.js';
import type { PersonalIdFailure } from '../../ems/id/personal-id.js';

/** Reasons `identify` gives for a value of no known kind. */
export type UnknownIdFailure = 'NOT_A_STRING' | 'EMPTY' | 'UNRECOGNIZED';

/** The failure reasons each validator of `twpki/ems` can give, by identifier kind. */
export interface IdFailureByKind {
  /** 身分證統一編號. */
  nationalId: PersonalIdFailure;
  /** 居留證統一證號. */
  residentId: PersonalIdFailure;
  /** 統一編號. */
  businessId: BusinessIdFailure;
  /** 卡號. */
  cardNumber: CardNumberFailure;
  /** 管制編號. */
  controlNumber: ControlNumberFailure;
  /** 電子信箱. */
  email: EmailFailure;
  /** Not recognisable as any kind. */
  unknown: UnknownIdFailure;
}

// Compile-time proof that every kind `identify` returns has a table.
type Exact<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const KINDS_COVERED: Exact<IdentifierKind, keyof IdFailureByKind> = true;
void KINDS_COVERED;

function common(zh: string, en: string, zhLength: string, enLength: string): Record<CommonIdFailure, CodeMessage> {
  return {
    NOT_A_STRING: { zhTW: `${zh}必須為文字`, en: `The ${en} must be text` },
    EMPTY: { zhTW: `請輸入${zh}`, en: `Enter the ${en}` },
    INVALID_LENGTH: { zhTW: `${zh}${zhLength}`, en: `The ${en} ${enLength}` },
  };
}

function personalId(zh: string, en: string, secondZh: string, secondEn: string): Record<PersonalIdFailure, CodeMessage> {
  return {
    ...common(zh, en, '為10碼', 'has 10 characters'),
    INVALID_AREA_LETTER: { zhTW: `${zh}第1碼須為英文字母`, en: `The ${en} starts with a letter A–Z` },
    INVALID_SECOND_CHARACTER: { zhTW: `${zh}第2碼${secondZh}`, en: `The second character of the ${en} ${secondEn}` },
    INVALID_CHARACTER: { zhTW: `${zh}後8碼須為數字`, en: `The ${en} ends with 8 digits` },
    INVALID_CHECKSUM: { zhTW: `${zh}檢查碼錯誤，請確認是否輸入正確`, en: `The ${en}'s check digit does not match; check what you typed` },
  };
}

/**
 * zh-TW and English messages for every validator reason, by identifier kind
 * (the validators' own `message` is English detail for logs).
 */
export const ID_MESSAGES: { readonly [K in keyof IdFailureByKind]: Readonly<Record<IdFailureByKind[K], CodeMessage>> } = {
  nationalId: personalId('身分證統一編號', 'national ID number', '須為1或2', 'is 1 or 2'),
  residentId: personalId('統一證號', 'resident certificate number', '須為8、9或A至D', 'is 8, 9 or A–D'),
  businessId: {
    ...common('統一編號', 'business ID', '為8碼數字', 'has 8 digits'),
    INVALID_CHARACTER: { zhTW: '統一編號須為數字', en: 'The business ID has only digits' },
    INVALID_CHECKSUM: { zhTW: '統一編號檢查碼錯誤，請確認是否輸入正確', en: 'The business ID\'s check digit does not match; check what you typed' },
  },
  cardNumber: {
    ...common('卡號', 'card number', '為16碼', 'has 16 characters'),
    INVALID_FORMAT: { zhTW: '卡號為2碼英文字母加14碼數字', en: 'A card number is 2 capital letters and 14 digits' },
  },
  controlNumber: {
    ...common('管制編號', 'control number', '為8碼', 'has 8 characters'),
    INVALID_FORMAT: { zhTW: '管制編號格式錯誤（1碼英文字母、2碼數字及5碼英文或數字）', en: 'A control number is a letter, 2 digits and 5 letters or digits' },
  },
  email: {
    ...common('電子信箱', 'e-mail address', '最多254個字元', 'has at most 254 characters'),
    MISSING_AT: { zhTW: '電子信箱格式錯誤，缺少@', en: 'An e-mail address has an @' },
    INVALID_LOCAL_PART: { zhTW: '電子信箱@前的帳號格式錯誤', en: 'The part of the e-mail address before @ is invalid' },
    INVALID_DOMAIN: { zhTW: '電子信箱@後的網域格式錯誤', en: 'The part of the e-mail address after @ is not a host name' },
  },
  unknown: {
    NOT_A_STRING: { zhTW: '欄位內容必須為文字', en: 'The value must be text' },
    EMPTY: { zhTW: '請輸入資料', en: 'Enter a value' },
    UNRECOGNIZED: { zhTW: '無法辨識的編號格式', en: 'This is not a recognisable identifier' },
  },
};
