import { createHash } from 'node:crypto';
import { checkCount, checkDuration } from '../../../shared/number-settings.js';
import { CLOCK_SKEW_MS } from '../../../shared/clock-skew.js';
import { namesEqual } from '../name-equality.js';
import { RecencyMap } from '../../../shared/recency-map.js';
import { signatureAlgorithmFromOid, verifiesUnderKeyOf, type AlgorithmPolicy } from '../algorithms.js';
import { RevocationError } from '../errors.js';
import type { TrustedCertificate } from '../trusted-certificate.js';
import { couldHaveIssued } from '../trust-store.js';
import { buildOcspRequest, type OcspRequestBundle } from './ocsp-request.js';
import { delegatedResponderProblem, hasOcspNoCheck } from './delegated-responder.js';
import { parseOcspResponse, type OcspBasicResponse, type OcspSingleResponse } from './ocsp-response.js';
import { strictestSingle } from './ocsp-single-choice.js';
import type { RevocationFetch, RevocationResponse } from './revocation-fetch.js';
import { checkedFetch } from './checked-fetch.js';
import { timedOut } from './failure-reason.js';
import { UnreachableResponders } from './unreachable-responders.js';
import type { RevocationStatus } from './revocation-status.js';
import { requireInstant } from '../instant.js';
import { revokedBy } from './revoked-by.js';

/**
 * The largest OCSP response read. One answer with a responder certificate
 * is a few kilobytes; without this, each login asking a misbehaving
 * responder (or anyone on the plain-HTTP path to it) about another
 * certificate could hold the CRL limit, 64 MiB, in memory at once.
 */
const OCSP_MAX_BYTES = 1024 * 1024;

/** id-kp-OCSPSigning. */
export const OID_KP_OCSP_SIGNING = '1.3.6.1.5.5.7.3.9';

/** Settings of an {@link OcspClient}. */
export interface OcspClientOptions {
  /** How requests are sent. */
  fetch: RevocationFetch;
  /** Digests accepted on response signatures. */
  algorithms: AlgorithmPolicy;
  /** Tolerance for clocks that disagree; default 5 minutes. */
  clockSkewMs?: number;
  /** How old a response without nextUpdate may be; default 15 minutes. */
  maxAgeWithoutNextUpdateMs?: number;
  /** Send a nonce; default true. */
  nonce?: boolean;
  /**
   * Reject responses that do not echo the nonce; default false (many CA responders pre-sign). Needs `nonce`
   * left on: with no nonce sent there is nothing to echo.
   */
  requireNonce?: boolean;
  /**
   * Oldest answer accepted: a response whose thisUpdate lies further back than
   * this from the time of the check is `OCSP_STALE`, even inside its
   * nextUpdate; default none. A responder that pre-signs its answers does not
   * echo the nonce, so without `requireNonce` anyone on the plain-HTTP path
   * could replay an old `good` for as long as it runs; this bounds how old
   * (as OpenSSL's `-status_age` does). Set it a little above how often the
   * responder renews its answers.
   */
  maxResponseAgeMs?: number;
  /**
   * How long an injected `fetch` may take before a request is given up
   * (`FETCH_FAILED`); default 30 s. `httpRevocationFetch`'s own timeout
   * applies to it instead.
   */
  fetchDeadlineMs?: number;
  /** A designated responder URL used instead of the certificate's AIA. */
  responderUrl?: string;
  /**
   * After a request to a responder ran out of time (`FETCH_FAILED`, timed
   * out), how long checks against its URL fail with that error at once
   * instead of asking again; default 1 minute, `0` asks every time. A
   * connection refused or cut, and any answer (an HTTP or OCSP error status),
   * is not remembered: it failed at once, and asking again costs no login a
   * wait.
   */
  retryUnreachableMs?: number;
  /**
   * Most `good` answers kept until their nextUpdate; default 10 000; `0` asks the
   * responder every time. Answers are not kept when `requireNonce` is set (a
   * nonce asks for a fresh answer each time) or when they carry no nextUpdate.
   */
  cacheSize?: number;
  /**
   * Longest time a `good` answer is kept after it was obtained, whatever its
   * nextUpdate says; default 1 hour. A responder that pre-signs answers for
   * months would otherwise keep a later revocation unseen for as long.
   */
  cacheMaxAgeMs?: number;
  /**
   * The revocation status of a delegated responder's certificate that lacks
   * id-pkix-ocsp-nocheck (RFC 6960 4.2.2.2.1: the CA left it to be checked),
   * current at `now`. Its answer is used only when this resolves to `good`;
   * `revoked`, `unknown` or a rejection makes it `OCSP_UNAUTHORIZED_RESPONDER`.
   * Without it such a delegate is refused. `RevocationChecker` checks the
   * delegate against the CRLs its certificate names, through its CRL cache.
   */
  checkResponder?: (responder: TrustedCertificate, issuer: TrustedCertificate, now: Date) => Promise<RevocationStatus>;
}

