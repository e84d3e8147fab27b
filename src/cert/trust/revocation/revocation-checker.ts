import { AlgorithmPolicy } from '../algorithms.js';
import { checkDuration } from '../../../shared/number-settings.js';
import { RevocationError } from '../errors.js';
import type { TrustedCertificate } from '../trusted-certificate.js';
import { describeValue } from '../../../shared/describe-value.js';
import { CrlCache, warmCrl } from './crl-cache.js';
import { assertCrlCovers, crlCovers } from './crl-scope.js';
import { OcspClient, checkNonceSettings, warmOcsp, type RevocationCheckOptions } from './ocsp-client.js';
import { httpRevocationFetch, type RevocationFetch } from './revocation-fetch.js';
import type { CertificateRevocationList } from './crl.js';
import type { RevocationStatus } from './revocation-status.js';
import { requireInstant } from '../instant.js';
import { revokedBy } from './revoked-by.js';
import { requireOptionsObject } from '../options-argument.js';
import { unknownOptionProblem } from '../../../shared/option-names.js';

/**
 * The status `checker.check` (for an issuing CA with `issuingCa`:
 * `checker.checkIssuingCa`) would return, when its first source answers
 * from memory (a current cached CRL, or a cached OCSP `good`): the same
 * answer without a promise, for the login hot path. `undefined` when `check`
 * would wait for a download or ask the second source; the caller then awaits
 * `check`. Internal, not exported from an entry point.
 */
export function warmRevocationStatus(
  checker: RevocationChecker,
  cert: TrustedCertificate,
  issuer: TrustedCertificate,
  at: Date,
  now: Date = at,
  issuingCa = false,
): RevocationStatus | undefined {
  return (issuingCa ? warmCaOf : warmOf)(checker, cert, issuer, at, now);
}

type WarmReader = (checker: RevocationChecker, cert: TrustedCertificate, issuer: TrustedCertificate, at: Date, now: Date) => RevocationStatus | undefined;
// Set by `RevocationChecker`'s static block: the readers of its private settings outside the class.
let warmOf: WarmReader;
let warmCaOf: WarmReader;

/** Which sources to ask, in order. */
export type RevocationMode = 'ocsp-then-crl' | 'crl-then-ocsp' | 'ocsp' | 'crl';

