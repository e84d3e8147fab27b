// Shared by every system's pages: calls to this site's API, and card steps through twpki/browser
// (served by this site at /twpki-browser.js) talking to the local component (HiPKI's or
// `twpki agent`, http://localhost:61161) as real pages do. The PIN goes only to the component.
'use strict';

function $(id) { return document.getElementById(id); }

function show(id, visible) { $(id).hidden = !visible; }

function setMessage(id, text, isError) {
  var el = $(id);
  el.textContent = text || '';
  el.className = 'message' + (isError ? ' error' : '');
}

// The server's message (zh-TW, from twpki/messages) and its stable code for support staff.
function errorText(err) {
  return (err.message || '系統錯誤') + (err.code ? '（' + err.code + '）' : '');
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
// The last detection per <select>: signing names its reader and checks the card number against it.
var detections = {};

// What the component or the card said, in the seed's words where it has them.
function componentErrorText(twpki, err) {
  if (!(err instanceof twpki.ComponentError)) return errorText(err);
  if (err.triesLeft === 2) return '憑證卡片密碼錯誤，剩餘 2 次機會。';
  if (err.triesLeft === 1) return '憑證卡片密碼錯誤，剩餘 1 次機會（再錯將鎖卡）。';
  if (err.triesLeft === 0) return '憑證卡片已鎖卡，請至內政部憑證管理中心網站重設 PIN 碼。';
  if (err.lastError === twpki.LastError.PIN_INCORRECT) return '憑證卡片密碼錯誤。';
  if (err.lastError === twpki.LastError.PIN_LEN_RANGE) return '憑證卡片密碼長度須為 6 至 8 碼。';
  if (err.retCode === twpki.RetCode.NO_CARD) return '讀卡機中沒有卡片，請點選「重新偵測卡片」。';
  if (err.code === 'COMPONENT_ABSENT') return '無法連線至跨平台網頁元件，請確認已安裝並啟動 (https://moica.nat.gov.tw/rac_plugin.html)。';
  if (err.code === 'COMPONENT_BAD_REQUEST') return '請輸入 6 至 8 碼的憑證卡片密碼。';
  return err.messages.zhTW + '。';
}

// 選擇讀卡機及卡片: every reader holding a card, from twpki/browser's detect().
async function detectCards(select, messageId, options) {
  await configReady;
  var twpki = await twpkiReady;
  var previous = select.value;
  select.innerHTML = '';
  delete detections[select.id];
  var found;
  try {
    found = await twpki.detect({ url: agentUrl, certificates: Boolean(options && options.certificates) });
  } catch (err) {
    setMessage(messageId, componentErrorText(twpki, err), true);
    return 0;
  }
  if (!found.present) {
    setMessage(messageId, componentErrorText(twpki, found.error), true);
    return 0;
  }
  detections[select.id] = found;
  var cards = found.slots.filter(function (slot) { return slot.state === 'card'; });
  var unknown = found.slots.filter(function (slot) { return slot.state === 'unknown'; }).length;
  cards.forEach(function (slot) {
    var option = document.createElement('option');
    option.value = slot.description;
    var cert = slot.token.userCertificate;
    option.textContent = slot.description + ' － 卡號 ' + slot.token.serialNumber + (cert && cert.subjectName ? '（' + cert.subjectName + '）' : '');
    select.appendChild(option);
  });
  if (cards.some(function (slot) { return slot.description === previous; })) select.value = previous;
  if (cards.length === 0 && unknown > 0) setMessage(messageId, '讀卡機中的卡片無法辨識，請確認插入憑證卡片後點選「重新偵測卡片」。', true);
  else if (cards.length === 0) setMessage(messageId, '未偵測到卡片：未顯示卡號請點選「重新偵測卡片」。', true);
  else setMessage(messageId, '已偵測到 ' + cards.length + ' 張卡片。', false);
  return cards.length;
}

// The detected slot a <select> points at, or undefined.
function selectedSlot(select) {
  var found = detections[select.id];
  return found && found.slots.find(function (s) { return s.description === select.value && s.token; });
}

// One card step: the site's challenge (GET prefix/challenge, twpki/fastify), signed by the card
// through the component, verified by the site (POST prefix/verify). Returns the site's answer.
// The PIN is read from the field, which is emptied at once, and handed to twpki/browser only.
async function cardStep(prefix, select, pinInput) {
  await configReady;
  var twpki = await twpkiReady;
  var slot = selectedSlot(select);
  if (!slot) {
    pinInput.value = '';
    throw Object.assign(new Error('未偵測到卡片，請點選「重新偵測卡片」。'), { agent: true });
  }
  var challenge = await api('GET', prefix + '/challenge');
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
  return api('POST', prefix + '/verify', {
    signatureType: 'PKCS7', tbs: challenge.tbs, signature: signed.signature, certb64: signed.certificate, cardSN: signed.cardNumber,
  });
}

// A failure as the page shows it: the component's words, or the site's message and code.
function failureText(err) { return err.agent ? err.message : errorText(err); }

function cell(text) {
  var td = document.createElement('td');
  td.textContent = text;
  return td;
}
