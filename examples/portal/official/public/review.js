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
    var noteCell = document.createElement('td');
    var note = document.createElement('input');
    note.className = 'reason';
    noteCell.appendChild(note);
    tr.appendChild(noteCell);
    var actions = document.createElement('td');
    [['approve', '核可'], ['reject', '不核可']].forEach(function (pair) {
      var b = document.createElement('button');
      b.type = 'button';
      b.className = pair[0];
      b.textContent = pair[1];
      b.addEventListener('click', async function () {
        try {
          await api('POST', '/official/api/review/applications/' + encodeURIComponent(a.id) + '/' + pair[0], { reason: note.value });
          setMessage('review-message', pair[0] === 'approve' ? '已核可，核可通知信已寄出。' : '已不核可，審核結果通知已寄出。');
          await load();
        } catch (err) {
          setMessage('review-message', errorText(err), true);
        }
      });
      actions.appendChild(b);
    });
    tr.appendChild(actions);
    $('review-rows').appendChild(tr);
  });
}

load().catch(function (err) { setMessage('review-message', errorText(err), true); });
