// 帳號申請: 管制編號 → 基本資料 → EMS 比對 → 自然人憑證綁定 → 審核中.
'use strict';

var FIELDS = ['controlNumber', 'companyName', 'responsiblePerson', 'facilityAddress', 'facilityEmail',
  'mailingAddress', 'contactName', 'contactEmail'];
var LABELS = {
  controlNumber: '管制編號', companyName: '公司名稱', responsiblePerson: '公司/營業登記負責人姓名',
  facilityAddress: '事業地址', facilityEmail: '事業電子郵件信箱', mailingAddress: '郵寄地址',
  contactName: '聯絡人', contactEmail: '聯絡人電子信箱',
};

function step(id) {
  ['step-control', 'step-basic', 'step-result', 'step-card', 'step-done'].forEach(function (s) { show(s, s === id); });
}

$('control-form').addEventListener('submit', async function (event) {
  event.preventDefault();
  var value = $('control-number').value.trim();
  if (value === '') return setMessage('control-message', '請輸入管制編號。', true);
  try {
    var app = await api('POST', '/gps/api/applications', { controlNumber: value });
    $('basic-controlNumber').value = app.controlNumber;
    setMessage('control-message', '');
    step('step-basic');
  } catch (err) {
    setMessage('control-message', errorText(err), true);
  }
});

$('basic-form').addEventListener('submit', async function (event) {
  event.preventDefault();
  var data = {};
  var missing = [];
  FIELDS.forEach(function (f) {
    var input = $('basic-' + f);
    data[f] = input.value.trim();
    input.classList.toggle('invalid', data[f] === '');
    if (data[f] === '') missing.push(LABELS[f]);
  });
  if (missing.length > 0) {
    return setMessage('basic-message', '帳號申請之資料欄位皆須填寫：' + missing.join('、'), true);
  }
  try {
    var result = await api('POST', '/gps/api/application/basic-data', { basicData: data });
    setMessage('basic-message', '');
    if (result.status === 'emsRejected') {
      $('ems-result').innerHTML = result.resultHtml; // rendered and escaped by twpki/ems
      step('step-result');
      return;
    }
    $('card-account-id').textContent = result.controlNumber;
    $('card-company').textContent = result.companyName;
    step('step-card');
    await detectCards($('card-select'), 'card-message');
  } catch (err) {
    (err.issues || []).forEach(function (i) {
      var f = String(i.field).split('.').pop();
      if ($('basic-' + f)) $('basic-' + f).classList.add('invalid');
    });
    setMessage('basic-message', errorText(err), true);
  }
});

$('reapply').addEventListener('click', function () {
  $('control-number').value = '';
  FIELDS.forEach(function (f) { $('basic-' + f).value = ''; });
  step('step-control');
});

setUpCardForm('/gps/card/apply', 'bind-submit');

$('bind-submit').addEventListener('click', async function () {
  try {
    await api('POST', '/gps/api/application/bind', cardFormContact());
    step('step-done');
  } catch (err) {
    setMessage('card-message', errorText(err), true);
  }
});