/** Settings of a {@link RevocationChecker}. */
export interface RevocationCheckerOptions {
  /** How to reach responders; default {@link httpRevocationFetch}. */
  fetch?: RevocationFetch;
  /**
   * How long an injected `fetch` may take before a request is given up
   * (`FETCH_FAILED`, and the check moves on or fails closed); default 30 s
   * for an OCSP request, 2 minutes for a CRL download. The default fetch ends
   * by its own timeouts instead.
   */
  fetchDeadlineMs?: number;
  /** Source order; default `ocsp-then-crl`. */
  mode?: RevocationMode;
  /**
   * Digests accepted on OCSP responses and CRLs; default SHA-1 and SHA-2,
   * because G1-era GPKI CAs sign with SHA-1 (a forged *revocation answer*
   * needs a chosen-prefix collision on a CA-signed structure; pass
   * `AlgorithmPolicy.modern()` to refuse it anyway).
   */
  algorithms?: AlgorithmPolicy;
  /** Clock skew tolerance; default 5 minutes. */
  clockSkewMs?: number;
  /** Designated OCSP responder URL instead of the certificate's AIA. */
  ocspUrl?: string;
  /**
   * CRL URLs to use instead of the certificate's cRLDistributionPoints, tried
   * in order like those. They are locations (a mirror): a CRL's
   * issuingDistributionPoint may name the certificate's own CRL URL instead.
   */
  crlUrls?: readonly string[];
  /** Send an OCSP nonce; default true. */
  ocspNonce?: boolean;
  /**
   * Require the responder to echo the nonce; default false (and answers are then never cached). Cannot be set
   * with `ocspNonce: false`.
   */
  requireOcspNonce?: boolean;
  /**
   * Oldest OCSP answer accepted, counted back from the time of the check to its thisUpdate; default none (any
   * answer inside its validity). Bounds how old a replayed pre-signed answer can be (see
   * `OcspClientOptions.maxResponseAgeMs`).
   */
  ocspMaxResponseAgeMs?: number;
  /** Most OCSP answers kept until their nextUpdate, a non-negative integer; default 10 000; `0` disables the cache. */
  ocspCacheSize?: number;
  /** Longest time a cached OCSP `good` is used after it was obtained, whatever its nextUpdate; default 1 hour. */
  ocspCacheMaxAgeMs?: number;
  /**
   * After an OCSP request timed out, how long checks skip that responder (the next source answers, or the check
   * fails closed in `ocsp` mode) instead of each waiting out the timeout; default 1 minute, `0` asks every time.
   */
  ocspRetryUnreachableMs?: number;
  /** How long before nextUpdate a cached CRL is refreshed in the background; default a tenth of its validity window. */
  crlRefreshAheadMs?: number;
  /**
   * How long a CRL download that brought no current CRL (the CA published late, the download failed) is
   * remembered: logins in that time fail closed at once instead of each downloading again; default 1 minute,
   * `0` downloads every time.
   */
  crlRefreshRetryMs?: number;
  /**
   * Also check the CA certificates of a validated path below its trust
   * anchor (e.g. MOICA against the GRCA's CRL, the ARL), not only the
   * signer; default false. Each CA by the CRLs its own certificate names
   * (`checkIssuingCa`: not `crlUrls`, `ocspUrl` or `mode`, which are the
   * signers'). Their CRLs are cached like the signer's, so a login whose path
   * was checked before downloads nothing more.
   */
  checkIssuingCas?: boolean;
}

const MODES: readonly RevocationMode[] = ['ocsp-then-crl', 'crl-then-ocsp', 'ocsp', 'crl'];

/** The names of {@link RevocationCheckerOptions}; a Record so that an option added there and not here fails to compile. */
const CHECKER_OPTIONS: Record<keyof RevocationCheckerOptions, true> = {
  fetch: true,
  fetchDeadlineMs: true,
  mode: true,
  algorithms: true,
  clockSkewMs: true,
  ocspUrl: true,
  crlUrls: true,
  ocspNonce: true,
  requireOcspNonce: true,
  ocspMaxResponseAgeMs: true,
  ocspCacheSize: true,
  ocspCacheMaxAgeMs: true,
  ocspRetryUnreachableMs: true,
  crlRefreshAheadMs: true,
  crlRefreshRetryMs: true,
  checkIssuingCas: true,
};

/**
 * Whether `value` is text that parses as an absolute URL. Any scheme, as a certificate's own distribution points:
 * what twpki cannot fetch (`ldap:`) is skipped when the check runs, as there.
 */
function isUrl(value: unknown): boolean {
  return typeof value === 'string' && URL.canParse(value);
}

/**
 * Refuses the settings that choose the sources and how they are reached when they are not what their types say.
 * From JavaScript or a configuration file, a `mode` of `'OCSP'` was taken as the default order, and an
 * `'false'` read from the environment as `true`: a checker other than the one configured, found only by reading
 * its traffic. Names each setting as the caller wrote it.
 * @throws RangeError naming the setting.
 */
