// 查詢作業: 查詢憑證註冊收件紀錄 (機關代號), 查詢機關憑證 OID (agency card), 查詢自然人憑證序號 (citizen card).
'use strict';

var which = location.pathname.split('/').pop(); // records | oid | serial
show('query-' + which, true);

function requiredValue(id, label, messageId) {
  if ($(id).value.trim() !== '') return true;
  setMessage(messageId, '請輸入' + label + '（必填）', true);
  return false;
}

$('records-submit').addEventListener('click', async function () {
  if (!requiredValue('records-agency-code', '機關代號', 'records-message')) return;
  try {
    var data = await api('GET', '/gepi/api/records?agencyCode=' + encodeURIComponent($('records-agency-code').value.trim()));
    var rows = $('records-rows');
    rows.innerHTML = '';
    data.records.forEach(function (r) {
      var tr = document.createElement('tr');
      [r.organizationName, new Date(r.receivedAt).toLocaleString('zh-TW'), r.item].forEach(function (t) { tr.appendChild(cell(t)); });
      rows.appendChild(tr);
    });
    setMessage('records-message', data.records.length === 0 ? '查無資料' : '共 ' + data.records.length + ' 筆');
  } catch (err) {
    setMessage('records-message', errorText(err), true);
  }
});

$('oid-detect').addEventListener('click', function () { detectCards($('oid-select'), 'oid-message'); });
$('oid-submit').addEventListener('click', async function () {
  if (!requiredValue('oid-agency-code', '機關代號', 'oid-message') || !requiredValue('oid-pin', '機關憑證密碼', 'oid-message')) return;
  try {
    await api('POST', '/gepi/api/agency-code', { agencyCode: $('oid-agency-code').value.trim() });
    var r = await cardStep('/gepi/card/query-oid', $('oid-select'), $('oid-pin'));
    $('oid-name').textContent = r.organizationName;
    $('oid-value').textContent = r.organizationOid || r.businessId || '';
    show('oid-result', true);
    setMessage('oid-message', '');
  } catch (err) {
    setMessage('oid-message', failureText(err), true);
  }
});

$('serial-detect').addEventListener('click', function () { detectCards($('serial-select'), 'serial-message'); });
$('serial-submit').addEventListener('click', async function () {
  if (!requiredValue('serial-national-id', '身分證統一編號', 'serial-message') || !requiredValue('serial-pin', '自然人憑證 IC 卡密碼', 'serial-message')) return;
  try {
    await cardStep('/gepi/card/query-serial', $('serial-select'), $('serial-pin'));
    var r = await api('POST', '/gepi/api/query-serial', { nationalId: $('serial-national-id').value.trim() });
    $('serial-name').textContent = r.name;
    $('serial-value').textContent = r.certificateSerial;
    show('serial-result', true);
    setMessage('serial-message', '');
  } catch (err) {
    setMessage('serial-message', failureText(err), true);
  }
});

if (which === 'oid') detectCards($('oid-select'), 'oid-message');
if (which === 'serial') detectCards($('serial-select'), 'serial-message');
