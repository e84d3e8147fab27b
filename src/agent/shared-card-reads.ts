import type { HiCOSCardInfo } from '../apdu/index.js';
import type { WarmCardCache } from './warm-card-cache.js';

/** A read of one reader's card under way, and the presence token it was started under. */
interface PendingRead {
  readonly presence: string;
  readonly info: Promise<HiCOSCardInfo>;
}

// Per cache, so two agents in one process never share a read; a dropped cache takes its reads with it.
const pending = new WeakMap<WarmCardCache, Map<string, PendingRead>>();

/**
 * Reads the card in `reader` with `read`, or joins the read already under
 * way for the same card (same presence token).
 *
 * Pages poll `/pkcs11info` from every open tab, and after an insertion they
 * all find the cache empty at once: each would queue its own full read of
 * the card (seconds on a real card), one after the other. A presence token
 * that has not changed means no reader event came between the calls, the
 * same condition under which the cache itself answers.
 */
export function sharedCardRead(cache: WarmCardCache, reader: string, presence: string, read: () => Promise<HiCOSCardInfo>): Promise<HiCOSCardInfo> {
  let reads = pending.get(cache);
  if (!reads) pending.set(cache, (reads = new Map()));
  const running = reads.get(reader);
  if (running && running.presence === presence) return running.info;
  const entry: PendingRead = { presence, info: read() };
  reads.set(reader, entry);
  const settled = (): void => {
    if (reads.get(reader) === entry) reads.delete(reader);
  };
  entry.info.then(settled, settled);
  return entry.info;
}
