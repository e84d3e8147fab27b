// 帳號申請 (網路帳號密碼申請書): 載入 fills the company from the registry; 送出 sends the form and the
// 自訂密碼 (kept by the site, hashed); then 列印申請表, the two uploads, and 送出審核.
'use strict';

var FIELDS = ['businessId', 'controlNumber', 'password', 'companyName', 'representativeName', 'representativeId', 'regZip', 'regAddress',
  'mailZip', 'mailAddress', 'contactName', 'phone1', 'ext1', 'phone2', 'fax', 'email'];
// Where an SDK issue's field (e.g. registeredAddress.postalCode) is typed.
var FIELD_INPUT = { 'registeredAddress.postalCode': 'regZip', 'registeredAddress.address': 'regAddress', 'mailingAddress.postalCode': 'mailZip',
  'mailingAddress.address': 'mailAddress', 'contactPhone1.number': 'phone1', 'contactPhone1.extension': 'ext1', 'contactPhone2.number': 'phone2',
  contactFax: 'fax', contactEmail: 'email', password: 'password' };
var sameAddress = false;

function radio(name) { return document.querySelector('input[name="' + name + '"]:checked').value; }

$('load-company').addEventListener('click', async function () {
  setMessage('apply-message', '');
  try {
    var c = await api('GET', '/waste/api/company/' + encodeURIComponent($('f-businessId').value.trim()));
    $('f-companyName').value = c.companyName || '';
    $('f-representativeName').value = c.representativeName || '';
    if (c.registeredAddress) {
      $('f-regZip').value = c.registeredAddress.postalCode || '';
      $('f-regAddress').value = c.registeredAddress.address || '';
    }
    setMessage('apply-message', '已載入公司資料。');
  } catch (err) {
    setMessage('apply-message', errorText(err), true);
  }
});

// 請不用重複填寫: the mailing address is the registered one.
$('same-address').addEventListener('click', function () {
  sameAddress = true;
  $('f-mailZip').value = $('f-regZip').value;
  $('f-mailAddress').value = $('f-regAddress').value;
});
['f-mailZip', 'f-mailAddress'].forEach(function (id) { $(id).addEventListener('input', function () { sameAddress = false; }); });

$('apply-submit').addEventListener('click', async function () {
  var body = { sameAddress: sameAddress, citizenCard: radio('citizenCard'), companyCard: radio('companyCard') };
  FIELDS.forEach(function (f) { body[f] = $('f-' + f).value; });
  $('f-password').value = '';
  FIELDS.forEach(function (f) { $('f-' + f).classList.remove('invalid'); });
  $('apply-issues').innerHTML = '';
  setMessage('apply-message', '');
  try {
    var result = await api('POST', '/waste/api/applications', body);
    $('print-link').href = '/waste/applications/' + encodeURIComponent(result.applicationId) + '/print';
    show('step-form', false);
    show('step-upload', true);
    setMessage('apply-message', '申請已送出，請列印申請表。');
  } catch (err) {
    (err.issues || []).forEach(function (issue) {
      var li = document.createElement('li');
      li.textContent = issue.label + '：' + issue.message;
      li.dataset.field = issue.field;
      $('apply-issues').appendChild(li);
      var input = $('f-' + (FIELD_INPUT[issue.field] || issue.field));
      if (input) input.classList.add('invalid');
    });
    setMessage('apply-message', errorText(err), true);
  }
});

document.querySelectorAll('button.upload').forEach(function (button) {
  button.addEventListener('click', async function () {
    var kind = button.dataset.kind;
    var file = $('file-' + kind).files[0];
    if (!file) return setMessage('apply-message', '請選擇要上傳的檔案', true);
    var form = new FormData();
    form.append('file', file, file.name);
    setMessage('apply-message', '上傳中…');
    var response = await fetch('/waste/api/application/documents?kind=' + kind, { method: 'POST', body: form, credentials: 'same-origin' });
    var data = await response.json();
    if (!response.ok) return setMessage('apply-message', errorText(data.error || {}), true);
    $('uploaded-' + kind).textContent = '已上傳 ' + data.fileName + ' (' + data.mediaType + ', ' + data.size + ' bytes)';
    setMessage('apply-message', '上傳完成。');
  });
});

$('submit-review').addEventListener('click', async function () {
  try {
    await api('POST', '/waste/api/application/submit', {});
    show('step-upload', false);
    show('step-done', true);
    setMessage('apply-message', '');
  } catch (err) {
    setMessage('apply-message', errorText(err), true);
  }
});
