/**
 * The portal's official account system (我的E政府 公務帳號) in headless Chromium
 * through the real agent, pcscd and a virtual citizen card in the vpcd reader:
 * member login (demo) → 申請公務帳號 (查詢機關OID, 新機關名稱, 申請原因, the
 * attestation, 「請確認是否要申請？」) → automatic personnel check → 「您的申請已進入審核程序」
 * and approved at once with the 核可通知信; a mismatch → 我的E政府公務帳號申請書 →
 * 收件 (fax) → reviewer 核可 / 不核可 with the notices (no 核可 before 收件), and
 * 取消申請; 憑證上傳 and 憑證登入. Failure paths: no
 * attestation, an unknown OID, the personnel system down, a card not uploaded,
 * another member's card, an account whose 啟動連結 was never clicked.
 */
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestPki, VPCD_DEFAULT_PORT, type VirtualHiCOSCard } from 'twpki/testing';
import { demoCard } from '../../examples/portal/demo-setup.js';
import { DEMO_FIRE_AGENCY_OID, DEMO_MEMBERS, DEMO_OID_AGENCIES, DEMO_PERSONNEL } from '../../examples/portal/official/demo.js';
import { DemoPersonnelSystem, officialSystem } from '../../examples/portal/official/index.js';
import type { PersonnelSystem } from 'twpki/enroll';
import { VIRTUAL_READER } from '../support/pcsc-rig.js';
import { chromiumAvailable } from './chromium.js';
import { startPortalRig, waitForText, type PortalRig, RIG_START_TIMEOUT_MS } from './support/portal-rig.js';

const PIN = '975310';

// The demo personnel system, which a test can take down (an outage of 行政院人事行政總處's service).
const demoPersonnel = new DemoPersonnelSystem([...DEMO_PERSONNEL]);
let personnelDown = false;
const personnel: PersonnelSystem = {
  check: (query) => (personnelDown ? Promise.reject(new Error('connect ETIMEDOUT personnel.example.gov.tw:443')) : demoPersonnel.check(query)),
};

