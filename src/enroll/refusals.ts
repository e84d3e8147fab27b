import { EnrollError, InvalidTransitionError, type EnrollErrorCode, type EnrollRefusalReason } from './errors.js';

/**
 * Why a flow refused a card, a step or a member, finer than the error code. The seeds
 * word each cause differently (工商憑證之統一編號與申請資料不符, 此憑證尚未啟用登入,
 * 自然人憑證登入為停用…) while to a program each is one of a few codes
 * (`NOT_AUTHORIZED`, `LOGIN_METHOD_DISABLED`, `WRONG_CARD_TYPE`…); the message catalogue explains an
 * error by its refusal when it has one (`refusal.COMPANY_ID_MISMATCH`), so a
 * page or the `twpki/fastify` plugin shows the exact cause.
 */
export interface EnrollRefusal {
  /** The error code the refusal is thrown with. */
  readonly code: Extract<
    EnrollErrorCode,
    'NOT_AUTHORIZED' | 'LOGIN_METHOD_DISABLED' | 'CARD_ALREADY_BOUND' | 'VERIFICATION_CODE_INVALID' | 'WRONG_CARD_TYPE' | 'FORBIDDEN' | 'LOGIN_ENDED' | 'INVALID_TRANSITION'
  >;
  /** The sentence a person reads, in the seeds' Traditional Chinese. */
  readonly zhTW: string;
  /** The same in English. */
  readonly en: string;
}

