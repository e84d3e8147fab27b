/**
 * The portal's waste system in headless Chromium through the real agent,
 * pcscd and virtual cards in the vpcd reader: 帳號申請 (載入, 自訂密碼) → 列印申請表 →
 * upload of both documents → reviewer 審核通過 → 驗證碼 mail → 啟用憑證 (綁定成功) →
 * 憑證登入 with a citizen card and with a MOEACA company card; and the failure
 * paths: a weak 自訂密碼 and a bad e-mail, an upload that is no PDF / image,
 * 送出審核 without both documents, a wrong 驗證碼, another company's MOEACA card,
 * a card not enabled, a login method the company chose 停用, five wrong 驗證碼 locking
 * the code until the reviewer's 重新寄送驗證碼, and 審核不通過 with its mail; and 載入 of
 * a registry address whose 郵遞區號 is not the directory's, shown as a notice, and 載入
 * while the 郵遞區號 table cannot be read, also shown as a notice (the site answering 503); and 載入 pressed
 * twice, the registry's answers held back to come in out of order: the last press wins, and a last press that
 * fails takes back what an earlier one filled.
 */
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EnrollError, StaticCompanyRegistry, twzipcodeDirectory, type CompanyRecord, type CompanyRegistry, type PostalCodeDirectory } from 'twpki/enroll';
import { createTestPki, VirtualHiCOSCard, VPCD_DEFAULT_PORT, virtualCardCredentials, type TestPki } from 'twpki/testing';
import { demoCard } from '../../examples/portal/demo-setup.js';
import { DEMO_COMPANIES } from '../../examples/portal/waste/demo.js';
import { checkPassword, wasteSystem } from '../../examples/portal/waste/index.js';
import { VIRTUAL_READER } from '../support/pcsc-rig.js';
import { chromiumAvailable } from './chromium.js';
import { startPortalRig, waitForText, type PortalRig, RIG_START_TIMEOUT_MS } from './support/portal-rig.js';

const PIN = '135790';
const CITIZEN_COMPANY = '12345675';
const MOEACA_COMPANY = '53212539';
const REJECTED_COMPANY = '22099131';
/** A registry record whose 郵遞區號 (新竹市's 300) is not its address's (新竹縣竹北市, 302). */
const MISCODED_COMPANY = '24536801';
/** What the default table throws when its data file cannot be read, the portal's case of an unreadable table. */
const unreadable = (): EnrollError => new EnrollError('POSTAL_CODES_UNAVAILABLE', 'the 郵遞區號 table could not be loaded (test)');
/** The portal's 郵遞區號 table, which a test can make unreadable (`down`) and readable again. */
const postal: PostalCodeDirectory & { down: boolean } = {
  down: false,
  find(county, district) {
    if (postal.down) throw unreadable();
    return twzipcodeDirectory.find(county, district);
  },
  counties() {
    if (postal.down) throw unreadable();
    return twzipcodeDirectory.counties();
  },
};
/** A valid 統一編號 the registry has no company for: 載入 answers NOT_FOUND (404). */
const UNKNOWN_COMPANY = '04595257';
/** The page's words for {@link UNKNOWN_COMPANY}'s 載入. */
const UNKNOWN_MESSAGE = '查無資料（NOT_FOUND）';

/** The registry behind 載入, whose answer for a 統一編號 a test can hold back until it lets it go. */
class HeldRegistry implements CompanyRegistry {
  readonly #registry: StaticCompanyRegistry;
  readonly #held = new Map<string, Promise<void>>();

  constructor(companies: readonly CompanyRecord[]) {
    this.#registry = new StaticCompanyRegistry(companies);
  }

  /** Holds the answers for `businessId` (found or not) until the function returned is called. */
  hold(businessId: string): () => void {
    let release = (): void => undefined;
    this.#held.set(businessId, new Promise((resolve) => (release = resolve)));
    return () => {
      this.#held.delete(businessId);
      release();
    };
  }

  async findByBusinessId(businessId: Parameters<CompanyRegistry['findByBusinessId']>[0]): Promise<CompanyRecord | undefined> {
    await this.#held.get(businessId);
    return this.#registry.findByBusinessId(businessId);
  }
}

/** The notice beside 營利事業登記地址 when 載入 could not split the address for want of the table. */
const UNREADABLE_NOTICE =
  '郵遞區號資料目前無法讀取，縣市及鄉鎮市區未能帶入，登記地址依商工登記資料整段填入。郵遞區號由系統依縣市及鄉鎮市區產生，' +
  '資料恢復前本申請書無法送出；請稍後再按「載入」。如持續無法讀取，請洽系統管理者。';
