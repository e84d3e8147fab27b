// Shared by the 我的E政府 pages: 會員登出 in the 會員資料管理 menu.
'use strict';

if ($('logout')) {
  $('logout').addEventListener('click', async function (event) {
    event.preventDefault();
    await api('POST', '/official/api/logout', {});
    location.href = '/official/';
  });
}

