// Shared by the pages: calls to this site's API and to the local agent (HiPKI-compatible,
// http://localhost:61161). The PIN goes only to the agent, never to this site.
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

// 選擇讀卡機及卡片: readers with a card, from the agent's /pkcs11info.
async function detectCards(select, messageId) {
  await configReady;
  select.innerHTML = '';
  var info;
  try {
    info = await (await fetch(agentUrl + '/pkcs11info')).json();
  } catch (e) {
    setMessage(messageId, '無法連線至跨平台網頁元件，請確認已安裝並啟動 (https://moica.nat.gov.tw/rac_plugin.html)。', true);
    return 0;
  }
  if (info.ret_code !== 0) {
    setMessage(messageId, '跨平台網頁元件拒絕本網站（錯誤碼 0x' + (info.ret_code >>> 0).toString(16) + '）。', true);
    return 0;
  }
  var count = 0;
  var unknown = 0;
  info.slots.forEach(function (slot) {
    if (slot.token === 'unknown token') unknown++;
    if (!slot.token || typeof slot.token !== 'object') return;
    var option = document.createElement('option');
    option.value = slot.slotDescription;
    option.textContent = slot.slotDescription + ' － 卡號 ' + slot.token.serialNumber;
    select.appendChild(option);
    count++;
  });
  if (count === 0 && unknown > 0) setMessage(messageId, '讀卡機中的卡片無法辨識，請確認插入自然人憑證後點選「重新偵測卡片」。', true);
  else if (count === 0) setMessage(messageId, '未偵測到卡片：未顯示卡號請點選「重新偵測卡片」。', true);
  else setMessage(messageId, '已偵測到 ' + count + ' 張卡片。', false);
  return count;
}

// The agent's answer to a wrong PIN: last_error carries the tries left.
function pinFailureText(reply) {
  var le = reply.last_error | 0;
  if (le === (0x80000002 | 0)) return '憑證卡片密碼錯誤，剩餘 2 次機會。';
  if (le === (0x80000001 | 0)) return '憑證卡片密碼錯誤，剩餘 1 次機會（再錯將鎖卡）。';
  if (le === 0xa4) return '憑證卡片已鎖卡，請至內政部憑證管理中心網站重設 PIN 碼。';
  if (le === 0xa0) return '憑證卡片密碼錯誤。';
  if (le === 0xa2) return '憑證卡片密碼長度須為 6 至 8 碼。';
  if (le === 0xe0) return '讀卡機中沒有卡片，請點選「重新偵測卡片」。';
  return '簽章失敗：' + (reply.message || ('錯誤碼 0x' + (reply.ret_code >>> 0).toString(16)));
}

// Asks this site for a challenge, has the card sign it through the agent, returns the token.
async function signChallenge(slotDescription, pinInput) {
  await configReady;
  var challenge = await api('POST', '/api/challenge', {});
  var pin = pinInput.value;
  pinInput.value = '';
  var tbsPackage = JSON.stringify({
    func: 'MakeSignature', signatureType: 'PKCS7', tbs: challenge.tbs, tbsEncoding: 'NONE',
    hashAlgorithm: 'SHA256', withCardSN: 'true', pin: pin, slotDescription: slotDescription,
  });
  pin = '';
  var reply = await (await fetch(agentUrl + '/sign', { method: 'POST', body: 'tbsPackage=' + tbsPackage })).json();
  tbsPackage = '';
  if (reply.ret_code !== 0) {
    var e = new Error(pinFailureText(reply));
    e.agent = reply;
    throw e;
  }
  return { signatureType: 'PKCS7', signature: reply.signature, certb64: reply.certb64, tbs: challenge.tbs, cardSN: reply.cardSN };
}
