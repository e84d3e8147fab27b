import { AGENT_DEFAULT_PORT, EmulatorCardSlots, PcscCardSlots, TrustedOrigins, startAgent, type CardSlots } from '../../agent/index.js';
import { EmulatorReader } from '../../pcsc/index.js';
import { afterPinOf, afterPinOption, cliRetryStore } from '../card-session.js';
import { UsageError, couldBePin, quotedValue, writeJson, writeLines, type CliCommand, parseCommandArgs } from '../command.js';

const USAGE = [
  'twpki agent [--port 61161] [--trust ORIGIN_OR_HOST]... [--virtual] [--allow-sha1] [--guard-last-try] [--allow-card-swap]',
  '            [--after-pin reset|leave] [--command-timeout MS] [--json]',
  '',
  'Answers /pkcs11info, /sign, /popupForm, /addDomain and /p11Image.bmp like MOICA\'s local',
  'component, for pages of the trusted origins only. Cards come from PC/SC readers, or with',
  '--virtual from a built-in virtual MOICA card (PIN 123456). /addDomain requests are refused:',
  'trust is configured with --trust. A PIN typed into a page is sent to the card even when one try',
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

/** `twpki agent`: a local agent answering the official component's API on 127.0.0.1. */
export const agentCommand: CliCommand = {
  exits: 'reader',
  name: 'agent',
  summary: 'run a HiPKI-compatible local agent on 127.0.0.1:61161',
  usage: USAGE,
  async run(args, io) {
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
        json: { type: 'boolean', default: false },
      },
    });
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
    let agent;
    try {
      agent = await startAgent({
        slots,
        trusted: values.trust,
        port,
        allowSha1: values['allow-sha1'],
        guardLastTry: values['guard-last-try'],
        refuseSwappedCard: !values['allow-card-swap'],
      });
    } catch (error) {
      await slots.close();
      if (error instanceof Error && 'code' in error && error.code === 'EADDRINUSE') {
        throw new UsageError(`port ${port} is in use (is the official local component running?)`);
      }
      throw error;
    }
    if (values.json) writeJson(io, { url: agent.url, port: agent.port, trusted: agent.trusted.list(), virtual: values.virtual });
    else writeLines(io, `twpki agent listening on ${agent.url} (127.0.0.1 only); trusted: ${agent.trusted.list().join(', ') || 'none'}`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve());
      process.once('SIGTERM', () => resolve());
    });
    await agent.close();
    await slots.close();
    return 0;
  },
};
