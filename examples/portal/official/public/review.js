// 人工審核: applications whose personnel check did not match, or second applications. The 申請書 comes by fax
// or e-mail: 收件 (傳真 / E-mail) first, which starts its one working day; then 核可 or 不核可 (the notice mail goes
// to the member's e-mail). A 申請書 that never came can only be refused. Past its working day a row reads 逾期.
'use strict';

var VERDICT = { match: '✓', mismatch: '✗' };
var CHANNELS = [['fax', '收件（傳真）'], ['email', '收件（E-mail）']];

function receiptCell(a) {
  var td = document.createElement('td');
  if (a.status !== 'manualReview') {
    td.textContent = a.formReceived;
    return td;
  }
  CHANNELS.forEach(function (pair) {
    var b = document.createElement('button');
    b.type = 'button';
    b.className = 'receive-' + pair[0];
    b.textContent = pair[1];
    b.addEventListener('click', async function () {
      try {
        await api('POST', '/official/api/review/applications/' + encodeURIComponent(a.id) + '/receive', { channel: pair[0] });
        await load();
        setMessage('review-message', '已登錄收件，審核期限自收件起算1個工作天。');
      } catch (err) {
        setMessage('review-message', errorText(err), true);
      }
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