/** Every refusal the enrollment flows make, by reason. */
export const ENROLL_REFUSALS: Readonly<Record<EnrollRefusalReason, EnrollRefusal>> = {
  CARD_NOT_BOUND: { code: 'NOT_AUTHORIZED', zhTW: '此自然人憑證尚未綁定帳號', en: 'This card is not bound to an active account' },
  // The GPS seed's own words: 目前帳號狀態為審核中 … 開通帳號權限 (a bound card waits for review and the mailed link).
  ACCOUNT_NOT_YET_OPENED: {
    code: 'NOT_AUTHORIZED',
    zhTW: '目前帳號狀態為審核中，請待審核通過並點選認證信連結開通帳號權限後再登入',
    en: 'The account is still under review; log in once the mailed link has opened it',
  },
  // WRONG_CARD_TYPE's own text names both cards, as the waste system takes both; the GPS seed's system takes
  // citizen cards only (本系統採自然人憑證單一登入方式), so naming 工商憑證 there would send the company to the wrong card.
  CITIZEN_CARD_REQUIRED: {
    code: 'WRONG_CARD_TYPE',
    zhTW: '本系統採自然人憑證單一登入方式，此憑證不可用於本系統，請使用自然人憑證',
    en: 'This system accepts citizen certificate cards only; use a citizen card',
  },
  // A card login whose card was 刪除'd (or whose account 客服 closed) since: the session must end. LOGIN_ENDED (an
  // HTTP 401: the request is no longer authenticated), not FORBIDDEN (a 403 says "logged in, but not allowed", and
  // a client would not log in again). A card command made for it is refused with the same code and refusal and
  // audited as any other refused command; checkCardSession, a read, audits nothing.
  LOGIN_CARD_NO_LONGER_BOUND: {
    code: 'LOGIN_ENDED',
    zhTW: '登入已失效：登入所用之自然人憑證已不再綁定此帳號，請重新以自然人憑證登入',
    en: 'This login has ended: the citizen card it was made with is no longer bound to the account; log in again with a citizen card',
  },
  // The next step of an application a new one for its 管制編號 replaced (abandoned): the state is why the step is
  // refused, so the code stays INVALID_TRANSITION; the sentence says what happened and what to do.
  APPLICATION_REPLACED: {
    code: 'INVALID_TRANSITION',
    zhTW: '此帳號申請已由相同管制編號之新申請取代，無法繼續填寫；如需申請，請重新輸入管制編號送出申請',
    en: 'This application was replaced by a newer one for the same control number and cannot go on; to apply, enter the control number again',
  },
  LOGIN_NOT_ENABLED: { code: 'NOT_AUTHORIZED', zhTW: '此憑證尚未啟用登入', en: 'This certificate is not enabled for login' },
  COMPANY_ID_MISMATCH: {
    code: 'NOT_AUTHORIZED',
    zhTW: '工商憑證之統一編號與申請資料不符',
    en: 'The company card\'s business ID does not match the application',
  },
  VERIFIED_LOGIN_REQUIRED: { code: 'NOT_AUTHORIZED', zhTW: '請先以憑證完成登入驗證', en: 'A verified card login is required' },
  MEMBER_NAME_MISMATCH: { code: 'NOT_AUTHORIZED', zhTW: '憑證姓名與會員資料不符', en: 'The certificate names another person than the member' },
  MEMBER_ID_MISMATCH: { code: 'NOT_AUTHORIZED', zhTW: '憑證與會員身分證統一編號不符', en: 'The certificate\'s ID hint does not match the member' },
  CERTIFICATE_NOT_UPLOADED: { code: 'NOT_AUTHORIZED', zhTW: '此憑證尚未上傳至會員帳號', en: 'This certificate is not uploaded to a member account' },
  OPERATOR_NOT_AUTHORIZED: {
    code: 'NOT_AUTHORIZED',
    zhTW: '此自然人憑證序號未經授權（若憑證已展期或換卡，請授權管理者修改憑證序號）',
    en: 'This card is not an authorised operator (after a renewal or a new card, the administrator updates the serial)',
  },
  OPERATOR_ID_MISMATCH: {
    code: 'NOT_AUTHORIZED',
    zhTW: '授權經辦人身分證統一編號與自然人憑證不符',
    en: 'The operator\'s ID number does not match the card',
  },
  OPERATOR_PERMISSION_MISSING: { code: 'NOT_AUTHORIZED', zhTW: '授權經辦人未獲授權此功能', en: 'The operator is not authorised for this function' },
  ORGANIZATION_NOT_REGISTERED: { code: 'NOT_AUTHORIZED', zhTW: '機關尚未完成憑證註冊', en: 'The agency has not completed its registration' },
  AGENCY_CARD_MISMATCH: {
    code: 'NOT_AUTHORIZED',
    zhTW: '機關憑證與註冊資料不符（若機關憑證已更換，請使用更換機關憑證）',
    en: 'The agency card does not match the registration (after a renewal, use the agency card replacement)',
  },
  ADMINISTRATOR_CARD_MISMATCH: {
    code: 'NOT_AUTHORIZED',
    zhTW: '授權管理者自然人憑證與註冊資料不符（若憑證已更換，請使用更換授權管理者自然人憑證）',
    en: 'The administrator\'s card does not match the registration (after a renewal, use the administrator card replacement)',
  },
  CITIZEN_CARD_LOGIN_DISABLED: { code: 'LOGIN_METHOD_DISABLED', zhTW: '自然人憑證登入為停用', en: 'Citizen card login is disabled for this account' },
  COMPANY_CARD_LOGIN_DISABLED: { code: 'LOGIN_METHOD_DISABLED', zhTW: '工商憑證登入為停用', en: 'Company card login is disabled for this account' },
  // CARD_ALREADY_BOUND's own text is the GPS seed's (管制編號); the other flows bind to other things.
  CERTIFICATE_ENABLED_ELSEWHERE: {
    code: 'CARD_ALREADY_BOUND',
    zhTW: '此憑證已啟用於其他事業的憑證登入，無法重複設置',
    en: 'This certificate is already enabled for another company\'s login',
  },
  CARD_UPLOADED_BY_OTHER_MEMBER: {
    code: 'CARD_ALREADY_BOUND',
    zhTW: '此自然人憑證已上傳至其他會員帳號',
    en: 'This card is already uploaded to another member account',
  },
  // A bound 卡號 whose presented certificate is not the bound one and does not pass the renewal rule.
  RENEWAL_MISMATCH: {
    code: 'NOT_AUTHORIZED',
    zhTW: '此卡號已綁定之憑證與登入憑證不符，無法視為展期憑證，請洽承辦人員',
    en: 'This card number is bound to another certificate, and this one does not qualify as its renewal; contact the service desk',
  },
  VERIFICATION_CODE_SPENT: {
    code: 'VERIFICATION_CODE_INVALID',
    zhTW: '此驗證碼已啟用過同類憑證，若要再啟用其他憑證，請重新申請驗證碼',
    en: 'This verification code already enabled a card of this kind; request a new code to enable another',
  },
  RENEWED_CERTIFICATE_BOUND_ELSEWHERE: {
    code: 'CARD_ALREADY_BOUND',
    zhTW: '展期後的憑證已綁定於其他卡片或帳號，請洽承辦人員',
    en: 'The renewed certificate is already bound to another card or account; contact the service desk',
  },
  // The EMIC manual: 「待該帳號啟用後，繼續完成公務轉換申請步驟」, the 啟動連結 of the 會員確認信 and 重寄確認信 (注意事項).
  // The mail is the host's, so neither names the seed's system (我的E政府) nor the link's seven days.
  APPLICANT_NOT_ACTIVATED: {
    code: 'NOT_AUTHORIZED',
    zhTW: '帳號尚未啟用，請先點擊會員確認信中的「啟動連結」（若未收到確認信或該連結已失效，請重寄確認信），待該帳號啟用後，繼續完成公務轉換申請步驟',
    en: 'The account is not activated yet: click the activation link in the confirmation mail (if it never came or has expired, have it sent again), then continue the official-account application',
  },
  // 憑證上傳 and 憑證登入 of a member not (or no longer) activated: the same cause, without the application step.
  MEMBER_NOT_ACTIVATED: {
    code: 'NOT_AUTHORIZED',
    zhTW: '帳號尚未啟用，請先點擊會員確認信中的「啟動連結」啟用帳號（若未收到確認信或該連結已失效，請重寄確認信）',
    en: 'The account is not activated: click the activation link in the confirmation mail first (if it never came or has expired, have it sent again)',
  },
  // An account the host deactivated (停用) after it was activated: the 啟動連結 was clicked long ago, so the two
  // sentences above would send the member to a link that cannot help. The manual has no words for 停用 beyond its
  // 「待該帳號啟用後」 and 客服中心; the host reactivates, so the member is sent there. One reason for every step
  // (申請, 憑證上傳, 憑證登入, and the reviewer's commands on an application): the cause and the remedy are the same.
  MEMBER_DEACTIVATED: {
    code: 'NOT_AUTHORIZED',
    zhTW: '帳號已停用，待該帳號重新啟用後始可申請公務帳號、上傳憑證或以憑證登入；如有疑問，請洽客服中心',
    en: 'The account has been deactivated: once it is reactivated it can apply for the official account, upload a card and log in with it again; contact the service desk with any question',
  },
};

