// 審核: the queue of submitted applications with their two documents; 審核通過 mails the 驗證碼 to the
// 承辦人郵件信箱, 審核不通過 mails the reason.
'use strict';

function link(href, text) {
  var a = document.createElement('a');
  a.href = href;
  a.target = '_blank';
  a.textContent = text;
  return a;
}

async function load() {
  var data = await api('GET', '/waste/api/review/applications');
  var rows = $('review-rows');
  rows.innerHTML = '';
  if (data.applications.length === 0 && !$('review-message').textContent) setMessage('review-message', '目前沒有待審核的申請。');
  data.applications.forEach(function (a) {
    var tr = document.createElement('tr');
    tr.dataset.businessId = a.businessId;
    [a.businessId, a.controlNumber, a.companyName, a.contactName + ' <' + a.contactEmail + '>'].forEach(function (t) { tr.appendChild(cell(t)); });
    var docs = document.createElement('td');
    var base = '/waste/api/review/applications/' + encodeURIComponent(a.id) + '/documents/';
    docs.appendChild(link(base + 'applicationForm', '用印申請書'));
    docs.appendChild(document.createTextNode(' '));
    docs.appendChild(link(base + 'businessRegistration', '營利事業登記証影本'));
    tr.appendChild(docs);
    decisionCells(tr, '/waste/api/review/applications/' + encodeURIComponent(a.id), [['approve', '審核通過'], ['reject', '審核不通過']], 'review-message',
      async function (action, r) {
        await load();
        setMessage('review-message', action === 'approve' ? '審核通過，' + mailedText(r) : '審核不通過，已通知申請人。');
      });
    rows.appendChild(tr);
  });
}

// A 申請書 with both login methods 停用 is approved without a 驗證碼: the page must not say one was sent.
function mailedText(r) {
  return r.codeSent ? '驗證碼已寄至 ' + r.sentTo : '通知已寄至 ' + r.sentTo + '（申請書之兩種登入方式皆為停用，未核發驗證碼）';
}

// 重新寄送驗證碼: a locked-out or expired 驗證碼 is replaced, and mailed to the case's 承辦人.
$('resend-submit').addEventListener('click', async function () {
  try {
    var r = await api('POST', '/waste/api/review/resend-code', { businessId: $('resend-businessId').value, controlNumber: $('resend-controlNumber').value });
    setMessage('resend-message', r.codeSent ? '新驗證碼已寄至 ' + r.sentTo : mailedText(r));
  } catch (err) {
    setMessage('resend-message', errorText(err), true);
  }
});

load().catch(function (err) { setMessage('review-message', errorText(err), true); });
