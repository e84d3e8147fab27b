/**
 * The portal's GPS system driven end to end in headless Chromium: the real
 * portal (examples/portal), a real local agent over a real pcscd, virtual
 * cards in the vpcd reader, mail through the SDK's SmtpMailer into the
 * portal's smtp-server sink. 帳號申請 → 審核 (reviewer login) → 開通 →
 * 自然人憑證登入 → 設定自然人憑證 / 自然人憑證管理 刪除 → card renewal, and the
 * failure paths (EMS mismatch, missing field, wrong PIN, card bound elsewhere).
 */
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseCertificate } from 'twpki/cert';
import { createTestPki, VPCD_DEFAULT_PORT, type VirtualHiCOSCard } from 'twpki/testing';
import { demoCard } from '../../examples/portal/demo-setup.js';
import { gpsSystem } from '../../examples/portal/gps/index.js';
import { VIRTUAL_READER, pcscAvailable } from '../support/pcsc-rig.js';
import { chromiumAvailable } from './chromium.js';
import { startPortalRig, waitForText, type PortalRig, RIG_START_TIMEOUT_MS } from './support/portal-rig.js';

const PIN = '246810';
const CARD_NUMBER = 'TP03000088880001';
const SECOND_CARD = 'TP03000088880002';

function company(controlNumber: string, name: string, email: string): Record<string, string> {
  return {
    controlNumber,
    companyName: name,
    responsiblePerson: '王大明',
    facilityAddress: '臺北市中正區重慶南路一段122號3樓',
    facilityEmail: email,
    mailingAddress: '臺北市中正區重慶南路一段122號3樓',
    contactName: '李小華',
    contactEmail: 'contact@example.com.tw',
  };
}

const OK_COMPANY = company('E5600123', '範例環保股份有限公司', 'service@example.com.tw');
const MISMATCH_COMPANY = company('H5600999', '測試化學工業有限公司', 'factory@example.com.tw');
const PIN_COMPANY = company('K5600777', '北區運輸股份有限公司', 'north@example.com.tw');
const SECOND_COMPANY = company('M5600555', '南區運輸股份有限公司', 'south@example.com.tw');
const REJECTED_COMPANY = company('P5600333', '西區運輸股份有限公司', 'west@example.com.tw');

