// 人工審核: applications whose personnel check did not match, or second applications. The 申請書 comes by fax
// or e-mail: 收件 (傳真 / E-mail, when it arrived in Taiwan time, else now) first, which starts its one working day;
// a mistyped 收件 is corrected (更正收件) until the decision; then 核可 or 不核可 (the notice mail goes to the
// member's e-mail). A 申請書 that never came can only be refused. Past its working day a row reads 逾期.
'use strict';

var VERDICT = { match: '✓', mismatch: '✗' };
var CHANNELS = [['fax', '傳真'], ['email', 'E-mail']];
var FIELD_LABELS = { receivedAt: '到件時間', channel: '收件方式', expectedVersion: '資料版本', reason: '更正原因' };

// The SDK's refusal with each refused field in the page's words: 「到件時間（超出允許範圍）」.
function reviewError(err) {
  var fields = (err.issues || []).map(function (i) { return (FIELD_LABELS[i.field] || i.field) + (i.message ? '（' + i.message + '）' : ''); }).join('、');
  return errorText(err) + (fields ? '：' + fields : '');
}

// 到件時間 as the desk reads it off the fax or e-mail, in Taiwan time; left empty it is now.
function arrivalInput(value) {
  var input = document.createElement('input');
  input.type = 'datetime-local';
  input.step = '1';
  input.className = 'received-at';
  input.title = '到件時間（台灣時間，UTC+8）';
  if (value) input.value = value;
  return input;
}

async function post(a, action, body, done) {
  try {
    await api('POST', '/official/api/review/applications/' + encodeURIComponent(a.id) + '/' + action, body);
    await load();
    setMessage('review-message', done);
  } catch (err) {
    setMessage('review-message', reviewError(err), true);
  }
}

// 更正收件: a mistyped arrival or channel, while the application waits for its decision.
function correctionForm(a) {
  var details = document.createElement('details');
  details.className = 'correct-receipt';
  var summary = document.createElement('summary');
  summary.textContent = '更正收件';
  details.appendChild(summary);
  var channel = document.createElement('select');
  channel.className = 'channel';
  CHANNELS.forEach(function (pair) {
    var o = document.createElement('option');
    o.value = pair[0];
    o.textContent = pair[1];
    channel.appendChild(o);
  });
  channel.value = a.receipt.channel;
  var at = arrivalInput(a.receipt.receivedAt);
  var reason = document.createElement('input');
  reason.className = 'correct-reason';
  reason.placeholder = '更正原因（選填）';
  var b = document.createElement('button');
  b.type = 'button';
  b.className = 'correct-receipt';
  b.textContent = '送出更正';
  b.addEventListener('click', function () {
    post(a, 'correct-receipt', { channel: channel.value, receivedAt: at.value, version: a.version, reason: reason.value },
      '已更正收件，審核期限依更正後的到件時間重新起算。');
  });
  [channel, at, reason, b].forEach(function (el) { details.appendChild(el); });
  return details;
}

function receiptCell(a) {
  var td = document.createElement('td');
  if (a.status !== 'manualReview') {
    td.appendChild(document.createTextNode(a.formReceived));
    if (a.status === 'formReceived' && a.receipt) td.appendChild(correctionForm(a));
    return td;
  }
  var at = arrivalInput('');
  var hint = document.createElement('span');
  hint.className = 'small';
  hint.textContent = '到件時間（台灣時間，留空為現在）';
  td.appendChild(hint);
  td.appendChild(at);
  CHANNELS.forEach(function (pair) {
    var b = document.createElement('button');
    b.type = 'button';
    b.className = 'receive-' + pair[0];
    b.textContent = '收件（' + pair[1] + '）';
    b.addEventListener('click', function () {
      post(a, 'receive', { channel: pair[0], receivedAt: at.value }, '已登錄收件，審核期限自到件時間起算1個工作天。');
    });
    td.appendChild(b);
  });
  return td;
}

function dueCell(a) {
  var td = document.createElement('td');
  // Waiting for its 申請書: the working day has not started.
  td.textContent = a.status === 'manualReview' ? '待收件' : a.reviewDueAt + (a.overdue ? '（逾期）' : '');
  if (a.overdue) {
    td.className = 'overdue';
    td.style.color = '#b00020';
  }
  return td;
}

async function load() {
  var data = await api('GET', '/official/api/review/applications');
  $('review-rows').innerHTML = '';
  if (data.applications.length === 0 && !$('review-message').textContent) setMessage('review-message', '目前沒有待審核的申請。');
  data.applications.forEach(function (a) {
    var tr = document.createElement('tr');
    tr.dataset.memberId = a.memberId;
    tr.dataset.status = a.status;
    var check = a.personnelCheck
      ? '姓名' + VERDICT[a.personnelCheck.name] + ' 身分證' + VERDICT[a.personnelCheck.nationalId] + ' 機關' + VERDICT[a.personnelCheck.agency]
      : '';
    [a.memberId, a.applicantName, a.item + '（第 ' + a.attempt + ' 次）', a.agencyOid + ' ' + a.agencyName, check].forEach(function (t) { tr.appendChild(cell(t)); });
    tr.appendChild(receiptCell(a));
    tr.appendChild(dueCell(a));
    var formCell = document.createElement('td');
    var link = document.createElement('a');
    link.href = '/official/applications/' + encodeURIComponent(a.id) + '/form';
    link.target = '_blank';
    link.textContent = '申請書';
    formCell.appendChild(link);
    tr.appendChild(formCell);
    // No 核可 before 收件: nothing the member signed has been checked.
    var actions = a.status === 'manualReview' ? [['reject', '不核可']] : [['approve', '核可'], ['reject', '不核可']];
    decisionCells(tr, '/official/api/review/applications/' + encodeURIComponent(a.id), actions, 'review-message',
      async function (action) {
        await load();
        setMessage('review-message', action === 'approve' ? '已核可，核可通知信已寄出。' : '已不核可，審核結果通知已寄出。');
      });
    $('review-rows').appendChild(tr);
  });
}

load().catch(function (err) { setMessage('review-message', errorText(err), true); });
