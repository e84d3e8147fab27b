// 帳號申請 (網路帳號密碼申請書): 載入 fills the company from the registry; 送出 sends the form and the
// 自訂密碼 (kept by the site, hashed); then 列印申請表, the two uploads, and 送出審核.
'use strict';

var FIELDS = ['businessId', 'controlNumber', 'password', 'companyName', 'representativeName', 'representativeId', 'regCounty', 'regDistrict',
  'regAddress', 'mailCounty', 'mailDistrict', 'mailAddress', 'contactName', 'phone1', 'ext1', 'phone2', 'fax', 'email'];
// Where an SDK issue's field (e.g. registeredAddress.district) is entered.
var FIELD_INPUT = { 'registeredAddress.county': 'regCounty', 'registeredAddress.district': 'regDistrict', 'registeredAddress.postalCode': 'regZip',
  'registeredAddress.address': 'regAddress', 'mailingAddress.county': 'mailCounty', 'mailingAddress.district': 'mailDistrict',
  'mailingAddress.postalCode': 'mailZip', 'mailingAddress.address': 'mailAddress', 'contactPhone1.number': 'phone1',
  'contactPhone1.extension': 'ext1', 'contactPhone2.number': 'phone2', contactFax: 'fax', contactEmail: 'email', password: 'password' };
var sameAddress = false;

// 縣市別及郵遞區號輔助填寫: the 縣市 select fills the 鄉鎮市區 one, which fills the read-only 郵遞區號 (系統自動產生).
var counties = [];
function options(select, names) {
  select.innerHTML = '';
  [''].concat(names).forEach(function (name) {
    var option = document.createElement('option');
    option.value = name;
    option.textContent = name || '請選擇';
    select.appendChild(option);
  });
}
function countyOf(prefix) {
  var name = $('f-' + prefix + 'County').value;
  return counties.find(function (c) { return c.name === name; });
}
function showZip(prefix) {
  var county = countyOf(prefix);
  var name = $('f-' + prefix + 'District').value;
  var district = county && county.districts.find(function (d) { return d.name === name; });
  $('f-' + prefix + 'Zip').value = district ? district.postalCode : '';
}
function setArea(prefix, county, district) {
  $('f-' + prefix + 'County').value = county;
  var found = countyOf(prefix);
  options($('f-' + prefix + 'District'), found ? found.districts.map(function (d) { return d.name; }) : []);
  $('f-' + prefix + 'District').value = district;
  showZip(prefix);
}
['reg', 'mail'].forEach(function (prefix) {
  $('f-' + prefix + 'County').addEventListener('change', function () { setArea(prefix, this.value, ''); });
  $('f-' + prefix + 'District').addEventListener('change', function () { showZip(prefix); });
});
// The notice below is about the 縣市 and 鄉鎮市區 載入 chose: another choice leaves it nothing to say. A notice that
// the table could not be read stays: it explains the address box, which another choice does not change.
['f-regCounty', 'f-regDistrict'].forEach(function (id) {
  $(id).addEventListener('change', function () { if ($('reg-zip-notice').dataset.kind === 'mismatch') zipNotice(undefined, true); });
});
// The selects' 縣市 and 鄉鎮市區, from the same 郵遞區號 table the SDK generates the code from (and 載入 splits the
// address with). Asked again at each 載入 until it answers: the table may be back by then.
var areasLoaded;
function loadAreas() {
  if (areasLoaded === undefined) {
    areasLoaded = api('GET', '/waste/api/postal-areas').then(function (result) {
      counties = result.counties;
      ['reg', 'mail'].forEach(function (prefix) {
        options($('f-' + prefix + 'County'), counties.map(function (c) { return c.name; }));
        setArea(prefix, '', '');
      });
    }, function (err) {
      areasLoaded = undefined;
      throw err;
    });
  }
  return areasLoaded;
}
// Without the table the selects stay empty and the form cannot be sent: say why at once.
loadAreas().catch(function (err) { setMessage('apply-message', errorText(err), true); });

