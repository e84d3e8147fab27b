// 會員登入 (demo): the host's general account login; the example lists its demo members.
'use strict';

api('GET', '/official/api/members').then(function (data) {
  data.members.forEach(function (m) {
    var option = document.createElement('option');
    option.value = m.memberId;
    option.textContent = m.memberId + '（' + m.name + (m.activated ? '' : '，帳號尚未啟用') + '）';
    $('member-select').appendChild(option);
  });
});

$('member-login').addEventListener('click', async function () {
  try {
    await api('POST', '/official/api/login', { memberId: $('member-select').value });
    location.href = '/official/member';
  } catch (err) {
    setMessage('login-message', errorText(err), true);
  }
});
