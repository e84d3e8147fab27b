// 申請公務帳號 (自然人轉公務員): 查詢機關OID, 新機關名稱 from the OID, 申請原因, the attestation;
// 送出資料 asks 「請確認是否要申請？」 and then applies: 已進入審核程序 (approved by the personnel check), or the
// 申請書 with 列印 / 取消申請.
'use strict';

var applicationId = null;

$('search-open').addEventListener('click', function () { show('search-box', true); $('search-name').focus(); });

$('search-submit').addEventListener('click', async function () {
  $('search-results').innerHTML = '';
  clearOwn(['search']);
  try {
    var data = await api('GET', '/official/api/agencies?name=' + encodeURIComponent($('search-name').value));
    if (data.agencies.length === 0) say('search', '查無符合的機關。', true);
    data.agencies.forEach(function (a) {
      var li = document.createElement('li');
      var b = document.createElement('a');
      b.href = '#';
      b.className = 'agency-hit';
      b.dataset.oid = a.oid;
      b.textContent = a.name + '：' + a.oid;
      b.addEventListener('click', function (event) {
        event.preventDefault();
        lookup += 1; // an OID lookup still on its way must not overwrite the agency picked here
        $('agency-oid').value = a.oid;
        $('agency-name').value = a.name;
        clearOwn(['lookup', 'search']);
        show('search-box', false);
      });
      li.appendChild(b);
      $('search-results').appendChild(li);
    });
  } catch (err) {
    say('search', errorText(err), true);
  }
});

// 點選「新機關名稱」欄位 (or leaving the OID field): the name of the OID. Lookups can overlap (a change
// dispatched while typing, then the blur when 送出資料 is clicked) and answer out of order: only the latest
// one may write the name. The message line is shared with 送出資料 and 搜尋: a lookup shows its error only if
// neither wrote a message since it started (clicking 送出資料 is also the blur that starts a lookup, whose late
// answer must not replace the refusal), and a lookup that finds its agency clears only a lookup's error.
var lookup = 0;
var messages = 0; // messages 送出資料 and 搜尋 have written so far
var messageBy = ''; // who wrote what the message line shows: 'lookup', 'search', 'submit', or '' when empty

function say(by, text, isError) {
  setMessage('apply-message', text, isError);
  messageBy = text ? by : '';
  if (by !== 'lookup') messages += 1;
}

// Clears the line when what it shows was written by one of `owners` (an agency found or picked answers both a
// lookup's error and 搜尋's 查無符合的機關; an emptied OID field answers a lookup's error).
function clearOwn(owners) {
  if (owners.indexOf(messageBy) < 0) return;
  setMessage('apply-message', '');
  messageBy = '';
}

async function fillAgencyName() {
  var mine = (lookup += 1);
  var since = messages;
  var oid = $('agency-oid').value.trim();
  $('agency-name').value = '';
  if (oid === '') return clearOwn(['lookup']);
  try {
    var name = (await api('GET', '/official/api/agencies/' + encodeURIComponent(oid))).name;
    if (mine !== lookup) return;
    $('agency-name').value = name;
    clearOwn(['lookup', 'search']);
  } catch (err) {
    if (mine !== lookup || since !== messages) return;
    say('lookup', errorText(err), true);
  }
}
$('agency-oid').addEventListener('change', fillAgencyName);
$('agency-name').addEventListener('focus', fillAgencyName);

// The form's words for the fields an SDK issue names.
var FIELD_LABELS = { agencyOid: '新機關OID', reason: '申請原因', attested: '「我已確認上述資料與證件相符」' };

function body() {
  return { agencyOid: $('agency-oid').value.trim(), reason: $('reason').value, attested: $('attested').checked };
}

$('apply-submit').addEventListener('click', async function () {
  say('submit', '');
  try {
    var preview = await api('POST', '/official/api/applications/prepare', body());
    if (!confirm(preview.question)) return;
    var a = await api('POST', '/official/api/applications', body());
    applicationId = a.id;
    show('apply-form', false);
    // The manual's words for each outcome, and only what the application's state says: the first application
    // whose data checked 「代表您的申請已進入審核程序」, and the SDK's personnel check has already approved it (the
    // member is 公務人員 and the 核可通知信 went out in the same transaction); a second one, or a mismatch, prints the
    // 申請書; without a personnel system the review is still to come (審核中).
    if (a.status === 'approved') {
      $('approved-text').textContent = '您的申請已進入審核程序：您的個人資料已送 [行政院人事行政總處] 系統核對相符，審核通過。' +
        '您的帳號已轉為「公務人員」，所屬機關：' + a.agencyName + '。核可通知信已寄至您的電子信箱。';
      show('apply-approved', true);
    } else if (a.status === 'manualReview') {
      $('form-frame').src = '/official/applications/' + encodeURIComponent(a.id) + '/form';
      show('apply-manual', true);
    } else {
      show('apply-review', true);
    }
  } catch (err) {
    var fields = (err.issues || []).map(function (i) { return (FIELD_LABELS[i.field] || i.field) + (i.message ? '（' + i.message + '）' : ''); }).join('、');
    say('submit', errorText(err) + (fields ? '：' + fields : ''), true);
  }
});

$('form-print').addEventListener('click', function () { $('form-frame').contentWindow.print(); });

$('form-cancel').addEventListener('click', async function () {
  try {
    await api('POST', '/official/api/applications/' + encodeURIComponent(applicationId) + '/cancel', {});
    show('apply-manual', false);
    say('submit', '申請已取消。');
  } catch (err) {
    say('submit', errorText(err), true);
  }
});
