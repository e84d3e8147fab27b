import { AGENT_DEFAULT_PORT } from '../../agent/index.js';
import { languageFromLocale } from '../../messages/language.js';
import { choosePinReader, resolvePinReader } from '../card-access.js';
import { withCard } from '../card-session.js';
import { type CliCommand, isUsageError, quotedValue, UsageError, writeJson, writeLines, parseCommandArgs } from '../command.js';
import { agentChecks } from '../doctor/agent-checks.js';
import { pcscChecks } from '../doctor/card-checks.js';
import type { DoctorCheck } from '../doctor/doctor-check.js';
import { pinChecks } from '../doctor/pin-checks.js';
import { readPin } from '../pin-prompt.js';

const MARK = { ok: '✓', warn: '!', fail: '✗' } as const;

/**
 * With more than one card in and no --reader, the PIN checks have no card to go to: a {@link UsageError}. Any
 * other trouble (pcscd unreachable, no reader, no card) is left to the checks, which report it.
 */
async function refuseAmbiguousPinCard(): Promise<void> {
  try {
    await resolvePinReader({ env: {} });
  } catch (error) {
    if (isUsageError(error)) throw error;
  }
}

function render(checks: readonly DoctorCheck[], zh: boolean): string[] {
  return checks.flatMap((c) => {
    const detail = zh ? (c.detailZhTW ?? c.detail) : c.detail;
    const line = `${MARK[c.status]} ${zh ? c.title.zhTW : c.title.en}${detail ? ` — ${detail}` : ''}`;
    return c.remedy ? [line, `    → ${zh ? c.remedy.zhTW : c.remedy.en}`] : [line];
  });
}

const USAGE = [
  'twpki doctor [--reader NAME] [--agent-url URL] [--origin ORIGIN] [--pin-stdin] [--json]',
  '',
  'Checks, each ✓/!/✗ with a remedy: pcscd reachable; readers; the card in each (generation, 卡號,',
  'authority); certificate validity and the renewal window; the local component on 61161 (version,',
  'and whether ORIGIN is a trusted site). With --pin-stdin (the PIN as the first line of stdin, or a',
  'prompt without echo at a terminal) also PIN verification and sign/verify and encrypt/decrypt round',
  'trips; the last-try guard stays on. With more than one card inserted, --pin-stdin needs --reader NAME',
  '(or TWPKI_READER, which also limits the checks to that reader, as --reader does).',
  'Messages follow the locale (LANG=zh_TW.UTF-8 for Chinese); --json prints both languages.',
  'Exit status: 0 everything passed (warnings included), 1 something failed, 2 usage error.',
].join('\n');

/**
 * `twpki doctor`: the environment check of MOICA's HiCOS 用戶端環境檢測工具, for
 * Linux and test rigs. Exit 0 when nothing failed (warnings pass), 1 otherwise.
 */
export const doctorCommand: CliCommand = {
  name: 'doctor',
  summary: 'check pcscd, readers, cards, certificates and the local component (PIN checks only when asked)',
  usage: USAGE,
  async run(args, io) {
    const { values } = parseCommandArgs(USAGE, {
      args,
      options: {
        reader: { type: 'string' },
        'agent-url': { type: 'string', default: `http://127.0.0.1:${AGENT_DEFAULT_PORT}` },
        origin: { type: 'string' },
        'pin-stdin': { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
      },
    });
    const agentUrl = values['agent-url'].replace(/\/+$/, '');
    // What was typed is repeated only when it cannot be a PIN (quotedValue).
    if (!/^https?:\/\/[^/]+$/.test(agentUrl)) throw new UsageError(`--agent-url must be http(s)://host[:port], got ${quotedValue(values['agent-url'])}`);
    if (values.origin !== undefined && !/^https?:\/\/[^/]+$/.test(values.origin)) throw new UsageError(`--origin must be a page origin such as https://example.gov.tw, got ${quotedValue(values.origin)}`);
    // With a PIN and more than one card, --reader must say which card it is for: a usage error before any card
    // work (pcscd down or no card: the checks below report it). Then the PIN, so a usage problem with stdin
    // shows before any card work too.
    // The reader as the other card commands take it: --reader, else TWPKI_READER.
    const reader = values.reader ?? (io.env.TWPKI_READER || undefined);
    if (values['pin-stdin'] && reader === undefined) await refuseAmbiguousPinCard();
    const pin = values['pin-stdin'] ? await readPin(io, true) : undefined;
    try {
      const pcsc = await pcscChecks({ reader, now: new Date() });
      const checks = [...pcsc.checks];
      // A card inserted since the check above still makes the choice ambiguous.
      if (pin && reader === undefined && pcsc.cardReaders.length > 1) choosePinReader(pcsc.cardReaders.map((name) => ({ name, cardPresent: true })), undefined);
      const target = pcsc.cardReaders[0];
      if (pin && target) checks.push(...(await withCard(target, io, (card) => pinChecks(card, pin))));
      checks.push(...(await agentChecks(agentUrl, values.origin)));
      const ok = checks.every((c) => c.status !== 'fail');
      if (values.json) writeJson(io, { ok, checks });
      else writeLines(io, ...render(checks, languageFromLocale(io.env) === 'zh-TW'));
      return ok ? 0 : 1;
    } finally {
      pin?.fill(0);
    }
  },
};
