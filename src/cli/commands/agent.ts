import { AGENT_DEFAULT_PORT, EmulatorCardSlots, PcscCardSlots, TrustedOrigins, startAgent, type CardSlots } from '../../agent/index.js';
import { EmulatorReader } from '../../pcsc/index.js';
import { afterPinOf, afterPinOption, cliRetryStore } from '../card-session.js';
import { UsageError, couldBePin, quotedValue, writeJson, writeLines, type CliCommand, type CliIo, parseCommandArgs } from '../command.js';
import { askDomainsOnTerminal, hasTerminal, refuseDomains, type DomainQuestions } from '../domain-questions.js';

const USAGE = [
  'twpki agent [--port 61161] [--trust ORIGIN_OR_HOST]... [--ask-trust [--ask-timeout SECONDS]] [--virtual] [--allow-sha1]',
  '            [--guard-last-try] [--allow-card-swap] [--after-pin reset|leave] [--command-timeout MS] [--json]',
  '',
  'Answers /pkcs11info, /sign, /popupForm, /addDomain and /p11Image.bmp like MOICA\'s local',
  'component, for pages of the trusted origins only. Cards come from PC/SC readers, or with',
  '--virtual from a built-in virtual MOICA card (PIN 123456). A page\'s /addDomain request (a site asking to be',
  'trusted) is refused: the popup tells the user how the operator trusts the site (--trust), and the log (stderr)',
  'names it. With --ask-trust it is asked on the terminal instead, as the official component asks in a dialog:',
  'stdin and stderr must be a terminal, and the agent must stay in the foreground (a background job that reads its',
  'terminal is stopped). The site and the page that asked are shown; y trusts it until the agent stops (nothing is',
  'saved), anything else or no answer within --ask-timeout seconds (default 60) refuses, and a request made while',
  'a question is open is refused. A PIN typed into a page is sent to the card even when one try',
  'is left (the page has warned the user, as with the official component); --guard-last-try refuses',
  'it instead. A /sign is refused, before the PIN is sent, when the card in the reader is not the one',
  'the page\'s last /pkcs11info showed (a card swapped in since would count the PIN as a wrong try);',
  '--allow-card-swap sends it anyway. A Gen1 card stays PIN-verified for any program after a signature until it',
  'is reset: --after-pin reset (the default) resets it when the /sign ends; --after-pin leave leaves it verified.',
  '--command-timeout (default 10000) is how many milliseconds the card may take to answer one command before',
  'the page is told it failed: raise it for a slow reader.',
  'Runs until Ctrl-C.',
  'Exit status: 0 after Ctrl-C, 2 usage error (the port in use too), 4 PC/SC not reached (pcscd not running, or not answering), 1 any other failure.',
].join('\n');

/** Whether `--trust` takes `entry` (TrustedOrigins throws a TypeError for an entry it refuses). */
function acceptedOrigin(entry: string): boolean {
  try {
    new TrustedOrigins([entry]);
    return true;
  } catch {
    return false;
  }
}

/** The longest `--command-timeout` taken: ten minutes (a card command that takes longer is not answering). */
const MAX_COMMAND_TIMEOUT_MS = 600_000;

/** `--command-timeout MS`: a whole number of milliseconds from 1 to ten minutes, or undefined (the default). */
function commandTimeoutOf(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = /^[0-9]{1,6}$/.test(value) ? Number(value) : NaN;
  // Never repeated: a value given to an option could be a PIN typed in the wrong place.
  if (!(ms >= 1 && ms <= MAX_COMMAND_TIMEOUT_MS)) throw new UsageError(`--command-timeout must be a whole number of milliseconds from 1 to ${MAX_COMMAND_TIMEOUT_MS}`);
  return ms;
}

/** How long a question on the terminal waits by default: the page waits in its popup meanwhile. */
const DEFAULT_ASK_TIMEOUT_S = 60;
/** The longest `--ask-timeout` taken: ten minutes, as `--command-timeout`. */
const MAX_ASK_TIMEOUT_S = 600;

/** `--ask-timeout SECONDS` in milliseconds: a whole number of seconds from 1 to ten minutes (default 60). */
function askTimeoutOf(value: string | undefined, asking: boolean): number {
  if (value === undefined) return DEFAULT_ASK_TIMEOUT_S * 1000;
  // Said rather than ignored: without --ask-trust nothing is asked, so the value would do nothing.
  if (!asking) throw new UsageError('--ask-timeout is the time to answer an --ask-trust question: give --ask-trust too');
  const s = /^[0-9]{1,3}$/.test(value) ? Number(value) : NaN;
  // Never repeated: a value given to an option could be a PIN typed in the wrong place.
  if (!(s >= 1 && s <= MAX_ASK_TIMEOUT_S)) throw new UsageError(`--ask-timeout must be a whole number of seconds from 1 to ${MAX_ASK_TIMEOUT_S}`);
  return s * 1000;
}

