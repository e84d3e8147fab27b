import { signatureAlgorithmFromOid, verifyWith, type AlgorithmPolicy } from '../algorithms.js';
import { RevocationError } from '../errors.js';
import type { TrustedCertificate } from '../trusted-certificate.js';
import { couldHaveIssued } from '../trust-store.js';
import { CertificateRevocationList } from './crl.js';
import type { RevocationFetch } from './revocation-fetch.js';

/** Settings of a {@link CrlCache}. */
export interface CrlCacheOptions {
  /** How CRLs are downloaded. */
  fetch: RevocationFetch;
  /** Digests accepted on CRL signatures. */
  algorithms: AlgorithmPolicy;
  /** Tolerance for clocks that disagree; default 5 minutes. */
  clockSkewMs?: number;
  /** How long a CRL without nextUpdate is trusted after thisUpdate; default 24 h. */
  maxAgeWithoutNextUpdateMs?: number;
}

interface CacheEntry {
  readonly crl: CertificateRevocationList;
  readonly expires: number;
}

/**
 * Downloads, verifies and keeps CRLs until their nextUpdate. A CRL is
 * verified once (issuer match and signature) when it enters the cache;
 * later checks are a freshness test plus one index probe. Concurrent checks
 * for the same URL share one download.
 */
export class CrlCache {
  /** Downloads made (for tests and metrics). */
  public downloads = 0;
  private readonly entries = new Map<string, CacheEntry>();
  private readonly inFlight = new Map<string, Promise<CertificateRevocationList>>();
  private readonly skew: number;
  private readonly maxAge: number;

  /** @param options see {@link CrlCacheOptions}. */
  public constructor(private readonly options: CrlCacheOptions) {
    this.skew = options.clockSkewMs ?? 5 * 60_000;
    this.maxAge = options.maxAgeWithoutNextUpdateMs ?? 24 * 3_600_000;
  }

  /**
   * A verified CRL from `url`, issued by `issuer`, fresh at `at`.
   * @throws RevocationError `FETCH_FAILED`, `CRL_MALFORMED`, `CRL_WRONG_ISSUER`, `CRL_BAD_SIGNATURE`, `CRL_STALE`.
   */
  public async get(url: string, issuer: TrustedCertificate, at: Date): Promise<CertificateRevocationList> {
    const key = `${issuer.fingerprint} ${url}`;
    const cached = this.entries.get(key);
    if (cached !== undefined && at.getTime() <= cached.expires && !isFuture(cached.crl, at, this.skew)) {
      return cached.crl;
    }
    let pending = this.inFlight.get(key);
    if (pending === undefined) {
      pending = this.download(url, issuer).finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, pending);
    }
    const crl = await pending;
    const expires = this.expiryOf(crl);
    if (at.getTime() > expires || isFuture(crl, at, this.skew)) {
      throw new RevocationError(
        'CRL_STALE',
        `CRL from ${url} is not current at ${at.toISOString()} (thisUpdate ${crl.thisUpdate.toISOString()}, nextUpdate ${crl.nextUpdate?.toISOString() ?? 'none'})`,
        { url },
      );
    }
    this.entries.set(key, { crl, expires });
    return crl;
  }

  /** Drops every cached CRL. */
  public clear(): void {
    this.entries.clear();
  }

  private expiryOf(crl: CertificateRevocationList): number {
    return (crl.nextUpdate?.getTime() ?? crl.thisUpdate.getTime() + this.maxAge) + this.skew;
  }

  private async download(url: string, issuer: TrustedCertificate): Promise<CertificateRevocationList> {
    this.downloads++;
    const res = await this.options.fetch(url, { method: 'GET', headers: { accept: 'application/pkix-crl' } });
    if (res.status !== 200) throw new RevocationError('FETCH_FAILED', `HTTP ${res.status} from ${url}`, { url });
    const crl = CertificateRevocationList.parse(res.body, url);
    verifyCrl(crl, issuer, this.options.algorithms, url);
    return crl;
  }
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
  const ctx = url === undefined ? {} : { url };
  if (!couldHaveIssued(issuer, crl)) {
    throw new RevocationError('CRL_WRONG_ISSUER', `CRL is not issued by ${issuer.subject()}`, ctx);
  }
  const alg = signatureAlgorithmFromOid(crl.signatureAlgorithmOid);
  if (alg?.digest === undefined || !algorithms.allows(alg.digest)) {
    throw new RevocationError(
      'CRL_BAD_SIGNATURE',
      `CRL signature algorithm ${alg?.digest ?? crl.signatureAlgorithmOid} is not allowed`,
      ctx,
    );
  }
  if (!verifyWith(issuer.publicKey(), alg.scheme, alg.digest, crl.tbs, crl.signature)) {
    throw new RevocationError('CRL_BAD_SIGNATURE', `CRL signature does not verify with the key of ${issuer.subject()}`, ctx);
  }
}
