import type { CodeMessage } from '../../component/codes.js';
import type { EnrollErrorCode, EnrollRefusalReason, FieldIssueCode } from '../../enroll/errors.js';
import { ENROLL_REFUSALS } from '../../enroll/refusals.js';
import { FIRST_REGISTRATION_SENTENCES } from '../../enroll/flows/org-words.js';

/** Enrollment (account application, card binding, organisation registration) failures (`twpki/enroll`). */
export const ENROLL_MESSAGES: Readonly<Record<EnrollErrorCode, CodeMessage>> = {
  INVALID_INPUT: { zhTW: '輸入的資料有誤，請檢查標示的欄位', en: 'Some input is invalid; check the marked fields' },
  INVALID_TRANSITION: { zhTW: '目前的申請狀態無法執行此操作', en: 'This action is not possible in the application\'s current state' },
  NOT_FOUND: { zhTW: '查無資料', en: 'Not found' },
  APPLICATION_IN_PROGRESS: { zhTW: '已有申請中的案件或帳號，請勿重複申請', en: 'An application or account already exists; do not apply twice' },
  CARD_ALREADY_BOUND: { zhTW: '相同自然人憑證僅限對應乙組管制編號，無法重複設置', en: 'This card is already bound to another control number' },
  WRONG_CARD_TYPE: { zhTW: '此憑證不可用於本系統，請使用自然人憑證或工商憑證', en: 'This certificate cannot be used here; use a citizen or organisation certificate card' },
  LAST_CARD: { zhTW: '無法移除最後一張憑證，請先新增另一張憑證', en: 'The last card cannot be removed; add another card first' },
  TOKEN_INVALID: { zhTW: '啟動連結無效', en: 'The activation link is invalid' },
  // Applying again is refused while the application stands: a new link comes from the reviewer (reissueActivation).
  TOKEN_EXPIRED: { zhTW: '連結已逾期失效，請洽承辦人員重新寄送', en: 'The link has expired; ask the service desk to send a new one' },
  TOKEN_USED: { zhTW: '啟動連結已使用過', en: 'The activation link was already used' },
  EMS_RECORD_MISSING: { zhTW: '查無此管制編號的事業資料', en: 'No facility record exists for this control number' },
  EMS_FAILURE: { zhTW: '事業資料比對失敗，請稍後再試', en: 'The facility data check failed; please try again later' },
  MAIL_FAILED: { zhTW: '電子郵件寄送失敗，請稍後再試', en: 'The e-mail could not be sent; please try again later' },
  CONCURRENT_UPDATE: { zhTW: '資料已被其他人更新，請重新整理後再試', en: 'Someone else changed this record; reload and try again' },
  // The three sentences of GEPI 首次註冊 step (一) are the flow's own (one source: the error's message, the
  // checkOrganizationCard answer and this table agree). {retryDate} is filled from the error's retryNotBefore.
  MANUAL_REVIEW_PENDING: FIRST_REGISTRATION_SENTENCES.reviewPending,
  RETRY_TOO_EARLY: FIRST_REGISTRATION_SENTENCES.retryTooEarly,
  REVIEW_REJECTED: { zhTW: '申請資料審核不通過', en: 'The application was rejected on review' },
  REVIEW_CONTACT_REQUIRED: FIRST_REGISTRATION_SENTENCES.reviewNeeded,
  // True of both causes (a matching card, the approved one): a card that does not match is not told it does.
  REVIEW_NOT_NEEDED: { zhTW: '此機關憑證無需審核（比對相符或已審核通過），請繼續授權管理者自然人憑證確認', en: 'The organisation certificate matches (or its review was approved); no review is needed, continue with the administrator\'s card' },
  ORGANIZATION_MISMATCH: { zhTW: '機關憑證 OID 資料經比對不符', en: 'The organisation certificate\'s OID does not match this agency' },
  NOT_AUTHORIZED: { zhTW: '此自然人憑證序號未經授權', en: 'This card is not authorised' },
  FORBIDDEN: { zhTW: '您沒有執行此作業的權限', en: 'You may not perform this action' },
  LOGIN_ENDED: { zhTW: '登入已失效，請重新登入', en: 'This login has ended; log in again' },
  RENEWAL_PENDING_REVIEW: { zhTW: '憑證已更新，待承辦人員審核後即可使用', en: 'The renewed certificate is waiting for review before it can be used' },
  OPERATOR_EXISTS: { zhTW: '此憑證已是授權經辦人', en: 'This certificate is already an authorised operator' },
  AGENCY_OID_UNKNOWN: { zhTW: '查無此機關OID，請查詢機關OID', en: 'No agency has this OID; look the OID up' },
  LOGIN_METHOD_DISABLED: { zhTW: '此登入方式為停用', en: 'This login method is disabled' },
  VERIFICATION_CODE_INVALID: { zhTW: '統一編號、管制編號或驗證碼錯誤，或驗證碼已過期', en: 'The business ID, control number or verification code is wrong, or the code has expired' },
  VERIFICATION_CODE_LOCKED: { zhTW: '驗證碼錯誤次數過多，請重新申請驗證碼', en: 'Too many wrong verification codes; request a new code' },
  INVALID_STATE_DOCUMENT: { zhTW: '申請狀態資料格式錯誤', en: 'The saved application state is malformed' },
  COMPANY_REGISTRY_FAILURE: { zhTW: '公司資料載入失敗，請稍後再試或自行填寫', en: 'The company data could not be loaded; try again later or fill it in yourself' },
  POSTAL_CODES_UNAVAILABLE: { zhTW: '郵遞區號資料無法載入，請洽系統管理者', en: 'The postal-code table could not be loaded; contact the administrator' },
  DOCUMENTS_MISSING: { zhTW: '請上傳用印申請書及公司營利事業登記証影本', en: 'Upload the stamped application form and the business registration copy' },
  PERSONNEL_SYSTEM_FAILURE: { zhTW: '行政院人事行政總處系統暫時無法核對，請稍後再送出資料', en: 'The personnel system could not check the application; send it again later' },
  AGENCY_SEARCH_UNAVAILABLE: { zhTW: '目前無法查詢機關OID，請直接輸入新機關OID', en: 'Agency OIDs cannot be searched here; enter the agency OID directly' },
  STORE_IN_USE: { zhTW: '資料庫正由其他程式使用中，請稍後再試', en: 'The database is in use by another program; try again later' },
  NESTED_TRANSACTION: { zhTW: '系統設定錯誤，請洽系統管理者', en: 'The system is misconfigured; contact the administrator' },
  STORE_CLOSED: { zhTW: '系統維護中，請稍後再試', en: 'The service is shutting down or restarting; try again later' },
  TRANSACTION_ENDED: { zhTW: '系統設定錯誤，請洽系統管理者', en: 'The system is misconfigured; contact the administrator' },
  STORE_UNAVAILABLE: { zhTW: '系統暫時無法連線資料庫，請稍後再試', en: 'The service cannot reach its database right now; try again later' },
};

