import { RetCode } from '../../component/codes.js';
import { check, reason, type DoctorCheck } from './doctor-check.js';

const TITLE_AGENT = { zhTW: '本機元件（localhost:61161）', en: 'Local component (localhost:61161)' } as const;
const TITLE_TRUST = { zhTW: '受信任網站', en: 'Trusted site' } as const;

async function get(url: string, timeoutMs: number, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, { headers, signal: AbortSignal.timeout(timeoutMs) });
}

/**
 * Whether the local component (official or `twpki agent`) answers, its version,
 * and, for `origin`, whether it trusts that page. Trust is read the way a page
 * learns it: `/pkcs11info` with the page's Origin answers `0x76000031` (or
 * `0x7600000F`) when the site is not trusted.
 */
export async function agentChecks(agentUrl: string, origin: string | undefined, timeoutMs = 3_000): Promise<DoctorCheck[]> {
  let version: string;
  try {
    const res = await get(`${agentUrl}/`, timeoutMs);
    const text = await res.text();
    version = /version:\s*([0-9.]+)/.exec(text)?.[1] ?? 'unknown';
  } catch (error) {
    return [
      check('agent', TITLE_AGENT, 'fail', { en: `${agentUrl} did not answer (${reason(error)})`, zhTW: `${agentUrl} 沒有回應（${reason(error)}）` }, {
        zhTW: '請安裝並啟動「跨平台網頁元件」，或執行 twpki agent --trust <網站>',
        en: 'Install and start the local component, or run: twpki agent --trust <site>',
      }),
    ];
  }
  const checks = [check('agent', TITLE_AGENT, 'ok', { en: `${agentUrl}, version ${version}`, zhTW: `${agentUrl}，版本 ${version}` })];
  if (origin === undefined) return checks;
  try {
    const res = await get(`${agentUrl}/pkcs11info`, timeoutMs, { Origin: origin });
    const body = (await res.json()) as { ret_code?: unknown };
    const refused = body.ret_code === RetCode.UNTRUSTED_DOMAIN || body.ret_code === RetCode.FORBIDDEN_DOMAIN;
    checks.push(
      check('agent-trust', TITLE_TRUST, refused ? 'fail' : 'ok', { en: `${origin} ${refused ? 'is not trusted' : 'is trusted'}`, zhTW: `${origin} ${refused ? '不是受信任網站' : '為受信任網站'}` }, {
        zhTW: `請將 ${origin} 加入本機元件的受信任網站（twpki agent --trust ${origin}）`,
        en: `Add ${origin} to the component's trusted sites (twpki agent --trust ${origin})`,
      }),
    );
  } catch (error) {
    checks.push(
      check('agent-trust', TITLE_TRUST, 'fail', { en: `no answer from /pkcs11info (${reason(error)})`, zhTW: `/pkcs11info 沒有回應（${reason(error)}）` }, { zhTW: '請重新啟動本機元件', en: 'Restart the local component' }),
    );
  }
  return checks;
}
