// 首次註冊審核: registrations whose agency certificate OID did not match; 審核通過 (the agency registers
// again from the next business day) or 審核不通過 (本部將與您聯絡).
'use strict';

async function load() {
  var data = await api('GET', '/gepi/api/review');
  var rows = $('review-rows');
  rows.innerHTML = '';
  if (data.registrations.length === 0) {
    var tr = document.createElement('tr');
    var td = cell('目前沒有待審核的註冊申請');
    td.colSpan = 6;
    tr.appendChild(td);
    rows.appendChild(tr);
  }
  data.registrations.forEach(function (reg) {
    var tr = document.createElement('tr');
    tr.dataset.agencyCode = reg.agencyCode;
    [reg.agencyCode, reg.organizationName, reg.organizationIdentifier, reg.reviewContact ? reg.reviewContact.name : '', reg.reviewContact ? reg.reviewContact.phone : '']
      .forEach(function (t) { tr.appendChild(cell(t)); });
    var actions = document.createElement('td');
    var note = document.createElement('input');
    note.className = 'review-note';
    note.placeholder = '審核意見';
    var approve = document.createElement('button');
    approve.className = 'approve';
    approve.textContent = '審核通過';
    approve.addEventListener('click', function () { decide(reg, 'approve', note.value.trim()); });
    var reject = document.createElement('button');
    reject.className = 'reject';
    reject.textContent = '審核不通過';
    reject.addEventListener('click', function () {
      if (note.value.trim() === '') return setMessage('review-message', '請填寫審核意見。', true);
      decide(reg, 'reject', note.value.trim());
    });
    actions.appendChild(note);
    actions.appendChild(approve);
    actions.appendChild(reject);
    tr.appendChild(actions);
    rows.appendChild(tr);
  });
}

async function decide(reg, action, note) {
  try {
    var r = await api('POST', '/gepi/api/review/' + encodeURIComponent(reg.agencyCode) + '/' + action, { note: note });
    await load();
    setMessage('review-message', action === 'approve'
      ? '機關代號 ' + reg.agencyCode + ' 審核通過，可於 ' + new Date(r.retryNotBefore).toLocaleString('zh-TW') + ' 起重新註冊'
      : '機關代號 ' + reg.agencyCode + ' 審核不通過，請與申請人聯絡');
  } catch (err) {
    setMessage('review-message', errorText(err), true);
  }
}

load().catch(function (err) { setMessage('review-message', errorText(err), true); });
