import { createHash } from 'node:crypto';
import type { CardCertificate, HiCOSCardInfo } from '../apdu/index.js';

/** What the agent keeps about the card in one reader while it stays inserted. */
export interface WarmCardEntry {
  /** The slot's presence token when the card was read; any reader event changes it. */
  readonly presence: string;
  /** 卡號, the first half of the card's identity. */
  readonly cardNumber: string;
  /** SHA-256 over every certificate's DER in card order, the second half of the identity. */
  readonly certificateHash: string;
  /** Everything `info()` read (none of it can change while the card stays inserted). */
  readonly info: HiCOSCardInfo;
}

// Per (read-only) certificate list, its hash: one read is hashed for the cache, for the record of what a page was
// shown, and again at every warm /pkcs11info that hands the same read to that record.
const hashes = new WeakMap<readonly CardCertificate[], string>();

/** SHA-256 over the certificates of a card, in card order, each prefixed by its length. */
export function certificateHash(info: Pick<HiCOSCardInfo, 'certificates'>): string {
  const known = hashes.get(info.certificates);
  if (known !== undefined) return known;
  const hash = createHash('sha256');
  for (const c of info.certificates) {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(c.der.length);
    hash.update(length).update(c.der);
  }
  const hex = hash.digest('hex');
  hashes.set(info.certificates, hex);
  return hex;
}

/** A read of the card in one reader whose result is to be kept; set when that reader's entry is dropped meanwhile. */
interface ReadUnderWay {
  dropped: boolean;
}

// Per cache and reader, the reads under way (kept out of the class: not part of its public surface).
const readsUnderWay = new WeakMap<WarmCardCache, Map<string, Set<ReadUnderWay>>>();

/** Tells the reads under way of `reader` (of every reader when undefined, or of every reader not in `except`). */
function markDropped(cache: WarmCardCache, reader: string | undefined, except?: ReadonlySet<string>): void {
  for (const [name, reads] of readsUnderWay.get(cache) ?? []) {
    if (reader !== undefined ? name !== reader : except?.has(name) === true) continue;
    for (const read of reads) read.dropped = true;
  }
}

/**
 * Runs `read` of the card in `reader` and keeps what it returns under `presence`, unless the reader's entry was
 * dropped while it ran: the agent learnt of a reader event (or a failure) meanwhile, so what was read may be of a
 * card that has left, and would stay in memory under a presence token nothing asks for again. What was read is
 * returned either way.
 * @internal
 */
export async function readAndKeep(cache: WarmCardCache, reader: string, presence: string | undefined, read: () => Promise<HiCOSCardInfo>): Promise<HiCOSCardInfo> {
  let byReader = readsUnderWay.get(cache);
  if (!byReader) readsUnderWay.set(cache, (byReader = new Map()));
  let reads = byReader.get(reader);
  if (!reads) byReader.set(reader, (reads = new Set()));
  const mark: ReadUnderWay = { dropped: false };
  reads.add(mark);
  try {
    const info = await read();
    if (!mark.dropped) cache.put(reader, presence, info);
    return info;
  } finally {
    reads.delete(mark);
    if (reads.size === 0 && byReader.get(reader) === reads) byReader.delete(reader);
  }
}

/**
 * Card data per reader, kept while the card stays inserted.
 *
 * Reading a HiCOS card through pcscd takes seconds and pages call
 * `/pkcs11info` on load and again before signing. What is kept (card number,
 * version, certificates) cannot change while the card stays in the reader
 * and powered, so an entry is valid exactly as long as the slot's presence
 * token (which changes on removal, insertion, reset or any other reader
 * event) is the one it was read under. Whoever opens the card again
 * confirms its identity with {@link WarmCardCache.confirm} before reusing
 * an entry.
 */
export class WarmCardCache {
  private readonly entries = new Map<string, WarmCardEntry>();

  /** The entry for `reader` when it was read under `presence`; a stale entry is dropped. */
  public get(reader: string, presence: string | undefined): WarmCardEntry | undefined {
    const entry = this.entries.get(reader);
    if (entry === undefined) return undefined;
    if (presence === undefined || entry.presence !== presence) {
      this.entries.delete(reader);
      return undefined;
    }
    return entry;
  }

  /** Keeps what was read from the card in `reader` under `presence` (nothing is kept when presence is unknown). */
  public put(reader: string, presence: string | undefined, info: HiCOSCardInfo): WarmCardEntry | undefined {
    if (presence === undefined) {
      this.entries.delete(reader);
      return undefined;
    }
    const entry: WarmCardEntry = { presence, cardNumber: info.cardNumber, certificateHash: certificateHash(info), info };
    this.entries.set(reader, entry);
    return entry;
  }

  /**
   * Whether the card now in the reader is the one `entry` describes: same card
   * number and same certificate hash. A mismatch drops the entry.
   */
  public confirm(reader: string, entry: WarmCardEntry, seen: { cardNumber: string; certificateHash?: string }): boolean {
    const same = seen.cardNumber === entry.cardNumber && (seen.certificateHash === undefined || seen.certificateHash === entry.certificateHash);
    if (!same) this.drop(reader);
    return same;
  }

  /** Forgets the card in `reader` (removal, reset, reader event, failure). */
  public drop(reader: string): void {
    this.entries.delete(reader);
    markDropped(this, reader);
  }

  /**
   * Forgets every reader not in `withCard`: a card that left (or whose reader went) is not kept until the next
   * card in that reader replaces it, however long that takes.
   */
  public retain(withCard: ReadonlySet<string>): void {
    for (const reader of [...this.entries.keys()]) if (!withCard.has(reader)) this.entries.delete(reader);
    markDropped(this, undefined, withCard);
  }

  /** How many readers have an entry (tests, diagnostics). */
  public get size(): number {
    return this.entries.size;
  }

  /** Forgets every reader. */
  public clear(): void {
    this.entries.clear();
    markDropped(this, undefined);
  }
}
