// 自然人憑證登入: the card signs a challenge; the server verifies it and finds the bound account.
'use strict';

$('detect-cards').addEventListener('click', function () { detectCards($('card-select'), 'login-message'); });

$('login-submit').addEventListener('click', async function () {
  var slot = $('card-select').value;
  if (!slot) return setMessage('login-message', '未偵測到卡片，請點選「重新偵測卡片」。', true);
  if ($('card-pin').value === '') return setMessage('login-message', '請輸入憑證卡片密碼。', true);
  setMessage('login-message', '驗證中…');
  try {
    var token = await signChallenge(slot, $('card-pin'));
    var who = await api('POST', '/api/login', { token: token });
    $('login-control-number').textContent = who.controlNumber;
    $('login-name').textContent = who.name;
    $('login-card-number').textContent = who.cardNumber;
    setMessage('login-message', '');
    show('login-form', false);
    show('login-done', true);
    var cards = await api('GET', '/api/account/cards');
    cards.cards.forEach(function (c, i) {
      var tr = document.createElement('tr');
      [String(i + 1), c.holderName, c.phone, c.email, c.cardNumber].forEach(function (text) {
        var td = document.createElement('td');
        td.textContent = text;
        tr.appendChild(td);
      });
      $('cards-rows').appendChild(tr);
    });
  } catch (err) {
    setMessage('login-message', err.agent ? err.message : errorText(err), true);
  }
});

detectCards($('card-select'), 'login-message');
