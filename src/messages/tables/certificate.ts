import type { MOICA_LIFECYCLE_ERROR_CODES } from '../../cert/lifecycle/errors.js';
import type { CertificateParseErrorCode } from '../../cert/profile/errors.js';
import type { CodeMessage } from '../../component/codes.js';

/** Certificate parsing failures (`twpki/cert` profiles). */
export const CERTIFICATE_MESSAGES: Readonly<Record<CertificateParseErrorCode, CodeMessage>> = {
  EMPTY_INPUT: { zhTW: '未提供憑證', en: 'No certificate was given' },
  TOO_LARGE: { zhTW: '憑證檔案過大', en: 'The certificate file is too large' },
  BAD_PEM: { zhTW: '憑證格式錯誤（PEM）', en: 'The certificate is not valid PEM' },
  BAD_BASE64: { zhTW: 'Base64解碼錯誤', en: 'The certificate is not valid base64' },
  NOT_A_CERTIFICATE: { zhTW: '不是有效的憑證', en: 'This is not a certificate' },
  BAD_NAME: { zhTW: '憑證名稱欄位無法解析', en: 'The certificate\'s name fields cannot be read' },
  BAD_VALIDITY: { zhTW: '憑證有效期限欄位無法解析', en: 'The certificate\'s validity period cannot be read' },
  BAD_EXTENSION: { zhTW: '憑證延伸欄位無法解析', en: 'A certificate extension cannot be read' },
};

/** MOICA lifecycle questions it cannot answer (`moicaLifecycle`). */
export const LIFECYCLE_MESSAGES: Readonly<Record<(typeof MOICA_LIFECYCLE_ERROR_CODES)[number], CodeMessage>> = {
  NOT_A_MOICA_CERTIFICATE: { zhTW: '此憑證不是自然人憑證，無展期規定', en: 'This is not a citizen (MOICA) certificate; no renewal rules apply' },
  INVALID_LIFECYCLE_DATE: { zhTW: '查詢日期或發卡日期錯誤', en: 'The date asked about, or the card issue date, is invalid' },
};
