import type { CodeMessage } from '../../component/codes.js';

/** Codes the `twpki` command line reports besides the layers' own. */
export const CLI_ERROR_CODES = ['USAGE', 'UNREADABLE_FILE', 'MALFORMED_FILE', 'INTERNAL'] as const;

/** One of {@link CLI_ERROR_CODES}. */
export type CliErrorCode = (typeof CLI_ERROR_CODES)[number];

/** Codes the card-login routes (`twpki/fastify`, `twpki/express`) report besides the verifier's. */
export const HTTP_ERROR_CODES = ['SESSION_REQUIRED', 'BODY_INVALID', 'INTERNAL'] as const;

/** One of {@link HTTP_ERROR_CODES}. */
export type HttpErrorCode = (typeof HTTP_ERROR_CODES)[number];

/** Messages of the command line's own codes. */
export const CLI_MESSAGES: Readonly<Record<CliErrorCode, CodeMessage>> = {
  USAGE: { zhTW: '指令參數錯誤', en: 'Invalid command arguments' },
  UNREADABLE_FILE: { zhTW: '無法讀取檔案', en: 'The file cannot be read' },
  MALFORMED_FILE: { zhTW: '檔案內容格式錯誤', en: 'The file was read but its content is malformed' },
  INTERNAL: { zhTW: '發生未預期的錯誤', en: 'An unexpected error occurred' },
};

/** Messages of the card-login routes' own codes. */
export const HTTP_MESSAGES: Readonly<Record<HttpErrorCode, CodeMessage>> = {
  SESSION_REQUIRED: { zhTW: '連線已逾時或尚未建立，請重新整理頁面後再登入', en: 'Your session has expired or was not started; reload the page and log in again' },
  BODY_INVALID: { zhTW: '憑證登入資料格式錯誤，請重新登入', en: 'The card login request is malformed; please log in again' },
  INTERNAL: { zhTW: '系統發生錯誤，請稍後再試', en: 'A server error occurred; please try again later' },
};