/**
 * Refuses a nonce requirement with no nonce sent (nothing can be echoed): before, the pair was taken and the
 * requirement silently dropped. The names are the caller's (`RevocationChecker` calls them `ocspNonce`/`requireOcspNonce`).
 * @throws RangeError naming both settings.
 */
export function checkNonceSettings(owner: string, send: { name: string; value: boolean | undefined }, require: { name: string; value: boolean | undefined }): void {
  if (send.value === false && require.value === true) {
    throw new RangeError(
      `${owner}: ${require.name}: true cannot be met with ${send.name}: false (no nonce is sent, so none can be echoed); leave ${send.name} on, or drop ${require.name}`,
    );
  }
}

/** Default {@link OcspClientOptions.cacheMaxAgeMs}: one hour. */
const DEFAULT_OCSP_CACHE_MAX_AGE_MS = 3_600_000;

/** A verified answer and the single response it came from. */
interface OcspAnswer {
  readonly status: RevocationStatus;
  readonly single: OcspSingleResponse | undefined;
}

/**
 * A response checked in every way that does not depend on the time of the
 * check (signer, signature, certificate, nonce, extensions): what one request
 * gives every check that shares it. Each check then judges it at its own
 * present (`OcspClient.judge`).
 */
interface ReceivedAnswer extends OcspAnswer {
  readonly response: OcspBasicResponse;
  /** Every single response about the certificate (all must be current). */
  readonly matches: readonly OcspSingleResponse[];
  /** The CA, or its delegated responder. */
  readonly signer: TrustedCertificate;
  /** Whether the signer is a delegate whose own revocation is to be checked (no id-pkix-ocsp-nocheck). */
  readonly checkSigner: boolean;
}

/** Options of {@link OcspClient.check} and `RevocationChecker.check`. */
export interface RevocationCheckOptions {
  /**
   * The present: answers must be current at this time (default: the time
   * asked about). Give it when asking about a past time (an archived
   * document): the answer is then today's, and a revocation counts only when
   * it happened at or before the time asked about.
   */
  readonly now?: Date;
}

/** What `answer` (current at `now`) says about the time `at`: revoked later than `at` means not yet revoked then. */
function statusAt(answer: OcspAnswer, at: Date, now: Date): RevocationStatus {
  const { status, single } = answer;
  if (status.kind !== 'revoked' || single === undefined || revokedBy(status.revokedAt, single.thisUpdate, at, now)) return status;
  return { kind: 'good', source: 'ocsp', url: status.url, thisUpdate: single.thisUpdate, nextUpdate: single.nextUpdate };
}

/**
 * The answer `client` holds in memory for `cert` at `at`, without waiting:
 * the same rule as `OcspClient.check` (a cached `good` answer, from
 * thisUpdate minus the skew to its nextUpdate and no later). `undefined` when
 * `check` would ask the responder. Internal (the login hot path), not
 * exported from an entry point.
 */
export function warmOcsp(client: OcspClient, cert: TrustedCertificate, issuer: TrustedCertificate, at: Date): RevocationStatus | undefined {
  return warmOf(client, cert, issuer, at);
}

// Set by `OcspClient`'s static block: the one reader of its private answers outside the class.
let warmOf: (client: OcspClient, cert: TrustedCertificate, issuer: TrustedCertificate, at: Date) => RevocationStatus | undefined;