describe.runIf(chromiumAvailable())('portal official account system in headless Chromium', () => {
  let rig: PortalRig;
  let card: VirtualHiCOSCard;

  beforeAll(async () => {
    const pki = await createTestPki();
    [rig, card] = await Promise.all([
      startPortalRig({
        pki,
        systems: () => [officialSystem({ members: DEMO_MEMBERS, agencies: DEMO_OID_AGENCIES, personnel })],
        ports: [VPCD_DEFAULT_PORT],
        // The subject is the system's pages: the agent's cards in process, off the reader turns (see RigReaders).
        readers: 'in-process',
        prefix: 'portal-official',
      }),
      // 王小明's citizen card: the holder of member wang6789 (A123456789 ends in 6789).
      demoCard(pki, { authority: 'moica', cardNumber: 'TP03000066660001', pin: PIN, commonName: '王小明', idHint: '6789' }),
    ]);
    await rig.insert(VPCD_DEFAULT_PORT, card);
  }, RIG_START_TIMEOUT_MS);

  afterAll(async () => {
    await rig?.close();
  });

  afterEach(async () => {
    await rig.closePages();
  });

  async function memberLogin(page: Page, memberId: string): Promise<void> {
    await page.goto(`${rig.portal.url}/official/`);
    await page.waitForSelector(`#member-select option[value="${memberId}"]`, { state: 'attached' });
    await page.selectOption('#member-select', memberId);
    await Promise.all([page.waitForURL(`${rig.portal.url}/official/member`), page.click('#member-login')]);
    await waitForText(page, 'me-type', /\S/);
  }

  /**
   * 申請公務帳號 with 查詢機關OID (消防署); returns the 「請確認是否要申請？」 question the page asked.
   * With `refused`, waits for that message instead of the result.
   */
  async function applyForFireAgency(page: Page, prefix: string, refused?: RegExp): Promise<string> {
    await page.goto(`${rig.portal.url}/official/apply`);
    await page.click('#search-open');
    await page.fill('#search-name', '消防署');
    await page.click('#search-submit');
    await page.click(`a.agency-hit[data-oid="${DEMO_FIRE_AGENCY_OID}"]`);
    expect(await page.inputValue('#agency-name')).toBe('內政部消防署');
    await page.selectOption('#reason', '公務人員');
    await page.check('#attested');
    await rig.shot(page, `${prefix}-apply`);
    const question = new Promise<string>((resolve) => page.once('dialog', (d) => resolve(d.message())));
    await page.click('#apply-submit');
    if (refused) await waitForText(page, 'apply-message', refused);
    else await page.waitForSelector('#apply-approved:not([hidden]), #apply-manual:not([hidden])');
    return question;
  }

  async function cardStep(page: Page, path: string, button: string, messageId: string): Promise<void> {
    await page.goto(`${rig.portal.url}${path}`);
    await page.waitForSelector(`#card-select option[value="${VIRTUAL_READER}"]`, { state: 'attached' });
    await page.selectOption('#card-select', VIRTUAL_READER);
    await page.fill('#card-pin', PIN);
    await page.click(button);
    await waitForText(page, messageId, /驗證中/, true);
  }

  it('an OID lookup answered late overwrites neither a newer lookup nor what 送出資料 said', async () => {
    const page = await rig.newPage();
    await memberLogin(page, 'wang6789');
    await page.goto(`${rig.portal.url}/official/apply`);
    // The fire agency's lookups are held until the test lets them answer.
    const held: Array<() => Promise<void>> = [];
    const lookupPath = `/official/api/agencies/${encodeURIComponent(DEMO_FIRE_AGENCY_OID)}`;
    await page.route((url) => url.pathname === lookupPath, (route) => void held.push(() => route.continue()));
    const answerHeld = async (): Promise<void> => {
      const finished = page.waitForEvent('requestfinished', (r) => new URL(r.url()).pathname === lookupPath);
      await held.shift()?.();
      await finished;
      // The page's handler runs after the body arrived: give it a few turns.
      await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 100)));
    };

    // An older lookup (消防署) answers after a newer one (an unknown OID) failed.
    await page.fill('#agency-oid', DEMO_FIRE_AGENCY_OID);
    await page.dispatchEvent('#agency-oid', 'change');
    await page.fill('#agency-oid', '2.16.886.101.99999');
    await page.dispatchEvent('#agency-oid', 'change');
    await waitForText(page, 'apply-message', /AGENCY_OID_UNKNOWN/);
    await answerHeld();
    expect(await page.textContent('#apply-message')).toContain('AGENCY_OID_UNKNOWN');
    expect(await page.inputValue('#agency-name')).toBe('');

    // Clicking 送出資料 leaves the OID field, which looks its agency up again: that answer, arriving after
    // 送出資料's refusal, fills the name and leaves the refusal shown.
    await page.fill('#agency-oid', DEMO_FIRE_AGENCY_OID);
    await page.selectOption('#reason', '公務人員');
    await page.click('#apply-submit');
    await waitForText(page, 'apply-message', /INVALID_INPUT/);
    await answerHeld();
    expect(await page.textContent('#apply-message')).toContain('「我已確認上述資料與證件相符」');
    expect(await page.inputValue('#agency-name')).toBe('內政部消防署');
    expect(held).toHaveLength(0);
  });

  it('an account whose 啟動連結 was never clicked: 帳號狀態 尚未啟用, and 送出資料 is refused in the manual\'s words', async () => {
    const page = await rig.newPage();
    await memberLogin(page, 'huang0409');
    expect(await page.textContent('#me-activation')).toContain('尚未啟用');
    await rig.shot(page, 'huang-1-member');
    await page.goto(`${rig.portal.url}/official/apply`);
    await page.fill('#agency-oid', DEMO_FIRE_AGENCY_OID);
    await page.dispatchEvent('#agency-oid', 'change');
    await page.waitForFunction("document.getElementById('agency-name').value !== ''");
    await page.selectOption('#reason', '公務人員');
    await page.check('#attested');
    // Refused at the confirmation step: no 「請確認是否要申請？」 is asked.
    let asked = false;
    page.on('dialog', (d) => {
      asked = true;
      void d.dismiss();
    });
    await page.click('#apply-submit');
    await waitForText(page, 'apply-message', /NOT_AUTHORIZED/);
    expect(await page.textContent('#apply-message')).toContain('待該帳號啟用後，繼續完成公務轉換申請步驟');
    expect(asked).toBe(false);
    await rig.shot(page, 'huang-2-apply-refused');
  });

  it('a first application that passes the personnel check is approved at once; 憑證上傳 and 憑證登入', async () => {
    const page = await rig.newPage();
    await memberLogin(page, 'wang6789');
    expect(await page.textContent('#me-type')).toBe('自然人');
    expect(await page.textContent('#me-activation')).toMatch(/^已啟用（2026\/1\/5\s10:10:00）$/);
    await rig.shot(page, 'wang-1-member');

    // 憑證登入 before 憑證上傳: the card serves no member yet.
    const early = await rig.newPage();
    await cardStep(early, '/official/login', '#login-submit', 'login-message');
    expect(early.url()).toContain('/official/login');
    expect(await early.textContent('#login-message')).toBe('此憑證尚未上傳至會員帳號（NOT_AUTHORIZED）');
    await rig.shot(early, 'wang-2-login-not-uploaded');

    // Failures: no attestation; an OID the directory does not know.
    await page.goto(`${rig.portal.url}/official/apply`);
    expect(await page.textContent('#submit-notice')).toContain('行政院人事行政總處');
    await page.fill('#agency-oid', DEMO_FIRE_AGENCY_OID);
    await page.dispatchEvent('#agency-oid', 'change');
    await page.waitForFunction("document.getElementById('agency-name').value !== ''");
    await page.selectOption('#reason', '公務人員');
    await page.click('#apply-submit');
    await waitForText(page, 'apply-message', /INVALID_INPUT/);
    expect(await page.textContent('#apply-message')).toContain('「我已確認上述資料與證件相符」');
    await page.fill('#agency-oid', '2.16.886.101.99999');
    await page.dispatchEvent('#agency-oid', 'change');
    await waitForText(page, 'apply-message', /AGENCY_OID_UNKNOWN/);
    await rig.shot(page, 'wang-3-unknown-oid');

    // The personnel system is down: the page says to send again later, and nothing is recorded
    // (the next application is still a first one, approved at once below).
    personnelDown = true;
    await applyForFireAgency(page, 'wang-4-personnel-down', /PERSONNEL_SYSTEM_FAILURE/);
    expect(await page.textContent('#apply-message')).toContain('行政院人事行政總處系統暫時無法核對，請稍後再送出資料');
    await rig.shot(page, 'wang-4-personnel-down');
    personnelDown = false;

    const since = rig.sink.messages.length;
    expect(await applyForFireAgency(page, 'wang-4')).toBe('請確認是否要申請？');
    // The manual's words for a first application whose data checked, then what the state is: approved.
    const approvedText = await page.textContent('#approved-text');
    expect(approvedText).toMatch(/^您的申請已進入審核程序/);
    expect(approvedText).toContain('所屬機關：內政部消防署');
    await rig.shot(page, 'wang-5-approved');
    const mail = await rig.sink.waitFor('wang6789@example.com.tw', { since });
    expect(mail.subject).toContain('公務帳號申請核可通知');

    await memberLogin(page, 'wang6789');
    expect(await page.textContent('#me-type')).toBe('公務人員');
    expect(await page.textContent('#me-agency')).toBe('內政部消防署');

    // 憑證上傳, then 憑證登入 in another browser.
    await cardStep(page, '/official/upload', '#upload-submit', 'upload-message');
    expect(await page.textContent('#upload-message')).toContain('憑證上傳成功');
    await rig.shot(page, 'wang-6-uploaded');
    const other = await rig.newPage();
    await other.goto(`${rig.portal.url}/official/login`);
    await other.waitForSelector(`#card-select option[value="${VIRTUAL_READER}"]`, { state: 'attached' });
    await other.selectOption('#card-select', VIRTUAL_READER);
    await other.fill('#card-pin', PIN);
    await Promise.all([other.waitForURL(`${rig.portal.url}/official/member`), other.click('#login-submit')]);
    await waitForText(other, 'me-id', /wang6789/);
    expect(await other.textContent('#me-card')).toContain('TP03000066660001');
    await rig.shot(other, 'wang-7-card-login');
  }, 120_000);

  it('a personnel mismatch prints the 申請書 and waits for the reviewer: 核可, 不核可 and 取消申請; another member\'s card is refused', async () => {
    const page = await rig.newPage();
    await memberLogin(page, 'clairesu1234');
    await applyForFireAgency(page, 'claire-1');
    expect(await page.isVisible('#apply-manual')).toBe(true);
    const frame = page.frameLocator('#form-frame');
    await frame.locator('h1').waitFor();
    expect(await frame.locator('h1').textContent()).toContain('我的E政府公務帳號申請書');
    expect(await frame.locator('body').textContent()).toContain('張美善');
    await rig.shot(page, 'claire-2-form');

    // The reviewer sees why (人事資料比對 ✗); no 核可 until the faxed 申請書 is recorded (收件), then 核可 → 核可通知信.
    const review = await rig.newPage();
    await rig.reviewerLogin(review, '/official/review');
    const row = review.locator('tr[data-member-id="clairesu1234"]');
    await row.waitFor();
    expect(await row.textContent()).toContain('✗');
    expect(await row.textContent()).toContain('待收件');
    expect(await row.locator('button.approve').count()).toBe(0);
    await rig.shot(review, 'claire-3-review');
    await row.locator('button.receive-fax').click();
    await waitForText(review, 'review-message', /已登錄收件/);
    const received = review.locator('tr[data-member-id="clairesu1234"][data-status="formReceived"]');
    expect(await received.textContent()).toContain('傳真');
    await rig.shot(review, 'claire-3-received');
    let since = rig.sink.messages.length;
    await received.locator('button.approve').click();
    await waitForText(review, 'review-message', /已核可/);
    expect((await rig.sink.waitFor('claire01001@example.com.tw', { since })).subject).toContain('公務帳號申請核可通知');

    // A second application always goes to manual review: 取消申請, then again → 不核可 with the reason.
    await applyForFireAgency(page, 'claire-4');
    expect(await page.isVisible('#apply-manual')).toBe(true);
    await page.click('#form-cancel');
    await waitForText(page, 'apply-message', /申請已取消/);
    await applyForFireAgency(page, 'claire-5');
    await review.goto(`${rig.portal.url}/official/review`);
    await row.waitFor();
    await row.locator('input.reason').fill('未附服務證明');
    since = rig.sink.messages.length;
    await row.locator('button.reject').click();
    await waitForText(review, 'review-message', /已不核可/);
    const rejected = await rig.sink.waitFor('claire01001@example.com.tw', { since });
    expect(rejected.subject).toContain('公務帳號申請審核結果通知');
    expect(rejected.text).toContain('未附服務證明');

    // 王小明's card is not 張美善's: 憑證上傳 refuses it.
    await cardStep(page, '/official/upload', '#upload-submit', 'upload-message');
    expect(await page.textContent('#upload-message')).toBe('憑證姓名與會員資料不符（NOT_AUTHORIZED）');
    await rig.shot(page, 'claire-6-wrong-card');
  }, 120_000);
});
