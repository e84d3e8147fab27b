import { LastError, RetCode } from './codes.js';
import { signFailure } from './make-signature.js';
import { AGENT_SERVER_VERSION, pkcs11InfoAnswer } from './pkcs11-info.js';

/**
 * The HTML pages the agent serves at `/popupForm` (also `/ChtPopupForm`) and
 * `/addDomain`. Government pages open them as popups and talk to them with
 * postMessage, always with JSON *strings*.
 */

/**
 * The popup bridge: announces itself with `{"func":"getTbs"}`, forwards the
 * opener's request to the matching endpoint and posts the answer back. The
 * opener's origin (which the browser vouches for in `event.origin`) goes to
 * the server in a header, so the trusted-domain check applies to the page,
 * not to this popup. Only the opener is listened to, and the answer is posted to the origin that asked (the one
 * the agent checked): the first `{"func":"getTbs"}` alone goes to any origin, since it carries nothing.
 *
 * A request whose `func` the bridge does not know gets `ret_code`
 * 0x7600000E (不支援的方法), as from the official component. Pages route the
 * popup's replies by `func` and handle only `sign` and `pkcs11info` (a reply
 * with any other `func` is ignored, and the page waits forever), so the
 * refusal goes as a refused signature: `func` `sign`, with every field of a
 * `/sign` answer (signature, certificate and card number empty), which a
 * page's signing handler decodes and shows.
 */
export function popupFormPage(): string {
  const unsupported = JSON.stringify(signFailure(RetCode.UNSUPPORTED_FUNCTION, LastError.NONE, 'unsupported func', AGENT_SERVER_VERSION));
  // The agent did not answer the popup's request (stopped or restarted since the popup loaded): 執行檔錯誤或逾時 in
  // the full shape of the answer asked for, as every refusal has it, for pages that read `slots` or `signature`
  // before `ret_code`.
  const unreachable = JSON.stringify({
    sign: signFailure(RetCode.EXECUTION_ERROR, LastError.FUNCTION_FAILED, 'agent unreachable', AGENT_SERVER_VERSION),
    pkcs11info: pkcs11InfoAnswer(RetCode.EXECUTION_ERROR, LastError.FUNCTION_FAILED, 'agent unreachable', []),
  });
  return `<!doctype html><meta charset="utf-8"><title>twpki</title>
<p>twpki local agent</p>
<script>
(function () {
  var opener = window.opener;
  if (!opener) return;
  var routes = {
    MakeSignature: ['/sign', 'sign'],
    GetUserCert: ['/pkcs11info?withcert=true', 'pkcs11info'],
    CheckEnvir: ['/pkcs11info', 'pkcs11info']
  };
  // The answer goes to the origin that asked, the one the agent checked, never '*': a page that took over the
  // opener's window while the card worked (navigating it, or framing it) would receive the signature otherwise.
  function reply(obj, origin) {
    try { opener.postMessage(JSON.stringify(obj), origin); } catch (e) { /* an opaque origin ('null') gets nothing */ }
    window.close();
  }
  window.addEventListener('message', function (event) {
    if (event.source !== opener) return;
    var origin = event.origin;
    var request;
    try { request = typeof event.data === 'string' ? JSON.parse(event.data) : event.data; } catch (e) { return; }
    if (!request || typeof request !== 'object') return;
    if (!Object.prototype.hasOwnProperty.call(routes, request.func)) { reply(${unsupported}, origin); return; }
    var route = routes[request.func];
    fetch(route[0], {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain', 'X-Twpki-Caller-Origin': origin },
      body: route[1] === 'sign' ? 'tbsPackage=' + JSON.stringify(request) : ''
    }).then(function (r) { return r.json(); }).then(function (answer) {
      answer.func = route[1];
      reply(answer, origin);
    }, function () { reply(${unreachable}[route[1]], origin); });
  });
  opener.postMessage(JSON.stringify({ func: 'getTbs' }), '*');
})();
</script>`;
}

/**
 * Result page of `/addDomain`: posts `{"ret_code":N}` to the opener at once. After a success it closes; a refusal
 * stays open, since its text says what to do (whom to ask, which option) and a window gone after a moment could not
 * be read. The page's handling is the same either way: it reads the posted code.
 */
export function addDomainPage(retCode: number, message: string): string {
  const payload = JSON.stringify(JSON.stringify({ ret_code: retCode }));
  const text = message.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  const close = retCode === 0 ? '\nsetTimeout(function () { window.close(); }, 1500);' : '';
  return `<!doctype html><meta charset="utf-8"><title>twpki</title>
<p>${text}</p>
<script>
if (window.opener) { window.opener.postMessage(${payload}, '*'); }${close}
</script>`;
}