interface CachedAnswer {
  readonly status: RevocationStatus;
  readonly thisUpdate: number;
  /** Its nextUpdate, or sooner by `cacheMaxAgeMs` from when it was obtained. */
  readonly keptUntil: number;
}

/**
 * Asks an OCSP responder about one certificate and checks the answer: the
 * signature, that the signer is the issuing CA or a responder it delegated
 * to (id-kp-OCSPSigning, issued and signed by that CA, valid now), that it
 * answers for this certificate, the thisUpdate/nextUpdate window, and the
 * nonce.
 */
export class OcspClient {
  /** Requests sent to a responder (for tests and metrics). */
  public requests = 0;
  private readonly skew: number;
  private readonly maxAge: number;
  private readonly maxResponseAge: number;
  private readonly cacheSize: number;
  private readonly cacheMaxAgeMs: number;
  private readonly answers: RecencyMap<string, CachedAnswer>;
  private readonly inFlight = new Map<string, Promise<ReceivedAnswer>>();
  private readonly unreachable = new UnreachableResponders();
  private readonly retryUnreachableMs: number;

  static {
    warmOf = (client, cert, issuer, at) => {
      const url = client.urlFor(cert);
      if (url === undefined || client.cacheSize === 0) return undefined;
      return client.cachedAnswer(`${issuer.fingerprint} ${cert.serialHex} ${url}`, at);
    };
  }

  /**
   * @param options see {@link OcspClientOptions}.
   * @throws RangeError when `cacheSize` is not a non-negative integer, a time setting is not a usable number of
   * milliseconds (finite, not negative; a deadline positive), or `requireNonce` is set with `nonce: false`.
   */
  public constructor(private readonly options: OcspClientOptions) {
    checkNonceSettings('OcspClient', { name: 'nonce', value: options.nonce }, { name: 'requireNonce', value: options.requireNonce });
    checkDuration('clockSkewMs', options.clockSkewMs);
    checkDuration('maxAgeWithoutNextUpdateMs', options.maxAgeWithoutNextUpdateMs);
    checkDuration('maxResponseAgeMs', options.maxResponseAgeMs);
    checkDuration('retryUnreachableMs', options.retryUnreachableMs);
    checkDuration('cacheMaxAgeMs', options.cacheMaxAgeMs);
    checkDuration('fetchDeadlineMs', options.fetchDeadlineMs, true);
    // The size is the cache's only bound (one answer per card holder): `NaN` (a setting read from an unset
    // environment variable) compares false with every size, and the cache grew with every user who logged in.
    if (options.cacheSize !== undefined) checkCount('cacheSize', options.cacheSize);
    this.skew = options.clockSkewMs ?? CLOCK_SKEW_MS;
    this.maxAge = options.maxAgeWithoutNextUpdateMs ?? 15 * 60_000;
    this.maxResponseAge = options.maxResponseAgeMs ?? Number.POSITIVE_INFINITY;
    this.cacheSize = options.requireNonce === true ? 0 : (options.cacheSize ?? 10_000);
    this.retryUnreachableMs = options.retryUnreachableMs ?? 60_000;
    this.cacheMaxAgeMs = options.cacheMaxAgeMs ?? DEFAULT_OCSP_CACHE_MAX_AGE_MS;
    // A card holder who logs in often keeps their answer over one seen once.
    this.answers = new RecencyMap(this.cacheSize);
  }

  /** Number of answers cached. */
  public get cached(): number {
    return this.answers.size;
  }

  /** Drops every cached answer, and what is remembered of unreachable responders. */
  public clear(): void {
    this.answers.clear();
    this.unreachable.clear();
  }

  /** The URL this client would ask about `cert`, or `undefined` when there is none. */
  public urlFor(cert: TrustedCertificate): string | undefined {
    return this.options.responderUrl ?? cert.ocspUrls[0];
  }

