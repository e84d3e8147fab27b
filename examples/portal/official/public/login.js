// 憑證登入: the card signs the site's challenge; the site finds the member who uploaded this card.
'use strict';

$('detect-cards').addEventListener('click', function () { detectCards($('card-select'), 'login-message'); });

$('login-submit').addEventListener('click', async function () {
  if (!$('card-select').value) return setMessage('login-message', '未偵測到卡片，請點選「重新偵測卡片」。', true);
  if ($('card-pin').value === '') return setMessage('login-message', '請輸入PIN。', true);
  setMessage('login-message', '驗證中…');
  try {
    await cardStep('/official/card/login', $('card-select'), $('card-pin'));
    location.href = '/official/member';
  } catch (err) {
    setMessage('login-message', failureText(err), true);
  }
});

detectCards($('card-select'), 'login-message');
