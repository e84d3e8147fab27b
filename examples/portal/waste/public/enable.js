// 啟用憑證 (圖 1-6): the typed 統一編號 / 管制編號 / 驗證碼 go to the site first, then the card signs the
// site's challenge through the local component (the PIN goes to the component only) → 綁定成功 (圖 1-7).
'use strict';

$('detect-cards').addEventListener('click', function () { detectCards($('card-select'), 'enable-message'); });

$('enable-submit').addEventListener('click', async function () {
  if (!$('card-select').value) return setMessage('enable-message', '未偵測到卡片，請點選「重新偵測卡片」。', true);
  if ($('card-pin').value === '') return setMessage('enable-message', '請輸入憑證密碼。', true);
  setMessage('enable-message', '驗證中…');
  try {
    await api('POST', '/waste/api/enable', { businessId: $('e-businessId').value, controlNumber: $('e-controlNumber').value, code: $('e-code').value });
    var result = await cardStep('/waste/card/enable', $('card-select'), $('card-pin'));
    $('enable-notice').textContent = result.notice;
    show('enable-form', false);
    show('enable-done', true);
    setMessage('enable-message', '');
  } catch (err) {
    $('card-pin').value = '';
    setMessage('enable-message', failureText(err), true);
  }
});

detectCards($('card-select'), 'enable-message');
