import type { DocumentFormatErrorCode } from '../../cert/trust/documents/errors.js';
import type { LoginErrorCode } from '../../cert/trust/login/errors.js';
import type { CodeMessage } from '../../component/codes.js';

/** Card login verification failures (`twpki/cert` login verifier). */
export const LOGIN_MESSAGES: Readonly<Record<LoginErrorCode, CodeMessage>> = {
  NO_TRUST_ANCHORS: { zhTW: '系統未設定信任的憑證管理中心，暫時無法使用憑證登入', en: 'Card login is not configured (no trusted authorities)' },
  INVALID_CONFIGURATION: { zhTW: '系統憑證登入設定錯誤，暫時無法使用憑證登入', en: 'Card login is misconfigured on the server' },
  TOKEN_MALFORMED: { zhTW: '憑證登入資料格式錯誤，請重新登入', en: 'The card login data is malformed; please log in again' },
  ALGORITHM_NOT_ALLOWED: { zhTW: '簽章演算法不符合安全要求，請更新HiCOS卡片管理工具後重新登入', en: 'The signature algorithm is not allowed; update the card software and log in again' },
  SIGNATURE_INVALID: { zhTW: '簽章驗證失敗，請重新登入', en: 'The signature does not verify; please log in again' },
  CHALLENGE_NOT_SIGNED: { zhTW: '簽章內容不符，請重新登入', en: 'The signed content does not match; please log in again' },
  ORIGIN_MISMATCH: { zhTW: '簽章內容的網站不符，請由本網站重新登入', en: 'The signature was made for another website; log in from this site again' },
  CARD_NUMBER_MISMATCH: { zhTW: '卡號不符，請重新登入', en: 'The card number does not match; please log in again' },
  CHALLENGE_UNKNOWN: { zhTW: '登入驗證碼無效，請重新登入', en: 'The login challenge is unknown; please log in again' },
  CHALLENGE_USED: { zhTW: '登入驗證碼已使用過，請重新登入', en: 'The login challenge was already used; please log in again' },
  CHALLENGE_EXPIRED: { zhTW: '登入逾時，請重新登入', en: 'The login timed out; please log in again' },
  CHALLENGE_SESSION_MISMATCH: { zhTW: '登入驗證碼不屬於此連線，請重新登入', en: 'The login challenge belongs to another session; please log in again' },
  // Not "replace the card": a MOICA certificate can be renewed (展期) on the same card until 3 years after it expired.
  CERT_EXPIRED: { zhTW: '憑證已逾期，請辦理憑證展期或換發新卡後再登入', en: 'The certificate has expired; renew it, or get a new card, before logging in' },
  CERT_NOT_YET_VALID: { zhTW: '憑證尚未生效', en: 'The certificate is not yet valid' },
  // Names no kind of card: which cards a site accepts is its own configuration (a site may override the text).
  CERT_UNTRUSTED: { zhTW: '此憑證非由本系統信任之憑證管理中心簽發，請改用本系統接受的憑證IC卡登入', en: 'This certificate is not from an authority this site trusts; log in with a card this site accepts' },
  CERT_REVOKED: { zhTW: '憑證已廢止，無法登入', en: 'The certificate is revoked and cannot log in' },
  CERT_SUSPENDED: { zhTW: '憑證已停用，請辦理復用後再登入', en: 'The certificate is suspended; resume it before logging in' },
  REVOCATION_UNKNOWN: { zhTW: '無法確認憑證狀態，請稍後再試', en: 'The certificate status is unknown; please try again later' },
  REVOCATION_CHECK_FAILED: { zhTW: '憑證狀態查詢失敗，請稍後再試', en: 'The certificate status check failed; please try again later' },
  CERT_WRONG_PURPOSE: { zhTW: '此憑證不可用於登入，請使用簽章用憑證', en: 'This certificate cannot be used to log in; use the signing certificate' },
  CERT_NOT_END_ENTITY: { zhTW: '此憑證為憑證管理中心或服務用憑證，不可用於簽章登入，請使用IC卡上的個人憑證', en: 'This is a CA or service certificate, not a card holder\'s; sign with the certificate on the card' },
  CERT_POLICY_NOT_ALLOWED: { zhTW: '本系統不接受此類憑證登入', en: 'This kind of certificate is not accepted here' },
};

/** Signed-document input failures (`twpki/cert` signed-document verifier); its other steps share the login codes. */
export const DOCUMENT_MESSAGES: Readonly<Record<DocumentFormatErrorCode, CodeMessage>> = {
  DOCUMENT_MALFORMED: { zhTW: '簽章文件格式錯誤，無法解析', en: 'The signed document is malformed and cannot be read' },
  CONTENT_MISSING: { zhTW: '分離式簽章須附上原始文件內容', en: 'A detached signature needs the signed content' },
  SEVERAL_SIGNERS: { zhTW: '文件有多位簽章者，請指定要驗證之簽章者憑證', en: 'The document has several signers: give the certificate of the one to verify' },
};
