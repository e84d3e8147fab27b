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
    await loadCards();
    setMessage('manage-message', '已刪除卡號 ' + c.cardNumber + '。');
  } catch (err) {
    setMessage('manage-message', errorText(err), true);
  }
}

setUpCardForm('/gps/card/add', 'add-submit', function (info) { $('card-holder').textContent = info.name; });

$('add-submit').addEventListener('click', async function () {
  try {
    var added = await api('POST', '/gps/api/cards', cardFormContact());
    $('add-submit').disabled = true;
    await loadCards();
    setMessage('card-message', '已新增卡號 ' + added.cardNumber + '。');
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