/**
 * A refused card's or member's exact cause (`EnrollError.refusal`), worded as the seeds
 * word it; the catalogue prefers it to the code's general message.
 */
export const REFUSAL_MESSAGES = Object.fromEntries(
  Object.entries(ENROLL_REFUSALS).map(([reason, r]) => [reason, { zhTW: r.zhTW, en: r.en }]),
) as Readonly<Record<EnrollRefusalReason, CodeMessage>>;

/**
 * What is wrong with one field of a refused input (`FieldIssue.code`). A page
 * shows its own label for the field, then this: 「承辦人郵件信箱：格式或檢查碼不正確」.
 */
export const FIELD_ISSUE_MESSAGES: Readonly<Record<FieldIssueCode, CodeMessage>> = {
  REQUIRED: { zhTW: '必填', en: 'is required' },
  NOT_TEXT: { zhTW: '須為文字', en: 'must be text' },
  TOO_LONG: { zhTW: '長度超過上限', en: 'is too long' },
  UNSTORABLE_TEXT: { zhTW: '含有無法儲存的字元', en: 'contains characters that cannot be stored' },
  INVALID_FORMAT: { zhTW: '格式不正確', en: 'is not in the expected format' },
  INVALID_ID: { zhTW: '格式或檢查碼不正確', en: 'is not valid (format or check digit)' },
  NOT_AN_OPTION: { zhTW: '不是可選擇的項目', en: 'is not one of the allowed values' },
  OUT_OF_RANGE: { zhTW: '超出允許範圍', en: 'is out of range' },
  MISMATCH: { zhTW: '與資料不符', en: 'does not match the records' },
  // Valid, and agreeing with what it was first checked against (a card), but not the value registered: the GEPI
  // 授權管理者身分證統一編號 of another person than the registered 授權管理者.
  NOT_ON_RECORD: { zhTW: '與註冊資料不符', en: 'is not the one on record' },
  WRONG_CERTIFICATE: { zhTW: '憑證種類不符', en: 'is not the required kind of certificate' },
  NOT_VERIFIED: { zhTW: '須經憑證登入驗證', en: 'must come from a verified card login' },
  FILE_EMPTY: { zhTW: '檔案是空的', en: 'the file is empty' },
  FILE_TOO_LARGE: { zhTW: '檔案大小超過上限', en: 'the file is too large' },
  FILE_TYPE: { zhTW: '檔案格式不符', en: 'the file is not of an accepted type' },
  NOT_CONFIRMED: { zhTW: '請勾選確認', en: 'must be confirmed' },
  NOT_KEPT: { zhTW: '本系統不保存此欄位', en: 'is not kept by this system' },
};

/**
 * The causes a page tells apart for a 身分證統一編號 typed beside a citizen card (GEPI's 授權管理者 at
 * 授權管理者自然人憑證確認, in each 授權指派 session and at 更換憑證; 查詢自然人憑證序號), by `FieldIssue.code`.
 * Any other code of such a field (not text, unstorable) is no valid ID to the person typing it.
 */
export const CARD_HOLDER_ID_ISSUES = ['REQUIRED', 'INVALID_ID', 'MISMATCH', 'NOT_ON_RECORD'] as const satisfies readonly FieldIssueCode[];

/** One of {@link CARD_HOLDER_ID_ISSUES}. */
export type CardHolderIdIssue = (typeof CARD_HOLDER_ID_ISSUES)[number];

/**
 * Whole sentences for a 身分證統一編號 typed beside a citizen card, shown as they are (the field's label is in them):
 * the `field.*` text is the same for every field, and 與資料不符 does not say whether the card or the registration
 * disagreed.
 */
export const CARD_HOLDER_ID_MESSAGES: Readonly<Record<CardHolderIdIssue, CodeMessage>> = {
  REQUIRED: { zhTW: '請輸入身分證統一編號', en: 'Enter the national ID number' },
  INVALID_ID: { zhTW: '身分證統一編號格式或檢查碼錯誤，請確認是否輸入正確', en: 'The national ID number is not valid (format or check digit); check what you typed' },
  MISMATCH: { zhTW: '身分證統一編號與自然人憑證不符，請確認輸入是否正確', en: 'The national ID number does not match the citizen card; check what you typed' },
  NOT_ON_RECORD: { zhTW: '身分證統一編號與註冊之授權管理者不符，請確認輸入是否正確', en: 'The national ID number is not the registered administrator\'s; check what you typed' },
};
