import { signatureAlgorithmFromOid, verifiesUnderKeyOf, type AlgorithmPolicy } from '../algorithms.js';
import { checkDuration } from '../../../shared/number-settings.js';
import { CLOCK_SKEW_MS } from '../../../shared/clock-skew.js';
import { bytesEqual } from '../../../shared/bytes.js';
import { RevocationError } from '../errors.js';
import type { TrustedCertificate } from '../trusted-certificate.js';
import { couldHaveIssued } from '../trust-store.js';
import { CertificateRevocationList } from './crl.js';
import { assertCompleteCrl } from './crl-scope.js';
import { readCrlEnvelope, type CrlEnvelope } from './crl-envelope.js';
import type { RevocationFetch } from './revocation-fetch.js';
import { checkedFetch } from './checked-fetch.js';

/** Settings of a {@link CrlCache}. */
export interface CrlCacheOptions {
  /** How CRLs are downloaded. */
  fetch: RevocationFetch;
  /** Digests accepted on CRL signatures. */
  algorithms: AlgorithmPolicy;
  /**
   * How long an injected `fetch` may take before a download is given up
   * (`FETCH_FAILED`); default 2 minutes. `httpRevocationFetch`'s own
   * timeout applies to it instead.
   */
  fetchDeadlineMs?: number;
  /** Tolerance for a thisUpdate slightly in the future (clocks that disagree); default 5 minutes. */
  clockSkewMs?: number;
  /** How long a CRL without nextUpdate is trusted after thisUpdate; default 24 h. */
  maxAgeWithoutNextUpdateMs?: number;
  /**
   * How long before its nextUpdate a cached CRL is refreshed in the
   * background while it keeps answering; default a tenth of its validity
   * window (thisUpdate to nextUpdate).
   */
  refreshAheadMs?: number;
  /**
   * After a failed background refresh, how long to wait before trying again;
   * also how long a check that had to download and failed (the download
   * failed, or the CA has published no CRL current yet) answers the same
   * failure without downloading again. Default 1 minute.
   */
  refreshRetryMs?: number;
}

/**
 * The CRL `cache` answers from memory for `url` and `issuer` at `at`, without
 * waiting: the same freshness rules as `CrlCache.get` (current at `at`, never
 * past its nextUpdate, thisUpdate not in the future beyond the skew), and the
 * same background refresh near nextUpdate. `undefined` when `get` would
 * download. Internal (the login hot path), not exported from an entry point.
 */
export function warmCrl(cache: CrlCache, url: string, issuer: TrustedCertificate, at: Date): CertificateRevocationList | undefined {
  return warmOf(cache, url, issuer, at);
}

// Set by `CrlCache`'s static block: the one reader of its private entries outside the class.
let warmOf: (cache: CrlCache, url: string, issuer: TrustedCertificate, at: Date) => CertificateRevocationList | undefined;

/** What the last foreground download of a key that did not end in a current CRL brought, and when (the check's time). */
interface FailedDownload {
  /** The verified CRL that was not current, or the download's error. */
  readonly outcome: { readonly crl: CertificateRevocationList } | { readonly error: unknown };
  readonly at: number;
}

interface CacheEntry {
  readonly crl: CertificateRevocationList;
  /** nextUpdate (or thisUpdate + max age): not used one millisecond later. */
  readonly expires: number;
  /** From when a background refresh is started. */
  refreshAt: number;
  /**
   * A newer CRL a refresh brought before it was current (thisUpdate beyond
   * the skew ahead): it takes the entry's place once its thisUpdate comes
   * within the skew, while `crl` answers until then.
   */
  next?: CacheEntry;
}

/**
 * Downloads, verifies and keeps CRLs until their nextUpdate. A CRL is
 * verified once (issuer match and signature) when it enters the cache;
 * later checks are a freshness test plus one index probe.
 *
 * A check never waits for a download while a current CRL is cached: near
 * its nextUpdate the cache downloads the next one in the background and
 * keeps answering from the current one (a next one not current yet waits
 * beside it, and takes over when its thisUpdate comes). A CRL is never used past its
 * nextUpdate: then the check waits for the download (and fails with
 * `CRL_STALE` if the CA has not published a newer one). Concurrent checks
 * share one download per URL and issuer, in the foreground and in the
 * background alike.
 */
