import { RecencyMap } from '../../../shared/recency-map.js';
import { RevocationError } from '../errors.js';

/** Responder URLs remembered at most: certificates of a deployment name a handful. */
const URLS_KEPT = 64;

/**
 * The last transport failure of each OCSP responder URL, and when it
 * happened (the check's present, in ms): what `OcspClient` answers, without
 * asking, while the responder is taken to be down.
 */
export class UnreachableResponders {
  private readonly failures = new RecencyMap<string, { readonly error: RevocationError; readonly at: number }>(URLS_KEPT);

  /** Remembers that asking `url` at `at` failed with `error`. */
  public remember(url: string, error: RevocationError, at: number): void {
    this.failures.set(url, { error, at });
  }

  /** Forgets `url`'s failure: the responder answered. */
  public forget(url: string): void {
    this.failures.delete(url);
  }

  /** Forgets every failure. */
  public clear(): void {
    this.failures.clear();
  }

  /**
   * The error to fail with when `url` failed less than `retryMs` from `t`
   * (either way: a clock set back does not extend it forever), saying when;
   * `undefined` when it should be asked.
   */
  public recent(url: string, t: number, retryMs: number): RevocationError | undefined {
    const last = this.failures.get(url);
    if (last === undefined || Math.abs(t - last.at) >= retryMs) return undefined;
    const retryAt = new Date(last.at + retryMs).toISOString();
    return new RevocationError('FETCH_FAILED', `${last.error.message} (at ${new Date(last.at).toISOString()}; not asked again before ${retryAt})`, {
      url,
      cause: last.error,
    });
  }
}