  /**
   * The status of `cert` at `at`, from an answer current at `options.now`
   * (default `at`).
   * @throws RevocationError when no trustworthy answer was obtained.
   * @throws RangeError when `at` or `now` is not a valid Date.
   */
  public async check(
    cert: TrustedCertificate,
    issuer: TrustedCertificate,
    at: Date,
    options: RevocationCheckOptions = {},
  ): Promise<RevocationStatus> {
    requireInstant(at, 'at');
    const now = options.now === undefined ? at : requireInstant(options.now, 'now');
    const url = this.urlFor(cert);
    if (url === undefined) {
      throw new RevocationError('NO_REVOCATION_SOURCE', `${cert.subject()} names no OCSP responder`);
    }
    if (this.cacheSize === 0) return statusAt(await this.judge(await this.askReachable(cert, issuer, now, url), issuer, now, url), at, now);
    const key = `${issuer.fingerprint} ${cert.serialHex} ${url}`;
    // Only `good` answers are kept: not revoked now means not revoked at any earlier time either.
    const hit = this.cachedAnswer(key, now);
    if (hit !== undefined) return hit;
    // Concurrent checks of one certificate share one request, and only what does not depend on the time: each
    // judges the answer at its own present. Judged at the first caller's, a login that joined a check of a past
    // time got that check's OCSP_STALE, and the past check got the login's `good`.
    let pending = this.inFlight.get(key);
    if (pending === undefined) {
      pending = this.askReachable(cert, issuer, now, url).finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, pending);
    }
    const answer = await this.judge(await pending, issuer, now, url);
    // Kept as the responder gave it (about now), never as read for a past time.
    this.remember(key, answer, now);
    return statusAt(answer, at, now);
  }

  /** The cached answer under `key` when usable at `at`; drops it once past its nextUpdate or its age cap. */
  private cachedAnswer(key: string, at: Date): RevocationStatus | undefined {
    const hit = this.answers.get(key);
    if (hit === undefined) return undefined;
    const t = at.getTime();
    // Answers are used up to their nextUpdate (or age cap) and no later (no skew here).
    if (t <= hit.keptUntil && t >= hit.thisUpdate - this.skew) return hit.status;
    if (t > hit.keptUntil) this.answers.delete(key);
    return undefined;
  }

  private remember(key: string, answer: OcspAnswer, now: Date): void {
    const { status, single } = answer;
    // Only `good` is kept: it is what every login asks for again. `unknown`
    // may change any time, and a revoked user gains nothing from speed (a
    // fresh answer can only be as strict: revoked, or unknown and refused).
    if (status.kind !== 'good' || single?.nextUpdate === undefined) return;
    // Kept from when it was obtained (the check's present), not from its thisUpdate: a pre-signed answer is as
    // fresh as the responder's last look at its database, which the cap bounds either way.
    // Nor past the age the answer may reach (`maxResponseAgeMs`), as it would be refused when asked then.
    const keptUntil = Math.min(
      single.nextUpdate.getTime(),
      now.getTime() + this.cacheMaxAgeMs,
      single.thisUpdate.getTime() + this.maxResponseAge + this.skew,
    );
    this.answers.set(key, { status, thisUpdate: single.thisUpdate.getTime(), keptUntil });
  }

  /**
   * `ask`, unless the responder at `url` was unreachable within
   * `retryUnreachableMs` of `now`: then that failure again, without asking.
   * A responder that accepts connections and never answers would otherwise
   * cost every login the whole fetch timeout before the CRL is asked (or
   * before failing closed in `ocsp` mode); concurrent checks of one
   * certificate already share one request, but each card holder asked anew.
   */
  private async askReachable(cert: TrustedCertificate, issuer: TrustedCertificate, now: Date, url: string): Promise<ReceivedAnswer> {
    const t = now.getTime();
    const recent = this.unreachable.recent(url, t, this.retryUnreachableMs);
    if (recent !== undefined) throw recent;
    return this.ask(cert, issuer, now, url);
  }

  private async ask(cert: TrustedCertificate, issuer: TrustedCertificate, at: Date, url: string): Promise<ReceivedAnswer> {
    this.requests++;
    const request = buildOcspRequest(cert, issuer, { nonce: this.options.nonce !== false });
    let res: RevocationResponse;
    try {
      res = await checkedFetch(
        this.options.fetch,
        url,
        {
          method: 'POST',
          headers: { 'content-type': 'application/ocsp-request', accept: 'application/ocsp-response' },
          body: request.der,
          maxBytes: OCSP_MAX_BYTES,
          kind: 'ocsp',
        },
        this.options.fetchDeadlineMs,
      );
    } catch (err) {
      // Only a request that ran out of time is remembered: asking again would cost the next login the same wait.
      // A refused or cut connection failed at once and is asked again (one reset, a responder restarting, would
      // otherwise send every login to the CRL for a minute), and so is an answer, an HTTP error included (one 500
      // would otherwise fail every login for a minute in `ocsp` mode).
      if (err instanceof RevocationError && timedOut(err)) this.unreachable.remember(url, err, at.getTime());
      throw err;
    }
    this.unreachable.forget(url);
    if (res.status !== 200) throw new RevocationError('FETCH_FAILED', `HTTP ${res.status} from ${url}`, { url });
    const response = parseOcspResponse(res.body, url);
    const { signer, matches, single } = this.verifyUntimed(response, request, issuer, url);
    const checkSigner = signer !== issuer && !hasOcspNoCheck(signer);
    const received = { response, matches, signer, checkSigner, single };
    if (single.status === 'good') {
      return { ...received, status: { kind: 'good', source: 'ocsp', url, thisUpdate: single.thisUpdate, nextUpdate: single.nextUpdate } };
    }
    if (single.status === 'revoked') {
      const status: RevocationStatus = {
        kind: 'revoked',
        source: 'ocsp',
        url,
        revokedAt: single.revokedAt ?? single.thisUpdate,
        reason: single.reason,
      };
      return { ...received, status };
    }
    return { ...received, status: { kind: 'unknown', source: 'ocsp', url } };
  }

  /**
   * `received` judged at `now`: current ({@link OcspClient.verify}'s time
   * rules), and, for a delegate without id-pkix-ocsp-nocheck, the delegate not
   * revoked (`checkResponder`).
   * @throws RevocationError `OCSP_STALE` or `OCSP_UNAUTHORIZED_RESPONDER`.
   */
  private async judge(received: ReceivedAnswer, issuer: TrustedCertificate, now: Date, url: string): Promise<OcspAnswer> {
    this.verifyTimes(received, issuer, now, url);
    if (received.checkSigner) await this.checkDelegate(received.signer, issuer, now, url);
    return received;
  }

  /**
   * RFC 6960 4.2.2.2.1: a CA that leaves id-pkix-ocsp-nocheck out of its
   * responder's certificate has said it is to be checked. Unchecked, one
   * revoked responder key vouched `good` for every revoked card of the CA
   * until the certificate expired. A status that cannot be established
   * refuses the answer, like any unusable one (the CRL is asked next, or the
   * check fails closed).
   */
  private async checkDelegate(signer: TrustedCertificate, issuer: TrustedCertificate, now: Date, url: string): Promise<void> {
    const refuse = (problem: string, cause?: unknown): RevocationError =>
      new RevocationError(
        'OCSP_UNAUTHORIZED_RESPONDER',
        `OCSP signer ${signer.subject()} is not authorized by ${issuer.subject()} (it has no id-pkix-ocsp-nocheck, and ${problem})`,
        { url, ...(cause === undefined ? {} : { cause }) },
      );
    const lookUp = this.options.checkResponder;
    if (lookUp === undefined) throw refuse('this client has no way to check its revocation (checkResponder)');
    let status: RevocationStatus;
    try {
      status = await lookUp(signer, issuer, now);
    } catch (err) {
      throw refuse(`its own revocation status could not be established: ${(err as Error).message}`, err);
    }
    if (status.kind === 'revoked') {
      throw refuse(`it is revoked (${status.reason ?? 'no reason given'}, ${status.revokedAt.toISOString()}, ${status.url})`);
    }
    if (status.kind !== 'good') throw refuse('its own revocation status is unknown');
  }

  /**
   * Checks a decoded response against the request it answers, at `at`. The
   * revocation of a delegated responder without id-pkix-ocsp-nocheck is not
   * looked up here (it may need a download): `check` does that through
   * `checkResponder`.
   * @throws RevocationError `OCSP_UNAUTHORIZED_RESPONDER`, `OCSP_BAD_SIGNATURE`, `OCSP_UNKNOWN_CRITICAL_EXTENSION`,
   * `OCSP_WRONG_CERTIFICATE`, `OCSP_MALFORMED` (signed before the status it gives), `OCSP_STALE` or
   * `OCSP_NONCE_MISMATCH`.
   */
  public verify(
    response: OcspBasicResponse,
    request: OcspRequestBundle,
    issuer: TrustedCertificate,
    at: Date,
    url: string,
  ): OcspSingleResponse {
    const received = this.verifyUntimed(response, request, issuer, url);
    this.verifyTimes({ ...received, response }, issuer, at, url);
    return received.single;
  }

  /** What {@link verify} checks that does not depend on the time of the check. */
  private verifyUntimed(
    response: OcspBasicResponse,
    request: OcspRequestBundle,
    issuer: TrustedCertificate,
    url: string,
  ): { signer: TrustedCertificate; matches: readonly OcspSingleResponse[]; single: OcspSingleResponse } {
    const signer = findAuthorizedSigner(response, issuer, url, this.options.algorithms);
    const alg = signatureAlgorithmFromOid(response.signatureAlgorithmOid);
    if (alg?.digest === undefined || !this.options.algorithms.allows(alg.digest)) {
      throw new RevocationError(
        'OCSP_BAD_SIGNATURE',
        `OCSP signature algorithm ${alg?.digest ?? response.signatureAlgorithmOid} is not allowed`,
        { url },
      );
    }
    if (!verifiesUnderKeyOf(signer, alg.scheme, alg.digest, response.tbs, response.signature)) {
      throw new RevocationError('OCSP_BAD_SIGNATURE', `OCSP response signature does not verify (signer ${signer.subject()})`, {
        url,
      });
    }
    // After the signature, so the refusal is about what the responder said. RFC 6960 4.4: a critical extension
    // that is not understood may narrow or change the answer; ignored, a `good` it qualified read as plain `good`.
    const unknown = response.unknownCriticalExtensions[0] ?? response.responses.find((r) => r.unknownCriticalExtensions.length > 0)?.unknownCriticalExtensions[0];
    if (unknown !== undefined) {
      throw new RevocationError('OCSP_UNKNOWN_CRITICAL_EXTENSION', `OCSP response has critical extension ${unknown}, which is not processed`, { url });
    }
    const id = request.certId;
    const matches = response.responses.filter(
      (r) =>
        r.digest === id.digest &&
        r.serialHex === id.serialHex &&
        Buffer.from(r.issuerNameHash).equals(Buffer.from(id.issuerNameHash)) &&
        Buffer.from(r.issuerKeyHash).equals(Buffer.from(id.issuerKeyHash)),
    );
    // Several answers about the certificate: the strictest, not the first (see strictestSingle).
    const single = strictestSingle(matches);
    if (single === undefined) {
      throw new RevocationError('OCSP_WRONG_CERTIFICATE', `OCSP response does not answer for serial ${id.serialHex}`, { url });
    }
    if (request.nonce !== undefined) {
      if (response.nonce === undefined) {
        if (this.options.requireNonce === true) {
          throw new RevocationError('OCSP_NONCE_MISMATCH', 'OCSP response does not echo the request nonce', { url });
        }
      } else if (!Buffer.from(response.nonce).equals(Buffer.from(request.nonce))) {
        throw new RevocationError('OCSP_NONCE_MISMATCH', 'OCSP response nonce differs from the request nonce', { url });
      }
    }
    return { signer, matches, single };
  }

  /**
   * What {@link verify} checks about the time `at`: a delegate valid then, and
   * every answer about the certificate current then (thisUpdate not beyond
   * the skew ahead, nextUpdate not passed, not older than `maxResponseAgeMs`),
   * produced no later than the skew ahead, and not signed before (beyond the
   * skew) the thisUpdate it reports.
   */
  private verifyTimes(
    received: { readonly response: OcspBasicResponse; readonly matches: readonly OcspSingleResponse[]; readonly signer: TrustedCertificate },
    issuer: TrustedCertificate,
    at: Date,
    url: string,
  ): void {
    const { response, matches, signer } = received;
    if (signer !== issuer && !signer.isValidAt(at)) {
      throw new RevocationError('OCSP_UNAUTHORIZED_RESPONDER', `OCSP signer ${signer.subject()} is not authorized by ${issuer.subject()} (not valid now)`, {
        url,
      });
    }
    const t = at.getTime();
    if (response.producedAt.getTime() > t + this.skew) {
      throw new RevocationError('OCSP_STALE', `OCSP response is produced in the future of ${at.toISOString()} (producedAt ${response.producedAt.toISOString()})`, {
        url,
      });
    }
    // Every answer about the certificate must be current, not only the one chosen.
    for (const match of matches) {
      const notAfter = match.nextUpdate?.getTime() ?? match.thisUpdate.getTime() + this.maxAge;
      if (match.thisUpdate.getTime() > t + this.skew || notAfter < t - this.skew) {
        throw new RevocationError(
          'OCSP_STALE',
          `OCSP response is not current at ${at.toISOString()} (thisUpdate ${match.thisUpdate.toISOString()}, nextUpdate ${match.nextUpdate?.toISOString() ?? 'none'})`,
          { url },
        );
      }
      if (match.thisUpdate.getTime() < t - this.skew - this.maxResponseAge) {
        throw new RevocationError(
          'OCSP_STALE',
          `OCSP response is older than maxResponseAgeMs allows at ${at.toISOString()} (thisUpdate ${match.thisUpdate.toISOString()})`,
          { url },
        );
      }
      // A response cannot be signed before the status it reports was known: producedAt that far before thisUpdate
      // shows a broken or forged responder clock. After the currency checks, so a thisUpdate in the future stays
      // OCSP_STALE, as it was.
      if (response.producedAt.getTime() < match.thisUpdate.getTime() - this.skew) {
        throw new RevocationError(
          'OCSP_MALFORMED',
          `OCSP response was signed (producedAt ${response.producedAt.toISOString()}) before the status it reports (thisUpdate ${match.thisUpdate.toISOString()})`,
          { url },
        );
      }
    }
  }
}

