import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HICOS_ERROR_CODES, PinRejectedError } from '../../src/apdu/errors.js';
import { resolvePinPolicy, validatePin } from '../../src/apdu/pin/pin-policy.js';
import { MOICA_LIFECYCLE_ERROR_CODES } from '../../src/cert/lifecycle/errors.js';
import { CERTIFICATE_PARSE_ERROR_CODES, CertificateParseError } from '../../src/cert/profile/errors.js';
import { CHAIN_ERROR_CODES, ChainValidationError, REVOCATION_ERROR_CODES } from '../../src/cert/trust/errors.js';
import { DOCUMENT_FORMAT_ERROR_CODES } from '../../src/cert/trust/documents/errors.js';
import { CertificateExpiredError, CertificateUntrustedError } from '../../src/cert/trust/verification/errors.js';
import { ChallengeRejectedError, LOGIN_ERROR_CODES } from '../../src/cert/trust/login/errors.js';
import { EMS_ERROR_CODES } from '../../src/ems/errors.js';
import { validateBusinessId } from '../../src/ems/id/business-id.js';
import { validateCardNumber } from '../../src/ems/id/card-number.js';
import { validateControlNumber } from '../../src/ems/id/control-number.js';
import { validateEmail } from '../../src/ems/id/email.js';
import { identify } from '../../src/ems/id/identify.js';
import { validateNationalId, validateResidentId } from '../../src/ems/id/personal-id.js';
import { ENROLL_ERROR_CODES, ENROLL_REFUSAL_REASONS, EnrollError, FIELD_ISSUE_CODES, InvalidInputError, type FieldIssueCode } from '../../src/enroll/errors.js';
import { ENROLL_REFUSALS, refusalError } from '../../src/enroll/refusals.js';
import { CARD_HOLDER_ID_ISSUES } from '../../src/messages/tables/enroll.js';
import {
  CLI_ERROR_CODES,
  HTTP_ERROR_CODES,
  MESSAGE_KEYS,
  MessageCatalogue,
  defaultMessages,
  errorMessageKey,
  languageFromAcceptLanguage,
  languageFromLocale,
} from '../../src/messages/index.js';
import { PCSC_ERROR_CODES, PcscError } from '../../src/pcsc/errors.js';
import { TwpkiError } from '../../src/shared/twpki-error.js';
import { TEST_PKI_ERROR_CODES } from '../../src/testing/pki/errors.js';
import { VPCD_BRIDGE_ERROR_CODES, VpcdBridgeError } from '../../src/testing/vpcd/vpcd-bridge.js';

// Every layer's runtime code list, by catalogue domain: a code added to an
// errors file without a message fails here (and in the type check).
const CODE_LISTS: Record<string, readonly string[]> = {
  pcsc: PCSC_ERROR_CODES,
  card: HICOS_ERROR_CODES,
  certificate: CERTIFICATE_PARSE_ERROR_CODES,
  lifecycle: MOICA_LIFECYCLE_ERROR_CODES,
  chain: CHAIN_ERROR_CODES,
  revocation: REVOCATION_ERROR_CODES,
  login: LOGIN_ERROR_CODES,
  document: DOCUMENT_FORMAT_ERROR_CODES,
  ems: EMS_ERROR_CODES,
  enroll: ENROLL_ERROR_CODES,
  refusal: ENROLL_REFUSAL_REASONS,
  pin: ['DATE_SHAPED'],
  field: FIELD_ISSUE_CODES,
  cardHolderId: CARD_HOLDER_ID_ISSUES,
  vpcd: VPCD_BRIDGE_ERROR_CODES,
  'test-pki': TEST_PKI_ERROR_CODES,
  cli: CLI_ERROR_CODES,
  http: HTTP_ERROR_CODES,
};

const HAN = /\p{Script=Han}/u;

