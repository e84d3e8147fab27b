import { constants, publicEncrypt, randomBytes, verify, X509Certificate } from 'node:crypto';
import { HiCOSError, InvalidPinFormatError, type HiCOSCard } from '../../apdu/index.js';
import { PIN_RULE_MESSAGES } from '../../messages/tables/card.js';
import { check, reason, type DoctorCheck } from './doctor-check.js';
import { triesLeft } from '../../shared/tries-left.js';

const TITLE_PIN = { zhTW: 'PIN碼驗證', en: 'PIN verification' } as const;
const TITLE_SIGN = { zhTW: '簽章與驗章', en: 'Sign and verify' } as const;
const TITLE_DECRYPT = { zhTW: '加密與解密', en: 'Encrypt and decrypt' } as const;

async function signRoundTrip(card: HiCOSCard, pin: Uint8Array): Promise<DoctorCheck> {
  const cert = (await card.certificates()).find((c) => c.usage === 'SIGN');
  if (!cert) return check('sign', TITLE_SIGN, 'fail', { en: 'the card has no SIGN certificate', zhTW: '卡片沒有簽章憑證' });
  const data = randomBytes(32);
  const signature = await card.sign(data, { hash: 'sha256', pin });
  const ok = verify('sha256', data, new X509Certificate(cert.der).publicKey, signature);
  const detail = ok
    ? { en: 'the signature verifies with the SIGN certificate', zhTW: '簽章可以簽章憑證驗證' }
    : { en: 'the signature does not verify with the SIGN certificate', zhTW: '簽章無法以簽章憑證驗證' };
  return check('sign', TITLE_SIGN, ok ? 'ok' : 'fail', detail, {
    zhTW: '卡片簽章與憑證不符，請聯絡發卡單位',
    en: 'The card signature does not match its certificate: contact the issuer',
  });
}

async function decryptRoundTrip(card: HiCOSCard, pin: Uint8Array): Promise<DoctorCheck> {
  const cert = (await card.certificates()).find((c) => c.usage === 'KEYX');
  if (!cert) return check('decrypt', TITLE_DECRYPT, 'fail', { en: 'the card has no KEYX certificate', zhTW: '卡片沒有加密憑證' });
  const data = randomBytes(32);
  const ciphertext = publicEncrypt({ key: new X509Certificate(cert.der).publicKey, padding: constants.RSA_PKCS1_PADDING }, data);
  const plain = await card.decrypt(ciphertext, { pin });
  const ok = Buffer.from(plain).equals(data);
  const detail = ok
    ? { en: 'the card decrypts what its KEYX certificate encrypts', zhTW: '卡片可解開以其加密憑證加密的資料' }
    : { en: 'the decrypted data differs', zhTW: '解密結果與原資料不符' };
  return check('decrypt', TITLE_DECRYPT, ok ? 'ok' : 'fail', detail, {
    zhTW: '卡片解密結果不符，請聯絡發卡單位',
    en: 'The card decrypted the wrong data: contact the issuer',
  });
}

const REMEDY_PIN_FORMAT = { zhTW: 'PIN碼須為6至8碼', en: 'The PIN must be 6 to 8 characters' } as const;
/** The catalogue's words for a PIN typed as a date: one wording, for the doctor and every host. */
const REMEDY_PIN_DATE = PIN_RULE_MESSAGES.DATE_SHAPED;
const REMEDY_VERIFY_FAILED = {
  zhTW: '卡片或讀卡機無法完成PIN碼驗證：請重新插卡，關閉其他占用讀卡機的程式後再試；仍失敗請確認為 HiCOS 憑證IC卡',
  en: 'The card or reader could not complete the PIN check: re-insert the card, close programs that hold the reader and retry; if it still fails, check it is a HiCOS certificate card',
} as const;