export class CrlCache {
  /** Downloads made (for tests and metrics). */
  public downloads = 0;
  /** The error of the last failed background refresh, if the last one failed (for metrics). */
  public lastRefreshError: unknown = undefined;
  private readonly entries = new Map<string, CacheEntry>();
  private readonly keys = new WeakMap<TrustedCertificate, Map<string, string>>();
  private readonly inFlight = new Map<string, Promise<CertificateRevocationList>>();
  private readonly failed = new Map<string, FailedDownload>();
  private readonly skew: number;
  private readonly maxAge: number;
  private readonly retryMs: number;

  static {
    warmOf = (cache, url, issuer, at) => cache.warm(url, issuer, at);
  }

  /** @param options see {@link CrlCacheOptions}. */
  /** @throws RangeError when a time setting is not a usable number of milliseconds (finite, not negative; a deadline positive). */
  public constructor(private readonly options: CrlCacheOptions) {
    checkDuration('clockSkewMs', options.clockSkewMs);
    checkDuration('maxAgeWithoutNextUpdateMs', options.maxAgeWithoutNextUpdateMs);
    checkDuration('refreshAheadMs', options.refreshAheadMs);
    checkDuration('refreshRetryMs', options.refreshRetryMs);
    checkDuration('fetchDeadlineMs', options.fetchDeadlineMs, true);
    this.skew = options.clockSkewMs ?? CLOCK_SKEW_MS;
    this.maxAge = options.maxAgeWithoutNextUpdateMs ?? 24 * 3_600_000;
    this.retryMs = options.refreshRetryMs ?? 60_000;
  }

  /**
   * A verified, complete CRL from `url`, issued by `issuer`, current at `at`.
   * Whether it covers a given certificate (its issuingDistributionPoint) is
   * the caller's check: `assertCrlCovers`.
   * @throws RevocationError `FETCH_FAILED`, `CRL_MALFORMED`, `CRL_WRONG_ISSUER`, `CRL_BAD_SIGNATURE`,
   * `CRL_UNKNOWN_CRITICAL_EXTENSION`, `CRL_NOT_COMPLETE`, `CRL_WRONG_SCOPE`, `CRL_STALE`.
   */
  public async get(url: string, issuer: TrustedCertificate, at: Date): Promise<CertificateRevocationList> {
    const current = this.warm(url, issuer, at);
    if (current !== undefined) return current;
    const t = at.getTime();
    const key = this.keyFor(url, issuer);
    const { crl, downloaded } = await this.downloadUnlessFailedRecently(key, url, issuer, t);
    if (t > this.expiryOf(crl) || isFuture(crl, at, this.skew)) {
      // Remembered from the download's time only: checks answered from the memory do not extend it.
      if (downloaded) this.failed.set(key, { outcome: { crl }, at: t });
      throw new RevocationError(
        'CRL_STALE',
        `CRL from ${url} is not current at ${at.toISOString()} (thisUpdate ${crl.thisUpdate.toISOString()}, nextUpdate ${crl.nextUpdate?.toISOString() ?? 'none'})`,
        { url },
      );
    }
    return crl;
  }

