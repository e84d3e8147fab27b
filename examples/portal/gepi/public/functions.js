// 首次註冊, 更換憑證 (three sub-functions) and 授權指派: the seed's steps
// 用戶約定條款 → 機關憑證確認 → (比對不符: 申請人確認) → 授權管理者自然人憑證確認 → 資訊確認 / 授權經辦人清單.
'use strict';

var MODES = {
  '/gepi/register': { title: '首次註冊', terms: true, done: '首次註冊成功' },
  '/gepi/replace/organization': { title: '更換機關憑證', terms: true, replace: 'organization', newOrg: true, done: '更換機關憑證成功' },
  '/gepi/replace/administrator': { title: '更換授權管理者自然人憑證', terms: true, replace: 'administrator', newAdmin: true, done: '更換授權管理者自然人憑證成功' },
  '/gepi/replace/both': { title: '更換機關憑證和更換授權管理者自然人憑證', terms: true, replace: 'both', newOrg: true, newAdmin: true, done: '更換機關憑證和更換授權管理者自然人憑證成功' },
  '/gepi/assign': { title: '授權指派', terms: false, assign: true },
};
var mode = MODES[location.pathname] || MODES['/gepi/register'];
var STEPS = ['step-terms', 'step-org', 'step-contact', 'step-admin', 'step-confirm', 'step-result', 'step-operators', 'step-operator-form'];
var state = { termsVersion: '', permissions: [], org: null, admin: null, editing: null };

function step(id) { STEPS.forEach(function (s) { show(s, s === id); }); }

$('function-title').textContent = mode.title;
if (mode.newOrg) $('org-which').textContent = '更換後機關憑證';
if (mode.newAdmin) $('admin-which').textContent = '更換後授權管理者自然人憑證';
$('confirm-title').textContent = mode.replace ? mode.title + '資訊確認' : '首次註冊資訊確認';

var configReadyGepi = api('GET', '/gepi/api/config').then(function (c) {
  state.termsVersion = c.termsVersion;
  state.permissions = c.permissions;
});

function openOrgStep() {
  step('step-org');
  detectCards($('org-select'), 'org-message');
}

$('terms-agree').addEventListener('click', openOrgStep);
$('org-detect').addEventListener('click', function () { detectCards($('org-select'), 'org-message'); });
$('admin-detect').addEventListener('click', function () { detectCards($('admin-select'), 'admin-message'); });

function required(pairs, messageId) {
  var missing = pairs.filter(function (p) { return $(p[0]).value.trim() === ''; }).map(function (p) { return p[1]; });
  if (missing.length > 0) setMessage(messageId, '請輸入' + missing.join('、') + '（必填）', true);
  return missing.length === 0;
}

function showResult(text, needsReview) {
  $('result-message').textContent = text;
  show('review-notice', Boolean(needsReview));
  step('step-result');
}

// (一) 機關憑證確認
$('org-confirm').addEventListener('click', async function () {
  if (!required([['agency-code', '機關代號'], ['org-pin', '機關憑證密碼']], 'org-message')) return;
  setMessage('org-message', '機關憑證確認中…');
  try {
    await api('POST', '/gepi/api/agency-code', { agencyCode: $('agency-code').value.trim() });
    state.org = await cardStep('/gepi/card/organization', $('org-select'), $('org-pin'));
    setMessage('org-message', '');
    // 首次註冊: the SDK's answer for this card (checkOrganizationCard) decides the next screen.
    var first = state.org.firstRegistration;
    if (mode.title === '首次註冊' && !state.org.agencyKnown) return setMessage('org-message', '查無此機關代號，請確認輸入是否正確。', true);
    if (mode.title === '首次註冊' && first) {
      if (first.outcome === 'reviewPending' || first.outcome === 'retryTooEarly') return showResult(first.message, true);
      if (first.outcome === 'registered') return setMessage('org-message', '貴機關已完成首次註冊，請使用授權指派或更換憑證功能。', true);
      if (first.outcome === 'reviewNeeded') {
        $('mismatch-message').textContent = first.message;
        step('step-contact');
        return;
      }
    }
    openAdminStep();
  } catch (err) {
    setMessage('org-message', err.code === 'WRONG_CARD_TYPE' ? '請插入機關憑證（非自然人憑證）。（WRONG_CARD_TYPE）' : failureText(err), true);
  }
});

