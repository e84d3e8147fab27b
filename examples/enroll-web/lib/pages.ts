/** Server-rendered pages: activation result (開通帳號權限) and the development mailbox. */
import { escapeHtml } from './http.js';

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="zh-Hant-TW"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<link rel="stylesheet" href="/style.css"></head>
<body><header class="site"><span>自然人憑證帳號申請 (twpki 範例)</span><nav><a href="/">帳號申請</a> <a href="/login">憑證登入</a> <a href="/review">審核 (管理端)</a></nav></header>
<main>${body}</main></body></html>`;
}

/** Activation succeeded: the seed's 帳號啟用成功 dialog, whose 確定 leads to the card login. */
export function activatedPage(controlNumber: string): string {
  return layout(
    '帳號啟用成功',
    `<h2>帳號開通</h2><div class="dialog" id="activation-result" data-status="active">
<p>帳號啟用成功，請以自然人憑證登入</p><p class="small">管制編號：<span id="activated-control-number">${escapeHtml(controlNumber)}</span></p>
<p><a class="button" id="activation-ok" href="/login">確定</a></p></div>`,
  );
}

const TOKEN_MESSAGES: Record<string, string> = {
  TOKEN_USED: '此開通連結已使用過，帳號已開通，請以自然人憑證登入。',
  TOKEN_EXPIRED: '此開通連結已逾期，請洽本系統客服重新寄發認證信。',
  TOKEN_INVALID: '開通連結無效，請確認信件中的完整連結。',
};

/** Activation failed: why, in Chinese, with the stable code for support staff. */
export function activationFailedPage(code: string): string {
  const message = TOKEN_MESSAGES[code] ?? '帳號開通失敗，請洽本系統客服。';
  return layout(
    '帳號開通失敗',
    `<h2>帳號開通</h2><div class="dialog error" id="activation-result" data-status="failed" data-code="${escapeHtml(code)}"><p>${escapeHtml(message)}</p></div>`,
  );
}

/** One captured e-mail as the mailbox lists it. */
export interface MailboxEntry {
  readonly to: readonly string[];
  readonly subject: string;
  readonly text: string;
  readonly receivedAt: Date;
}

/** The local SMTP sink's inbox (development only): links in the body are clickable. */
export function mailboxPage(mails: readonly MailboxEntry[]): string {
  const items = [...mails]
    .reverse()
    .map((m, i) => {
      const body = escapeHtml(m.text).replace(/(https?:\/\/[^\s<]+)/g, (url) => `<a class="mail-link" href="${url}">${url}</a>`);
      return `<article class="mail" data-index="${mails.length - 1 - i}"><h3>${escapeHtml(m.subject)}</h3>
<p class="small">收件者：<span class="mail-to">${escapeHtml(m.to.join(', '))}</span>　${escapeHtml(m.receivedAt.toISOString())}</p><pre>${body}</pre></article>`;
    });
  return layout('開發用信箱', `<h2>開發用信箱 (本機 SMTP)</h2>${items.length === 0 ? '<p>尚無信件</p>' : items.join('\n')}`);
}
