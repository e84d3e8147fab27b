/**
 * The official local component's (HiPKILocalSignServer, `http://localhost:61161`)
 * return codes, as government pages decode them. This is the one table of them in
 * twpki: the agent answers with these values and the browser client explains them.
 * It is plain data with no imports, so a page bundle that uses it stays small.
 *
 * Names are twpki's; the numbers and the Chinese reasons are the ones public page
 * code compares against and shows (see the facts sheet, "What real web pages expect").
 */

/** `ret_code` values. */
export const RetCode = {
  /** Success. */
  OK: 0,
  /** 未插入IC卡: no card in the reader. */
  NO_CARD: 0x76000006,
  /** JSON格式錯誤: the request body is not the JSON the method expects. */
  BAD_JSON: 0x7600000b,
  /** 參數錯誤: a request field has a value the method does not accept. */
  BAD_PARAMETER: 0x7600000c,
  /** 執行檔錯誤或逾時: execution error or timeout (any failure with no closer code). */
  EXECUTION_ERROR: 0x7600000d,
  /** 不支援的方法: unsupported `func` or path. */
  UNSUPPORTED_FUNCTION: 0x7600000e,
  /** 禁止存取的網域: the calling domain is forbidden (some pages treat it as untrusted). */
  FORBIDDEN_DOMAIN: 0x7600000f,
  /** The calling site is not a trusted domain. */
  UNTRUSTED_DOMAIN: 0x76000031,
  /** 未輸入PIN碼: no PIN was given. */
  NO_PIN: 0x76000998,
  /** 使用者已取消動作: the user cancelled. */
  USER_CANCELLED: 0x76000999,
  /** 無可用讀卡機: no reader is attached. */
  NO_READER: 0x76100003,
  /** IC卡登入失敗: card login failed (wrong, short or locked PIN; the reason is in `last_error`). */
  CARD_LOGIN_FAILED: 0x76100006,
  /** 找不到指定憑證: the requested certificate is not on the card. */
  CERT_NOT_FOUND: 0x7610000c,
  /** 找不到指定金鑰: the requested key is not on the card. */
  KEY_NOT_FOUND: 0x7610000d,
  /** 簽章執行錯誤: the signature operation failed. */
  SIGN_FAILED: 0x76300004,
  /** 憑證尚未生效: the signing certificate is not yet valid. */
  CERT_NOT_YET_VALID: 0x76500001,
  /** 憑證已逾期: the signing certificate has expired. */
  CARD_EXPIRED: 0x76500002,
  /** Base64解碼錯誤: `tbs` is not valid base64. */
  BASE64_ERROR: 0x76600002,
  /** 輸入之PIN碼格式錯誤: the PIN has characters a PIN cannot have. */
  PIN_FORMAT: 0x83000105,
} as const;

/** Values of {@link RetCode}. */
export type RetCodeValue = (typeof RetCode)[keyof typeof RetCode];

/** `last_error` values (PKCS#11 CKR_* and the tries-left forms pages decode). */
export const LastError = {
  /** No error. */
  NONE: 0,
  /** 函式失敗 (CKR_FUNCTION_FAILED): a failure with no closer reason. */
  FUNCTION_FAILED: 0x06,
  /** PIN碼錯誤 (CKR_PIN_INCORRECT): tries left unknown or more than two. */
  PIN_INCORRECT: 0xa0,
  /** PIN碼長度錯誤 (CKR_PIN_LEN_RANGE); HiCOS PINs are 6 to 8 characters. */
  PIN_LEN_RANGE: 0xa2,
  /** 已鎖卡 (CKR_PIN_LOCKED): the card needs unblocking. */
  PIN_LOCKED: 0xa4,
  /** PIN碼錯誤，剩餘一次機會: sent as a signed 32-bit number (-2147483647). */
  PIN_INCORRECT_1_LEFT: 0x80000001 | 0,
  /** PIN碼錯誤，剩餘兩次機會: sent as a signed 32-bit number (-2147483646). */
  PIN_INCORRECT_2_LEFT: 0x80000002 | 0,
} as const;

/** Values of {@link LastError}. */
export type LastErrorValue = (typeof LastError)[keyof typeof LastError];

/** A code's reason in the two languages twpki speaks. */
export interface CodeMessage {
  /** Traditional Chinese, in the wording government pages show. */
  readonly zhTW: string;
  /** English. */
  readonly en: string;
}