describe.runIf(chromiumAvailable() && pcscAvailable())('portal GPS system in headless Chromium', () => {
  let rig: PortalRig;
  let card: VirtualHiCOSCard;
  let renewed: VirtualHiCOSCard | undefined;
  let holderName = '';

  beforeAll(async () => {
    const pki = await createTestPki();
    [rig, card] = await Promise.all([
      startPortalRig({
        pki,
        systems: () => [gpsSystem({ ems: [OK_COMPANY, MISMATCH_COMPANY, PIN_COMPANY, SECOND_COMPANY, REJECTED_COMPANY] })],
        ports: [VPCD_DEFAULT_PORT],
        prefix: 'portal-gps',
      }),
      demoCard(pki, { authority: 'moica', cardNumber: CARD_NUMBER, pin: PIN, commonName: '王小明', idHint: '6789' }),
    ]);
    holderName = parseCertificate(card.credentials.sign.certificate).identity.holderName ?? '';
    await rig.insert(VPCD_DEFAULT_PORT, card);
  }, RIG_START_TIMEOUT_MS);

  afterAll(async () => {
    await rig?.close();
  });

  afterEach(async () => {
    await rig.closePages();
  });

  /** 管制編號 → 基本資料 (typed as given) → 下一步. */
  async function submitBasicData(page: Page, typed: Record<string, string>, prefix: string): Promise<void> {
    await page.goto(`${rig.portal.url}/gps/`);
    await page.fill('#control-number', typed.controlNumber ?? '');
    await rig.shot(page, `${prefix}-1-control-number`);
    await page.click('#control-submit');
    await page.waitForSelector('#step-basic:not([hidden])');
    for (const [key, value] of Object.entries(typed)) {
      if (key !== 'controlNumber') await page.fill(`#basic-${key}`, value);
    }
    await rig.shot(page, `${prefix}-2-basic-data`);
    await page.click('#basic-submit');
  }

  /** A card step on the vpcd reader's card: select, PIN, the button; waits until the message settles. */
  async function cardStep(page: Page, pin: string, button: string, messageId: string): Promise<void> {
    await page.waitForSelector(`#card-select option[value="${VIRTUAL_READER}"]`, { state: 'attached' });
    await page.selectOption('#card-select', VIRTUAL_READER);
    await page.fill('#card-pin', pin);
    await page.click(button);
    await waitForText(page, messageId, /(讀取憑證中|驗證中)/, true);
  }

  async function login(page: Page, prefix: string): Promise<void> {
    await page.goto(`${rig.portal.url}/gps/login`);
    await page.waitForSelector(`#card-select option[value="${VIRTUAL_READER}"]`, { state: 'attached' });
    await page.selectOption('#card-select', VIRTUAL_READER);
    await page.fill('#card-pin', PIN);
    await rig.shot(page, `${prefix}-login`);
    await Promise.all([page.waitForURL(`${rig.portal.url}/gps/cards`), page.click('#login-submit')]);
    await page.locator('#cards-rows tr').first().waitFor();
  }

  it('applies, binds the card, is approved by the reviewer, activates from the e-mail, logs in, adds and deletes a card, and logs in with a renewed certificate', async () => {
    const page = await rig.newPage();
    await submitBasicData(page, OK_COMPANY, 'ok');
    await page.waitForSelector('#step-card:not([hidden])');
    expect(await page.textContent('#card-account-id')).toBe('E5600123');
    expect(await page.textContent('#card-company')).toBe('範例環保股份有限公司');
    await cardStep(page, PIN, '#get-cert-info', 'card-message');
    await rig.shot(page, 'ok-3-certificate-info');
    expect(await page.inputValue('#card-number')).toBe(CARD_NUMBER);
    expect(await page.inputValue('#card-name')).toBe(holderName);
    expect(await page.inputValue('#card-gpki')).toContain('身分證號末四碼 6789');
    expect(await page.inputValue('#card-pin')).toBe('');

    await page.fill('#card-phone', '02-2345-6789');
    await page.fill('#card-email', 'applicant@example.com.tw');
    await page.click('#bind-submit');
    await page.waitForSelector('#step-done:not([hidden])');
    expect(await page.textContent('#done-status')).toContain('目前帳號狀態為審核中');
    await rig.shot(page, 'ok-4-under-review');

    // 審核 needs the reviewer login.
    const review = await rig.newPage();
    await review.goto(`${rig.portal.url}/gps/review`);
    expect(review.url()).toContain('/review/login');
    await rig.shot(review, 'ok-5-reviewer-login');
    await rig.reviewerLogin(review, '/gps/review');
    const row = review.locator('tr[data-control-number="E5600123"]');
    await row.waitFor();
    expect(await row.textContent()).toContain(CARD_NUMBER);
    await rig.shot(review, 'ok-6-review');
    const mailsBefore = rig.sink.messages.length;
    await row.locator('button.approve').click();
    await waitForText(review, 'review-message', /審核通過/);
    expect(await review.textContent('#review-message')).toContain('service@example.com.tw');
    await rig.shot(review, 'ok-7-approved');

    // The link goes to the EMS-registered facility e-mail, not to the address typed on the card form.
    const mail = await rig.sink.waitFor('service@example.com.tw', { since: mailsBefore });
    expect(mail.to).toEqual(['service@example.com.tw']);
    expect(mail.subject).toBe('毒性及關注化學物質運送車輛即時追蹤系統專區-帳號申請認證');
    expect(mail.text).toContain('請點選下列連結開通帳號權限');
    const firstLink = /(http:\/\/127\.0\.0\.1:\d+\/gps\/activate\?key=\S+)/.exec(mail.text)?.[1];
    expect(firstLink).toBeDefined();

    // 審核通過、尚未開通 lists it, with 重新寄送認證信 (say the first mail was lost): a new link, the first one void.
    const approvedRow = review.locator('#approved-rows tr[data-control-number="E5600123"]');
    await approvedRow.waitFor();
    expect(await approvedRow.textContent()).toContain(CARD_NUMBER);
    const resentBefore = rig.sink.messages.length;
    await approvedRow.locator('button.reissue').click();
    await waitForText(review, 'approved-message', /已重新寄送認證信/);
    expect(await review.textContent('#approved-message')).toContain('service@example.com.tw');
    await rig.shot(review, 'ok-7b-reissued');
    const resent = await rig.sink.waitFor('service@example.com.tw', { since: resentBefore });
    const link = /(http:\/\/127\.0\.0\.1:\d+\/gps\/activate\?key=\S+)/.exec(resent.text)?.[1];
    expect(link).toBeDefined();
    expect(link).not.toBe(firstLink);

    // The link opens the 開通帳號權限 page; the account is activated by its button, not by opening the link.
    const inbox = await rig.newPage();
    await inbox.goto(`${rig.portal.url}/dev/mailbox`);
    await rig.shot(inbox, 'ok-8-mailbox');
    await inbox.locator('article.mail').first().locator('a.mail-link').click();
    await inbox.waitForSelector('#activation-confirm');
    expect(await inbox.textContent('#activation-confirm')).toContain('若貴公司未於本系統提送帳號申請需求');
    // The page names what the button opens (pendingActivation), read without using the link.
    expect(await inbox.textContent('#activation-control-number')).toBe('E5600123');
    expect(await inbox.textContent('#activation-cards')).toContain('卡號末四碼');
    await rig.shot(inbox, 'ok-8b-activation-confirm');
    await inbox.click('#activation-submit');
    await inbox.waitForSelector('#activation-result');
    expect(await inbox.getAttribute('#activation-result', 'data-status')).toBe('active');
    expect(await inbox.textContent('#activation-result')).toContain('帳號啟用成功，請以自然人憑證登入');
    await rig.shot(inbox, 'ok-9-activated');
    const again = await rig.newPage();
    // A used link says so when it is opened: no button that can only fail.
    await again.goto(link as string);
    expect(await again.locator('#activation-submit').count()).toBe(0);
    await again.waitForSelector('#activation-result');
    expect(await again.getAttribute('#activation-result', 'data-code')).toBe('TOKEN_USED');

    // 確定 → 自然人憑證登入 → 自然人憑證管理
    await inbox.click('#activation-ok');
    await inbox.waitForURL(`${rig.portal.url}/gps/login`);
    await login(inbox, 'ok-10');
    expect(await inbox.textContent('#account-id')).toBe('E5600123');
    expect(await inbox.locator('#cards-rows tr').count()).toBe(1);
    expect(await inbox.textContent('#cards-rows')).toContain('applicant@example.com.tw');
    await rig.shot(inbox, 'ok-11-card-management');

    // 設定自然人憑證: a colleague's card for the same 管制編號.
    const second = await demoCard(rig.pki, { authority: 'moica', cardNumber: SECOND_CARD, pin: PIN, commonName: '李小華' });
    await rig.insert(VPCD_DEFAULT_PORT, second);
    await inbox.click('#detect-cards');
    await cardStep(inbox, PIN, '#get-cert-info', 'card-message');
    expect(await inbox.inputValue('#card-number')).toBe(SECOND_CARD);
    await inbox.fill('#card-phone', '02-1111-2222');
    await inbox.fill('#card-email', 'colleague@example.com.tw');
    await rig.shot(inbox, 'ok-12-add-card');
    await inbox.click('#add-submit');
    await waitForText(inbox, 'card-message', /已新增卡號/);
    await inbox.locator(`#cards-rows tr[data-card-number="${SECOND_CARD}"]`).waitFor();
    expect(await inbox.locator('#cards-rows tr').count()).toBe(2);
    await rig.shot(inbox, 'ok-13-two-cards');

    // 刪除 (confirmed) of the card this browser logged in with: done, and its login ends with it.
    await inbox.locator(`#cards-rows tr[data-card-number="${CARD_NUMBER}"] button.remove`).click();
    await inbox.waitForSelector('#login-again');
    expect(await inbox.textContent('#logged-in')).toContain('已登出');
    expect(await inbox.isVisible('#manage')).toBe(false);
    expect(await inbox.evaluate(() => fetch('/gps/api/cards').then((r) => r.status))).toBe(401);
    await rig.shot(inbox, 'ok-14-own-card-deleted');

    // The colleague's card (in the reader) logs in; the last card cannot be removed.
    const colleague = await rig.newPage();
    await login(colleague, 'ok-15');
    expect(await colleague.locator('#cards-rows tr').count()).toBe(1);
    await colleague.locator(`#cards-rows tr[data-card-number="${SECOND_CARD}"] button.remove`).click();
    await waitForText(colleague, 'manage-message', /LAST_CARD/);
    expect(await colleague.textContent('#manage-message')).toContain('無法移除最後一張憑證');
    await rig.shot(colleague, 'ok-16-last-card');

    // Card renewal: the same card (卡號) with a new certificate logs in and takes over the binding.
    const before = (await colleague.evaluate(() => fetch('/gps/api/cards').then((r) => r.json()))) as { cards: Array<{ certificateSerial: string }> };
    renewed = await demoCard(rig.pki, {
      authority: 'moica',
      cardNumber: SECOND_CARD,
      pin: PIN,
      commonName: '李小華',
      notBefore: new Date(Date.now() - 10 * 60_000),
    });
    await rig.insert(VPCD_DEFAULT_PORT, renewed);
    const renewal = await rig.newPage();
    await login(renewal, 'renewal-1');
    expect(await renewal.textContent('#account-id')).toBe('E5600123');
    const after = (await renewal.evaluate(() => fetch('/gps/api/cards').then((r) => r.json()))) as { cards: Array<{ cardNumber: string; certificateSerial: string }> };
    expect(after.cards).toHaveLength(1);
    expect(after.cards[0]?.cardNumber).toBe(SECOND_CARD);
    expect(after.cards[0]?.certificateSerial).not.toBe(before.cards[0]?.certificateSerial);
    expect(after.cards[0]?.certificateSerial.toLowerCase()).toBe(parseCertificate(renewed.credentials.sign.certificate).serialNumber.toLowerCase());
    await rig.shot(renewal, 'renewal-2-logged-in');

    // A card bound nowhere is refused at login.
    await rig.insert(VPCD_DEFAULT_PORT, card);
    const stranger = await rig.newPage();
    await stranger.goto(`${rig.portal.url}/gps/login`);
    await cardStep(stranger, PIN, '#login-submit', 'login-message');
    await waitForText(stranger, 'login-message', /NOT_AUTHORIZED/);
    await rig.shot(stranger, 'renewal-3-unbound-card-refused');
  }, 180_000);

  it('shows the seed’s ✓/✗ result page when the basic data differ from EMS, and 重新申請 goes on', async () => {
    const page = await rig.newPage();
    await submitBasicData(page, { ...MISMATCH_COMPANY, facilityAddress: '高雄市前鎮區成功二路25號' }, 'ems');
    await page.waitForSelector('#step-result:not([hidden])');
    await rig.shot(page, 'ems-3-mismatch');
    const failed = page.locator('#ems-result li.twpki-ems-fail');
    expect(await failed.count()).toBe(1);
    expect(await failed.getAttribute('data-key')).toBe('facilityAddress');
    expect(await failed.textContent()).toContain('✗');
    // The seed marks the compared fields ✓/✗ and leaves 郵寄地址, 聯絡人, 聯絡人電子信箱 unmarked.
    expect(await page.locator('#ems-result li.twpki-ems-pass').count()).toBe(4);
    expect(await page.locator('#ems-result li.twpki-ems-unmarked').count()).toBe(3);
    expect(await page.textContent('#ems-result')).toContain('紅字為比對資料結果，若資料有誤請至EMS修正');
    expect(await page.isVisible('#step-card')).toBe(false);

    await page.click('#reapply');
    await submitBasicData(page, MISMATCH_COMPANY, 'ems-retry');
    await page.waitForSelector('#step-card:not([hidden])');
    await page.waitForSelector(`#card-select option[value="${VIRTUAL_READER}"]`, { state: 'attached' });
  });

  it('refuses incomplete basic data before asking EMS (all fields required)', async () => {
    const page = await rig.newPage();
    await submitBasicData(page, { ...company('R5600111', '未完成股份有限公司', 'r@example.com.tw'), mailingAddress: '' }, 'required');
    await waitForText(page, 'basic-message', /皆須填寫/);
    expect(await page.textContent('#basic-message')).toContain('郵寄地址');
    expect(await page.getAttribute('#basic-mailingAddress', 'class')).toContain('invalid');
    await rig.shot(page, 'required-3-missing-field');
  });

  it('shows the tries left after a wrong PIN, and the right PIN still works', async () => {
    await rig.insert(VPCD_DEFAULT_PORT, card);
    const page = await rig.newPage();
    await submitBasicData(page, PIN_COMPANY, 'pin');
    await page.waitForSelector('#step-card:not([hidden])');
    await cardStep(page, '000000', '#get-cert-info', 'card-message');
    await rig.shot(page, 'pin-3-wrong-pin');
    expect(await page.textContent('#card-message')).toContain('憑證卡片密碼錯誤，剩餘 2 次機會');
    expect(await page.inputValue('#card-number')).toBe('');
    expect(await page.isDisabled('#bind-submit')).toBe(true);
    expect(card.pinTriesLeft).toBe(2);

    await cardStep(page, PIN, '#get-cert-info', 'card-message');
    expect(await page.inputValue('#card-number')).toBe(CARD_NUMBER);
    expect(card.pinTriesLeft).toBe(3);
  });

  it('refuses a card already bound to another control number', async () => {
    // The renewed card of the first test is bound to E5600123.
    expect(renewed, 'the first test binds the renewed card').toBeDefined();
    await rig.insert(VPCD_DEFAULT_PORT, renewed as VirtualHiCOSCard);
    const page = await rig.newPage();
    await submitBasicData(page, SECOND_COMPANY, 'bound');
    await page.waitForSelector('#step-card:not([hidden])');
    await cardStep(page, PIN, '#get-cert-info', 'card-message');
    await page.fill('#card-phone', '07-1234-5678');
    await page.fill('#card-email', 'someone@example.com.tw');
    await page.click('#bind-submit');
    await waitForText(page, 'card-message', /CARD_ALREADY_BOUND/);
    expect(await page.textContent('#card-message')).toContain('相同自然人憑證僅限對應乙組管制編號');
    expect(await page.isVisible('#step-done')).toBe(false);
    await rig.shot(page, 'bound-3-already-bound');
  });

  it('審核不通過 mails the 帳號申請結果 link; the result page shows the comparison and the reason, and 重新申請', async () => {
    // The first test's original card was deleted from its account, so it is free again.
    await rig.insert(VPCD_DEFAULT_PORT, card);
    const page = await rig.newPage();
    await submitBasicData(page, REJECTED_COMPANY, 'reject');
    await page.waitForSelector('#step-card:not([hidden])');
    await cardStep(page, PIN, '#get-cert-info', 'card-message');
    await page.fill('#card-phone', '07-7654-3210');
    await page.fill('#card-email', 'west-applicant@example.com.tw');
    await page.click('#bind-submit');
    await page.waitForSelector('#step-done:not([hidden])');

    const review = await rig.newPage();
    await rig.reviewerLogin(review, '/gps/review');
    const row = review.locator('tr[data-control-number="P5600333"]');
    await row.waitFor();
    await row.locator('button.reject').click();
    await waitForText(review, 'review-message', /請填寫不通過原因/);
    await row.locator('input.reject-reason').fill('負責人姓名與登記資料不符');
    const mailsBefore = rig.sink.messages.length;
    await row.locator('button.reject').click();
    await waitForText(review, 'review-message', /審核不通過/);
    await rig.shot(review, 'reject-3-rejected');

    const mail = await rig.sink.waitFor('west@example.com.tw', { since: mailsBefore });
    expect(mail.text).toContain('帳號申請未通過');
    const inbox = await rig.newPage();
    await inbox.goto(`${rig.portal.url}/dev/mailbox`);
    await inbox.locator('article.mail').first().locator('a.mail-link').click();
    await inbox.waitForSelector('#result-fields');
    expect(await inbox.textContent('#review-note')).toContain('負責人姓名與登記資料不符');
    expect(await inbox.getAttribute('#result-fields li[data-key="companyName"]', 'data-verdict')).toBe('match');
    expect(await inbox.textContent('main')).toContain('申請未通過後請依正確資料重新申請');
    await rig.shot(inbox, 'reject-4-result-page');
    await Promise.all([inbox.waitForURL(`${rig.portal.url}/gps/`), inbox.click('a.button:has-text("重新申請")')]);
    await inbox.waitForSelector('#control-number');
  }, 120_000);
});
