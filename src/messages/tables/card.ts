import type { HiCOSErrorCode } from '../../apdu/errors.js';
import type { CodeMessage } from '../../component/codes.js';

/**
 * Card (HiCOS command set) failures (`twpki/apdu`). `{retriesLeft}` (the
 * number) and `{triesLeft}` ("1 try left", "2 tries left") are filled from
 * the error when it carries a tries-left count.
 */
export const CARD_MESSAGES: Readonly<Record<HiCOSErrorCode, CodeMessage>> = {
  NOT_HICOS: { zhTW: '無法辨識的IC卡，請插入自然人憑證或工商憑證等憑證IC卡', en: 'This card is not supported; insert a citizen or organisation certificate card' },
  CARD_ERROR: { zhTW: 'IC卡執行指令失敗', en: 'The card refused the command' },
  MALFORMED_RESPONSE: { zhTW: 'IC卡回應格式錯誤，請重新插入憑證', en: 'The card answered with unreadable data; insert it again' },
  FILE_NOT_FOUND: { zhTW: 'IC卡內找不到指定資料', en: 'The requested data is not on the card' },
  INVALID_PIN_FORMAT: { zhTW: '輸入之PIN碼格式錯誤，PIN碼為6至8碼', en: 'The PIN has an invalid format; a PIN has 6 to 8 characters' },
  LAST_TRY_GUARD: { zhTW: 'PIN碼僅剩一次機會，再錯誤將鎖卡，請確認後再輸入', en: 'One PIN try is left and another error locks the card; confirm before trying again' },
  PIN_REQUIRED: { zhTW: '未輸入PIN碼', en: 'No PIN was entered' },
  NOT_VERIFIED: { zhTW: '請先輸入PIN碼', en: 'Enter the PIN first' },
  SECURE_CHANNEL_FAILED: { zhTW: '無法與IC卡建立安全通道', en: 'A secure channel to the card could not be set up' },
  KEY_NOT_FOUND: { zhTW: '找不到指定金鑰', en: 'The key was not found on the card' },
  UNSUPPORTED_HASH: { zhTW: '不支援的雜湊演算法', en: 'Unsupported hash algorithm' },
  INVALID_CARD_INPUT: { zhTW: '參數錯誤', en: 'A parameter is invalid' },
  DECRYPTION_FAILED: { zhTW: '解密失敗', en: 'Decryption failed' },
  WRONG_PIN: { zhTW: 'PIN碼錯誤，剩餘{retriesLeft}次機會', en: 'Wrong PIN, {triesLeft}' },
  PIN_LOCKED: {
    zhTW: 'PIN碼輸入錯誤累計達3次已鎖卡，請至內政部憑證管理中心網站並依指示重新設定新的PIN碼',
    en: 'The card is locked after 3 wrong PINs; reset the PIN as the certificate authority\'s website explains',
  },
  PROBE_DISABLED: { zhTW: '此操作會消耗PIN碼嘗試次數，已停用', en: 'This probe could use up a PIN try and is disabled' },
};

/**
 * A PIN the card layer refused unsent whose rule has advice of its own (`InvalidPinFormatError.rule`), preferred to
 * `card.INVALID_PIN_FORMAT`, whose length advice is no help there: a 民國 date typed with separators (`79/01/01`)
 * already has a valid length, and a holder told "6 to 8 characters" types it again.
 */
export const PIN_RULE_MESSAGES: Readonly<Record<'DATE_SHAPED', CodeMessage>> = {
  DATE_SHAPED: {
    zhTW: '輸入之PIN碼格式錯誤：PIN碼請只輸入數字，不含「/」「-」「.」；預設PIN碼為民國出生年月日共6碼（例：790101）',
    en: 'The PIN has an invalid format: type it without "/", "-" or "."; the default PIN is the ROC (Minguo) birth date as 6 digits (e.g. 790101)',
  },
};
