// Shared by the pages: calls to this site's API, and the card through twpki/browser (served by
// this site at /twpki-browser.js) talking to the local component (HiPKI's or twpki agent,
// http://localhost:61161). The PIN goes only to the component, never to this site.
'use strict';

var ERROR_MESSAGES = {
  APPLICATION_IN_PROGRESS: '此管制編號已有申請中或已開通之帳號。',
  CARD_ALREADY_BOUND: '相同自然人憑證僅限對應乙組管制編號，此憑證已綁定其他管制編號。',
  INVALID_INPUT: '資料格式有誤，請檢查標示的欄位。',
  NOT_AUTHORIZED: '此自然人憑證尚未綁定已開通之帳號。',
  WRONG_CARD_TYPE: '請使用自然人憑證。',
  CERT_UNTRUSTED: '憑證非由信任的憑證機構簽發。',
  CERT_EXPIRED: '憑證已逾期。',
  CERT_REVOKED: '憑證已廢止。',
  CHALLENGE_EXPIRED: '作業逾時，請重新操作。',
  CHALLENGE_USED: '此簽章已使用過，請重新操作。',
  SIGNATURE_INVALID: '簽章驗證失敗。',
  CARD_NOT_VERIFIED: '請先輸入密碼並點選「取得憑證資訊」。',
  NO_APPLICATION: '請先輸入管制編號送出申請。',
  EMS_FAILURE: 'EMS 比對暫時無法使用，請稍後再試。',
  MAIL_FAILED: '認證信寄送失敗，請稍後再試。',
};

function $(id) { return document.getElementById(id); }

function show(id, visible) { $(id).hidden = !visible; }

function setMessage(id, text, isError) {
  var el = $(id);
  el.textContent = text || '';
  el.className = 'message' + (isError ? ' error' : '');
}

function errorText(err) {
  return (ERROR_MESSAGES[err.code] || err.message || '系統錯誤') + (err.code ? '（' + err.code + '）' : '');
}

async function api(method, path, body) {
  var response = await fetch(path, {
    method: method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'same-origin',
  });
  var data = await response.json();
  if (!response.ok) {
    var e = new Error((data.error && data.error.message) || 'request failed');
    e.code = data.error && data.error.code;
    e.issues = (data.error && data.error.issues) || [];
    throw e;
  }
  return data;
}

var agentUrl = 'http://localhost:61161';
var configReady = api('GET', '/api/config').then(function (c) { agentUrl = c.agentUrl; });
// A classic script can load an ES module with import().
var twpkiReady = import('/twpki-browser.js');
// The last detection: signing names its reader and checks the card number against it.
var detected = null;

// What the component or the card said, in this site's words where it has them.
function componentErrorText(twpki, err) {
  if (!(err instanceof twpki.ComponentError)) return errorText(err);
  if (err.triesLeft === 2) return '憑證卡片密碼錯誤，剩餘 2 次機會。';
  if (err.triesLeft === 1) return '憑證卡片密碼錯誤，剩餘 1 次機會（再錯將鎖卡）。';
  if (err.triesLeft === 0) return '憑證卡片已鎖卡，請至內政部憑證管理中心網站重設 PIN 碼。';
  if (err.lastError === twpki.LastError.PIN_INCORRECT) return '憑證卡片密碼錯誤。';
  if (err.lastError === twpki.LastError.PIN_LEN_RANGE) return '憑證卡片密碼長度須為 6 至 8 碼。';
  if (err.retCode === twpki.RetCode.NO_CARD) return '讀卡機中沒有卡片，請點選「重新偵測卡片」。';
  if (err.code === 'COMPONENT_ABSENT') return '無法連線至跨平台網頁元件，請確認已安裝並啟動 (https://moica.nat.gov.tw/rac_plugin.html)。';
  return err.messages.zhTW + '。';
}

// 選擇讀卡機及卡片: readers holding a card, from twpki/browser's detect().
async function detectCards(select, messageId) {
  await configReady;
  var twpki = await twpkiReady;
  select.innerHTML = '';
  detected = null;
  var found;
  try {
    found = await twpki.detect({ url: agentUrl });
  } catch (err) {
    setMessage(messageId, componentErrorText(twpki, err), true);
    return 0;
  }
  if (!found.present) {
    setMessage(messageId, componentErrorText(twpki, found.error), true);
    return 0;
  }
  detected = found;
  var cards = found.slots.filter(function (slot) { return slot.state === 'card'; });
  var unknown = found.slots.filter(function (slot) { return slot.state === 'unknown'; }).length;
  cards.forEach(function (slot) {
    var option = document.createElement('option');
    option.value = slot.description;
    option.textContent = slot.description + ' － 卡號 ' + slot.token.serialNumber;
    select.appendChild(option);
  });
  if (cards.length === 0 && unknown > 0) setMessage(messageId, '讀卡機中的卡片無法辨識，請確認插入自然人憑證後點選「重新偵測卡片」。', true);
  else if (cards.length === 0) setMessage(messageId, '未偵測到卡片：未顯示卡號請點選「重新偵測卡片」。', true);
  else setMessage(messageId, '已偵測到 ' + cards.length + ' 張卡片。', false);
  return cards.length;
}

// Asks this site for a challenge, has the card sign it, returns the token for this site to verify.
// The PIN is read from the field, which is emptied at once, and handed to twpki/browser only.
async function signChallenge(slotDescription, pinInput) {
  await configReady;
  var twpki = await twpkiReady;
  var slot = detected && detected.slots.find(function (s) { return s.description === slotDescription; });
  if (!slot || !slot.token) {
    pinInput.value = '';
    throw Object.assign(new Error('未偵測到卡片，請點選「重新偵測卡片」。'), { agent: true });
  }
  var challenge = await api('POST', '/api/challenge', {});
  var pin = pinInput.value;
  pinInput.value = '';
  var signed;
  try {
    signed = await twpki.sign({ tbs: challenge.tbs, signatureType: 'PKCS7', withCardSN: true, pin: pin, slot: slot }, { url: agentUrl });
  } catch (err) {
    throw Object.assign(new Error(componentErrorText(twpki, err)), { agent: true });
  } finally {
    pin = '';
  }
  return { signatureType: 'PKCS7', signature: signed.signature, certb64: signed.certificate, tbs: challenge.tbs, cardSN: signed.cardNumber };
}
