// 個人資料查詢: 一般民眾 / 公務人員, 所屬機關, the uploaded card and the applications.
'use strict';

var STATUS = { approved: '核可', manualReview: '人工審核：待收件', formReceived: '人工審核：已收件', underReview: '審核中', rejected: '不核可', cancelled: '已取消' };

api('GET', '/official/api/me').then(function (me) {
  $('me-id').textContent = me.memberId;
  $('me-name').textContent = me.name;
  $('me-email').textContent = me.email;
  // Not activated: the 會員確認信's 啟動連結 is not clicked yet (the host's 重寄確認信 sends it again); 申請公務帳號 waits.
  $('me-activation').textContent = me.activatedAt
    ? '已啟用（' + me.activatedAt + '）'
    : '尚未啟用：請點擊會員確認信中的「啟動連結」，待帳號啟用後才能申請公務帳號';
  $('me-activation').dataset.activated = me.activatedAt ? 'true' : 'false';
  $('me-type').textContent = me.memberType;
  $('me-agency').textContent = me.agencyName;
  $('me-card').textContent = me.card ? '卡號 ' + me.card.cardNumber + '（' + me.card.holderName + '）' : '尚未上傳';
  me.applications.forEach(function (a) {
    var tr = document.createElement('tr');
    tr.dataset.status = a.status;
    [a.item, a.agencyName, STATUS[a.status] || a.status].forEach(function (t) { tr.appendChild(cell(t)); });
    var td = document.createElement('td');
    // No 申請書 for an automatic approval, nor for a first application reviewed without the personnel system.
    if ((a.status !== 'approved' || a.attempt > 1) && a.status !== 'underReview') {
      var link = document.createElement('a');
      link.href = '/official/applications/' + encodeURIComponent(a.id) + '/form';
      link.target = '_blank';
      link.textContent = '申請書';
      td.appendChild(link);
    }
    tr.appendChild(td);
    $('me-applications').appendChild(tr);
  });
}, function (err) { setMessage('member-message', errorText(err), true); });
