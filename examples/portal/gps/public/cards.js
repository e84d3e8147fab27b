// 自然人憑證管理 (the bound cards, 刪除) and 設定自然人憑證 (bind another card to the same 管制編號).
'use strict';

// The login lasts while its card is bound to the account: once a co-worker removed it (or this page did), or the
// account was closed, the site answers NOT_LOGGED_IN and the page says to log in again.
function loginEnded(message) {
  $('manage').hidden = true;
  $('add').hidden = true;
  $('logged-in').textContent = message + ' ';
  var again = document.createElement('a');
  again.href = '/gps/login';
  again.id = 'login-again';
  again.className = 'button';
  again.textContent = '自然人憑證登入';
  $('logged-in').appendChild(again);
}

function showError(id, err) {
  if (err.code === 'NOT_LOGGED_IN' || err.code === 'SESSION_REQUIRED') return loginEnded(err.message);
  setMessage(id, errorText(err), true);
}

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
    var r = await api('POST', '/gps/api/cards/' + encodeURIComponent(c.cardNumber) + '/delete', {});
    if (r.loggedOut) return loginEnded('已刪除卡號 ' + c.cardNumber + '，即登入所用之自然人憑證，已登出；請以仍綁定之自然人憑證重新登入。');
    await loadCards();
    setMessage('manage-message', '已刪除卡號 ' + c.cardNumber + '。');
  } catch (err) {
    showError('manage-message', err);
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
    showError('card-message', err);
  }
});

$('logout').addEventListener('click', async function () {
  await api('POST', '/gps/api/logout', {});
  location.href = '/gps/login';
});

loadCards().catch(function (err) { showError('manage-message', err); });
detectCards($('card-select'), 'card-message');
