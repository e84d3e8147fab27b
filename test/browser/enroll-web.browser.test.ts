/**
 * The enrollment web app driven end to end in headless Chromium: real backend
 * (examples/enroll-web), real local agent over a real pcscd, the virtual card
 * in the vpcd reader, activation mail through the example's SMTP sink.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PcscCardSlots, startAgent, type AgentServer } from 'twpki/agent';
import { parseCertificate } from 'twpki/cert';
import { PcscContext } from 'twpki/pcsc';
import { createTestPki, createVirtualHiCOSCard, VpcdBridge, type VirtualHiCOSCard } from 'twpki/testing';
import { startEnrollWeb, type EnrollWeb } from '../../examples/enroll-web/server.js';
import { startSmtpSink, type SmtpSink } from '../../examples/enroll-web/smtp-sink.js';
import { VIRTUAL_READER, pcscAvailable } from '../support/pcsc-rig.js';
import { lockReader } from '../support/reader-lock.js';
import { artifactPath, chromiumAvailable, launchChromium } from './chromium.js';

const PIN = '246810';
const CARD_NUMBER = 'TP03000088880001';

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

describe.runIf(chromiumAvailable() && pcscAvailable())('enrollment web app in headless Chromium', () => {
  let release: (() => void) | undefined;
  let card: VirtualHiCOSCard;
  let bridge: VpcdBridge | undefined;
  let slots: PcscCardSlots | undefined;
  let agent: AgentServer | undefined;
  let sink: SmtpSink | undefined;
  let web: EnrollWeb | undefined;
  let browser: Browser | undefined;
  let holderName = '';

  beforeAll(async () => {
    const pki = await createTestPki();
    card = await createVirtualHiCOSCard({ pki, generation: 2, pin: PIN, cardNumber: CARD_NUMBER });
    holderName = parseCertificate(card.credentials.sign.certificate).identity.holderName ?? '';
    // The vpcd reader is shared with other test files: hold it while the card is inserted.
    release = await lockReader(35963);
    bridge = await VpcdBridge.connect(card);
    const waiter = await PcscContext.establish();
    try {
      await waiter.waitForCard(VIRTUAL_READER, { timeoutMs: 10_000 });
    } finally {
      await waiter.close();
    }
    slots = await PcscCardSlots.open();
    agent = await startAgent({ slots, port: 0 });
    sink = await startSmtpSink();
    const mailbox = sink;
    web = await startEnrollWeb({
      port: 0,
      ems: [OK_COMPANY, MISMATCH_COMPANY, PIN_COMPANY, SECOND_COMPANY],
      trustAnchors: [pki.root.certificate],
      intermediates: [pki.issuer('moica').certificate],
      agentUrl: agent.url,
      smtp: { host: mailbox.host, port: mailbox.port },
      devMailbox: () => mailbox.messages,
      databaseUrl: '', // the embedded store, whatever the environment says
    });
    agent.trusted.add(web.url);
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await web?.close();
    await sink?.close();
    await agent?.close();
    await slots?.close();
    await bridge?.close();
    release?.();
  });

  /** Waits until the text of `#id` matches (or, with `absent`, stops matching) `pattern`. */
  async function waitForText(page: Page, id: string, pattern: RegExp, absent = false): Promise<void> {
    const expr = `${absent ? '!' : ''}${pattern.toString()}.test((document.getElementById(${JSON.stringify(id)}) || {}).textContent || '')`;
    await page.waitForFunction(expr);
  }

  async function shot(page: Page, name: string): Promise<void> {
    await page.screenshot({ path: artifactPath(`enroll-web-${name}.png`), fullPage: true });
  }

  const contexts: BrowserContext[] = [];

  /** A page in a fresh browser context (own cookies, so its own session). */
  async function newPage(): Promise<Page> {
    const context = await (browser as Browser).newContext({ locale: 'zh-TW' });
    contexts.push(context);
    return context.newPage();
  }

  // A page left open could still be talking to the agent when the next test reads the card.
  afterEach(async () => {
    for (const context of contexts.splice(0)) await context.close();
  });

  /** 管制編號 → 基本資料 (typed as given) → 下一步. */
  async function submitBasicData(page: Page, typed: Record<string, string>, prefix: string): Promise<void> {
    await page.goto(`${web?.url}/`);
    await page.fill('#control-number', typed.controlNumber ?? '');
    await shot(page, `${prefix}-1-control-number`);
    await page.click('#control-submit');
    await page.waitForSelector('#step-basic:not([hidden])');
    for (const [key, value] of Object.entries(typed)) {
      if (key !== 'controlNumber') await page.fill(`#basic-${key}`, value);
    }
    await shot(page, `${prefix}-2-basic-data`);
    await page.click('#basic-submit');
  }

  /** 取得憑證資訊 with `pin` on the vpcd reader's card. */
  async function readCertificate(page: Page, pin: string): Promise<void> {
    await page.waitForSelector(`#card-select option[value="${VIRTUAL_READER}"]`, { state: 'attached' });
    await page.selectOption('#card-select', VIRTUAL_READER);
    await page.fill('#card-pin', pin);
    await page.click('#get-cert-info');
    await waitForText(page, 'card-message', /讀取憑證中/, true);
  }

  it('applies, binds the card, is approved, activates from the e-mail and logs in with the card', async () => {
    const page = await newPage();
    await submitBasicData(page, OK_COMPANY, 'ok');
    await page.waitForSelector('#step-card:not([hidden])');
    expect(await page.textContent('#card-account-id')).toBe('E5600123');
    expect(await page.textContent('#card-company')).toBe('範例環保股份有限公司');
    await readCertificate(page, PIN);
    await shot(page, 'ok-3-certificate-info');
    expect(await page.inputValue('#card-number')).toBe(CARD_NUMBER);
    expect(await page.inputValue('#card-name')).toBe(holderName);
    expect(holderName).not.toBe('');
    expect(await page.inputValue('#card-gpki')).toMatch(/身分證號末四碼 \d{4}/);
    expect(await page.inputValue('#card-pin')).toBe('');

    await page.fill('#card-phone', '02-2345-6789');
    await page.fill('#card-email', 'applicant@example.com.tw');
    await page.click('#bind-submit');
    await page.waitForSelector('#step-done:not([hidden])');
    expect(await page.textContent('#done-status')).toContain('目前帳號狀態為審核中');
    await shot(page, 'ok-4-under-review');

    const review = await newPage();
    await review.goto(`${web?.url}/review`);
    const row = review.locator('tr[data-control-number="E5600123"]');
    await row.waitFor();
    expect(await row.textContent()).toContain(CARD_NUMBER);
    await shot(review, 'ok-5-review');
    const mailsBefore = sink?.messages.length ?? 0;
    await row.locator('button.approve').click();
    await waitForText(review, 'review-message', /審核通過/);
    expect(await review.textContent('#review-message')).toContain('service@example.com.tw');
    await shot(review, 'ok-6-approved');

    // The link goes to the EMS-registered facility e-mail, not to the address typed on the card form.
    const mail = await (sink as SmtpSink).waitFor('service@example.com.tw', { since: mailsBefore });
    expect(mail.to).toEqual(['service@example.com.tw']);
    expect(mail.subject).toContain('帳號申請認證');
    expect(mail.text).toContain('請點選下列連結開通帳號權限');
    const link = /(http:\/\/127\.0\.0\.1:\d+\/activate\?key=\S+)/.exec(mail.text)?.[1];
    expect(link).toBeDefined();

    const inbox = await newPage();
    await inbox.goto(`${web?.url}/dev/mailbox`);
    await shot(inbox, 'ok-7-mailbox');
    await inbox.click('a.mail-link');
    await inbox.waitForSelector('#activation-result');
    expect(await inbox.getAttribute('#activation-result', 'data-status')).toBe('active');
    expect(await inbox.textContent('#activation-result')).toContain('帳號啟用成功，請以自然人憑證登入');
    await shot(inbox, 'ok-8-activated');

    // Single use: the same link a second time says so instead of activating again.
    const again = await newPage();
    await again.goto(link as string);
    expect(await again.getAttribute('#activation-result', 'data-code')).toBe('TOKEN_USED');

    await inbox.click('#activation-ok');
    await inbox.waitForSelector(`#card-select option[value="${VIRTUAL_READER}"]`, { state: 'attached' });
    await inbox.selectOption('#card-select', VIRTUAL_READER);
    await inbox.fill('#card-pin', PIN);
    await shot(inbox, 'ok-9-login');
    await inbox.click('#login-submit');
    await inbox.waitForSelector('#login-done:not([hidden])');
    expect(await inbox.textContent('#login-control-number')).toBe('E5600123');
    expect(await inbox.textContent('#login-card-number')).toBe(CARD_NUMBER);
    // 自然人憑證管理 lists the bound card with the contact data typed at binding.
    await inbox.locator('#cards-rows tr').first().waitFor();
    expect(await inbox.locator('#cards-rows tr').count()).toBe(1);
    expect(await inbox.textContent('#cards-rows')).toContain('applicant@example.com.tw');
    expect(await inbox.textContent('#cards-rows')).toContain(CARD_NUMBER);
    await shot(inbox, 'ok-10-logged-in');
  }, 60_000);

  it('shows the seed’s ✓/✗ result page when the basic data differ from EMS', async () => {
    const page = await newPage();
    await submitBasicData(page, { ...MISMATCH_COMPANY, facilityAddress: '高雄市前鎮區成功二路25號' }, 'ems');
    await page.waitForSelector('#step-result:not([hidden])');
    await shot(page, 'ems-3-mismatch');
    const failed = page.locator('#ems-result li.twpki-ems-fail');
    expect(await failed.count()).toBe(1);
    expect(await failed.getAttribute('data-key')).toBe('facilityAddress');
    expect(await failed.textContent()).toContain('✗');
    // The seed marks the compared fields ✓/✗ and leaves 郵寄地址, 聯絡人, 聯絡人電子信箱 unmarked.
    expect(await page.locator('#ems-result li.twpki-ems-pass').count()).toBe(4);
    expect(await page.locator('#ems-result li.twpki-ems-unmarked').count()).toBe(3);
    expect(await page.textContent('#ems-result')).toContain('紅字為比對資料結果，若資料有誤請至EMS修正');
    expect(await page.isVisible('#step-card')).toBe(false);

    // 重新申請 with the EMS data goes through to the card step.
    await page.click('#reapply');
    await submitBasicData(page, MISMATCH_COMPANY, 'ems-retry');
    await page.waitForSelector('#step-card:not([hidden])');
    await page.waitForSelector(`#card-select option[value="${VIRTUAL_READER}"]`, { state: 'attached' });
  });

  it('refuses incomplete basic data before asking EMS (all fields required)', async () => {
    const page = await newPage();
    // A control number of its own: this application stays open (in draft).
    await submitBasicData(page, { ...company('R5600111', '未完成股份有限公司', 'r@example.com.tw'), mailingAddress: '' }, 'required');
    await waitForText(page, 'basic-message', /皆須填寫/);
    expect(await page.textContent('#basic-message')).toContain('郵寄地址');
    expect(await page.getAttribute('#basic-mailingAddress', 'class')).toContain('invalid');
    await shot(page, 'required-3-missing-field');
  });

  it('shows the tries left after a wrong PIN, and the right PIN still works', async () => {
    const page = await newPage();
    await submitBasicData(page, PIN_COMPANY, 'pin');
    await page.waitForSelector('#step-card:not([hidden])');
    await readCertificate(page, '000000');
    await shot(page, 'pin-3-wrong-pin');
    expect(await page.textContent('#card-message')).toContain('憑證卡片密碼錯誤，剩餘 2 次機會');
    expect(await page.inputValue('#card-number')).toBe('');
    expect(await page.isDisabled('#bind-submit')).toBe(true);
    // The page shows what the card says.
    expect(card.pinTriesLeft).toBe(2);

    await readCertificate(page, PIN);
    expect(await page.inputValue('#card-number')).toBe(CARD_NUMBER);
    expect(card.pinTriesLeft).toBe(3);
  });

  it('refuses a card already bound to another control number', async () => {
    const page = await newPage();
    await submitBasicData(page, SECOND_COMPANY, 'bound');
    await page.waitForSelector('#step-card:not([hidden])');
    await readCertificate(page, PIN);
    await page.fill('#card-phone', '07-1234-5678');
    await page.fill('#card-email', 'someone@example.com.tw');
    await page.click('#bind-submit');
    await waitForText(page, 'card-message', /CARD_ALREADY_BOUND/);
    expect(await page.textContent('#card-message')).toContain('相同自然人憑證僅限對應乙組管制編號');
    expect(await page.isVisible('#step-done')).toBe(false);
    await shot(page, 'bound-3-already-bound');
  });
});
