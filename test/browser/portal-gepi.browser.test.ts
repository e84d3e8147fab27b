/**
 * The portal's GEPI system in headless Chromium: an agency card and a citizen
 * card at once in two vpcd readers ("Virtual PCD 00 00" / "00 01"), picked on
 * the page's 選擇讀卡機及卡片, through the real agent and pcscd. 首次註冊,
 * 授權指派 (新增 / 修改 / 刪除), 查詢作業 ×3, 更換憑證 ×3, and the failure paths:
 * OID mismatch → 申請人確認 → manual review → reviewer decision, a citizen card
 * offered as the agency card, a 身分證統一編號 that is not the card's, missing
 * required fields.
 */
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestPki, VPCD_DEFAULT_PORT, vpcdReaderName, type VirtualHiCOSCard } from 'twpki/testing';
import { DEMO_AGENCY_OID, demoCard } from '../../examples/portal/demo-setup.js';
import { gepiSystem } from '../../examples/portal/gepi/index.js';
import { pcscAvailable } from '../support/pcsc-rig.js';
import { chromiumAvailable } from './chromium.js';
import { startPortalRig, waitForText, type PortalRig, RIG_START_TIMEOUT_MS } from './support/portal-rig.js';

const AGENCY_PORT = VPCD_DEFAULT_PORT;
const CITIZEN_PORT = VPCD_DEFAULT_PORT + 1;
const AGENCY_READER = vpcdReaderName(AGENCY_PORT);
const CITIZEN_READER = vpcdReaderName(CITIZEN_PORT);
const PIN = '112233';
const ADMIN_ID = 'A123456789';
const OPERATOR_ID = 'B123456780';
const OTHER_OID = '2.16.886.101.90001.20099';