function checkSourceSettings(options: RevocationCheckerOptions): void {
  // A misspelt name was dropped for its default: `requireOcspNonse: true` a checker that requires no nonce.
  const unknown = unknownOptionProblem(options, CHECKER_OPTIONS);
  if (unknown !== undefined) throw new RangeError(`RevocationChecker: ${unknown}`);
  const { mode, fetch, algorithms, ocspUrl, crlUrls } = options;
  if (mode !== undefined && !(MODES as readonly unknown[]).includes(mode)) {
    throw new RangeError(`RevocationChecker: mode must be one of ${MODES.map((m) => `'${m}'`).join(', ')}, not ${describeValue(mode)}`);
  }
  for (const name of ['ocspNonce', 'requireOcspNonce', 'checkIssuingCas'] as const) {
    const value: unknown = options[name];
    if (value !== undefined && typeof value !== 'boolean') throw new RangeError(`RevocationChecker: ${name} must be true or false, not ${describeValue(value)}`);
  }
  if (fetch !== undefined && typeof fetch !== 'function') {
    throw new RangeError(`RevocationChecker: fetch must be a function (a RevocationFetch, such as httpRevocationFetch()), not ${describeValue(fetch)}`);
  }
  if (algorithms !== undefined && !(algorithms instanceof AlgorithmPolicy)) {
    throw new RangeError(`RevocationChecker: algorithms must be an AlgorithmPolicy (AlgorithmPolicy.withSha1(), AlgorithmPolicy.modern()), not ${describeValue(algorithms)}`);
  }
  if (ocspUrl !== undefined && !isUrl(ocspUrl)) throw new RangeError(`RevocationChecker: ocspUrl must be an absolute URL, not ${describeValue(ocspUrl)}`);
  if (crlUrls !== undefined) {
    // A single URL given as a string would be tried one character at a time.
    if (!Array.isArray(crlUrls)) throw new RangeError(`RevocationChecker: crlUrls must be an array of URLs, not ${describeValue(crlUrls)}`);
    if (crlUrls.length === 0) throw new RangeError("RevocationChecker: crlUrls must list at least one URL, or be left out (the certificate's own)");
    const bad = (crlUrls as readonly unknown[]).findIndex((url) => !isUrl(url));
    if (bad >= 0) throw new RangeError(`RevocationChecker: crlUrls[${bad}] must be an absolute URL, not ${describeValue(crlUrls[bad])}`);
  }
}

/**
 * Finds a certificate's revocation status from OCSP and/or CRLs.
 *
 * The second source is asked when the first fails (an error) or answers
 * `unknown`; a definite `good` or `revoked` ends the search. When every
 * source fails, the first source's error is thrown (the others are kept as
 * its `cause`), so "OCSP down and no CRL" is visible as what it is.
 */
export class RevocationChecker {
  /** The OCSP client in use (exposed for metrics and tests). */
  public readonly ocsp: OcspClient;
  /** The CRL cache in use (exposed for metrics and tests). */
  public readonly crls: CrlCache;
  /** Whether verifiers also check the path's CA certificates below the anchor (see {@link RevocationCheckerOptions.checkIssuingCas}). */
  public readonly checksIssuingCas: boolean;
  private readonly mode: RevocationMode;
  private readonly crlUrls: readonly string[] | undefined;

  static {
    warmOf = (checker, cert, issuer, at, now) => {
      // Only the first source: a miss there means `check` may wait on it, or on the second.
      // A cached OCSP answer is `good` now, so it is good at any earlier `at` too.
      if (checker.mode === 'ocsp' || checker.mode === 'ocsp-then-crl') return warmOcsp(checker.ocsp, cert, issuer, now);
      return checker.warmCrlStatus(cert, issuer, checker.crlUrls ?? cert.crlUrls, at, now);
    };
    warmCaOf = (checker, ca, issuer, at, now) => checker.warmCrlStatus(ca, issuer, ca.crlUrls, at, now);
  }

