/**
 * twpki/browser in headless Chromium against a stub of the official
 * component (its response shapes, its string postMessage popup), bundled
 * with esbuild and loaded by a plain <script type="module">.
 */
import type { Browser, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LastError, lastErrorMessage, RetCode, retCodeMessage } from '../../src/component/codes.js';
import type { ComponentPresent, SignResult } from '../../src/browser/index.js';
import { CHROMIUM, chromiumAvailable, launchChromium } from './chromium.js';
import { CARD_NUMBER, CA_CERT_B64, OFFICIAL_VERSION, READER, USER_CERT_B64, officialPkcs11Info, officialSignFailure, officialSignSuccess } from './support/official-shapes.js';
import { startOfficialStub, type OfficialStub } from './support/official-stub.js';
import { errorOf, inPage, valueOf } from './support/page-driver.js';
import { openClientPage, startTestPage, unusedPort, type TestPageServer } from './support/page-server.js';

const PIN = '739184';

describe.runIf(chromiumAvailable())('twpki/browser against the official component’s shapes', () => {
  let browser: Browser;
  let stub: OfficialStub;
  let site: TestPageServer;
  let page: Page;

  beforeAll(async () => {
    [browser, stub, site] = await Promise.all([launchChromium(), startOfficialStub(), startTestPage()]);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await stub?.close();
    await site?.close();
  });

  beforeEach(async () => {
    stub.reset();
    page = await openClientPage(browser, site);
  });

  afterEach(async () => {
    await page?.close();
  });

  const opts = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({ url: stub.url, ...extra });

  it('detect reads readers, the card, the "CA Cert" entry and empty optional fields', async () => {
    const found = valueOf(await inPage<ComponentPresent>(page, 'detect', { options: opts() }));
    expect(found.present).toBe(true);
    expect(found.version).toBe(OFFICIAL_VERSION);
    expect(found.channel).toBe('direct');
    expect(found.slots.map((s) => [s.id, s.description, s.state])).toEqual([
      [0, 'Empty Reader 0', 'empty'],
      [1, READER, 'card'],
      [2, 'Other Reader 2', 'unknown'],
    ]);
    expect(found.slot?.description).toBe(READER);
    const token = found.token;
    expect(token?.serialNumber).toBe(CARD_NUMBER);
    expect(token?.pinState).toBe('countLow');
    expect([token?.minPinLength, token?.maxPinLength]).toEqual([6, 8]);
    expect(token?.model).toBeUndefined(); // "" in the answer
    expect(token?.certificates.map((c) => [c.label, c.isCA])).toEqual([
      ['CA Cert', true],
      ['cert1', false],
      ['cert2', false],
    ]);
    const ca = token?.caCertificate;
    expect(ca?.usage).toEqual(['keyCertSign', 'cRLSign']);
    expect(ca?.subjectName).toBeUndefined();
    expect(ca?.idHint).toBeUndefined();
    expect(ca?.notBefore?.toISOString()).toBe(new Date(1_399_939_200_000).toISOString());
    expect(ca?.subject.attributes).toEqual([
      { type: 'C', value: 'TW' },
      { type: 'O', value: '行政院' },
      { type: 'OU', value: '內政部憑證管理中心' },
    ]);
    const user = token?.userCertificate;
    expect(user?.label).toBe('cert1');
    expect(user?.usage).toEqual(['digitalSignature']);
    expect(user?.subjectName).toBe('王小明');
    expect(user?.idHint).toBe('1234');
    expect(user?.serialNumber).toBe('3A8F0C11D2');
    expect(user?.subject.text).toBe('C=TW,CN=王小明,serialNumber=0000000000001234');
    expect(user?.subject.attributes.map((a) => `${a.type}=${a.value}`)).toEqual(['C=TW', 'CN=王小明', 'serialNumber=0000000000001234']);
    expect(user?.notAfter?.toISOString()).toBe('2029-01-01T15:59:59.000Z');
    expect(user?.email).toBeUndefined();
    expect(user?.certificate).toBeUndefined(); // no withcert
    expect(token?.certificates[2]?.usage).toEqual(['keyEncipherment', 'dataEncipherment']);
    expect(stub.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /pkcs11info']);
  });

  it('detect with certificates asks withcert=true and returns each certificate', async () => {
    const found = valueOf(await inPage<ComponentPresent>(page, 'detect', { options: opts({ certificates: true }) }));
    expect(found.token?.caCertificate?.certificate).toBe(CA_CERT_B64);
    expect(found.token?.userCertificate?.certificate).toBe(USER_CERT_B64);
  });

  it('the explicit popup mode talks through /popupForm with string messages', async () => {
    const found = valueOf(await inPage<ComponentPresent>(page, 'detect', { options: opts({ mode: 'popup', certificates: true }) }));
    expect(found.channel).toBe('popup');
    expect(found.token?.serialNumber).toBe(CARD_NUMBER);
    expect(found.token?.userCertificate?.certificate).toBe(USER_CERT_B64);
    // The popup mapped GetUserCert to /pkcs11info?withcert=true.
    expect(stub.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /popupForm', 'POST /pkcs11info']);

    const signed = valueOf(await inPage<SignResult>(page, 'sign', { request: { tbs: 'challenge', pin: PIN }, options: opts({ mode: 'popup' }), slotFromDetect: true }));
    expect(signed).toMatchObject({ channel: 'popup', cardNumber: CARD_NUMBER, certificate: USER_CERT_B64 });
    const signRequest = stub.requests.find((r) => r.path === '/sign');
    expect(signRequest?.tbsPackage).toMatchObject({ func: 'MakeSignature', tbs: 'challenge', pin: PIN, slotDescription: READER });
    // The popup closed itself after answering.
    await expect.poll(() => page.context().pages().length).toBe(1);
  });

  it('auto mode falls back to the popup when the page may not read the component directly', async () => {
    stub.cors = false;
    const direct = errorOf(await inPage(page, 'detect', { options: opts({ mode: 'direct' }) }));
    expect(direct.code).toBe('COMPONENT_DIRECT_REFUSED');

    const found = valueOf(await inPage<ComponentPresent>(page, 'detect', { options: opts() }));
    expect(found.channel).toBe('popup');
    stub.requests.length = 0;
    // The learned way is used for the signature: one popup, one /sign, no direct attempt.
    const signed = valueOf(await inPage<SignResult>(page, 'sign', { request: { tbs: 'x', pin: PIN, slot: found.slot }, options: opts() }));
    expect(signed.channel).toBe('popup');
    expect(stub.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /popupForm', 'POST /sign']);
  });

  it('sign sends the official request with empty optional fields and checks the card number', async () => {
    const signed = valueOf(await inPage<SignResult>(page, 'sign', { request: { tbs: '登入 challenge+A', pin: PIN }, options: opts() }));
    expect(signed).toMatchObject({ signatureType: 'PKCS7', hash: 'SHA256', cardNumber: CARD_NUMBER, certificate: USER_CERT_B64, channel: 'direct' });
    expect(signed.signature).toBe(officialSignSuccess(CARD_NUMBER).signature);
    expect(signed.componentVersion).toBe(OFFICIAL_VERSION);
    expect(JSON.stringify(signed)).not.toContain(PIN);
    const sent = stub.requests.filter((r) => r.path === '/sign');
    expect(sent).toHaveLength(1);
    expect(sent[0]?.contentType).toBe('application/x-www-form-urlencoded; charset=UTF-8');
    // Only the form's own syntax characters are escaped: Chinese goes as UTF-8, not 9 bytes a character.
    expect(sent[0]?.body).toContain('%2BA');
    expect(sent[0]?.body).toContain('登入');
    expect(sent[0]?.tbsPackage).toEqual({
      func: 'MakeSignature',
      signatureType: 'PKCS7',
      tbs: '登入 challenge+A',
      tbsEncoding: 'NONE',
      hashAlgorithm: 'SHA256',
      withCardSN: 'true',
      pin: PIN,
      nonce: '',
      slotDescription: READER,
    });

    // Text with a '%' goes as its UTF-8 bytes in base64: a component may read "%41" as percent-encoding.
    stub.requests.length = 0;
    valueOf(await inPage<SignResult>(page, 'sign', { request: { tbs: '登入 challenge+%41', pin: PIN }, options: opts() }));
    expect(stub.requests.filter((r) => r.path === '/sign')[0]?.tbsPackage).toMatchObject({
      tbs: Buffer.from('登入 challenge+%41', 'utf8').toString('base64'),
      tbsEncoding: 'base64',
    });

    stub.requests.length = 0;
    valueOf(
      await inPage<SignResult>(page, 'sign', {
        request: { pin: PIN, signatureType: 'PKCS1', hash: 'SHA512', withCardSN: false, nonce: 'n-1' },
        tbsBytes: [0, 1, 2, 250, 255],
        options: opts(),
        slotFromDetect: true,
      }),
    );
    expect(stub.requests.find((r) => r.path === '/sign')?.tbsPackage).toMatchObject({
      signatureType: 'PKCS1',
      tbs: 'AAEC+v8=',
      tbsEncoding: 'base64',
      hashAlgorithm: 'SHA512',
      withCardSN: 'false',
      nonce: 'n-1',
    });
  });

  it('a card number other than the detected token’s, or none when asked, is a mismatch', async () => {
    stub.sign = () => officialSignSuccess('TP03000099999999');
    const other = errorOf(await inPage(page, 'sign', { request: { tbs: 't', pin: PIN }, options: opts() }));
    expect(other.code).toBe('COMPONENT_CARD_MISMATCH');
    expect(other.messages.zhTW).toContain('卡號');

    stub.sign = () => officialSignSuccess('');
    expect(errorOf(await inPage(page, 'sign', { request: { tbs: 't', pin: PIN }, options: opts() })).code).toBe('COMPONENT_CARD_MISMATCH');
    // Not asked for: an empty cardSN is what the component sends, and the detected token is the card number.
    const unasked = valueOf(await inPage<SignResult>(page, 'sign', { request: { tbs: 't', pin: PIN, withCardSN: false }, options: opts() }));
    expect(unasked.cardNumber).toBe(CARD_NUMBER);
  });

  it('every official ret_code and last_error comes back typed, with both languages and the tries left', async () => {
    const cases: Array<[number, number]> = [
      ...Object.values(RetCode).filter((c) => c !== 0).map((c): [number, number] => [c, 0]),
      ...Object.values(LastError).filter((c) => c !== 0).map((c): [number, number] => [RetCode.CARD_LOGIN_FAILED, c]),
      [RetCode.CARD_LOGIN_FAILED, 0x80000001], // the unsigned spelling of "one try left"
      [0x76abcdef, 0xe0], // not in the tables
    ];
    stub.sign = (pkg) => {
      const [ret, last] = String(pkg.nonce).split(':').map(Number);
      return officialSignFailure(ret as number, last as number);
    };
    for (const [ret, last] of cases) {
      const error = errorOf(await inPage(page, 'sign', { request: { tbs: 't', pin: PIN, nonce: `${ret}:${last}` }, options: opts() }));
      expect(error).toMatchObject({ isComponentError: true, name: 'ComponentError', code: 'COMPONENT_FAILED', retCode: ret >>> 0, lastError: last | 0 });
      const retReason = retCodeMessage(ret);
      const lastReason = last === 0 ? undefined : lastErrorMessage(last);
      if (retReason) {
        expect(error.messages.zhTW).toContain(retReason.zhTW);
        expect(error.messages.en).toContain(retReason.en);
      } else {
        expect(error.messages.zhTW).toContain('未知的錯誤碼 0x76ABCDEF');
      }
      if (lastReason) expect(error.messages.zhTW).toContain(lastReason.zhTW);
      else if (last !== 0) expect(error.messages.en).toContain('Unknown code 0xE0');
      const expectedTries = { [LastError.PIN_INCORRECT_1_LEFT]: 1, [LastError.PIN_INCORRECT_2_LEFT]: 2, [LastError.PIN_LOCKED]: 0 }[last | 0];
      expect(error.triesLeft).toBe(expectedTries);
    }
  });

  it('a wrong PIN through the popup reports the tries left from the string reply', async () => {
    stub.sign = () => officialSignFailure(RetCode.CARD_LOGIN_FAILED, LastError.PIN_INCORRECT_2_LEFT);
    const error = errorOf(await inPage(page, 'sign', { request: { tbs: 't', pin: '654321' }, options: opts({ mode: 'popup' }), slotFromDetect: true }));
    expect(error).toMatchObject({ code: 'COMPONENT_FAILED', lastError: -2147483646, triesLeft: 2 });
    expect(error.messages.zhTW).toBe('IC卡登入失敗：PIN碼錯誤，剩餘兩次機會');
  });

  it('a site the component does not trust gets 0x76000031 from detect', async () => {
    stub.pkcs11info = () => ({ func: 'pkcs11info', ret_code: RetCode.UNTRUSTED_DOMAIN, last_error: 0, message: '' });
    const error = errorOf(await inPage(page, 'detect', { options: opts() }));
    expect(error).toMatchObject({ code: 'COMPONENT_FAILED', retCode: 0x76000031 });
    expect(error.messages.zhTW).toBe(retCodeMessage(RetCode.UNTRUSTED_DOMAIN)?.zhTW);
  });

  it('an answer that is not the component’s is a bad reply', async () => {
    stub.pkcs11info = () => ({ hello: 'world' });
    expect(errorOf(await inPage(page, 'detect', { options: opts() })).code).toBe('COMPONENT_BAD_REPLY');
  });

  it('refuses a missing or mis-sized PIN before anything is sent', async () => {
    const noPin = errorOf(await inPage(page, 'sign', { request: { tbs: 't', pin: '' }, options: opts() }));
    expect(noPin).toMatchObject({ code: 'COMPONENT_BAD_REQUEST', field: 'pin', retCode: RetCode.NO_PIN });
    expect(noPin.messages.zhTW).toBe('參數錯誤：未輸入PIN碼');
    expect(stub.requests).toHaveLength(0); // not even a detect
    const found = valueOf(await inPage<ComponentPresent>(page, 'detect', { options: opts() }));
    stub.requests.length = 0;
    const empty = errorOf(await inPage(page, 'sign', { request: { tbs: 't', pin: '', slot: found.slot }, options: opts() }));
    expect(empty).toMatchObject({ code: 'COMPONENT_BAD_REQUEST', field: 'pin', retCode: RetCode.NO_PIN });
    const short = errorOf(await inPage(page, 'sign', { request: { tbs: 't', pin: '123', slot: found.slot }, options: opts() }));
    expect(short).toMatchObject({ code: 'COMPONENT_BAD_REQUEST', field: 'pin', lastError: LastError.PIN_LEN_RANGE });
    expect(short.messages.zhTW).toContain('PIN碼長度錯誤');
    // Full-width digits (an input method in full-width mode), a space, a non-ASCII letter: never sent.
    // And a PIN a component could read as percent-escaped (12%2B456 would reach the card as 12+456).
    for (const pin of ['１２３４５６', '123 456', '12345é', '12%2B456', 'a%4a1234']) {
      const odd = errorOf(await inPage(page, 'sign', { request: { tbs: 't', pin, slot: found.slot }, options: opts() }));
      expect(odd).toMatchObject({ code: 'COMPONENT_BAD_REQUEST', field: 'pin', retCode: RetCode.PIN_FORMAT });
      expect(odd.messages.zhTW).toContain('輸入之PIN碼格式錯誤');
    }
    const noTbs = errorOf(await inPage(page, 'sign', { request: { tbs: '', pin: PIN, slot: found.slot }, options: opts() }));
    expect(noTbs).toMatchObject({ code: 'COMPONENT_BAD_REQUEST', field: 'tbs' });
    expect(stub.requests.filter((r) => r.path === '/sign')).toHaveLength(0);
  });

  it('a component that does not answer in time is a timeout, direct and through the popup', async () => {
    stub.hang.add('/pkcs11info');
    const direct = errorOf(await inPage(page, 'detect', { options: opts({ timeoutMs: 500 }) }));
    expect(direct.code).toBe('COMPONENT_TIMEOUT');
    expect(direct.messages.zhTW).toBe('跨平台網頁元件回應逾時');

    stub.hang.clear();
    stub.hang.add('/sign');
    const viaPopup = errorOf(
      await inPage(page, 'sign', { request: { tbs: 't', pin: PIN }, options: opts({ mode: 'popup', timeoutMs: 1500 }), slotFromDetect: true }),
    );
    expect(viaPopup.code).toBe('COMPONENT_TIMEOUT');
    await expect.poll(() => page.context().pages().length).toBe(1); // the client closed its popup
  });

  it('a popup closed by the user before answering is reported as such', async () => {
    stub.hang.add('/sign');
    const popupOpened = page.context().waitForEvent('page');
    const outcome = inPage(page, 'sign', { request: { tbs: 't', pin: PIN, slot: undefined }, options: opts({ mode: 'popup', timeoutMs: 20_000 }) });
    // detect (first popup) answers; the second popup is the signature's.
    await popupOpened;
    const signPopup = await page.context().waitForEvent('page');
    await signPopup.waitForLoadState();
    await signPopup.close();
    expect(errorOf(await outcome).code).toBe('COMPONENT_POPUP_CLOSED');
  });

  it('an absent component is reported as absent, directly and through the popup', async () => {
    const url = `http://localhost:${await unusedPort()}`;
    const direct = valueOf(await inPage<{ present: boolean; error: { code: string } }>(page, 'detect', { options: { url } }));
    expect(direct.present).toBe(false);
    const viaPopup = valueOf(await inPage<{ present: boolean }>(page, 'detect', { options: { url, mode: 'popup', popupHandshakeMs: 1000 } }));
    expect(viaPopup.present).toBe(false);
    const signing = errorOf(await inPage(page, 'sign', { request: { tbs: 't', pin: PIN }, options: { url, mode: 'direct' } }));
    expect(signing.code).toBe('COMPONENT_ABSENT');
    expect(signing.messages.zhTW).toContain('無法連線至跨平台網頁元件');
  });
});

describe.runIf(chromiumAvailable())('twpki/browser with the popup blocker on', () => {
  it('a popup opened without a user gesture is reported as blocked', async () => {
    const stub = await startOfficialStub();
    const site = await startTestPage();
    // Chromium's own popup blocker (the shared launcher and Playwright's defaults turn it off).
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run'],
      ignoreDefaultArgs: ['--disable-popup-blocking'],
    });
    try {
      const page = await browser.newPage();
      await page.goto(`${site.url}/?run=popup&url=${encodeURIComponent(stub.url)}`);
      await page.waitForFunction('window.onLoadResult !== undefined');
      const result = (await page.evaluate('window.onLoadResult')) as { code: string; zhTW: string };
      expect(result.code).toBe('COMPONENT_POPUP_BLOCKED');
      expect(result.zhTW).toContain('封鎖');
      expect(stub.requests).toHaveLength(0);
    } finally {
      await browser.close();
      await stub.close();
      await site.close();
    }
  });
});
