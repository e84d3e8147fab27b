/** A card as a `/pkcs11info` answer showed it: the identity the warm cache also keeps (`WarmCardEntry`). */
export interface ShownCard {
  /** 卡號. */
  readonly cardNumber: string;
  /**
   * SHA-256 over the card's certificates (`certificateHash` of warm-card-cache.ts); absent when only the number
   * is known (a card recorded at a refusal, before its certificates were read): any certificates then match. Always
   * present for a card without a number (`''`), which nothing else tells apart.
   */
  readonly certificateHash?: string;
}

/** What one caller was shown, reader by reader: replaced whole by each answer, so a reference is a snapshot. */
export type ShownSnapshot = ReadonlyMap<string, ShownCard>;

/** How many callers (origins) are remembered; the one answered longest ago is forgotten first. */
const MAX_CALLERS = 64;
/** How many readers are remembered per caller (machines have a few; a listing longer than this is cut). */
const MAX_READERS = 16;

/**
 * Per caller and reader, the card the last `/pkcs11info` answer to that caller showed, so that `/sign` can refuse
 * to send a PIN typed for that card to another one put in since (the official `/sign` names no card).
 *
 * Kept apart from the warm cache on purpose: a reader event drops what the agent knows about the card, but not
 * what the page was shown, which is what the PIN it sends was typed for. Only a later `/pkcs11info` answer to the
 * same caller replaces it. Per caller (origin) rather than per agent: a tab of another site reading the new card
 * must not make the new card look expected to a page still showing the old one.
 *
 * Bounded: {@link MAX_CALLERS} callers of {@link MAX_READERS} readers. A caller forgotten for room behaves as one
 * that never asked (no check), as before this record existed.
 * @internal
 */
export class ShownCards {
  private readonly byCaller = new Map<string, ReadonlyMap<string, ShownCard>>();

  /**
   * Replaces what `caller` was shown by one answer's cards (reader name → card). A reader the answer listed
   * empty, with an unreadable card, or not at all is no longer expected to hold any card: the page was not shown
   * one there.
   */
  public shown(caller: string, cards: ReadonlyMap<string, ShownCard>): void {
    // Deleted first so that the caller moves to the end: the oldest answer is the first key.
    this.byCaller.delete(caller);
    if (cards.size === 0) return;
    this.byCaller.set(caller, new Map([...cards].slice(0, MAX_READERS)));
    for (const oldest of this.byCaller.keys()) {
      if (this.byCaller.size <= MAX_CALLERS) break;
      this.byCaller.delete(oldest);
    }
  }

  /**
   * What `caller` has been shown, as it stands now (`undefined`: nothing). Taken when a `/sign` arrives: an answer
   * given after that (a polling page, another tab of the site) was not on the screen the PIN was typed at.
   */
  public snapshot(caller: string): ShownSnapshot | undefined {
    return this.byCaller.get(caller);
  }

  /**
   * After a `/sign` of `caller` was refused for `card` in `reader`: the refusal told the page the card changed,
   * so `card` is what it now expects there, and the next `/sign` goes to it. Refused once, not until the page
   * reads the card again: a page that never calls `/pkcs11info` would otherwise be refused for ever.
   */
  public refused(caller: string, reader: string, card: ShownCard): void {
    const now = new Map(this.byCaller.get(caller) ?? []);
    now.set(reader, card);
    this.shown(caller, now);
  }
}