  /**
   * @param options see {@link RevocationCheckerOptions}.
   * @throws RangeError when `options` is not an object, `ocspCacheSize` not a non-negative integer, or a time setting (`clockSkewMs`,
   * `fetchDeadlineMs`, `ocspCacheMaxAgeMs`, `ocspMaxResponseAgeMs`, `ocspRetryUnreachableMs`, `crlRefreshAheadMs`,
   * `crlRefreshRetryMs`) is not a usable number of milliseconds, or `requireOcspNonce` is set with `ocspNonce: false`;
   * for a name that is no option; when `mode` is not one of the four, `ocspNonce`, `requireOcspNonce` or `checkIssuingCas` not a boolean, `fetch`
   * not a function, `algorithms` not an `AlgorithmPolicy`, `ocspUrl` or a `crlUrls` entry not an absolute URL, or `crlUrls` not a non-empty array.
   */
  public constructor(options: RevocationCheckerOptions = {}) {
    requireOptionsObject(options, 'RevocationChecker');
    checkSourceSettings(options);
    // Named as the caller wrote them (the OCSP client would name its own `nonce`/`requireNonce`).
    checkNonceSettings('RevocationChecker', { name: 'ocspNonce', value: options.ocspNonce }, { name: 'requireOcspNonce', value: options.requireOcspNonce });
    // Named as the caller wrote them; the sources check their own names again.
    checkDuration('ocspCacheMaxAgeMs', options.ocspCacheMaxAgeMs);
    checkDuration('ocspMaxResponseAgeMs', options.ocspMaxResponseAgeMs);
    checkDuration('ocspRetryUnreachableMs', options.ocspRetryUnreachableMs);
    checkDuration('crlRefreshAheadMs', options.crlRefreshAheadMs);
    checkDuration('crlRefreshRetryMs', options.crlRefreshRetryMs);
    const fetch = options.fetch ?? httpRevocationFetch();
    const algorithms = options.algorithms ?? AlgorithmPolicy.withSha1();
    // Settings both sources take alike.
    const shared = {
      ...(options.clockSkewMs === undefined ? {} : { clockSkewMs: options.clockSkewMs }),
      ...(options.fetchDeadlineMs === undefined ? {} : { fetchDeadlineMs: options.fetchDeadlineMs }),
    };
    this.ocsp = new OcspClient({
      fetch,
      algorithms,
      ...shared,
      ...(options.ocspUrl === undefined ? {} : { responderUrl: options.ocspUrl }),
      ...(options.ocspNonce === undefined ? {} : { nonce: options.ocspNonce }),
      ...(options.requireOcspNonce === undefined ? {} : { requireNonce: options.requireOcspNonce }),
      ...(options.ocspMaxResponseAgeMs === undefined ? {} : { maxResponseAgeMs: options.ocspMaxResponseAgeMs }),
      ...(options.ocspCacheSize === undefined ? {} : { cacheSize: options.ocspCacheSize }),
      ...(options.ocspCacheMaxAgeMs === undefined ? {} : { cacheMaxAgeMs: options.ocspCacheMaxAgeMs }),
      ...(options.ocspRetryUnreachableMs === undefined ? {} : { retryUnreachableMs: options.ocspRetryUnreachableMs }),
      // A delegated responder without id-pkix-ocsp-nocheck, by the CRLs its own certificate names, in every mode:
      // the CA issues the cards too, so its CRL is usually cached already, and a cached one answers from memory.
      checkResponder: (responder, ca, now) => this.crlStatusFrom(responder, ca, responder.crlUrls, now, now),
    });
    this.crls = new CrlCache({
      fetch,
      algorithms,
      ...shared,
      ...(options.crlRefreshAheadMs === undefined ? {} : { refreshAheadMs: options.crlRefreshAheadMs }),
      ...(options.crlRefreshRetryMs === undefined ? {} : { refreshRetryMs: options.crlRefreshRetryMs }),
    });
    this.mode = options.mode ?? 'ocsp-then-crl';
    this.crlUrls = options.crlUrls;
    this.checksIssuingCas = options.checkIssuingCas ?? false;
  }

