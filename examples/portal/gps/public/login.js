// 自然人憑證登入: the card signs the site's challenge; the site verifies it and finds the bound account
// (a renewed certificate on a bound card is accepted and the binding updated). Then 自然人憑證管理.
'use strict';

$('detect-cards').addEventListener('click', function () { detectCards($('card-select'), 'login-message'); });

$('login-submit').addEventListener('click', async function () {
  if (!$('card-select').value) return setMessage('login-message', '未偵測到卡片，請點選「重新偵測卡片」。', true);
  if ($('card-pin').value === '') return setMessage('login-message', '請輸入憑證卡片密碼。', true);
  setMessage('login-message', '驗證中…');
  try {
    await cardStep('/gps/card/login', $('card-select'), $('card-pin'));
    location.href = '/gps/cards';
  } catch (err) {
    setMessage('login-message', failureText(err), true);
  }
});

detectCards($('card-select'), 'login-message');