describe.runIf(chromiumAvailable() && pcscAvailable())('portal GEPI system in headless Chromium (two readers)', () => {
  let rig: PortalRig;
  const cards: Record<string, VirtualHiCOSCard> = {};

  beforeAll(async () => {
    const pki = await createTestPki();
    const agency = (cardNumber: string): Promise<VirtualHiCOSCard> =>
      demoCard(pki, { authority: 'gca', cardNumber, pin: PIN, commonName: '範例機關', organizationOid: DEMO_AGENCY_OID });
    const citizen = (cardNumber: string, commonName: string, idHint: string): Promise<VirtualHiCOSCard> =>
      demoCard(pki, { authority: 'moica', cardNumber, pin: PIN, commonName, idHint });
    const made = Promise.all([
      agency('GC03000000000001'),
      agency('GC03000000000002'),
      agency('GC03000000000003'),
      citizen('TP03000099990001', '王管理', '6789'),
      citizen('TP03000099990002', '王管理', '6789'),
      citizen('TP03000099990003', '王管理', '6789'),
      citizen('TP03000099990009', '陳經辦', '6780'),
    ]);
    rig = await startPortalRig({
      pki,
      systems: () => [
        gepiSystem({
          agencies: [
            { agencyCode: 'A1001', name: '範例機關', oid: DEMO_AGENCY_OID },
            { agencyCode: 'B2002', name: '另一機關', oid: OTHER_OID },
          ],
        }),
      ],
      ports: [AGENCY_PORT, CITIZEN_PORT],
      prefix: 'portal-gepi',
    });
    const [a1, a2, a3, c1, c2, c3, op] = await made;
    Object.assign(cards, { agency: a1, agencyRenewed: a2, agencyThird: a3, admin: c1, adminRenewed: c2, adminThird: c3, operator: op });
    await rig.insert(AGENCY_PORT, cards.agency as VirtualHiCOSCard);
    await rig.insert(CITIZEN_PORT, cards.admin as VirtualHiCOSCard);
  }, RIG_START_TIMEOUT_MS);

  afterAll(async () => {
    await rig?.close();
  });

  afterEach(async () => {
    await rig.closePages();
  });

  async function pick(page: Page, select: string, reader: string): Promise<void> {
    await page.waitForSelector(`#${select} option[value="${reader}"]`, { state: 'attached' });
    await page.selectOption(`#${select}`, reader);
  }

  /** (一) 機關憑證確認 with the card in `reader`. */
  async function agencyStep(page: Page, agencyCode: string, reader = AGENCY_READER): Promise<void> {
    await page.waitForSelector('#step-org:not([hidden])');
    await page.fill('#agency-code', agencyCode);
    await pick(page, 'org-select', reader);
    await page.fill('#org-pin', PIN);
    await page.click('#org-confirm');
    await waitForText(page, 'org-message', /機關憑證確認中/, true);
  }

  /** (二) 授權管理者自然人憑證確認 with the card in `reader`. */
  async function administratorStep(page: Page, nationalId = ADMIN_ID): Promise<void> {
    await page.waitForSelector('#step-admin:not([hidden])');
    await page.fill('#admin-national-id', nationalId);
    await pick(page, 'admin-select', CITIZEN_READER);
    await page.fill('#admin-pin', PIN);
    await page.click('#admin-confirm');
    await waitForText(page, 'admin-message', /自然人憑證確認中/, true);
  }

  /** 用戶約定條款 → both cards → 資訊確認 → 確認; returns the result text. */
  async function registerOrReplace(path: string, name: string, fill: boolean): Promise<string> {
    const page = await rig.newPage();
    await page.goto(`${rig.portal.url}${path}`);
    await page.waitForSelector('#step-terms:not([hidden])');
    await rig.shot(page, `${name}-1-terms`);
    await page.click('#terms-agree');
    await agencyStep(page, 'A1001');
    await rig.shot(page, `${name}-2-agency-card`);
    if (path === '/gepi/register') {
      await administratorStep(page, 'B123456780');
      expect(await page.textContent('#admin-message')).toContain('身分證統一編號與自然人憑證不符');
      await rig.shot(page, 'register-wrong-id');
    }
    await administratorStep(page);
    await page.waitForSelector('#step-confirm:not([hidden])');
    if (fill) {
      await page.fill('#admin-name', '王管理');
      await page.fill('#admin-email', 'admin@example.gov.tw');
      await page.fill('#admin-phone', '02-2701-3411');
    }
    await rig.shot(page, `${name}-3-confirm`);
    await page.click('#confirm-submit');
    await page.waitForSelector('#step-result:not([hidden])');
    await rig.shot(page, `${name}-4-result`);
    return (await page.textContent('#result-message')) ?? '';
  }

  it('首次註冊, 授權指派 add/edit/delete, 查詢作業 ×3 and 更換憑證 ×3', async () => {
    // 首次註冊: agency card in 00 00, administrator card in 00 01, both on the page's reader list.
    const page = await rig.newPage();
    await page.goto(`${rig.portal.url}/gepi/register`);
    await page.click('#terms-agree');
    await page.waitForSelector(`#org-select option[value="${CITIZEN_READER}"]`, { state: 'attached' });
    expect(await page.locator('#org-select option').count()).toBe(2);
    await agencyStep(page, 'A1001');
    await administratorStep(page);
    await page.waitForSelector('#step-confirm:not([hidden])');
    expect(await page.textContent('#info-org-oid')).toBe(DEMO_AGENCY_OID);
    expect(await page.inputValue('#admin-name')).toBe('王管理');
    await page.fill('#admin-email', 'admin@example.gov.tw');
    await page.fill('#admin-phone', '02-2701-3411');
    await rig.shot(page, 'register-3-confirm');
    await page.click('#confirm-submit');
    await page.waitForSelector('#step-result:not([hidden])');
    expect(await page.textContent('#result-message')).toContain('首次註冊成功');
    await rig.shot(page, 'register-4-registered');

    // 授權指派: both cards, then the operator's card is read without a PIN (讀取憑證).
    const assign = await rig.newPage();
    await assign.goto(`${rig.portal.url}/gepi/assign`);
    await agencyStep(assign, 'A1001');
    await administratorStep(assign);
    await assign.waitForSelector('#step-operators:not([hidden])');
    expect(await assign.locator('#operators-rows tr').count()).toBe(0);
    await rig.shot(assign, 'assign-1-empty-list');
    await rig.insert(CITIZEN_PORT, cards.operator as VirtualHiCOSCard);
    await assign.click('#operator-new');
    await pick(assign, 'operator-select', CITIZEN_READER);
    await assign.click('#operator-read');
    await waitForText(assign, 'operator-message', /已讀取憑證/);
    expect(await assign.inputValue('#operator-name')).toBe('陳經辦');
    const serial = await assign.inputValue('#operator-serial');
    expect(serial).not.toBe('');
    await assign.fill('#operator-national-id', OPERATOR_ID);
    await assign.check('#operator-permissions input[value="加保作業"]');
    await rig.shot(assign, 'assign-2-new-operator');
    await assign.click('#operator-submit');
    await waitForText(assign, 'operators-message', /授權經辦人新增成功/);
    expect(await assign.locator('#operators-rows tr').count()).toBe(1);
    expect(await assign.textContent('#operators-rows')).toContain('陳經辦');
    await rig.shot(assign, 'assign-3-added');

    await assign.locator('#operators-rows tr button.edit').click();
    await assign.waitForSelector('#step-operator-form:not([hidden])');
    expect(await assign.textContent('#operator-form-title')).toBe('修改授權經辦人');
    await assign.check('#operator-permissions input[value="退保作業"]');
    await assign.click('#operator-submit');
    await waitForText(assign, 'operators-message', /授權經辦人修改成功/);
    expect(await assign.textContent('#operators-rows')).toContain('加保作業、退保作業');
    await rig.shot(assign, 'assign-4-edited');

    await assign.locator('#operators-rows tr button.remove').click();
    await waitForText(assign, 'operators-message', /授權經辦人刪除成功/);
    expect(await assign.locator('#operators-rows tr').count()).toBe(0);
    await rig.shot(assign, 'assign-5-deleted');

    // 查詢作業
    const query = await rig.newPage();
    await query.goto(`${rig.portal.url}/gepi/query/serial`);
    await query.fill('#serial-national-id', OPERATOR_ID);
    await pick(query, 'serial-select', CITIZEN_READER);
    await query.fill('#serial-pin', PIN);
    await query.click('#serial-submit');
    await query.waitForSelector('#serial-result:not([hidden])');
    expect(await query.textContent('#serial-name')).toBe('陳經辦');
    expect((await query.textContent('#serial-value'))?.toLowerCase()).toBe(serial.toLowerCase());
    await rig.shot(query, 'query-1-serial');
    await query.goto(`${rig.portal.url}/gepi/query/oid`);
    await query.fill('#oid-agency-code', 'A1001');
    await pick(query, 'oid-select', AGENCY_READER);
    await query.fill('#oid-pin', PIN);
    await query.click('#oid-submit');
    await query.waitForSelector('#oid-result:not([hidden])');
    expect(await query.textContent('#oid-value')).toBe(DEMO_AGENCY_OID);
    await rig.shot(query, 'query-2-oid');

    // 更換憑證 ×3
    await rig.insert(AGENCY_PORT, cards.agencyRenewed as VirtualHiCOSCard);
    await rig.insert(CITIZEN_PORT, cards.admin as VirtualHiCOSCard);
    expect(await registerOrReplace('/gepi/replace/organization', 'replace-org', false)).toBe('更換機關憑證成功');
    await rig.insert(CITIZEN_PORT, cards.adminRenewed as VirtualHiCOSCard);
    expect(await registerOrReplace('/gepi/replace/administrator', 'replace-admin', true)).toBe('更換授權管理者自然人憑證成功');
    await rig.insert(AGENCY_PORT, cards.agencyThird as VirtualHiCOSCard);
    await rig.insert(CITIZEN_PORT, cards.adminThird as VirtualHiCOSCard);
    expect(await registerOrReplace('/gepi/replace/both', 'replace-both', true)).toBe('更換機關憑證和更換授權管理者自然人憑證成功');

    await query.goto(`${rig.portal.url}/gepi/query/records`);
    await query.fill('#records-agency-code', 'A1001');
    await query.click('#records-submit');
    await waitForText(query, 'records-message', /共 4 筆/);
    const items = await query.locator('#records-rows tr td:nth-child(3)').allTextContents();
    expect(items).toEqual(['首次註冊', '更換機關憑證', '更換授權管理者自然人憑證', '更換機關憑證和更換授權管理者自然人憑證']);
    await rig.shot(query, 'query-3-records');
  }, 180_000);

  it('OID mismatch: 申請人確認, manual review message, the same message on retry, and the reviewer approves', async () => {
    const page = await rig.newPage();
    await page.goto(`${rig.portal.url}/gepi/register`);
    await page.click('#terms-agree');
    await page.click('#org-confirm');
    expect(await page.textContent('#org-message')).toContain('請輸入機關代號、機關憑證密碼（必填）');
    await agencyStep(page, 'B2002');
    await page.waitForSelector('#step-contact:not([hidden])');
    expect(await page.textContent('#mismatch-message')).toBe('貴機關申請憑證註冊，因申請資料比對不符，需進行審核，請填聯絡資料');
    await page.click('#contact-confirm');
    expect(await page.textContent('#contact-message')).toContain('請輸入姓名、電話（必填）');
    await page.fill('#contact-name', '陳承辦');
    await page.fill('#contact-phone', '02-2701-3411#5312');
    await rig.shot(page, 'mismatch-1-contact');
    // 送出申請 files the review at this step: no administrator card (the manual's 圖3-7 follows at once).
    await page.click('#contact-confirm');
    await page.waitForSelector('#step-result:not([hidden])');
    expect(await page.isVisible('#step-admin')).toBe(false);
    expect(await page.textContent('#result-message')).toBe('貴機關申請憑證註冊，因申請資料比對不符，需進行審核');
    expect(await page.isVisible('#review-notice')).toBe(true);
    expect(await page.textContent('#review-notice')).toContain('送出申請後請於次一營業日再重新註冊，如審核不通過，本部會主動聯絡申請人。');
    await rig.shot(page, 'mismatch-3-review-message');

    // Until the review passes, the registration step shows the same message.
    const retry = await rig.newPage();
    await retry.goto(`${rig.portal.url}/gepi/register`);
    await retry.click('#terms-agree');
    await agencyStep(retry, 'B2002');
    await retry.waitForSelector('#step-result:not([hidden])');
    expect(await retry.textContent('#result-message')).toContain('需進行審核');
    await rig.shot(retry, 'mismatch-4-retry-pending');

    // A citizen card offered as the agency card.
    const wrong = await rig.newPage();
    await wrong.goto(`${rig.portal.url}/gepi/assign`);
    await agencyStep(wrong, 'A1001', CITIZEN_READER);
    expect(await wrong.textContent('#org-message')).toContain('請插入機關憑證');
    await rig.shot(wrong, 'mismatch-5-citizen-card-as-agency-card');

    const review = await rig.newPage();
    await rig.reviewerLogin(review, '/gepi/review');
    const row = review.locator('tr[data-agency-code="B2002"]');
    await row.waitFor();
    expect(await row.textContent()).toContain('陳承辦');
    await rig.shot(review, 'mismatch-6-review');
    await row.locator('input.review-note').fill('確認為本機關憑證');
    await row.locator('button.approve').click();
    await waitForText(review, 'review-message', /審核通過，可於 .+ 起重新註冊/);
    await rig.shot(review, 'mismatch-7-approved');
  }, 120_000);
});