// 機關憑證比對不符: 申請人 (姓名, 電話) → 送出申請 files the manual review at once (圖3-6/3-7), or 取消.
$('contact-confirm').addEventListener('click', async function () {
  if (!required([['contact-name', '姓名'], ['contact-phone', '電話']], 'contact-message')) return;
  await configReadyGepi;
  try {
    await api('POST', '/gepi/api/review-request', {
      applicant: { name: $('contact-name').value.trim(), phone: $('contact-phone').value.trim() },
      acceptedTerms: state.termsVersion,
    });
    showResult('貴機關申請憑證註冊，因申請資料比對不符，需進行審核', true);
  } catch (err) {
    setMessage('contact-message', errorText(err), true);
  }
});
$('contact-cancel').addEventListener('click', function () { location.href = '/gepi/'; });

function openAdminStep() {
  step('step-admin');
  detectCards($('admin-select'), 'admin-message');
}

// (二) 授權管理者自然人憑證確認
$('admin-confirm').addEventListener('click', async function () {
  if (!required([['admin-national-id', '身分證統一編號'], ['admin-pin', '自然人憑證密碼']], 'admin-message')) return;
  setMessage('admin-message', '自然人憑證確認中…');
  try {
    await cardStep('/gepi/card/administrator', $('admin-select'), $('admin-pin'));
    state.admin = await api('POST', '/gepi/api/administrator', { nationalId: $('admin-national-id').value.trim() });
    setMessage('admin-message', '');
    if (mode.assign) return openOperators();
    $('info-org-name').textContent = state.org.name;
    $('info-org-oid').textContent = state.org.organizationOid || state.org.businessId;
    $('info-org-serial').textContent = state.org.certificateSerial;
    $('info-admin-cert-name').textContent = state.admin.name;
    $('info-admin-serial').textContent = state.admin.certificateSerial;
    var reg = state.org.registration;
    // 更換機關憑證: the administrator stays, so the data on record is shown to confirm.
    if (mode.replace === 'organization' && reg && reg.administrator) {
      $('admin-name').value = reg.administrator.name;
      $('admin-email').value = reg.administrator.email;
      $('admin-phone').value = reg.administrator.phone;
    } else if (!mode.replace) {
      $('admin-name').value = state.admin.name;
    }
    step('step-confirm');
  } catch (err) {
    setMessage('admin-message', err.code === 'WRONG_CARD_TYPE' ? '請插入授權管理者自然人憑證（非機關憑證）。（WRONG_CARD_TYPE）' : failureText(err), true);
  }
});

// (三) 資訊確認 → 首次註冊 / 更換
$('confirm-submit').addEventListener('click', async function () {
  if (!required([['admin-name', '姓名'], ['admin-email', '電子信箱'], ['admin-phone', '連絡電話']], 'confirm-message')) return;
  await configReadyGepi;
  var body = {
    administrator: { name: $('admin-name').value.trim(), email: $('admin-email').value.trim(), phone: $('admin-phone').value.trim() },
    acceptedTerms: state.termsVersion,
  };
  try {
    if (mode.replace) {
      await api('POST', '/gepi/api/replace/' + mode.replace, body);
      return showResult(mode.done);
    }
    var reg = await api('POST', '/gepi/api/register', body);
    if (reg.status === 'manualReview') return showResult('貴機關申請憑證註冊，因申請資料比對不符，需進行審核', true);
    showResult(mode.done + '，請點選左方功能列接續辦理授權指派經辦人作業。');
  } catch (err) {
    setMessage('confirm-message', errorText(err), true);
  }
});