  /**
   * Downloads for a check that found nothing current, unless a download of
   * the same key failed or brought no current CRL within `refreshRetryMs`:
   * then the same outcome, without downloading. When the CA publishes late
   * (or its server is down), every login would otherwise download and parse
   * the stale CRL again (MOICA's is about 20 MB) or wait for the timeout,
   * only to fail closed; now it fails closed at once until the retry delay
   * has passed. A failure is never an answer: checks still fail.
   */
  private async downloadUnlessFailedRecently(
    key: string,
    url: string,
    issuer: TrustedCertificate,
    t: number,
  ): Promise<{ crl: CertificateRevocationList; downloaded: boolean }> {
    const last = this.failed.get(key);
    if (last !== undefined && Math.abs(t - last.at) < this.retryMs) {
      if ('error' in last.outcome) throw last.outcome.error;
      return { crl: last.outcome.crl, downloaded: false };
    }
    // An older memory needs no clearing here: the download's success clears it, its failure replaces it.
    try {
      return { crl: await this.download(key, url, issuer, t), downloaded: true };
    } catch (error) {
      this.failed.set(key, { outcome: { error }, at: t });
      throw error;
    }
  }

  /** The cached CRL when it is current at `at` (starting a background refresh near its nextUpdate), else `undefined`. */
  private warm(url: string, issuer: TrustedCertificate, at: Date): CertificateRevocationList | undefined {
    const key = this.keyFor(url, issuer);
    const t = at.getTime();
    let cached = this.entries.get(key);
    // Each check takes the CRL current at its own time: the newer one once its thisUpdate has come (within the
    // skew), the one it follows before that. The one it follows is dropped only once it has expired: a check
    // dated earlier (a login that took its time before a slow OCSP attempt, a clock stepped back) still has it.
    if (cached?.next !== undefined && !isFuture(cached.next.crl, at, this.skew)) {
      if (t > cached.expires) this.entries.set(key, cached.next);
      cached = cached.next;
    }
    if (cached === undefined || t > cached.expires || isFuture(cached.crl, at, this.skew)) return undefined;
    if (t >= cached.refreshAt) this.refreshInBackground(key, url, issuer, cached, t);
    return cached.crl;
  }

  /** CRLs held, current or not yet swept (for metrics and tests). */
  public get size(): number {
    return this.entries.size;
  }

  /** Drops every cached CRL. */
  public clear(): void {
    this.entries.clear();
    this.failed.clear();
  }

  /**
   * Drops the CRL cached for `url` and `issuer` if it is `crl` (a CRL found
   * not to cover what it was asked for), so the next check downloads again.
   * Also when `crl` is the one held beside the entry's, which answers from
   * its thisUpdate: kept, it answered until the other expired.
   */
  public forget(url: string, issuer: TrustedCertificate, crl: CertificateRevocationList): void {
    const key = this.keyFor(url, issuer);
    const entry = this.entries.get(key);
    if (entry !== undefined && (entry.crl === crl || entry.next?.crl === crl)) this.entries.delete(key);
    const last = this.failed.get(key)?.outcome;
    if (last !== undefined && 'crl' in last && last.crl === crl) this.failed.delete(key);
  }

  /**
   * `keyOf(url, issuer)`, remembered per issuer and URL: a login looks its
   * CRL up by the same pair every time, and a key string built per lookup
   * had to be flattened and hashed anew (~100 characters) each time. At
   * most {@link KEYS_KEPT} pairs are remembered per issuer.
   */
  private keyFor(url: string, issuer: TrustedCertificate): string {
    let byUrl = this.keys.get(issuer);
    if (byUrl === undefined) this.keys.set(issuer, (byUrl = new Map()));
    let key = byUrl.get(url);
    if (key === undefined) {
      if (byUrl.size >= KEYS_KEPT) byUrl.clear();
      key = keyOf(url, issuer);
      byUrl.set(url, key);
    }
    return key;
  }

  private refreshInBackground(key: string, url: string, issuer: TrustedCertificate, entry: CacheEntry, t: number): void {
    if (this.inFlight.has(key)) return;
    // Until this attempt settles (and for a while if it fails), do not start another.
    entry.refreshAt = t + this.retryMs;
    this.download(key, url, issuer, t).then(
      () => {
        this.lastRefreshError = undefined;
      },
      (err: unknown) => {
        // The current CRL keeps answering until its nextUpdate; the failure is kept for metrics.
        this.lastRefreshError = err;
      },
    );
  }