/** Until Ctrl-C (SIGINT) or SIGTERM. */
function untilSignalled(): Promise<void> {
  return new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}

/** `twpki agent`: a local agent answering the official component's API on 127.0.0.1. */
export const agentCommand: CliCommand = {
  exits: 'reader',
  name: 'agent',
  summary: 'run a HiPKI-compatible local agent on 127.0.0.1:61161',
  usage: USAGE,
  run: (args, io) => runAgentUntil(args, io, untilSignalled),
};

/**
 * The `twpki agent` command, running until `stopped()` settles (called once the agent listens): the signals for
 * the CLI, a promise of their own for tests that drive the command in-process.
 * @internal
 */
export async function runAgentUntil(args: string[], io: CliIo, stopped: () => Promise<void>): Promise<number> {
  const { values } = parseCommandArgs(USAGE, {
    args,
    options: {
      port: { type: 'string', default: String(AGENT_DEFAULT_PORT) },
      trust: { type: 'string', multiple: true, default: [] },
      virtual: { type: 'boolean', default: false },
      'allow-sha1': { type: 'boolean', default: false },
      'guard-last-try': { type: 'boolean', default: false },
      'allow-card-swap': { type: 'boolean', default: false },
      ...afterPinOption,
      'command-timeout': { type: 'string' },
      'ask-trust': { type: 'boolean', default: false },
      'ask-timeout': { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  const askTimeoutMs = askTimeoutOf(values['ask-timeout'], values['ask-trust']);
  // Checked before anything starts: asked with no terminal, every page's request would wait out the timeout.
  if (values['ask-trust'] && !hasTerminal(io)) {
    throw new UsageError('--ask-trust needs a terminal on stdin and stderr to ask on; a service trusts sites with --trust ORIGIN_OR_HOST');
  }
  try {
    // Checked before any card is opened: a bad --trust is the user's typing, not an internal error.
    new TrustedOrigins(values.trust);
  } catch (error) {
    if (error instanceof TypeError) {
      // TrustedOrigins quotes the entry it refuses; one that could be a PIN typed after --trust is not printed.
      const refused = values.trust.find((entry) => !acceptedOrigin(entry));
      const what = refused !== undefined && couldBePin(refused) ? 'not a host name or origin: a value not repeated here (it could be a PIN)' : error.message;
      throw new UsageError(`--trust ${what}`);
    }
    throw error;
  }
  const afterPin = afterPinOf(values['after-pin']);
  const commandTimeoutMs = commandTimeoutOf(values['command-timeout']);
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be a TCP port, got ${quotedValue(values.port)}`);
  let slots: CardSlots;
  if (values.virtual) {
    // The test kit loads only for --virtual, so a real agent carries none of it.
    const { createVirtualHiCOSCard } = await import('../../testing/index.js');
    const reader = new EmulatorReader({ name: 'twpki virtual reader' });
    reader.insert(await createVirtualHiCOSCard());
    slots = new EmulatorCardSlots(reader, {}, { afterPin, commandTimeoutMs });
  } else {
    // The counts the CLI's card commands keep: a try spent through a page counts for the next verify-pin.
    slots = await PcscCardSlots.open({ retryStore: cliRetryStore(io) }, {}, { afterPin, commandTimeoutMs });
  }
  const questions: DomainQuestions = values['ask-trust'] ? askDomainsOnTerminal(io, askTimeoutMs) : refuseDomains(io);
  let agent;
  try {
    agent = await startAgent({
      confirmDomain: questions.confirm,
      slots,
      trusted: values.trust,
      port,
      allowSha1: values['allow-sha1'],
      guardLastTry: values['guard-last-try'],
      refuseSwappedCard: !values['allow-card-swap'],
    });
  } catch (error) {
    questions.close();
    await slots.close();
    if (error instanceof Error && 'code' in error && error.code === 'EADDRINUSE') {
      throw new UsageError(`port ${port} is in use (is the official local component running?)`);
    }
    throw error;
  }
  if (values.json) writeJson(io, { url: agent.url, port: agent.port, trusted: agent.trusted.list(), askTrust: values['ask-trust'], virtual: values.virtual });
  else {
    const asking = values['ask-trust'] ? 'asked on this terminal' : 'refused (--trust adds a site, --ask-trust asks here)';
    writeLines(io, `twpki agent listening on ${agent.url} (127.0.0.1 only); trusted: ${agent.trusted.list().join(', ') || 'none'}; sites asking to be trusted: ${asking}`);
  }
  await stopped();
  // An open question is refused first, and its page's answer written (a turn of the event loop), before the
  // connections are closed.
  questions.close();
  await new Promise((resolve) => setImmediate(resolve));
  await agent.close();
  await slots.close();
  return 0;
}