// 授權指派: 授權經辦人清單, 新增, 修改, 刪除
async function openOperators(message) {
  var data = await api('GET', '/gepi/api/operators');
  var rows = $('operators-rows');
  rows.innerHTML = '';
  data.operators.forEach(function (op) {
    var tr = document.createElement('tr');
    tr.dataset.serial = op.certificateSerial;
    [op.certificateSerial, op.name, op.nationalId, op.permissions.join('、')].forEach(function (t) { tr.appendChild(cell(t)); });
    var actions = document.createElement('td');
    var edit = document.createElement('button');
    edit.type = 'button';
    edit.className = 'edit';
    edit.textContent = '修改';
    edit.addEventListener('click', function () { openOperatorForm(op); });
    var remove = document.createElement('button');
    remove.type = 'button';
    remove.className = 'remove';
    remove.textContent = '刪除';
    remove.addEventListener('click', function () { removeOperator(op); });
    actions.appendChild(edit);
    actions.appendChild(remove);
    tr.appendChild(actions);
    rows.appendChild(tr);
  });
  setMessage('operators-message', message || '');
  step('step-operators');
}

async function openOperatorForm(op) {
  await configReadyGepi;
  state.editing = op || null;
  $('operator-form-title').textContent = op ? '修改授權經辦人' : '新增授權經辦人';
  $('operator-serial').value = op ? op.certificateSerial : '';
  $('operator-name').value = op ? op.name : '';
  $('operator-national-id').value = op ? op.nationalId : '';
  var box = $('operator-permissions');
  box.innerHTML = '';
  state.permissions.forEach(function (p) {
    var label = document.createElement('label');
    var input = document.createElement('input');
    input.type = 'checkbox';
    input.value = p;
    input.checked = Boolean(op && op.permissions.indexOf(p) >= 0);
    label.appendChild(input);
    label.appendChild(document.createTextNode(p + ' '));
    box.appendChild(label);
  });
  setMessage('operator-message', '');
  step('step-operator-form');
  detectCards($('operator-select'), 'operator-message');
}

$('operator-new').addEventListener('click', function () { openOperatorForm(null); });
$('operator-cancel').addEventListener('click', function () { openOperators(); });
$('operator-detect').addEventListener('click', function () { detectCards($('operator-select'), 'operator-message'); });

// 讀取憑證: the certificate's serial and holder come from the component's certificate list (no PIN).
$('operator-read').addEventListener('click', async function () {
  await detectCards($('operator-select'), 'operator-message');
  var slot = selectedSlot($('operator-select'));
  var cert = slot && slot.token.userCertificate;
  if (!cert) return setMessage('operator-message', '未偵測到自然人憑證，請插入卡片後點選「重新偵測卡片」。', true);
  $('operator-serial').value = cert.serialNumber;
  $('operator-name').value = cert.subjectName || '';
  setMessage('operator-message', '已讀取憑證，請輸入授權經辦人身分證統一編號並勾選功能選單項目。');
});

$('operator-submit').addEventListener('click', async function () {
  if (!required([['operator-serial', '憑證序號(SN)'], ['operator-name', '授權經辦人姓名'], ['operator-national-id', '身分證統一編號']], 'operator-message')) return;
  var permissions = Array.prototype.slice.call($('operator-permissions').querySelectorAll('input:checked')).map(function (i) { return i.value; });
  if (permissions.length === 0) return setMessage('operator-message', '請勾選功能選單項目（必填）', true);
  var operator = {
    certificateSerial: $('operator-serial').value.trim(), name: $('operator-name').value.trim(),
    nationalId: $('operator-national-id').value.trim(), permissions: permissions,
  };
  try {
    if (state.editing) {
      await api('POST', '/gepi/api/operators/' + encodeURIComponent(state.editing.certificateSerial) + '/edit', { operator: operator });
      await openOperators('授權經辦人修改成功');
    } else {
      await api('POST', '/gepi/api/operators', { operator: operator });
      await openOperators('授權經辦人新增成功');
    }
  } catch (err) {
    setMessage('operator-message', errorText(err), true);
  }
});

async function removeOperator(op) {
  if (!confirm('確定刪除授權經辦人 ' + op.name + '（' + op.certificateSerial + '）？')) return;
  try {
    await api('POST', '/gepi/api/operators/' + encodeURIComponent(op.certificateSerial) + '/delete', {});
    await openOperators('授權經辦人刪除成功');
  } catch (err) {
    setMessage('operators-message', errorText(err), true);
  }
}

if (mode.terms) step('step-terms');
else openOrgStep();
