import { homedir } from 'node:os';
import { join } from 'node:path';
import { FileRetryCounterStore, HiCOSCard } from '../apdu/index.js';
import { openCardTransport } from './card-access.js';
import type { CliIo } from './command.js';

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

/** Opens the card, runs `fn` on it with the CLI's persistent last-try guard, and always closes it. */
export async function withCard<T>(reader: string | undefined, io: CliIo, fn: (card: HiCOSCard, readerName: string) => Promise<T>): Promise<T> {
  const access = await openCardTransport({ reader, env: io.env });
  try {
    const card = await HiCOSCard.open(access.transport, { retryStore: cliRetryStore(io) });
    return await fn(card, access.readerName);
  } finally {
    await access.close();
  }
}

