import type { ChainErrorCode, RevocationErrorCode } from '../../cert/trust/errors.js';
import type { CodeMessage } from '../../component/codes.js';

/** Chain validation failures (`twpki/cert` trust). */
export const CHAIN_MESSAGES: Readonly<Record<ChainErrorCode, CodeMessage>> = {
  CHAIN_NO_TRUST_ANCHORS: { zhTW: '未設定信任的根憑證', en: 'No trusted root certificates are configured' },
  MALFORMED_CERTIFICATE: { zhTW: '憑證格式錯誤', en: 'A certificate is malformed' },
  CHAIN_CERT_EXPIRED: { zhTW: '憑證已逾期', en: 'A certificate has expired' },
  CHAIN_CERT_NOT_YET_VALID: { zhTW: '憑證尚未生效', en: 'A certificate is not yet valid' },
  ISSUER_NOT_FOUND: { zhTW: '找不到簽發此憑證的憑證管理中心', en: 'The issuing certificate authority was not found' },
  BAD_SIGNATURE: { zhTW: '憑證簽章驗證失敗', en: 'A certificate signature does not verify' },
  CHAIN_ALGORITHM_NOT_ALLOWED: { zhTW: '憑證使用不允許的演算法', en: 'A certificate uses an algorithm that is not allowed' },
  NOT_A_CA: { zhTW: '簽發者不是憑證管理中心', en: 'The issuer is not a certificate authority' },
  PATH_LENGTH_EXCEEDED: { zhTW: '憑證串鍊超過允許的長度', en: 'The chain is longer than the issuer allows' },
  ISSUER_KEY_USAGE: { zhTW: '簽發者憑證不可用於簽發憑證', en: 'The issuer\'s certificate may not sign certificates' },
  UNKNOWN_CRITICAL_EXTENSION: { zhTW: '憑證含有無法辨識的重要延伸欄位', en: 'A certificate has an unknown critical extension' },
  CHAIN_CYCLE: { zhTW: '憑證串鍊形成循環', en: 'The certificate chain loops' },
  CHAIN_TOO_LONG: { zhTW: '憑證串鍊過長', en: 'The certificate chain is too long' },
};

/** Revocation check failures (`twpki/cert` OCSP and CRL). */
export const REVOCATION_MESSAGES: Readonly<Record<RevocationErrorCode, CodeMessage>> = {
  FETCH_FAILED: { zhTW: '無法連線至憑證狀態查詢服務', en: 'The certificate status service could not be reached' },
  OCSP_MALFORMED: { zhTW: '憑證狀態查詢（OCSP）回應格式錯誤', en: 'The OCSP answer is malformed' },
  OCSP_ERROR_STATUS: { zhTW: '憑證狀態查詢（OCSP）服務回報錯誤', en: 'The OCSP responder reported an error' },
  OCSP_BAD_SIGNATURE: { zhTW: '憑證狀態查詢（OCSP）回應簽章驗證失敗', en: 'The OCSP answer\'s signature does not verify' },
  OCSP_UNAUTHORIZED_RESPONDER: { zhTW: '憑證狀態查詢（OCSP）回應者未經授權', en: 'The OCSP responder is not authorised for this certificate' },
  OCSP_WRONG_CERTIFICATE: { zhTW: '憑證狀態查詢（OCSP）回應的不是此張憑證', en: 'The OCSP answer is about another certificate' },
  OCSP_STALE: { zhTW: '憑證狀態查詢（OCSP）回應已過時', en: 'The OCSP answer is out of date' },
  OCSP_NONCE_MISMATCH: { zhTW: '憑證狀態查詢（OCSP）回應不符', en: 'The OCSP answer does not match the request' },
  OCSP_UNKNOWN_CRITICAL_EXTENSION: {
    zhTW: '憑證狀態查詢（OCSP）回應含有無法辨識的重要延伸欄位',
    en: 'The OCSP answer has a critical extension that is not understood',
  },
  CRL_MALFORMED: { zhTW: '憑證廢止清冊（CRL）格式錯誤', en: 'The certificate revocation list is malformed' },
  CRL_WRONG_ISSUER: { zhTW: '憑證廢止清冊（CRL）的簽發者不符', en: 'The revocation list comes from another issuer' },
  CRL_BAD_SIGNATURE: { zhTW: '憑證廢止清冊（CRL）簽章驗證失敗', en: 'The revocation list\'s signature does not verify' },
  CRL_STALE: { zhTW: '憑證廢止清冊（CRL）已過期', en: 'The revocation list is out of date' },
  CRL_UNKNOWN_CRITICAL_EXTENSION: {
    zhTW: '憑證廢止清冊（CRL）含有無法辨識的重要延伸欄位',
    en: 'The revocation list has a critical extension that is not understood',
  },
  CRL_NOT_COMPLETE: { zhTW: '憑證廢止清冊（CRL）不是完整清冊', en: 'The revocation list is not a complete list' },
  CRL_WRONG_SCOPE: { zhTW: '憑證廢止清冊（CRL）不涵蓋此張憑證', en: 'The revocation list does not cover this certificate' },
  NO_REVOCATION_SOURCE: { zhTW: '憑證未提供狀態查詢來源', en: 'The certificate names no revocation source' },
};