  /**
   * The status of `cert`, issued by `issuer` (the next certificate of a
   * validated chain), at `at` (default now). OCSP answers and CRLs must be
   * current at `options.now` (default `at`): to ask about a past time (an
   * archived document), give the present as `now`; the answers are then
   * today's, and a revocation counts only when it happened at or before `at`.
   * @throws RevocationError when no source gave a trustworthy answer.
   * @throws RangeError when `cert` or `issuer` is not a `TrustedCertificate`, `options` not an object, or `at`
   * or `now` not a valid Date (an Invalid Date would read as never revoked).
   */
  public async check(
    cert: TrustedCertificate,
    issuer: TrustedCertificate,
    at: Date = new Date(),
    options: RevocationCheckOptions = {},
  ): Promise<RevocationStatus> {
    checkArguments('check', cert, 'cert', issuer, options);
    requireInstant(at, 'at');
    const now = options.now === undefined ? at : requireInstant(options.now, 'now');
    // CRL first and one cached, current and covering the certificate: its answer (never `unknown`) is what the
    // loop below would return, through two more awaits (`checkCrl` asks `warmCrlStatus` first too).
    if (this.mode === 'crl' || this.mode === 'crl-then-ocsp') {
      const warm = this.warmCrlStatus(cert, issuer, this.crlUrls ?? cert.crlUrls, at, now);
      if (warm !== undefined) return warm;
    }
    const order: ('ocsp' | 'crl')[] =
      this.mode === 'ocsp' ? ['ocsp'] : this.mode === 'crl' ? ['crl'] : this.mode === 'crl-then-ocsp' ? ['crl', 'ocsp'] : ['ocsp', 'crl'];
    const errors: RevocationError[] = [];
    let unknown: RevocationStatus | undefined;
    for (const source of order) {
      try {
        const status = source === 'ocsp' ? await this.ocsp.check(cert, issuer, at, { now }) : await this.checkCrl(cert, issuer, at, now);
        if (status.kind !== 'unknown') return status;
        unknown ??= status;
      } catch (err) {
        if (!(err instanceof RevocationError)) throw err;
        errors.push(err);
      }
    }
    if (unknown !== undefined) return unknown;
    throw firstOf(errors) ?? new RevocationError('NO_REVOCATION_SOURCE', `no revocation source for ${cert.subject()}`);
  }

  /**
   * The status of an issuing CA certificate `ca` (issued by `issuer`), as
   * `checkIssuingCas` asks for it: from the CRLs the CA certificate itself
   * names (GRCA's ARL for MOICA), whatever `crlUrls`, `ocspUrl` and `mode`
   * say. Those are set for the signers: a mirror of MOICA's CRL cannot speak
   * for MOICA's own certificate, and CA certificates name no OCSP responder.
   * @throws RevocationError when no CRL of the CA answered (`NO_REVOCATION_SOURCE` when it names none).
   * @throws RangeError when `ca` or `issuer` is not a `TrustedCertificate`, `options` not an object, or `at` or
   * `now` not a valid Date.
   */
  public async checkIssuingCa(ca: TrustedCertificate, issuer: TrustedCertificate, at: Date = new Date(), options: RevocationCheckOptions = {}): Promise<RevocationStatus> {
    checkArguments('checkIssuingCa', ca, 'ca', issuer, options);
    requireInstant(at, 'at');
    const now = options.now === undefined ? at : requireInstant(options.now, 'now');
    return this.crlStatusFrom(ca, issuer, ca.crlUrls, at, now);
  }

  /** A signer's CRL answer: from the operator's mirror (`crlUrls`), else the certificate's own URLs. */
  private checkCrl(cert: TrustedCertificate, issuer: TrustedCertificate, at: Date, now: Date): Promise<RevocationStatus> {
    return this.crlStatusFrom(cert, issuer, this.crlUrls ?? cert.crlUrls, at, now);
  }

