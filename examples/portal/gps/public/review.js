// 審核: lists applications 審核中 and approves (activation mail to the EMS facility e-mail) or rejects; lists the
// approved ones not yet activated, with 重新寄送認證信 (a new link; the earlier ones stop working).
'use strict';

// The typed 自然人憑證姓名, and the certificate's name beside it when they differ.
function cardName(c) {
  return c.certificateName && c.certificateName !== c.holderName ? c.holderName + '（憑證：' + c.certificateName + '）' : c.holderName;
}

// One list of applications: `rowsId` filled from `path`, `empty` when there are none, each row ending with the
// time in `timeKey` and the cell `actionsOf(app)` returns.
async function loadList(rowsId, path, empty, timeKey, actionsOf) {
  var rows = $(rowsId);
  rows.innerHTML = '';
  var data = await api('GET', path);
  if (data.applications.length === 0) {
    var tr = document.createElement('tr');
    var td = cell(empty);
    td.colSpan = 6;
    tr.appendChild(td);
    rows.appendChild(tr);
  }
  data.applications.forEach(function (app) {
    var tr = document.createElement('tr');
    tr.dataset.controlNumber = app.controlNumber;
    tr.appendChild(cell(app.controlNumber));
    tr.appendChild(cell(app.companyName));
    tr.appendChild(cell(app.cards.map(function (c) { return c.cardNumber; }).join(', ')));
    tr.appendChild(cell(app.cards.map(cardName).join(', ')));
    tr.appendChild(cell(new Date(app[timeKey]).toLocaleString('zh-TW')));
    tr.appendChild(actionsOf(app));
    rows.appendChild(tr);
  });
}

function load() {
  return loadList('review-rows', '/gps/api/review/applications', '目前沒有審核中的申請', 'submittedAt', function (app) {
    var actions = document.createElement('td');
    var approve = document.createElement('button');
    approve.textContent = '審核通過';
    approve.className = 'approve';
    approve.addEventListener('click', function () { decide(app, 'approve'); });
    var reason = document.createElement('input');
    reason.className = 'reject-reason';
    reason.placeholder = '不通過原因';
    var reject = document.createElement('button');
    reject.textContent = '審核不通過';
    reject.className = 'reject';
    reject.addEventListener('click', function () {
      if (reason.value.trim() === '') return setMessage('review-message', '請填寫不通過原因。', true);
      decide(app, 'reject', reason.value.trim());
    });
    actions.appendChild(approve);
    actions.appendChild(reason);
    actions.appendChild(reject);
    return actions;
  });
}

function loadApproved() {
  return loadList('approved-rows', '/gps/api/review/approved', '目前沒有待開通的帳號', 'approvedAt', function (app) {
    var actions = document.createElement('td');
    var resend = document.createElement('button');
    resend.textContent = '重新寄送認證信';
    resend.className = 'reissue';
    resend.addEventListener('click', function () { reissue(app); });
    actions.appendChild(resend);
    return actions;
  });
}

async function reissue(app) {
  try {
    var r = await api('POST', '/gps/api/review/applications/' + app.id + '/reissueActivation', {});
    setMessage('approved-message', '管制編號 ' + app.controlNumber + ' 已重新寄送認證信至 ' + r.sentTo + '（連結有效至 ' + new Date(r.expiresAt).toLocaleString('zh-TW') + '）');
    await loadApproved();
  } catch (err) {
    setMessage('approved-message', errorText(err), true);
  }
}

async function decide(app, action, reason) {
  try {
    var r = await api('POST', '/gps/api/review/applications/' + app.id + '/' + action, reason ? { reason: reason } : {});
    setMessage('review-message', action === 'approve'
      ? '管制編號 ' + app.controlNumber + ' 審核通過，已寄發認證信至 ' + r.sentTo
      : '管制編號 ' + app.controlNumber + ' 審核不通過，已通知事業電子郵件信箱');
    await load();
    await loadApproved();
  } catch (err) {
    setMessage('review-message', errorText(err), true);
  }
}

$('close-form').addEventListener('submit', async function (event) {
  event.preventDefault();
  var controlNumber = $('close-control-number').value.trim();
  var reason = $('close-reason').value.trim();
  if (controlNumber === '' || reason === '') return setMessage('close-message', '請填寫管制編號與原因。', true);
  if (!window.confirm('確定關閉管制編號 ' + controlNumber + ' 之帳號？原綁定之自然人憑證將全部解除。')) return;
  try {
    await api('POST', '/gps/api/review/accounts/' + encodeURIComponent(controlNumber) + '/close', { reason: reason });
    setMessage('close-message', '管制編號 ' + controlNumber + ' 之帳號已關閉，已通知事業電子郵件信箱。');
  } catch (err) {
    setMessage('close-message', errorText(err), true);
  }
});

load().catch(function (err) { setMessage('review-message', errorText(err), true); });
loadApproved().catch(function (err) { setMessage('approved-message', errorText(err), true); });
