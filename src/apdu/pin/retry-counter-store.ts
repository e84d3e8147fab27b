/**
 * Last known PIN retry counts, per card: keyed by card number, or for a card
 * without one by `cert-sha256:` and the hex SHA-256 of its SIGN certificate
 * (76 characters, so never a card number, which has at most 16).
 *
 * HiCOS offers no confirmed way to read the counter without a VERIFY, so the
 * SDK remembers what the card said last (`63Cx`, `6983`, or success). The
 * store outlives a card session so a re-inserted card keeps its count.
 */
export class RetryCounterStore {
  private readonly counts = new Map<string, number>();

  /** Last known tries left for a card, or `undefined` when never seen. */
  public get(cardKey: string): number | undefined {
    return this.counts.get(cardKey);
  }

  /**
   * Records the tries left a card reported (0 = locked).
   * @throws RangeError for anything a card cannot report (a whole number 0–15, as `63Cx` carries): a wrong
   *   count would make the last-try guard send a PIN it should refuse.
   */
  public set(cardKey: string, triesLeft: number): void {
    if (typeof cardKey !== 'string' || cardKey === '') throw new RangeError('cardKey must be a card key (the card number, or the certificate key of a card without one)');
    if (!Number.isInteger(triesLeft) || triesLeft < 0 || triesLeft > 15) {
      throw new RangeError(`triesLeft must be a whole number from 0 to 15 (what 63Cx reports), not ${String(triesLeft)}`);
    }
    this.counts.set(cardKey, triesLeft);
  }

  /** Forgets a card. */
  public delete(cardKey: string): void {
    this.counts.delete(cardKey);
  }
}

/** The process-wide store `HiCOSCard` uses unless given another. */
export const defaultRetryCounterStore: RetryCounterStore = new RetryCounterStore();