/**
 * The error of a refusal: its code, the Chinese sentence as message (with an
 * English `detail` for logs when one helps), and `refusal` set to the reason.
 */
export function refusalError(reason: EnrollRefusalReason, detail?: string): EnrollError {
  const r = ENROLL_REFUSALS[reason];
  return new EnrollError(r.code, detail === undefined ? r.zhTW : `${r.zhTW} (${detail})`, { refusal: reason });
}

/**
 * The INVALID_TRANSITION of a step refused for a cause a person should be told
 * (an `InvalidTransitionError`, so `flow`, `from` and `event` stay readable),
 * with `refusal` set to the reason.
 */
export function refusedTransition(flow: string, from: string, event: string, reason: EnrollRefusalReason): InvalidTransitionError {
  return new InvalidTransitionError(flow, from, event, { reason, sentence: ENROLL_REFUSALS[reason].zhTW });
}

/**
 * Refuses card holders any of which did not come out of a login verification
 * (`cardHolderFromLogin`): certificate serials and card numbers are not
 * secret, so a holder built from request data could log in as any bound card.
 * @throws EnrollError `NOT_AUTHORIZED`, refusal `VERIFIED_LOGIN_REQUIRED`.
 */
export function requireVerifiedLogin(...cards: ReadonlyArray<{ readonly verified: boolean }>): void {
  if (cards.some((card) => !card.verified)) {
    throw refusalError('VERIFIED_LOGIN_REQUIRED', "pass the certificate layer's verified login through cardHolderFromLogin");
  }
}