  /** Downloads and verifies `url`, sharing one download between concurrent callers, and caches the result. */
  private download(key: string, url: string, issuer: TrustedCertificate, t: number): Promise<CertificateRevocationList> {
    let pending = this.inFlight.get(key);
    if (pending === undefined) {
      pending = this.fetchAndVerify(url, issuer)
        .then((crl) => {
          this.store(key, crl, t);
          this.sweep(key, t);
          // Whoever downloaded it (a background refresh too), what a failed check remembered is out of date.
          this.failed.delete(key);
          return crl;
        })
        .finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, pending);
    }
    return pending;
  }

  private store(key: string, crl: CertificateRevocationList, t: number): void {
    const current = this.entries.get(key);
    const expires = this.expiryOf(crl);
    const ahead = this.options.refreshAheadMs ?? Math.max(0, expires - crl.thisUpdate.getTime()) / 10;
    const entry: CacheEntry = { crl, expires, refreshAt: expires - ahead };
    if (current !== undefined) {
      const at = new Date(t);
      // The CRL answering at `t`: the one held beside the entry's once its thisUpdate has come. It refreshes on its
      // own schedule, possibly before the one it follows expires, so what that refresh brings is judged against
      // it. Judged against the older one, the same CRL again was stored anew with its refresh time past (a second
      // download at once), and an older one (a lagging mirror) took the place of both: checks went back to a CRL
      // that did not list what the newer one did.
      const held = current.next;
      const answering = held !== undefined && !isFuture(held.crl, at, this.skew) ? held : current;
      if (!replaces(crl, expires, answering)) return;
      // A CRL not current yet (a CA clock running ahead, or a CA putting up its next CRL early) while the cached
      // one still is: kept beside it, not in its place. In its place, every check until its thisUpdate waited on
      // a download and failed CRL_STALE although a current CRL had been cached. No refresh meanwhile: the CA has
      // published its next CRL, and asking again would only download it again (MOICA's is some 20 MB) each
      // retry; the one kept takes over when its thisUpdate comes, with its own refresh schedule.
      if (isFuture(crl, at, this.skew) && t <= answering.expires && !isFuture(answering.crl, at, this.skew)) {
        if (answering === current && held !== undefined && !replaces(crl, expires, held)) return;
        answering.next = entry;
        answering.refreshAt = Number.POSITIVE_INFINITY;
        // Beside the held one that answers, the one it followed is dropped: a check must never go back to it (it
        // lacks what the held one lists). A check dated before the held one's thisUpdate then downloads and
        // fails CRL_STALE: closed.
        this.entries.set(key, answering);
        return;
      }
    }
    this.entries.set(key, entry);
  }

  /**
   * Drops, besides `kept`, every CRL past its expiry at `t` and every failure
   * memory older than the retry delay: neither is ever used again. Without
   * it a CRL no certificate asks for any more (a partition retired, the
   * complete CRL fetched once while a partition was down, MOICA's being
   * some 20 MB) was held until the process ended. Run after each download,
   * which is when the cache grows; a check never pays for it.
   */
  private sweep(kept: string, t: number): void {
    // At the time of the download that runs it, and one way only: a check at an earlier time (a caller asking
    // about the past without `now`) drops nothing checks at the present still use, and one at a later time (a
    // clock that ran ahead) costs at most one download of what it dropped, never a sweep stuck ahead for good.
    for (const [key, entry] of this.entries) {
      if (key !== kept && t > Math.max(entry.expires, entry.next?.expires ?? 0) && !this.inFlight.has(key)) this.entries.delete(key);
    }
    for (const [key, last] of this.failed) {
      if (key !== kept && t - last.at >= this.retryMs) this.failed.delete(key);
    }
  }

  private expiryOf(crl: CertificateRevocationList): number {
    return crl.nextUpdate?.getTime() ?? crl.thisUpdate.getTime() + this.maxAge;
  }

  private async fetchAndVerify(url: string, issuer: TrustedCertificate): Promise<CertificateRevocationList> {
    this.downloads++;
    const res = await checkedFetch(
      this.options.fetch,
      url,
      { method: 'GET', headers: { accept: 'application/pkix-crl' }, kind: 'crl' },
      this.options.fetchDeadlineMs,
    );
    if (res.status !== 200) throw new RevocationError('FETCH_FAILED', `HTTP ${res.status} from ${url}`, { url });
    // Issuer and signature first, on the envelope: the entries of a body nobody signed are never indexed.
    verifySignedBy(readCrlEnvelope(res.body, url), issuer, this.options.algorithms, url);
    const crl = CertificateRevocationList.parse(res.body, url);
    // After the signature, so a refusal here is about a genuine CRL; before
    // the cache, so a CRL twpki cannot read never replaces one it can.
    assertCompleteCrl(crl, url);
    return crl;
  }
}