const PDF = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n', 'latin1');
const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');

/** A MOEACA company card (工商憑證) carrying `businessId`, from the test PKI. */
async function companyCard(pki: TestPki, cardNumber: string, businessId: string, name: string): Promise<VirtualHiCOSCard> {
  const holder = await pki.issueCardHolder({ authority: 'moeaca', businessId, commonName: name });
  return new VirtualHiCOSCard({
    pin: PIN,
    cardNumber,
    credentials: virtualCardCredentials(holder),
  });
}

describe.runIf(chromiumAvailable())('portal waste system in headless Chromium', () => {
  let rig: PortalRig;
  let citizen: VirtualHiCOSCard;
  let moeaca: VirtualHiCOSCard;
  let otherMoeaca: VirtualHiCOSCard;
  const registry = new HeldRegistry([
    ...DEMO_COMPANIES,
    { businessId: REJECTED_COMPANY, companyName: '退件測試有限公司' },
    {
      businessId: MISCODED_COMPANY,
      companyName: '竹北環保有限公司',
      representativeName: '張竹北',
      registeredAddress: { postalCode: '300', address: '新竹縣竹北市光明六路10號' },
    },
  ]);

  beforeAll(async () => {
    const pki = await createTestPki();
    [rig, citizen, moeaca, otherMoeaca] = await Promise.all([
      startPortalRig({
        pki,
        systems: () => [
          wasteSystem({ companies: registry, postalCodes: postal }),
        ],
        ports: [VPCD_DEFAULT_PORT],
        // The subject is the system's pages: the agent's cards in process, off the reader turns (see RigReaders).
        readers: 'in-process',
        prefix: 'portal-waste',
      }),
      demoCard(pki, { authority: 'moica', cardNumber: 'TP03000077770001', pin: PIN, commonName: '李小華', idHint: '6789' }),
      companyCard(pki, 'MC03000077770002', MOEACA_COMPANY, '測試清運有限公司'),
      companyCard(pki, 'MC03000077770003', CITIZEN_COMPANY, '範例環保股份有限公司'),
    ]);
  }, RIG_START_TIMEOUT_MS);

  afterAll(async () => {
    await rig?.close();
  });

  afterEach(async () => {
    await rig.closePages();
  });

  /** 帳號申請: 統一編號 → 載入 → the rest of the form → 送出; `ok` waits for the upload step, else for the error. */
  async function apply(page: Page, businessId: string, email: string, prefix: string, ok = true, citizenCard: 'enabled' | 'disabled' = 'enabled'): Promise<void> {
    await page.goto(`${rig.portal.url}/waste/`);
    await page.fill('#f-businessId', businessId);
    await page.click('#load-company');
    await waitForText(page, 'apply-message', /已載入公司資料/);
    await page.fill('#f-password', 'Waste#2026ok');
    await page.fill('#f-representativeId', 'A123456789');
    if ((await page.inputValue('#f-regZip')) === '') {
      // No address from the registry: 縣市, then 鄉鎮市區, fill the read-only 郵遞區號 (系統自動產生).
      await page.selectOption('#f-regCounty', '新竹市');
      await page.selectOption('#f-regDistrict', '香山區');
      expect(await page.inputValue('#f-regZip')).toBe('300');
      await page.fill('#f-regAddress', '中華路五段1號');
      await page.fill('#f-representativeName', '林負責');
    }
    // 請不用重複填寫 copies the registered address, its selects and 郵遞區號 into the mailing one.
    await page.click('#same-address');
    for (const part of ['County', 'District', 'Zip', 'Address']) {
      expect(await page.inputValue(`#f-mail${part}`)).toBe(await page.inputValue(`#f-reg${part}`));
    }
    await page.fill('#f-contactName', '李小華');
    await page.fill('#f-phone1', '02-2311-7722');
    await page.fill('#f-ext1', '123');
    await page.fill('#f-fax', '02-2311-7723');
    await page.fill('#f-email', email);
    await page.check(`input[name="citizenCard"][value="${citizenCard}"]`);
    await rig.shot(page, `${prefix}-1-form`);
    await page.click('#apply-submit');
    if (ok) await page.waitForSelector('#step-upload:not([hidden])');
    else await waitForText(page, 'apply-message', /INVALID_INPUT/);
  }

  async function upload(page: Page, kind: 'applicationForm' | 'businessRegistration', name: string, buffer: Buffer, mimeType: string): Promise<void> {
    await page.setInputFiles(`#file-${kind}`, { name, mimeType, buffer });
    await page.click(`button.upload[data-kind="${kind}"]`);
    await waitForText(page, 'apply-message', /上傳中/, true);
  }

  /** Uploads both documents and 送出審核. */
  async function uploadAndSubmit(page: Page): Promise<void> {
    await upload(page, 'applicationForm', 'stamped-form.pdf', PDF, 'application/pdf');
    await upload(page, 'businessRegistration', 'registration.png', PNG, 'image/png');
    await page.click('#submit-review');
    await page.waitForSelector('#step-done:not([hidden])');
  }

  /** The reviewer's 審核通過 or 審核不通過 on the company's row. */
  async function review(businessId: string, action: 'approve' | 'reject', reason: string, prefix: string): Promise<void> {
    // The file's one reviewer session (logged in through the form the first time).
    const page = await rig.reviewerPage('/waste/review');
    const row = page.locator(`tr[data-business-id="${businessId}"]`);
    await row.waitFor();
    await row.locator('input.reason').fill(reason);
    await rig.shot(page, `${prefix}-review`);
    await row.locator(`button.${action}`).click();
    await waitForText(page, 'review-message', action === 'approve' ? /驗證碼已寄至/ : /審核不通過/);
  }

  async function selectCard(page: Page, messageId: string): Promise<void> {
    await page.waitForSelector(`#card-select option[value="${VIRTUAL_READER}"]`, { state: 'attached' });
    await page.selectOption('#card-select', VIRTUAL_READER);
    await page.fill('#card-pin', PIN);
    void messageId;
  }

  /**
   * 啟用憑證 with the card in the reader; returns the page's message (or the 綁定成功 notice). With `again`, tries
   * again on the page as the last try left it (a refusal leaves the form up, the same card still detected), as a
   * user would; otherwise (a new card in the reader) the page is loaded afresh and detects it.
   */
  async function enable(page: Page, businessId: string, code: string, prefix: string, again = false): Promise<string> {
    if (again) expect(await page.isVisible('#enable-form')).toBe(true);
    else await page.goto(`${rig.portal.url}/waste/enable`);
    await page.fill('#e-businessId', businessId);
    await page.fill('#e-code', code);
    await selectCard(page, 'enable-message');
    await page.click('#enable-submit');
    await waitForText(page, 'enable-message', /驗證中/, true);
    await rig.shot(page, `${prefix}-enable`);
    return (await page.isVisible('#enable-done')) ? ((await page.textContent('#enable-notice')) ?? '') : ((await page.textContent('#enable-message')) ?? '');
  }

  /** 憑證登入 with the card in the reader; returns the home page's company, or the failure message. */
  async function login(page: Page, prefix: string): Promise<string> {
    await page.goto(`${rig.portal.url}/waste/login`);
    await selectCard(page, 'login-message');
    await page.click('#login-submit');
    await Promise.race([page.waitForURL(`${rig.portal.url}/waste/home`), waitForText(page, 'login-message', /驗證中/, true)]);
    if (!page.url().endsWith('/waste/home')) return `✗ ${(await page.textContent('#login-message')) ?? ''}`;
    await waitForText(page, 'me-business-id', /\d{8}/);
    await page.locator('#me-cards tr').first().waitFor();
    await rig.shot(page, `${prefix}-home`);
    return (await page.textContent('#me-business-id')) ?? '';
  }

  function codeOf(text: string): string {
    const code = /驗證碼：(\S+)/.exec(text)?.[1];
    if (code === undefined) throw new Error(`no 驗證碼 in ${text}`);
    return code;
  }

  it('applies (載入, 自訂密碼), prints, uploads, is approved, gets the 驗證碼 mail, enables a citizen card and logs in with it', async () => {
    const page = await rig.newPage();
    // A weak 自訂密碼 is refused by the site, naming the field.
    await page.goto(`${rig.portal.url}/waste/`);
    await page.fill('#f-businessId', CITIZEN_COMPANY);
    await page.click('#load-company');
    await waitForText(page, 'apply-message', /已載入公司資料/);
    expect(await page.inputValue('#f-companyName')).toBe('範例環保股份有限公司');
    expect(await page.inputValue('#f-representativeName')).toBe('王大明');
    // The registry's address split into the selects and the rest; the 郵遞區號 shown is the directory's.
    expect([await page.inputValue('#f-regCounty'), await page.inputValue('#f-regDistrict'), await page.inputValue('#f-regZip')]).toEqual(['臺北市', '中正區', '100']);
    expect(await page.inputValue('#f-regAddress')).toBe('重慶南路一段122號');
    expect(await page.getAttribute('#f-regZip', 'readonly')).not.toBeNull();
    await page.fill('#f-password', 'abc');
    await page.click('#apply-submit');
    await waitForText(page, 'apply-message', /自訂密碼/);
    expect(await page.getAttribute('#f-password', 'class')).toContain('invalid');
    await rig.shot(page, 'citizen-0-weak-password');

    // A bad e-mail is refused by the SDK, naming 承辦人郵件信箱.
    await apply(page, CITIZEN_COMPANY, 'not-an-address', 'citizen-0-bad-email', false);
    expect(await page.textContent('#apply-issues')).toContain('承辦人郵件信箱：格式不正確');
    expect(await page.getAttribute('#f-email', 'class')).toContain('invalid');

    await apply(page, CITIZEN_COMPANY, 'clerk@example.com.tw', 'citizen');
    // The host keeps the 自訂密碼 as a scrypt hash; the SDK keeps none.
    const [row] = await rig.portal.store.transaction((tx) => tx.query<{ password_hash: string }>('SELECT password_hash FROM portal_waste_passwords WHERE business_id = $1', [CITIZEN_COMPANY]));
    expect(row?.password_hash).toMatch(/^scrypt\$/);
    expect(await checkPassword('Waste#2026ok', row?.password_hash ?? '')).toBe(true);
    expect(await checkPassword('Waste#2026no', row?.password_hash ?? '')).toBe(false);

    // 列印申請表
    const print = await rig.newPage();
    const printLink = await page.getAttribute('#print-link', 'href');
    // The print page belongs to the applicant's session: another browser is refused.
    const foreign = await print.goto(`${rig.portal.url}${printLink ?? ''}`);
    expect(foreign?.status()).toBe(403);
    const [popup] = await Promise.all([page.waitForEvent('popup'), page.click('#print-link')]);
    await popup.waitForLoadState();
    expect(await popup.title()).toBe('網路帳號密碼申請書');
    expect(await popup.textContent('body')).toContain('範例環保股份有限公司');
    await rig.shot(popup, 'citizen-2-printable-form');
    // Closed as a user would: while the popup stays in front, Chromium paints the applicant's page about once a
    // second, and each click there waits two frames for the button to hold still (2 s instead of 0.1 s).
    await popup.close();

    // Uploads: a text file is no PDF / image; 送出審核 needs both documents.
    await upload(page, 'applicationForm', 'form.pdf', Buffer.from('just text'), 'application/pdf');
    expect(await page.textContent('#apply-message')).toContain('INVALID_INPUT');
    await upload(page, 'applicationForm', 'stamped-form.pdf', PDF, 'application/pdf');
    expect(await page.textContent('#uploaded-applicationForm')).toContain('application/pdf');
    await page.click('#submit-review');
    await waitForText(page, 'apply-message', /DOCUMENTS_MISSING/);
    await upload(page, 'businessRegistration', 'registration.png', PNG, 'image/png');
    await rig.shot(page, 'citizen-3-uploaded');
    await page.click('#submit-review');
    await page.waitForSelector('#step-done:not([hidden])');

    // 審核通過 → the 驗證碼 goes to the 承辦人郵件信箱.
    const since = rig.sink.messages.length;
    await review(CITIZEN_COMPANY, 'approve', '文件齊全', 'citizen-4');
    const mail = await rig.sink.waitFor('clerk@example.com.tw', { since });
    expect(mail.subject).toContain('憑證登入申請審核通過（驗證碼）');
    const code = codeOf(mail.text);

    // 啟用憑證: a wrong 驗證碼 is refused; the right one binds the citizen card.
    await rig.insert(VPCD_DEFAULT_PORT, citizen);
    const enablePage = await rig.newPage();
    expect(await enable(enablePage, CITIZEN_COMPANY, `${code}X`, 'citizen-5-wrong-code')).toContain('VERIFICATION_CODE_INVALID');
    expect(await enable(enablePage, CITIZEN_COMPANY, code, 'citizen-6', true)).toBe('綁定成功');

    // 憑證登入 with the citizen card.
    expect(await login(await rig.newPage(), 'citizen-7')).toBe(CITIZEN_COMPANY);
  }, 120_000);

  it('enables and logs in with the company MOEACA card; refuses another company\'s card and a card not enabled', async () => {
    const page = await rig.newPage();
    // 自然人憑證登入 停用, 工商憑證登入 啟用.
    await apply(page, MOEACA_COMPANY, 'moeaca@example.com.tw', 'moeaca', true, 'disabled');
    await uploadAndSubmit(page);
    const since = rig.sink.messages.length;
    await review(MOEACA_COMPANY, 'approve', '', 'moeaca-2');
    const code = codeOf((await rig.sink.waitFor('moeaca@example.com.tw', { since })).text);

    // A citizen card (still in the reader) cannot be enabled: the company chose 停用 for it.
    const enablePage = await rig.newPage();
    expect(await enable(enablePage, MOEACA_COMPANY, code, 'moeaca-3-method-disabled')).toBe('自然人憑證登入為停用（LOGIN_METHOD_DISABLED）');
    // Another company's MOEACA card cannot be enabled for this company.
    await rig.insert(VPCD_DEFAULT_PORT, otherMoeaca);
    expect(await enable(enablePage, MOEACA_COMPANY, code, 'moeaca-4-other-company')).toBe('工商憑證之統一編號與申請資料不符（NOT_AUTHORIZED）');
    // … nor log in anywhere: it was never enabled.
    expect(await login(await rig.newPage(), 'moeaca-5-not-enabled')).toBe('✗ 此憑證尚未啟用登入（NOT_AUTHORIZED）');

    // Five wrong 驗證碼 lock the code (the fifth says so): then even the right one is refused, until the reviewer's
    // 重新寄送驗證碼 mails a new one (the old one stays dead).
    await rig.insert(VPCD_DEFAULT_PORT, moeaca);
    for (let i = 0; i < 4; i++) {
      expect(await enable(enablePage, MOEACA_COMPANY, `WRONG${i}`, `moeaca-6-wrong-${i}`, i > 0)).toContain('VERIFICATION_CODE_INVALID');
    }
    expect(await enable(enablePage, MOEACA_COMPANY, 'WRONG4', 'moeaca-6-wrong-4', true)).toContain('VERIFICATION_CODE_LOCKED');
    expect(await enable(enablePage, MOEACA_COMPANY, code, 'moeaca-6-locked', true)).toBe('驗證碼錯誤次數過多，請重新申請驗證碼（VERIFICATION_CODE_LOCKED）');
    const desk = await rig.reviewerPage('/waste/review');
    await desk.fill('#resend-businessId', MOEACA_COMPANY);
    const resentSince = rig.sink.messages.length;
    await desk.click('#resend-submit');
    await waitForText(desk, 'resend-message', /新驗證碼已寄至 moeaca@example\.com\.tw/);
    await rig.shot(desk, 'moeaca-6-resent');
    const fresh = codeOf((await rig.sink.waitFor('moeaca@example.com.tw', { since: resentSince })).text);
    expect(fresh).not.toBe(code);
    expect(await enable(enablePage, MOEACA_COMPANY, code, 'moeaca-6-old-code', true)).toContain('VERIFICATION_CODE_INVALID');
    expect(await enable(enablePage, MOEACA_COMPANY, fresh, 'moeaca-6', true)).toBe('綁定成功');
    const home = await rig.newPage();
    expect(await login(home, 'moeaca-7')).toBe(MOEACA_COMPANY);
    expect(await home.textContent('#me-via')).toBe('工商憑證');
    expect(await home.textContent('#me-company')).toBe('測試清運有限公司');
  }, 120_000);

  it('載入 of a registry 郵遞區號 that is not the directory\'s for its address says so beside the address; the form uses the directory\'s', async () => {
    const page = await rig.newPage();
    await page.goto(`${rig.portal.url}/waste/`);
    expect(await page.isHidden('#reg-zip-notice')).toBe(true);
    await page.fill('#f-businessId', MISCODED_COMPANY);
    await page.click('#load-company');
    await waitForText(page, 'apply-message', /已載入公司資料/);
    // The selects and the generated 郵遞區號 are the directory's; the notice names both codes and the one used.
    expect([await page.inputValue('#f-regCounty'), await page.inputValue('#f-regDistrict'), await page.inputValue('#f-regZip')]).toEqual(['新竹縣', '竹北市', '302']);
    expect(await page.isVisible('#reg-zip-notice')).toBe(true);
    expect(await page.textContent('#reg-zip-notice')).toBe('商工登記資料之郵遞區號 (300) 與所選縣市及鄉鎮市區之郵遞區號 (302) 不同，本申請書將使用 302；請確認登記地址是否正確。');
    expect(await page.getAttribute('#reg-zip-notice', 'class')).toBe('notes');
    await rig.shot(page, 'miscoded-1-notice');
    // Another 鄉鎮市區 chosen: the notice was about 載入's choice, and goes.
    await page.selectOption('#f-regDistrict', '竹東鎮');
    expect(await page.isHidden('#reg-zip-notice')).toBe(true);
    // 載入 again shows it; a company whose code agrees shows none.
    await page.click('#load-company');
    await waitForText(page, 'apply-message', /已載入公司資料/);
    expect(await page.isVisible('#reg-zip-notice')).toBe(true);
    await page.fill('#f-businessId', CITIZEN_COMPANY);
    await page.click('#load-company');
    await waitForText(page, 'apply-message', /已載入公司資料/);
    expect(await page.inputValue('#f-regZip')).toBe('100');
    expect(await page.isHidden('#reg-zip-notice')).toBe(true);
    expect(await page.textContent('#reg-zip-notice')).toBe('');
  }, 30_000);

  it('載入 of a company the registry has no address for leaves no earlier company\'s address in the form', async () => {
    const page = await rig.newPage();
    const address = async (prefix: 'reg' | 'mail'): Promise<string[]> =>
      Promise.all(['County', 'District', 'Zip', 'Address'].map((part) => page.inputValue(`#f-${prefix}${part}`)));
    await page.goto(`${rig.portal.url}/waste/`);
    await page.fill('#f-businessId', MISCODED_COMPANY);
    await page.click('#load-company');
    await waitForText(page, 'apply-message', /已載入公司資料/);
    expect(await address('reg')).toEqual(['新竹縣', '竹北市', '302', '光明六路10號']);
    await page.click('#same-address');
    // Another company, whose registry record has no address: its form has none either, and the notice goes.
    await page.fill('#f-businessId', REJECTED_COMPANY);
    await page.click('#load-company');
    await waitForText(page, 'apply-message', /已載入公司資料/);
    expect(await page.inputValue('#f-companyName')).toBe('退件測試有限公司');
    expect(await address('reg')).toEqual(['', '', '', '']);
    expect(await page.isHidden('#reg-zip-notice')).toBe(true);
    // 請不用重複填寫 still chosen: the mailing fields show what is sent as the mailing address (the registered one).
    expect(await address('mail')).toEqual(['', '', '', '']);
  }, 30_000);

  it('載入 while the 郵遞區號 table cannot be read says so beside the address (whole in the box, selects empty) until the table is back', async () => {
    const page = await rig.newPage();
    /** The 營利事業登記地址 row: 縣市, 鄉鎮市區, the generated 郵遞區號, the box. */
    const address = async (): Promise<string[]> =>
      Promise.all(['#f-regCounty', '#f-regDistrict', '#f-regZip', '#f-regAddress'].map((id) => page.inputValue(id)));
    try {
      postal.down = true;
      // The page cannot fill its selects: it says why at once. The site answered 503 (its table is down, not the
      // request wrong), with Retry-After; the page shows the message all the same.
      const [areas] = await Promise.all([
        page.waitForResponse((response) => new URL(response.url()).pathname === '/waste/api/postal-areas'),
        page.goto(`${rig.portal.url}/waste/`),
      ]);
      expect(areas.status()).toBe(503);
      expect(areas.headers()['retry-after']).toMatch(/^[1-9]\d*$/);
      await waitForText(page, 'apply-message', /POSTAL_CODES_UNAVAILABLE/);
      expect(await page.textContent('#apply-message')).toBe('郵遞區號資料無法載入，請洽系統管理者（POSTAL_CODES_UNAVAILABLE）');
      expect(await page.locator('#f-regCounty option').count()).toBe(0);
      expect(await page.isHidden('#reg-zip-notice')).toBe(true);

      // 載入 still fills the company (postalCodesUnavailable): the address whole in the box, and the notice says why.
      await page.fill('#f-businessId', CITIZEN_COMPANY);
      await page.click('#load-company');
      await waitForText(page, 'apply-message', /已載入公司資料/);
      expect(await page.inputValue('#f-companyName')).toBe('範例環保股份有限公司');
      expect(await address()).toEqual(['', '', '', '臺北市中正區重慶南路一段122號']);
      expect(await page.isVisible('#reg-zip-notice')).toBe(true);
      expect(await page.textContent('#reg-zip-notice')).toBe(UNREADABLE_NOTICE);
      expect(await page.getAttribute('#reg-zip-notice', 'class')).toBe('notes');
      await rig.shot(page, 'unreadable-1-notice');
      // A company without a registered address has nothing for the notice to explain: the message names the table.
      await page.fill('#f-businessId', REJECTED_COMPANY);
      await page.click('#load-company');
      await waitForText(page, 'apply-message', /已載入公司資料/);
      expect(await page.textContent('#apply-message')).toBe('已載入公司資料。郵遞區號資料無法載入，請洽系統管理者（POSTAL_CODES_UNAVAILABLE）');
      expect(await page.isHidden('#reg-zip-notice')).toBe(true);

      // The table back: 載入 again fills the selects the page could not fill, splits the address, and the notice goes.
      postal.down = false;
      await page.fill('#f-businessId', CITIZEN_COMPANY);
      await page.click('#load-company');
      await waitForText(page, 'apply-message', /已載入公司資料/);
      expect(await page.textContent('#apply-message')).toBe('已載入公司資料。');
      expect(await address()).toEqual(['臺北市', '中正區', '100', '重慶南路一段122號']);
      expect(await page.isHidden('#reg-zip-notice')).toBe(true);
      expect(await page.textContent('#reg-zip-notice')).toBe('');

      // Unreadable only at 載入 (the selects were filled before): the same notice, the selects left empty; choosing a
      // 縣市 keeps it (it explains the box, which the choice does not change), unlike the mismatch notice.
      postal.down = true;
      await page.fill('#f-businessId', MOEACA_COMPANY);
      await page.click('#load-company');
      await waitForText(page, 'apply-message', /已載入公司資料/);
      expect(await address()).toEqual(['', '', '', '高雄市前鎮區成功二路25號']);
      expect(await page.textContent('#reg-zip-notice')).toBe(UNREADABLE_NOTICE);
      await page.selectOption('#f-regCounty', '高雄市');
      expect(await page.isVisible('#reg-zip-notice')).toBe(true);
    } finally {
      postal.down = false;
    }
  }, 30_000);

  describe('載入 pressed twice, the answers out of order', () => {
    /** The 營利事業登記地址 row or the mailing one: 縣市, 鄉鎮市區, the generated 郵遞區號, the box. */
    const address = async (page: Page, prefix: 'reg' | 'mail' = 'reg'): Promise<string[]> =>
      Promise.all(['County', 'District', 'Zip', 'Address'].map((part) => page.inputValue(`#f-${prefix}${part}`)));
    const company = async (page: Page): Promise<string[]> => Promise.all(['#f-companyName', '#f-representativeName'].map((id) => page.inputValue(id)));

    async function press(page: Page, businessId: string): Promise<void> {
      await page.fill('#f-businessId', businessId);
      await page.click('#load-company');
    }

    /**
     * Lets the registry answer for `businessId` and waits until the page has had that answer: read whole, and a
     * moment for the click's handler to do what it does with it (with the last press winning, nothing).
     */
    async function answerLate(page: Page, release: () => void, businessId: string): Promise<void> {
      const answered = page.waitForResponse((response) => new URL(response.url()).pathname === `/waste/api/company/${businessId}`);
      release();
      await (await answered).finished();
      await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 250)));
    }

    it('the form is filled from the last press, not from an earlier press whose answer comes back after it', async () => {
      const page = await rig.newPage();
      await page.goto(`${rig.portal.url}/waste/`);
      const releaseFirst = registry.hold(CITIZEN_COMPANY);
      const releaseSecond = registry.hold(MOEACA_COMPANY);
      try {
        await press(page, CITIZEN_COMPANY);
        await press(page, MOEACA_COMPANY);
        expect(await page.textContent('#apply-message')).toBe('載入中…');
        releaseSecond();
        await waitForText(page, 'apply-message', /已載入公司資料/);
        expect(await company(page)).toEqual(['測試清運有限公司', '陳志明']);
        // The first press's answer, arriving last, is dropped: the form stays the second company's.
        await answerLate(page, releaseFirst, CITIZEN_COMPANY);
        expect(await company(page)).toEqual(['測試清運有限公司', '陳志明']);
        expect(await address(page)).toEqual(['高雄市', '前鎮區', '806', '成功二路25號']);
        expect(await page.inputValue('#f-businessId')).toBe(MOEACA_COMPANY);
        expect(await page.textContent('#apply-message')).toBe('已載入公司資料。');
        await rig.shot(page, 'out-of-order-1-last-press');

        // An earlier press that fails, answering after a later one that loaded: its error is dropped too.
        const releaseUnknown = registry.hold(UNKNOWN_COMPANY);
        await press(page, UNKNOWN_COMPANY);
        await press(page, CITIZEN_COMPANY);
        await waitForText(page, 'apply-message', /已載入公司資料/);
        await answerLate(page, releaseUnknown, UNKNOWN_COMPANY);
        expect(await page.textContent('#apply-message')).toBe('已載入公司資料。');
        expect(await page.getAttribute('#apply-message', 'class')).toBe('message');
        expect(await company(page)).toEqual(['範例環保股份有限公司', '王大明']);
      } finally {
        releaseFirst();
        releaseSecond();
      }
    }, 30_000);

    it('a last press that fails leaves no earlier press\'s company in the form, whether that answer came before or after it', async () => {
      const page = await rig.newPage();
      await page.goto(`${rig.portal.url}/waste/`);
      // Before: the first company loaded; 請不用重複填寫 chosen; the user writes the 負責人 in over the registry's.
      await press(page, CITIZEN_COMPANY);
      await waitForText(page, 'apply-message', /已載入公司資料/);
      await page.click('#same-address');
      await page.fill('#f-representativeName', '王小明');
      // Then a 統一編號 the registry has no company for: what 載入 filled goes, what the user wrote stays.
      await press(page, UNKNOWN_COMPANY);
      await waitForText(page, 'apply-message', /NOT_FOUND/);
      expect(await page.textContent('#apply-message')).toBe(UNKNOWN_MESSAGE);
      expect(await company(page)).toEqual(['', '王小明']);
      expect(await address(page)).toEqual(['', '', '', '']);
      expect(await address(page, 'mail')).toEqual(['', '', '', '']);
      await rig.shot(page, 'out-of-order-2-failed-press');

      // After: the first press held back, the second fails at once; the first's answer, arriving last, fills nothing.
      const release = registry.hold(MOEACA_COMPANY);
      try {
        await press(page, MOEACA_COMPANY);
        await press(page, UNKNOWN_COMPANY);
        await waitForText(page, 'apply-message', /NOT_FOUND/);
        await answerLate(page, release, MOEACA_COMPANY);
        expect(await page.textContent('#apply-message')).toBe(UNKNOWN_MESSAGE);
        expect(await company(page)).toEqual(['', '王小明']);
        expect(await address(page)).toEqual(['', '', '', '']);
        expect(await page.isHidden('#reg-zip-notice')).toBe(true);
      } finally {
        release();
      }
    }, 30_000);
  });

  it('審核不通過 mails the reason to the 承辦人', async () => {
    const page = await rig.newPage();
    await apply(page, REJECTED_COMPANY, 'rejected@example.com.tw', 'rejected');
    // The SDK generated the 郵遞區號 of the 縣市 and 鄉鎮市區 chosen (none was posted).
    const [stored] = await rig.portal.store.transaction((tx) =>
      tx.query<{ registered_postal_code: string; mailing_postal_code: string; mailing_address: string }>(
        'SELECT registered_postal_code, mailing_postal_code, mailing_address FROM enroll_waste_applications WHERE business_id = $1',
        [REJECTED_COMPANY],
      ),
    );
    expect(stored).toEqual({ registered_postal_code: '300', mailing_postal_code: '300', mailing_address: '新竹市香山區中華路五段1號' });
    await uploadAndSubmit(page);
    const since = rig.sink.messages.length;
    await review(REJECTED_COMPANY, 'reject', '申請書未用印', 'rejected-2');
    const mail = await rig.sink.waitFor('rejected@example.com.tw', { since });
    expect(mail.subject).toContain('憑證登入申請審核未通過');
    expect(mail.text).toContain('申請書未用印');
    expect(mail.text).not.toMatch(/驗證碼：/);
  }, 30_000);
});
