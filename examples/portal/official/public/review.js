// 人工審核: applications whose personnel check did not match, or second applications; 核可 or 不核可
// (the notice mail goes to the member's e-mail).
'use strict';

var VERDICT = { match: '✓', mismatch: '✗' };

async function load() {
  var data = await api('GET', '/official/api/review/applications');
  $('review-rows').innerHTML = '';
  if (data.applications.length === 0 && !$('review-message').textContent) setMessage('review-message', '目前沒有待審核的申請。');
  data.applications.forEach(function (a) {
    var tr = document.createElement('tr');
    tr.dataset.memberId = a.memberId;
    var check = a.personnelCheck
      ? '姓名' + VERDICT[a.personnelCheck.name] + ' 身分證' + VERDICT[a.personnelCheck.nationalId] + ' 機關' + VERDICT[a.personnelCheck.agency]
      : '';
    [a.memberId, a.applicantName, a.item + '（第 ' + a.attempt + ' 次）', a.agencyOid + ' ' + a.agencyName, check, a.reviewDueAt].forEach(function (t) { tr.appendChild(cell(t)); });
    var formCell = document.createElement('td');
    var link = document.createElement('a');
    link.href = '/official/applications/' + encodeURIComponent(a.id) + '/form';
    link.target = '_blank';
    link.textContent = '申請書';
    formCell.appendChild(link);
    tr.appendChild(formCell);
    decisionCells(tr, '/official/api/review/applications/' + encodeURIComponent(a.id), [['approve', '核可'], ['reject', '不核可']], 'review-message',
      async function (action) {
        await load();
        setMessage('review-message', action === 'approve' ? '已核可，核可通知信已寄出。' : '已不核可，審核結果通知已寄出。');
      });
    $('review-rows').appendChild(tr);
  });
}

load().catch(function (err) { setMessage('review-message', errorText(err), true); });