/** Most CRL URLs whose keys are remembered per issuer (see `keyFor`). */
const KEYS_KEPT = 64;

function keyOf(url: string, issuer: TrustedCertificate): string {
  return `${issuer.fingerprint} ${url}`;
}

/**
 * Whether `crl` (expiring at `expires`) takes the place of `held`. Never an
 * older one (a lagging mirror or a replay), nor the same one (same times and
 * signature): a background refresh that finds the CA has not published yet
 * keeps the entry's retry schedule (`refreshRetryMs`), instead of making every
 * later check of the refresh window download again. A CRL reissued with the
 * same times but other entries has another signature, and replaces it.
 */
function replaces(crl: CertificateRevocationList, expires: number, held: CacheEntry): boolean {
  const age = crl.thisUpdate.getTime() - held.crl.thisUpdate.getTime();
  return !(age < 0 || (age === 0 && expires <= held.expires && bytesEqual(crl.signature, held.crl.signature)));
}

function isFuture(crl: CertificateRevocationList, at: Date, skew: number): boolean {
  return crl.thisUpdate.getTime() > at.getTime() + skew;
}

/**
 * Checks that `issuer` issued and signed `crl`. Indirect CRLs are not
 * supported: GPKI CAs sign their own.
 * @throws RevocationError `CRL_WRONG_ISSUER` or `CRL_BAD_SIGNATURE`.
 */
export function verifyCrl(
  crl: CertificateRevocationList,
  issuer: TrustedCertificate,
  algorithms: AlgorithmPolicy,
  url?: string,
): void {
  verifySignedBy(crl, issuer, algorithms, url);
}

/** {@link verifyCrl} on the fields it reads: a parsed CRL, or the envelope of one not parsed yet. */
function verifySignedBy(crl: CrlEnvelope, issuer: TrustedCertificate, algorithms: AlgorithmPolicy, url?: string): void {
  const ctx = url === undefined ? {} : { url };
  if (!couldHaveIssued(issuer, crl)) {
    throw new RevocationError('CRL_WRONG_ISSUER', `CRL is not issued by ${issuer.subject()}`, ctx);
  }
  // RFC 5280 6.3.3 (f): a CA whose keyUsage leaves out cRLSign may not sign CRLs (no keyUsage allows it).
  if (issuer.keyUsage !== undefined && !issuer.keyUsage.cRLSign) {
    throw new RevocationError('CRL_WRONG_ISSUER', `${issuer.subject()} may not sign CRLs: its keyUsage lacks cRLSign`, ctx);
  }
  const alg = signatureAlgorithmFromOid(crl.signatureAlgorithmOid);
  if (alg?.digest === undefined || !algorithms.allows(alg.digest)) {
    throw new RevocationError(
      'CRL_BAD_SIGNATURE',
      `CRL signature algorithm ${alg?.digest ?? crl.signatureAlgorithmOid} is not allowed`,
      ctx,
    );
  }
  if (!verifiesUnderKeyOf(issuer, alg.scheme, alg.digest, crl.tbs, crl.signature)) {
    throw new RevocationError('CRL_BAD_SIGNATURE', `CRL signature does not verify with the key of ${issuer.subject()}`, ctx);
  }
}