const RET_CODE_MESSAGES: Readonly<Record<RetCodeValue, CodeMessage>> = {
  [RetCode.OK]: { zhTW: '成功', en: 'Success' },
  [RetCode.NO_CARD]: { zhTW: '未插入IC卡', en: 'No card is inserted' },
  [RetCode.BAD_JSON]: { zhTW: 'JSON格式錯誤', en: 'The request is not valid JSON' },
  [RetCode.BAD_PARAMETER]: { zhTW: '參數錯誤', en: 'A request parameter is invalid' },
  [RetCode.EXECUTION_ERROR]: { zhTW: '執行檔錯誤或逾時', en: 'The component failed or timed out' },
  [RetCode.UNSUPPORTED_FUNCTION]: { zhTW: '不支援的方法', en: 'Unsupported method' },
  [RetCode.FORBIDDEN_DOMAIN]: { zhTW: '禁止存取的網域', en: 'This site may not use the component' },
  [RetCode.UNTRUSTED_DOMAIN]: { zhTW: '呼叫網頁非受信任網站', en: 'This site is not a trusted site of the component' },
  [RetCode.NO_PIN]: { zhTW: '未輸入PIN碼', en: 'No PIN was entered' },
  [RetCode.USER_CANCELLED]: { zhTW: '使用者已取消動作', en: 'The user cancelled' },
  [RetCode.NO_READER]: { zhTW: '無可用讀卡機', en: 'No card reader is available' },
  [RetCode.CARD_LOGIN_FAILED]: { zhTW: 'IC卡登入失敗', en: 'Card login failed' },
  [RetCode.CERT_NOT_FOUND]: { zhTW: '找不到指定憑證', en: 'The certificate was not found on the card' },
  [RetCode.KEY_NOT_FOUND]: { zhTW: '找不到指定金鑰', en: 'The key was not found on the card' },
  [RetCode.SIGN_FAILED]: { zhTW: '簽章執行錯誤', en: 'The signature failed' },
  [RetCode.CERT_NOT_YET_VALID]: { zhTW: '憑證尚未生效', en: 'The certificate is not yet valid' },
  [RetCode.CARD_EXPIRED]: { zhTW: '憑證已逾期', en: 'The certificate has expired' },
  [RetCode.BASE64_ERROR]: { zhTW: 'Base64解碼錯誤', en: 'The data is not valid base64' },
  [RetCode.PIN_FORMAT]: { zhTW: '輸入之PIN碼格式錯誤', en: 'The PIN has an invalid format' },
};

const LAST_ERROR_MESSAGES: Readonly<Record<LastErrorValue, CodeMessage>> = {
  [LastError.NONE]: { zhTW: '成功', en: 'No error' },
  [LastError.FUNCTION_FAILED]: { zhTW: '函式失敗', en: 'The operation failed' },
  [LastError.PIN_INCORRECT]: { zhTW: 'PIN碼錯誤', en: 'Wrong PIN' },
  [LastError.PIN_LEN_RANGE]: { zhTW: 'PIN碼長度錯誤', en: 'The PIN must be 6 to 8 characters' },
  [LastError.PIN_LOCKED]: { zhTW: '已鎖卡', en: 'The card is locked' },
  [LastError.PIN_INCORRECT_1_LEFT]: { zhTW: 'PIN碼錯誤，剩餘一次機會', en: 'Wrong PIN, one try left' },
  [LastError.PIN_INCORRECT_2_LEFT]: { zhTW: 'PIN碼錯誤，剩餘兩次機會', en: 'Wrong PIN, two tries left' },
};

function lookUp<K extends number>(table: Readonly<Record<K, CodeMessage>>, code: number): CodeMessage | undefined {
  return Object.prototype.hasOwnProperty.call(table, code) ? table[code as K] : undefined;
}

/** The reason for a `ret_code`, or undefined for a code outside the official table. */
export function retCodeMessage(code: number): CodeMessage | undefined {
  return lookUp(RET_CODE_MESSAGES, code);
}

/**
 * The reason for a `last_error`, or undefined for a value outside the table.
 * Accepts both the signed (-2147483647) and unsigned (0x80000001) forms of the
 * tries-left values, since pages and components write either.
 */
export function lastErrorMessage(code: number): CodeMessage | undefined {
  return lookUp(LAST_ERROR_MESSAGES, code | 0);
}

/** `last_error` for a wrong PIN with `retriesLeft` tries left. */
export function wrongPinLastError(retriesLeft: number | undefined): LastErrorValue {
  if (retriesLeft === 1) return LastError.PIN_INCORRECT_1_LEFT;
  if (retriesLeft === 2) return LastError.PIN_INCORRECT_2_LEFT;
  return LastError.PIN_INCORRECT;
}
