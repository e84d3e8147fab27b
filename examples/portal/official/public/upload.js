// 憑證上傳: the member's citizen card, through a verified card step (the holder must be the member).
'use strict';

$('detect-cards').addEventListener('click', function () { detectCards($('card-select'), 'upload-message'); });

$('upload-submit').addEventListener('click', async function () {
  if (!$('card-select').value) return setMessage('upload-message', '未偵測到卡片，請點選「重新偵測卡片」。', true);
  if ($('card-pin').value === '') return setMessage('upload-message', '請輸入PIN。', true);
  setMessage('upload-message', '驗證中…');
  try {
    var r = await cardStep('/official/card/upload', $('card-select'), $('card-pin'));
    setMessage('upload-message', '憑證上傳成功（卡號 ' + r.cardNumber + '），之後可使用憑證登入。');
  } catch (err) {
    setMessage('upload-message', failureText(err), true);
  }
});

detectCards($('card-select'), 'upload-message');
