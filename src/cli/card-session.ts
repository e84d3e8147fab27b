import { homedir } from 'node:os';
import { join } from 'node:path';
import { type AfterPin, FileRetryCounterStore, type HiCOSCard } from '../apdu/index.js';
import { runOnCardThenRelease } from '../apdu/card-release.js';
import { openCardTransport } from './card-access.js';
import { type CliIo, UsageError } from './command.js';

/** The options every card command takes. */
export const readerOption = { reader: { type: 'string' }, json: { type: 'boolean' } } as const;

/**
 * Where the CLI remembers last known PIN retry counts, so the last-try guard
 * holds across invocations: `$TWPKI_STATE_DIR`, else `$XDG_STATE_HOME/twpki`,
 * else `~/.local/state/twpki`.
 */
function retryStorePath(env: NodeJS.ProcessEnv): string {
  const dir = env.TWPKI_STATE_DIR ?? join(env.XDG_STATE_HOME ?? join(homedir(), '.local', 'state'), 'twpki');
  return join(dir, 'pin-retries.json');
}

/**
 * The CLI's PIN try counts, in the state folder: every card command and `twpki agent` share them, so tries spent on
 * a web page through the agent count for the next `verify-pin`, and the reverse. A folder the CLI cannot use costs
 * only the guard across runs: said on stderr, never over the card's answer.
 */
export function cliRetryStore(io: CliIo): FileRetryCounterStore {
  return new FileRetryCounterStore(retryStorePath(io.env), {
    onError: (error) => io.stderr.write(`twpki: warning: ${error.message} (set TWPKI_STATE_DIR to a folder you can write)\n`),
  });
}

/** The `--after-pin` option of the commands that present a PIN. */
export const afterPinOption = { 'after-pin': { type: 'string' } } as const;

/**
 * `--after-pin reset|leave` (default `reset`): what ends the PIN-verified state a Gen1 card keeps after the
 * command's VERIFY. `reset` resets the card when the command ends, so no other program finds it verified;
 * `leave` leaves it verified until it is reset or removed.
 */
export function afterPinOf(value: string | undefined): AfterPin {
  if (value === undefined || value === 'reset') return 'reset';
  if (value === 'leave') return 'leave';
  // Never repeated: a value given to an option could be a PIN typed in the wrong place.
  throw new UsageError('--after-pin must be reset or leave');
}

/**
 * Opens the card, runs `fn` on it with the CLI's persistent last-try guard, and always closes it. A session in
 * which `fn` presented a PIN to a Gen1 card ends with a card reset unless `afterPin` is `leave`
 * (`HiCOSCard.releaseDisposition`): the verification does not outlive the command.
 */
export async function withCard<T>(
  reader: string | undefined,
  io: CliIo,
  fn: (card: HiCOSCard, readerName: string) => Promise<T>,
  options: { afterPin?: AfterPin } = {},
): Promise<T> {
  const access = await openCardTransport({ reader, env: io.env });
  return await runOnCardThenRelease(
    access.transport,
    { retryStore: cliRetryStore(io) },
    options.afterPin ?? 'reset',
    (disposition) => access.close(disposition),
    (card) => fn(card, access.readerName),
  );
}