function matchesResponderId(cert: TrustedCertificate, response: OcspBasicResponse): boolean {
  const id = response.responderId;
  if ('byName' in id) return namesEqual(cert.subjectDer, id.byName);
  return createHash('sha1').update(cert.publicKeyBits).digest().equals(Buffer.from(id.byKeyHash));
}

/**
 * RFC 6960 4.2.2.2: the signer is the CA itself, or a certificate in the
 * response that the CA issued and signed for id-kp-OCSPSigning, whose
 * keyUsage (when present) allows signatures and which has no critical
 * extension twpki does not process. Anything else (a valid certificate of
 * another CA) is refused. The CA's signature on the delegate is held to the
 * same digest policy as the answer's own: a SHA-1 delegate would otherwise
 * carry answers a SHA-1 answer could not. Whether the delegate is valid at
 * the time of the check is `verifyTimes`'s question (each check sharing the
 * request asks it at its own time).
 */
function findAuthorizedSigner(
  response: OcspBasicResponse,
  issuer: TrustedCertificate,
  url: string,
  algorithms: AlgorithmPolicy,
): TrustedCertificate {
  if (matchesResponderId(issuer, response)) return issuer;
  for (const cert of response.certs) {
    if (!matchesResponderId(cert, response)) continue;
    const alg = signatureAlgorithmFromOid(cert.signatureAlgorithmOid);
    const issuedByCa =
      couldHaveIssued(issuer, cert) &&
      alg?.digest !== undefined &&
      verifiesUnderKeyOf(issuer, alg.scheme, alg.digest, cert.tbs, cert.signature);
    const delegated = cert.extendedKeyUsage?.includes(OID_KP_OCSP_SIGNING) === true;
    const problem = !issuedByCa
      ? 'not issued by the CA'
      : alg?.digest !== undefined && !algorithms.allows(alg.digest)
        ? `its certificate is signed with ${alg.digest}, which the algorithm policy does not allow`
        : !delegated
          ? 'no id-kp-OCSPSigning'
          : delegatedResponderProblem(cert);
    if (problem === undefined) return cert;
    throw new RevocationError('OCSP_UNAUTHORIZED_RESPONDER', `OCSP signer ${cert.subject()} is not authorized by ${issuer.subject()} (${problem})`, {
      url,
    });
  }
  throw new RevocationError('OCSP_UNAUTHORIZED_RESPONDER', `OCSP response is not signed by ${issuer.subject()} or its delegate`, {
    url,
  });
}
