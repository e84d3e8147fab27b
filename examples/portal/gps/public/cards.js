// 自然人憑證管理 (the bound cards, 刪除) and 設定自然人憑證 (bind another card to the same 管制編號).
'use strict';

async function loadCards() {
  var data = await api('GET', '/gps/api/cards');
  $('account-id').textContent = data.controlNumber;
  $('card-account-id').textContent = data.controlNumber;
  var rows = $('cards-rows');
  rows.innerHTML = '';
  data.cards.forEach(function (c, i) {
    var tr = document.createElement('tr');
    tr.dataset.cardNumber = c.cardNumber;
    [String(i + 1), c.holderName, c.phone, c.email, c.cardNumber].forEach(function (text) { tr.appendChild(cell(text)); });
    var actions = document.createElement('td');
    var remove = document.createElement('button');
    remove.type = 'button';
    remove.className = 'remove';
    remove.textContent = '刪除';
    remove.addEventListener('click', function () { removeCard(c); });
    actions.appendChild(remove);
    tr.appendChild(actions);
    rows.appendChild(tr);
  });
}

async function removeCard(c) {
  if (!confirm('確定刪除卡號 ' + c.cardNumber + '（' + c.holderName + '）？')) return;
  try {
    await api('POST', '/gps/api/cards/' + encodeURIComponent(c.cardNumber) + '/delete', {});
    setMessage('manage-message', '已刪除卡號 ' + c.cardNumber + '。');
    await loadCards();
  } catch (err) {
    setMessage('manage-message', errorText(err), true);
  }
}

$('detect-cards').addEventListener('click', function () { detectCards($('card-select'), 'card-message'); });

$('get-cert-info').addEventListener('click', async function () {
  if (!$('card-select').value) return setMessage('card-message', '未偵測到卡片，請點選「重新偵測卡片」。', true);
  if ($('card-pin').value === '') return setMessage('card-message', '請輸入憑證卡片密碼。', true);
  $('add-submit').disabled = true;
  setMessage('card-message', '讀取憑證中…');
  try {
    var info = await cardStep('/gps/card/add', $('card-select'), $('card-pin'));
    $('card-holder').textContent = info.name;
    $('card-name').value = info.name;
    $('card-number').value = info.cardNumber;
    $('card-gpki').value = info.authorityName + (info.idHint ? '（身分證號末四碼 ' + info.idHint + '）' : '');
    $('add-submit').disabled = false;
    setMessage('card-message', '已取得憑證資訊，請填寫連絡電話及 Email 後點選「確認送出」。');
  } catch (err) {
    setMessage('card-message', failureText(err), true);
  }
});

$('add-submit').addEventListener('click', async function () {
  try {
    var added = await api('POST', '/gps/api/cards', {
      name: $('card-name').value.trim(), phone: $('card-phone').value.trim(), email: $('card-email').value.trim(),
    });
    $('add-submit').disabled = true;
    setMessage('card-message', '已新增卡號 ' + added.cardNumber + '。');
    await loadCards();
  } catch (err) {
    setMessage('card-message', errorText(err), true);
  }
});

$('logout').addEventListener('click', async function () {
  await api('POST', '/gps/api/logout', {});
  location.href = '/gps/login';
});

loadCards().catch(function (err) { setMessage('manage-message', errorText(err), true); });
detectCards($('card-select'), 'card-message');