// 載入 keeps the registry's address but not its 郵遞區號: the form's is generated from the selects. When the two
// differ (the SDK's postalCodeMismatch), say so, so the company checks its address rather than wonder at the code.
// When the table could not be read (the SDK's postalCodesUnavailable, or the selects could not be filled), the
// address is whole in the box and the selects empty: say why, and that the form waits for the table (送出 needs the
// code the selects generate; the SDK refuses without the table).
function zipNotice(registered, areasShown) {
  var unreadable = Boolean(registered) && (registered.postalCodesUnavailable === true || !areasShown);
  var mismatch = !unreadable && registered && registered.parts && registered.postalCodeMismatch;
  var notice = $('reg-zip-notice');
  notice.textContent = unreadable
    ? '郵遞區號資料目前無法讀取，縣市及鄉鎮市區未能帶入，登記地址依商工登記資料整段填入。郵遞區號由系統依縣市及鄉鎮市區產生，' +
      '資料恢復前本申請書無法送出；請稍後再按「載入」。如持續無法讀取，請洽系統管理者。'
    : mismatch
      ? '商工登記資料之郵遞區號 (' + registered.postalCode + ') 與所選縣市及鄉鎮市區之郵遞區號 (' + mismatch.directoryPostalCode +
        ') 不同，本申請書將使用 ' + mismatch.directoryPostalCode + '；請確認登記地址是否正確。'
      : '';
  notice.dataset.kind = unreadable ? 'unavailable' : mismatch ? 'mismatch' : '';
  show('reg-zip-notice', unreadable || Boolean(mismatch));
}

function radio(name) { return document.querySelector('input[name="' + name + '"]:checked').value; }

// 載入 may be pressed again before its answer is back, and answers can come back in any order: only the last press
// fills the form or says why it could not. An answer to an earlier press, arriving later, is dropped.
var loadPresses = 0;
// What the last 載入 that succeeded put in the form, field by field (read back as shown), so that a later 載入 that
// fails can take it back: the form would otherwise show one company's registry data beside the 統一編號 of another,
// under a message saying the load failed.
var loaded;
function loadedValues() {
  return { companyName: $('f-companyName').value, representativeName: $('f-representativeName').value,
    regCounty: $('f-regCounty').value, regDistrict: $('f-regDistrict').value, regAddress: $('f-regAddress').value };
}
// Empties what that 載入 filled, except fields the user has changed since: those are the user's now, not the registry's.
function takeBackLoaded() {
  var was = loaded;
  loaded = undefined;
  if (!was) return;
  ['companyName', 'representativeName', 'regAddress'].forEach(function (name) {
    if ($('f-' + name).value === was[name]) $('f-' + name).value = '';
  });
  if ($('f-regCounty').value === was.regCounty && $('f-regDistrict').value === was.regDistrict) setArea('reg', '', '');
  if (sameAddress) copyRegisteredAddress();
}

$('load-company').addEventListener('click', async function () {
  var press = ++loadPresses;
  // Until the answer is in, the form still holds the last 載入's data: say that this one is under way.
  setMessage('apply-message', '載入中…');
  zipNotice(undefined, true);
  try {
    var c = await api('GET', '/waste/api/company/' + encodeURIComponent($('f-businessId').value.trim()));
    // Asked again here: selects the page could not fill at first may be filled now.
    var areasError;
    await loadAreas().catch(function (err) { areasError = err; });
    if (press !== loadPresses) return;
    $('f-companyName').value = c.companyName || '';
    $('f-representativeName').value = c.representativeName || '';
    if (c.registeredAddress) {
      // The SDK splits the registry's address into 縣市, 鄉鎮市區 and the rest when it can; else the whole goes in the box.
      // Selects that could not be filled cannot take the parts: the whole address goes in the box then too.
      var parts = areasError ? undefined : c.registeredAddress.parts;
      setArea('reg', parts ? parts.county : '', parts ? parts.district : '');
      $('f-regAddress').value = parts ? parts.address : c.registeredAddress.address || '';
      zipNotice(c.registeredAddress, !areasError);
    } else {
      // The registry has no address for this company: 載入 fills the address as it fills the name, so an address an
      // earlier 載入 put there (another company's) does not stay in this one's form.
      setArea('reg', '', '');
      $('f-regAddress').value = '';
    }
    loaded = loadedValues();
    // 請不用重複填寫 chosen before: the mailing fields show the registered address that is sent as the mailing one.
    if (sameAddress) copyRegisteredAddress();
    // Without an address to explain them, the empty selects keep the table's error beside the message.
    setMessage('apply-message', '已載入公司資料。' + (areasError && !c.registeredAddress ? errorText(areasError) : ''), Boolean(areasError && !c.registeredAddress));
  } catch (err) {
    if (press !== loadPresses) return;
    takeBackLoaded();
    setMessage('apply-message', errorText(err), true);
  }
});

// 請不用重複填寫: the mailing address is the registered one.
function copyRegisteredAddress() {
  setArea('mail', $('f-regCounty').value, $('f-regDistrict').value);
  $('f-mailAddress').value = $('f-regAddress').value;
}
$('same-address').addEventListener('click', function () {
  sameAddress = true;
  copyRegisteredAddress();
});
['f-mailCounty', 'f-mailDistrict', 'f-mailAddress'].forEach(function (id) {
  ['input', 'change'].forEach(function (type) { $(id).addEventListener(type, function () { sameAddress = false; }); });
});

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