describe('message catalogue', () => {
  for (const [domain, codes] of Object.entries(CODE_LISTS)) {
    it(`has a zh-TW and an English message for every ${domain} code`, () => {
      expect(codes.length).toBeGreaterThan(0);
      for (const code of codes) {
        const m = defaultMessages.lookup(`${domain}.${code}`);
        expect(m, `${domain}.${code}`).toBeDefined();
        expect(m?.zhTW, `${domain}.${code} zh-TW`).toMatch(HAN);
        expect(m?.en.trim().length, `${domain}.${code} en`).toBeGreaterThan(3);
        expect(m?.en, `${domain}.${code} en is English`).not.toMatch(HAN);
      }
    });
  }

  it('has no message for a code no layer has (the lists and the tables agree both ways)', () => {
    const expected = new Set(Object.entries(CODE_LISTS).flatMap(([d, codes]) => codes.map((c) => `${d}.${c}`)));
    const errorKeys = MESSAGE_KEYS.filter((k) => !k.startsWith('id.'));
    expect(new Set(errorKeys)).toEqual(expected);
  });

  it('gives every reason any validator returns a message in both languages (property)', () => {
    const validators = {
      nationalId: validateNationalId,
      residentId: validateResidentId,
      businessId: validateBusinessId,
      cardNumber: validateCardNumber,
      controlNumber: validateControlNumber,
      email: validateEmail,
    } as const;
    const input = fc.oneof(
      fc.string({ maxLength: 20 }),
      fc.stringMatching(/^[A-Z][0-9A-Z][0-9]{6,9}$/),
      fc.stringMatching(/^[0-9]{6,10}$/),
      fc.stringMatching(/^[A-Z]{2}[0-9]{12,16}$/),
      fc.stringMatching(/^[a-z.@]{0,12}$/),
      fc.constantFrom(null, 42, '', '   ', 'x'.repeat(400)),
    );
    fc.assert(
      fc.property(input, (value) => {
        for (const [kind, validate] of Object.entries(validators)) {
          const r = validate(value);
          const m = defaultMessages.identificationMessages({ kind: kind as keyof typeof validators, ...r, reason: r.valid ? null : r.reason });
          if (r.valid) expect(m).toBeUndefined();
          else {
            expect(m, `id.${kind}.${r.reason}`).toBeDefined();
            expect(m?.zhTW).toMatch(HAN);
          }
        }
        const id = identify(value);
        const m = defaultMessages.identificationMessages(id);
        expect(m === undefined).toBe(id.valid);
      }),
      { numRuns: 400 },
    );
  });

  it('names the field in the seeds\' words for concrete validator failures', () => {
    const r = validateNationalId('A123456788');
    expect(r.valid).toBe(false);
    expect(defaultMessages.identificationMessages({ kind: 'nationalId', ...r, reason: r.valid ? null : r.reason })?.zhTW).toBe(
      '身分證統一編號檢查碼錯誤，請確認是否輸入正確',
    );
    expect(defaultMessages.idMessages('businessId', 'INVALID_LENGTH').zhTW).toBe('統一編號為8碼數字');
  });

  it('describes errors by domain, keeping apart codes two layers spell alike', () => {
    expect(errorMessageKey(new ChainValidationError('CHAIN_CERT_EXPIRED', 'x'))).toBe('chain.CHAIN_CERT_EXPIRED');
    expect(errorMessageKey(new ChallengeRejectedError('CHALLENGE_USED', 'x'))).toBe('login.CHALLENGE_USED');
    expect(errorMessageKey(new EnrollError('INVALID_INPUT', 'x'))).toBe('enroll.INVALID_INPUT');
    expect(errorMessageKey(new CertificateParseError('BAD_PEM', 'x'))).toBe('certificate.BAD_PEM');
    expect(errorMessageKey(new VpcdBridgeError('CONNECT_FAILED', 'x'))).toBe('vpcd.CONNECT_FAILED');
    expect(errorMessageKey(new TwpkiError('WHATEVER', 'x'))).toBeUndefined();
    expect(errorMessageKey(new Error('x'))).toBeUndefined();

    const d = defaultMessages.describe(new PcscError('NO_READER', 'no readers (SCARD_E_NO_READERS_AVAILABLE)'));
    expect(d).toEqual({
      code: 'NO_READER',
      key: 'pcsc.NO_READER',
      messages: { zhTW: '無可用讀卡機，請確認已備妥讀卡機', en: 'No card reader is available; connect a reader' },
      detail: 'no readers (SCARD_E_NO_READERS_AVAILABLE)',
    });
    const unexpected = defaultMessages.describe(new RangeError('boom'));
    expect(unexpected.key).toBe('cli.INTERNAL');
    expect(unexpected.detail).toBe('boom');
  });

  it('gives card holders advice that holds for every card a site may accept', () => {
    // An expired MOICA certificate can be renewed (展期) on the same card: the message must not say only "replace the card".
    const expired = defaultMessages.describe(new CertificateExpiredError('CERT_EXPIRED', 'x')).messages;
    expect(expired.zhTW).toContain('展期');
    expect(expired.en).toMatch(/renew it/);
    // Which cards a site accepts is its configuration: an untrusted certificate's message names no kind of card.
    const untrusted = defaultMessages.describe(new CertificateUntrustedError('ISSUER_NOT_FOUND', 'x')).messages;
    for (const kind of ['自然人憑證', '工商憑證', '機關憑證', '團體憑證', '醫事憑證']) expect(untrusted.zhTW).not.toContain(kind);
    expect(untrusted.en).not.toMatch(/citizen|organisation/);
  });

  it('words a PIN typed as a 民國 date by what to do, not by the length it already has', () => {
    const refused = (pin: string): unknown => {
      try {
        validatePin(Buffer.from(pin), resolvePinPolicy());
      } catch (error) {
        return error;
      }
      throw new Error(`${pin} was not refused`);
    };
    // What `twpki verify-pin`, `sign` and a host's describe() show: the length advice sent the holder to type
    // 79/01/01 (8 characters) again.
    const date = defaultMessages.describe(refused('79/01/01'));
    expect(date.code).toBe('INVALID_PIN_FORMAT');
    expect(date.key).toBe('pin.DATE_SHAPED');
    expect(date.messages.zhTW).toContain('790101');
    expect(date.messages.zhTW).not.toContain('6至8碼');
    expect(date.messages.en).not.toMatch(HAN);
    // The other rules keep the code's message, and a host rewords the date's alone.
    expect(defaultMessages.describe(refused('12345')).key).toBe('card.INVALID_PIN_FORMAT');
    expect(defaultMessages.describe(refused('１２３４５６')).key).toBe('card.INVALID_PIN_FORMAT');
    const c = new MessageCatalogue({ 'pin.DATE_SHAPED': { zhTW: '請只輸入6碼數字' } });
    expect(c.describe(refused('79-1-1')).messages.zhTW).toBe('請只輸入6碼數字');
  });

  it('describes a refused card by its exact cause, keeping the error code', () => {
    for (const reason of ENROLL_REFUSAL_REASONS) {
      const err = refusalError(reason, 'detail for the log');
      expect(err.code).toBe(ENROLL_REFUSALS[reason].code);
      expect(err.refusal).toBe(reason);
      const d = defaultMessages.describe(err);
      expect(d.code).toBe(ENROLL_REFUSALS[reason].code);
      expect(d.key).toBe(`refusal.${reason}`);
      expect(d.messages).toEqual({ zhTW: ENROLL_REFUSALS[reason].zhTW, en: ENROLL_REFUSALS[reason].en });
      expect(d.detail).toBe(`${ENROLL_REFUSALS[reason].zhTW} (detail for the log)`);
    }
    // The seeds word the causes differently; the catalogue does not fall back to the code's one sentence.
    expect(defaultMessages.describe(refusalError('COMPANY_ID_MISMATCH')).messages.zhTW).toBe('工商憑證之統一編號與申請資料不符');
    expect(defaultMessages.describe(refusalError('COMPANY_CARD_LOGIN_DISABLED')).messages.zhTW).toBe('工商憑證登入為停用');
    expect(defaultMessages.describe(new EnrollError('NOT_AUTHORIZED', 'x')).key).toBe('enroll.NOT_AUTHORIZED');
    // An application rewords one cause without touching the others.
    const c = new MessageCatalogue({ 'refusal.LOGIN_NOT_ENABLED': { zhTW: '請先至啟用憑證頁面啟用' } });
    expect(c.describe(refusalError('LOGIN_NOT_ENABLED')).messages.zhTW).toBe('請先至啟用憑證頁面啟用');
    expect(c.describe(refusalError('CARD_NOT_BOUND')).messages.zhTW).toBe(ENROLL_REFUSALS.CARD_NOT_BOUND.zhTW);
  });

  it('words each field of an INVALID_INPUT by its issue code, in both languages', () => {
    const err = new InvalidInputError([
      { field: 'contactEmail', code: 'INVALID_ID', reason: 'not an e-mail address' },
      { field: 'attested', code: 'NOT_CONFIRMED', reason: 'must be confirmed (true)' },
    ]);
    expect(err.issues.map((i) => defaultMessages.fieldIssueMessages(i).zhTW)).toEqual(['格式或檢查碼不正確', '請勾選確認']);
    expect(defaultMessages.fieldIssueMessages({ code: 'FILE_TOO_LARGE' }).en).toBe('the file is too large');
    const c = new MessageCatalogue({ 'field.REQUIRED': { zhTW: '此欄位必須填寫' } });
    expect(c.fieldIssueMessages({ code: 'REQUIRED' })).toEqual({ zhTW: '此欄位必須填寫', en: 'is required' });
  });

  it('words a 身分證統一編號 typed beside a citizen card as whole sentences, telling the card from the registration', () => {
    const zh = (code: FieldIssueCode) => defaultMessages.cardHolderIdMessages({ code }).zhTW;
    expect(zh('MISMATCH')).toBe('身分證統一編號與自然人憑證不符，請確認輸入是否正確');
    expect(zh('NOT_ON_RECORD')).toBe('身分證統一編號與註冊之授權管理者不符，請確認輸入是否正確');
    expect(zh('REQUIRED')).toBe('請輸入身分證統一編號');
    expect(zh('INVALID_ID')).toBe('身分證統一編號格式或檢查碼錯誤，請確認是否輸入正確');
    // Any other code of such a field is no valid ID to the person typing it.
    for (const code of ['NOT_TEXT', 'UNSTORABLE_TEXT', 'TOO_LONG'] as const) expect(zh(code)).toBe(zh('INVALID_ID'));
    const en = (code: FieldIssueCode) => defaultMessages.cardHolderIdMessages({ code }).en;
    expect(new Set(CARD_HOLDER_ID_ISSUES.map(en)).size).toBe(CARD_HOLDER_ID_ISSUES.length);
    const c = new MessageCatalogue({ 'cardHolderId.NOT_ON_RECORD': { zhTW: '非本機關註冊之授權管理者' } });
    expect(c.cardHolderIdMessages({ code: 'NOT_ON_RECORD' })).toEqual({ zhTW: '非本機關註冊之授權管理者', en: defaultMessages.cardHolderIdMessages({ code: 'NOT_ON_RECORD' }).en });
  });

  it('fills the tries left into the wrong-PIN message', () => {
    const d = defaultMessages.describe(new PinRejectedError(false, 2, '63C2'));
    expect(d.messages.zhTW).toBe('PIN碼錯誤，剩餘2次機會');
    expect(d.messages.en).toBe('Wrong PIN, 2 tries left');
    expect(defaultMessages.describe(new PinRejectedError(false, 1, '63C1')).messages.en).toBe('Wrong PIN, 1 try left');
    expect(new PinRejectedError(false, 1, '63C1').message).toBe('wrong PIN, 1 try left (63C1)');
    expect(defaultMessages.describe(new PinRejectedError(true, 0, '6983')).key).toBe('card.PIN_LOCKED');
    // A bare 6300 with no count known: the count is unknown, never "undefined".
    const unknown = defaultMessages.describe(new PinRejectedError(false, undefined, '6300'));
    expect(unknown.messages).toEqual({ zhTW: 'PIN碼錯誤，剩餘?次機會', en: 'Wrong PIN, ? tries left' });
  });

  it('lets the application override one language of one key and keeps the rest', () => {
    const c = new MessageCatalogue({ 'login.CHALLENGE_EXPIRED': { zhTW: '閒置過久，請重新登入' } });
    const d = c.describe(new ChallengeRejectedError('CHALLENGE_EXPIRED', 'expired'));
    expect(d.messages).toEqual({ zhTW: '閒置過久，請重新登入', en: defaultMessages.lookup('login.CHALLENGE_EXPIRED')?.en });
    expect(c.lookup('login.CHALLENGE_USED')).toEqual(defaultMessages.lookup('login.CHALLENGE_USED'));
    expect(defaultMessages.lookup('login.CHALLENGE_EXPIRED')?.zhTW).toBe('登入逾時，請重新登入');
  });

  it('refuses an override of a key it does not have, or an empty one, naming it', () => {
    expect(() => new MessageCatalogue({ ['login.CHALENGE_USED' as 'login.CHALLENGE_USED']: { en: 'x' } })).toThrow(/login\.CHALENGE_USED/);
    expect(() => new MessageCatalogue({ 'login.CHALLENGE_USED': { en: ' ' } })).toThrow(/login\.CHALLENGE_USED"\.en/);
  });
});

describe('language choice', () => {
  it('reads the POSIX locale with LC_ALL > LC_MESSAGES > LANG', () => {
    expect(languageFromLocale({ LANG: 'zh_TW.UTF-8' })).toBe('zh-TW');
    expect(languageFromLocale({ LANG: 'en_US.UTF-8' })).toBe('en');
    expect(languageFromLocale({ LC_ALL: 'C', LANG: 'zh_TW.UTF-8' })).toBe('en');
    expect(languageFromLocale({ LC_ALL: 'zh_TW.Big5', LANG: 'en_US.UTF-8' })).toBe('zh-TW');
    expect(languageFromLocale({ LC_ALL: '', LC_MESSAGES: 'zh_TW', LANG: 'C' })).toBe('zh-TW');
    expect(languageFromLocale({})).toBe('en');
    expect(languageFromLocale({ LANG: 'zhx' })).toBe('en');
  });

  it('reads Accept-Language by q-value', () => {
    expect(languageFromAcceptLanguage('en-US,en;q=0.9,zh-TW;q=0.8')).toBe('en');
    expect(languageFromAcceptLanguage('zh-TW,zh;q=0.9,en;q=0.8')).toBe('zh-TW');
    expect(languageFromAcceptLanguage('fr;q=1, en;q=0.2, zh-Hant;q=0.5')).toBe('zh-TW');
    expect(languageFromAcceptLanguage('fr', 'en')).toBe('en');
    expect(languageFromAcceptLanguage(undefined)).toBe('zh-TW');
    expect(languageFromAcceptLanguage('en;q=0, zh;q=0')).toBe('zh-TW');
  });
});