/**
 * What to do when VERIFY did not answer right or wrong. Only a PIN refused before sending
 * (`INVALID_PIN_FORMAT`) is about its form: typed as a date, or else its length; a card status, a garbled answer
 * or a lost reader is not, and length advice there would have the holder doubt a good PIN.
 */
function remedyOf(error: unknown): { zhTW: string; en: string } {
  if (error instanceof InvalidPinFormatError && error.rule === 'date-shaped') return REMEDY_PIN_DATE;
  return error instanceof HiCOSError && error.code === 'INVALID_PIN_FORMAT' ? REMEDY_PIN_FORMAT : REMEDY_VERIFY_FAILED;
}

/**
 * PIN verification, then sign-and-verify and encrypt-and-decrypt round trips.
 * Each key operation presents the (now known good) PIN again: Gen2 cards open a
 * fresh secure channel per private-key operation.
 * Runs only when the user gave a PIN; the SDK's last-try guard stays on, so the
 * doctor never spends a card's last try.
 */
export async function pinChecks(card: HiCOSCard, pin: Uint8Array): Promise<DoctorCheck[]> {
  let result;
  try {
    result = await card.verifyPin(pin);
  } catch (error) {
    if (error instanceof HiCOSError && error.code === 'LAST_TRY_GUARD') {
      return [
        check('pin', TITLE_PIN, 'fail', { en: 'one try left: the doctor does not risk locking the card', zhTW: 'PIN碼僅剩一次機會：檢測工具不冒鎖卡的風險' }, {
          zhTW: 'PIN碼僅剩一次機會：請確認PIN碼後再試（twpki verify-pin --allow-last-try），或以用戶代碼解鎖',
          en: 'One PIN try left: make sure of the PIN and retry with twpki verify-pin --allow-last-try',
        }),
      ];
    }
    return [check('pin', TITLE_PIN, 'fail', reason(error), remedyOf(error))];
  }
  if (result.status === 'locked') {
    return [check('pin', TITLE_PIN, 'fail', { en: 'the card is locked', zhTW: '卡片已鎖卡' }, { zhTW: '卡片已鎖卡：請以用戶代碼至內政部憑證管理中心網站線上解鎖', en: 'The card is locked: unlock it online at MOICA with your user code' })];
  }
  if (result.status === 'wrong') {
    const left = result.retriesLeft;
    // A card that does not say how many tries are left gets no count (not 「剩餘 ? 次機會」): the form's rule instead.
    return [
      left === undefined
        ? check('pin', TITLE_PIN, 'fail', { en: 'wrong PIN (the card did not say how many tries are left)', zhTW: 'PIN碼錯誤（卡片未告知剩餘次數）' }, {
            zhTW: 'PIN碼錯誤：PIN碼輸入錯誤連3次將鎖卡，請確認PIN碼後再試',
            en: 'Wrong PIN: three wrong PINs in a row lock the card; make sure of the PIN before trying again',
          })
        : check('pin', TITLE_PIN, 'fail', { en: `wrong PIN, ${triesLeft(left)}`, zhTW: `PIN碼錯誤，剩餘 ${left} 次機會` }, {
            zhTW: `PIN碼錯誤，剩餘 ${left} 次機會，連續錯誤將鎖卡`,
            en: `Wrong PIN, ${triesLeft(left)}; more wrong tries lock the card`,
          }),
    ];
  }
  const checks = [check('pin', TITLE_PIN, 'ok', { en: 'PIN accepted', zhTW: 'PIN碼正確' })];
  for (const run of [signRoundTrip, decryptRoundTrip]) {
    try {
      checks.push(await run(card, pin));
    } catch (error) {
      const title = run === signRoundTrip ? TITLE_SIGN : TITLE_DECRYPT;
      checks.push(check(run === signRoundTrip ? 'sign' : 'decrypt', title, 'fail', reason(error), { zhTW: '卡片運算失敗，請重新插卡後再試', en: 'The card operation failed: re-insert the card and retry' }));
    }
  }
  return checks;
}