  /**
   * The CRL answer, from the certificate's CRL URLs (or `crlUrls`) in order:
   * when one fails (down, stale, not covering the certificate), the next is
   * tried — MOICA lists a partition and the complete CRL, and a partition
   * outage must not block logins. Each URL keeps its own cache entry and
   * shared download. Fails closed when every URL fails.
   */
  private async crlStatusFrom(cert: TrustedCertificate, issuer: TrustedCertificate, urls: readonly string[], at: Date, now: Date): Promise<RevocationStatus> {
    if (urls.length === 0) throw new RevocationError('NO_REVOCATION_SOURCE', `${cert.subject()} names no CRL`);
    const warm = this.warmCrlStatus(cert, issuer, urls, at, now);
    if (warm !== undefined) return warm;
    const errors: RevocationError[] = [];
    for (const url of urls) {
      let crl: CertificateRevocationList | undefined;
      try {
        crl = await this.crls.get(url, issuer, now);
        assertCrlCovers(crl, cert, url);
        return crlStatus(crl, cert, url, at, now);
      } catch (err) {
        if (!(err instanceof RevocationError)) throw err;
        // A CRL that does not cover the certificate was served at a URL that names another (a substitution
        // on the way, or a CA's mistake): forget it, so the next check downloads the URL again instead of
        // answering from it until it expires.
        if (crl !== undefined && err.code === 'CRL_WRONG_SCOPE') this.crls.forget(url, issuer, crl);
        errors.push(err);
      }
    }
    throw firstOf(errors) ?? new RevocationError('NO_REVOCATION_SOURCE', `${cert.subject()} names no CRL`);
  }

  /**
   * The answer of the first of the certificate's CRL URLs whose CRL is
   * cached, current and covers it; `undefined` when none is. Any URL, not
   * only the first: while a partition is down, its logins are answered from
   * the complete CRL already fetched instead of waiting on the partition again.
   */
  private warmCrlStatus(cert: TrustedCertificate, issuer: TrustedCertificate, urls: readonly string[], at: Date, now: Date): RevocationStatus | undefined {
    for (const url of urls) {
      const crl = warmCrl(this.crls, url, issuer, now);
      if (crl !== undefined && crlCovers(crl, cert, url)) return crlStatus(crl, cert, url, at, now);
    }
    return undefined;
  }
}

/**
 * The certificates and options a check is given, before anything reads them: from JavaScript, a missing one
 * would otherwise be a bare `TypeError` from deep in the OCSP or CRL code.
 * @throws RangeError naming the argument.
 */
function checkArguments(method: string, cert: unknown, certName: string, issuer: unknown, options: unknown): void {
  for (const [name, value] of [[certName, cert], ['issuer', issuer]] as const) {
    // What it has, not `instanceof`: twpki loaded both as ES module and as CommonJS has two TrustedCertificate
    // classes. What matters here is that a missing certificate, or DER bytes, is named instead of crashing deep
    // in a source.
    if (typeof (value as { publicKey?: unknown } | null | undefined)?.publicKey !== 'function') {
      throw new RangeError(`RevocationChecker.${method}: ${name} must be a TrustedCertificate (TrustedCertificate.from(der)), not ${describeValue(value)}`);
    }
  }
  if (typeof options !== 'object' || options === null) {
    throw new RangeError(`RevocationChecker.${method}: options must be { now? } or left out, not ${describeValue(options)}`);
  }
}

/**
 * The error to throw when every source (or URL) failed: the first one, the
 * others kept as its `cause`, so "partition down, then complete CRL stale"
 * reads as what it is.
 */
function firstOf(errors: readonly RevocationError[]): RevocationError | undefined {
  const [first, ...rest] = errors;
  if (first === undefined || rest.length === 0) return first;
  return new RevocationError(first.code, `${first.message}; then ${rest.map((e) => e.message).join('; ')}`, {
    ...(first.url === undefined ? {} : { url: first.url }),
    cause: errors,
  });
}

/** What `crl` (current at `now`) says about `cert` at `at`. */
function crlStatus(crl: CertificateRevocationList, cert: TrustedCertificate, url: string, at: Date, now: Date): RevocationStatus {
  const entry = crl.lookup(cert.serialHex);
  if (entry === undefined || !revokedBy(entry.revokedAt, crl.thisUpdate, at, now)) {
    return { kind: 'good', source: 'crl', url, thisUpdate: crl.thisUpdate, nextUpdate: crl.nextUpdate };
  }
  return { kind: 'revoked', source: 'crl', url, revokedAt: entry.revokedAt, reason: entry.reason };
}
