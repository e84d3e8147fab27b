// The seed's 自然人憑證綁定 form, shared by 帳號申請(2/2) and 設定自然人憑證: 重新偵測卡片, and 取得憑證資訊
// as a card step at `prefix`, filling 自然人憑證姓名, 卡號 and GPKI and enabling 確認送出 (`submitId`).
'use strict';

function setUpCardForm(prefix, submitId, onInfo) {
  $('detect-cards').addEventListener('click', function () { detectCards($('card-select'), 'card-message'); });
  $('get-cert-info').addEventListener('click', async function () {
    if (!$('card-select').value) return setMessage('card-message', '未偵測到卡片，請點選「重新偵測卡片」。', true);
    if ($('card-pin').value === '') return setMessage('card-message', '請輸入憑證卡片密碼。', true);
    $(submitId).disabled = true;
    setMessage('card-message', '讀取憑證中…');
    try {
      var info = await cardStep(prefix, $('card-select'), $('card-pin'));
      $('card-name').value = info.name;
      $('card-number').value = info.cardNumber;
      $('card-gpki').value = info.authorityName + (info.idHint ? '（身分證號末四碼 ' + info.idHint + '）' : '');
      if (onInfo) onInfo(info);
      $(submitId).disabled = false;
      setMessage('card-message', '已取得憑證資訊，請填寫連絡電話及 Email 後點選「確認送出」。');
    } catch (err) {
      setMessage('card-message', failureText(err), true);
    }
  });
}

// What 確認送出 posts: the name as shown and the contact typed.
function cardFormContact() {
  return { name: $('card-name').value.trim(), phone: $('card-phone').value.trim(), email: $('card-email').value.trim() };
}
