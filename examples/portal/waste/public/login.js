// 憑證登入: the card signs the site's challenge; the site finds the company the card was enabled for.
'use strict';

$('detect-cards').addEventListener('click', function () { detectCards($('card-select'), 'login-message'); });

$('login-submit').addEventListener('click', async function () {
  if (!$('card-select').value) return setMessage('login-message', '未偵測到卡片，請點選「重新偵測卡片」。', true);
  if ($('card-pin').value === '') return setMessage('login-message', '請輸入憑證密碼(PIN 碼)。', true);
  setMessage('login-message', '驗證中…');
  try {
    await cardStep('/waste/card/login', $('card-select'), $('card-pin'));
    location.href = '/waste/home';
  } catch (err) {
    setMessage('login-message', failureText(err), true);
  }
});

detectCards($('card-select'), 'login-message');
