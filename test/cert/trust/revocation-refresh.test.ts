import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  RevocationChecker,
  RevocationError,
  TrustedCertificate,
  httpRevocationFetch,
  type RevocationFetch,
} from '../../../src/cert/index.js';
import type { TestPki } from '../../../src/testing/pki/index.js';
import { buildCrl, type LocalRevocationServer } from '../../../src/testing/revocation/index.js';
import { warmRevocationStatus } from '../../../src/cert/trust/revocation/revocation-checker.js';
import { revocationFailure as failure, startRevocationRig } from './helpers/fixtures.js';

let server: LocalRevocationServer;
let pki: TestPki;
let cert: TrustedCertificate;
let issuer: TrustedCertificate;

beforeAll(async () => {
  ({ server, pki, cert, issuer } = await startRevocationRig({ ocspResponder: true }));
});

afterAll(async () => {
  await server.close();
});

const HOUR = 3_600_000;

/**
 * The real HTTP fetch, but responses are held until `open()`: the request has
 * reached the server (and is counted there) while the caller still waits.
 */
function gatedFetch(): { fetch: RevocationFetch; close(): void; open(): void; fail(): void } {
  const http = httpRevocationFetch();
  let gate: Promise<void> = Promise.resolve();
  let release: () => void = () => undefined;
  let failing = false;
  return {
    fetch: async (url, request) => {
      const res = await http(url, request);
      await gate;
      if (failing) throw new RevocationError('FETCH_FAILED', `fetching ${url} failed: test outage`, { url });
      return res;
    },
    close() {
      gate = new Promise((resolve) => (release = resolve));
    },
    open() {
      release();
    },
    fail() {
      failing = true;
    },
  };
}

function publish(name: string, options: { thisUpdate: Date; nextUpdate: Date; revoked?: boolean }): string {
  return server.publishCrl(
    name,
    buildCrl({
      issuer: pki.issuer('moica'),
      entries: options.revoked === true ? [{ serialHex: cert.serialHex, revokedAt: new Date(options.thisUpdate.getTime() - 1000) }] : [],
      thisUpdate: options.thisUpdate,
      nextUpdate: options.nextUpdate,
    }),
  );
}

/** Resolves to 'settled' if `p` settles within a few event-loop turns, else 'pending'. */
async function settlesQuickly(p: Promise<unknown>): Promise<'settled' | 'pending'> {
  const timeout = new Promise<'pending'>((resolve) => setTimeout(() => resolve('pending'), 200));
  return Promise.race([p.then(() => 'settled' as const), timeout]);
}

describe('CRL background refresh', () => {
  it('answers from the cached CRL while the next one downloads, with one download for many concurrent logins', async () => {
    const t0 = new Date(Math.floor(Date.now() / 1000) * 1000);
    const url = publish('refresh.crl', { thisUpdate: t0, nextUpdate: new Date(t0.getTime() + HOUR) });
    const gate = gatedFetch();
    const checker = new RevocationChecker({ mode: 'crl', crlUrls: [url], fetch: gate.fetch });
    expect((await checker.check(cert, issuer, t0)).kind).toBe('good');
    const before = server.hits.crl;

    // The CA has published a newer CRL that revokes the certificate.
    publish('refresh.crl', { thisUpdate: new Date(t0.getTime() + 50 * 60_000), nextUpdate: new Date(t0.getTime() + 2 * HOUR), revoked: true });
    gate.close();
    const nearNextUpdate = new Date(t0.getTime() + 55 * 60_000); // within the last tenth of the window
    const checks = Array.from({ length: 25 }, () => checker.check(cert, issuer, nearNextUpdate));
    // Nobody waits for the download in flight: every check settles from the cache.
    expect(await settlesQuickly(Promise.all(checks))).toBe('settled');
    expect((await Promise.all(checks)).every((s) => s.kind === 'good')).toBe(true);
    await new Promise((r) => setTimeout(r, 100));
    expect(server.hits.crl - before).toBe(1);

    gate.open();
    await new Promise((r) => setTimeout(r, 50));
    expect(checker.crls.downloads).toBe(2);
    // The refreshed CRL answers from now on, without another download.
    expect((await checker.check(cert, issuer, nearNextUpdate)).kind).toBe('revoked');
    expect(server.hits.crl - before).toBe(1);
  });

  it('does not refresh early: a CRL far from its nextUpdate causes no download', async () => {
    const t0 = new Date(Math.floor(Date.now() / 1000) * 1000);
    const url = publish('early.crl', { thisUpdate: t0, nextUpdate: new Date(t0.getTime() + HOUR) });
    const checker = new RevocationChecker({ mode: 'crl', crlUrls: [url] });
    await checker.check(cert, issuer, t0);
    for (let i = 0; i < 10; i++) await checker.check(cert, issuer, new Date(t0.getTime() + 30 * 60_000));
    expect(checker.crls.downloads).toBe(1);
  });

  it('never uses a CRL past its nextUpdate: the check waits, and fails when no newer CRL exists', async () => {
    const t0 = new Date(Math.floor(Date.now() / 1000) * 1000);
    const next = new Date(t0.getTime() + HOUR);
    const url = publish('expiring.crl', { thisUpdate: t0, nextUpdate: next });
    const checker = new RevocationChecker({ mode: 'crl', crlUrls: [url] });
    expect((await checker.check(cert, issuer, next)).kind).toBe('good'); // up to nextUpdate inclusive
    const justAfter = new Date(next.getTime() + 1);
    expect((await failure(checker.check(cert, issuer, justAfter))).code).toBe('CRL_STALE');
    expect(checker.crls.downloads).toBe(2);
  });

  it('keeps answering from the cached CRL when a background refresh fails, and retries only after refreshRetryMs', async () => {
    const t0 = new Date(Math.floor(Date.now() / 1000) * 1000);
    const url = publish('outage.crl', { thisUpdate: t0, nextUpdate: new Date(t0.getTime() + HOUR) });
    const gate = gatedFetch();
    const checker = new RevocationChecker({ mode: 'crl', crlUrls: [url], fetch: gate.fetch });
    await checker.check(cert, issuer, t0);
    gate.fail();
    const near = t0.getTime() + 55 * 60_000;
    expect((await checker.check(cert, issuer, new Date(near))).kind).toBe('good');
    await new Promise((r) => setTimeout(r, 100));
    expect(checker.crls.lastRefreshError).toBeInstanceOf(RevocationError);
    // Within the retry delay: no new attempt, still answered.
    for (let i = 0; i < 5; i++) expect((await checker.check(cert, issuer, new Date(near + 30_000))).kind).toBe('good');
    expect(checker.crls.downloads).toBe(2);
    // After it: one more attempt.
    await checker.check(cert, issuer, new Date(near + 61_000));
    await new Promise((r) => setTimeout(r, 100));
    expect(checker.crls.downloads).toBe(3);
    // Past nextUpdate the outage is the answer: no stale CRL.
    expect((await failure(checker.check(cert, issuer, new Date(t0.getTime() + HOUR + 1)))).code).toBe('FETCH_FAILED');
  });

  it('shares one download between concurrent checks on a cold cache', async () => {
    const url = publish('cold.crl', { thisUpdate: new Date(Date.now() - 1000), nextUpdate: new Date(Date.now() + HOUR) });
    const checker = new RevocationChecker({ mode: 'crl', crlUrls: [url] });
    const before = server.hits.crl;
    const statuses = await Promise.all(Array.from({ length: 30 }, () => checker.check(cert, issuer)));
    expect(statuses.every((s) => s.kind === 'good')).toBe(true);
    expect(server.hits.crl - before).toBe(1);
  });

  it('keeps the newer CRL when a download returns an older one', async () => {
    const t0 = new Date(Math.floor(Date.now() / 1000) * 1000);
    const url = publish('order.crl', { thisUpdate: t0, nextUpdate: new Date(t0.getTime() + HOUR), revoked: true });
    const checker = new RevocationChecker({ mode: 'crl', crlUrls: [url] });
    expect((await checker.check(cert, issuer, t0)).kind).toBe('revoked');
    // A lagging mirror serves an older CRL that does not list the certificate.
    publish('order.crl', { thisUpdate: new Date(t0.getTime() - HOUR), nextUpdate: new Date(t0.getTime() + 2 * HOUR) });
    await checker.check(cert, issuer, new Date(t0.getTime() + 55 * 60_000));
    await new Promise((r) => setTimeout(r, 100));
    expect(checker.crls.downloads).toBe(2);
    expect((await checker.check(cert, issuer, new Date(t0.getTime() + 56 * 60_000))).kind).toBe('revoked');
  });
});

describe('a background refresh that brings a CRL not current yet', () => {
  // The CA's clock runs ahead, or it puts its next CRL up early. Before, that CRL replaced the current one:
  // every check until its thisUpdate waited on a download and failed CRL_STALE, though a current CRL had been
  // cached. Now it waits beside the current one, and takes over when its thisUpdate comes (within the skew).
  it('keeps answering from the current CRL without downloading, then switches to the newer one when it is current', async () => {
    const t0 = new Date(Math.floor(Date.now() / 1000) * 1000);
    const url = publish('ahead.crl', { thisUpdate: t0, nextUpdate: new Date(t0.getTime() + HOUR) });
    const checker = new RevocationChecker({ mode: 'crl', crlUrls: [url] });
    expect((await checker.check(cert, issuer, t0)).kind).toBe('good');
    const t = t0.getTime() + 55 * 60_000; // in the refresh window; the cached CRL is good 5 more minutes
    // The next CRL revokes the holder, and is dated 10 minutes ahead (beyond the 5-minute skew).
    publish('ahead.crl', { thisUpdate: new Date(t + 10 * 60_000), nextUpdate: new Date(t + 2 * HOUR), revoked: true });
    expect((await checker.check(cert, issuer, new Date(t))).kind).toBe('good'); // starts the refresh
    await new Promise((r) => setTimeout(r, 100));
    expect(checker.crls.downloads).toBe(2);
    for (let i = 0; i < 5; i++) expect((await checker.check(cert, issuer, new Date(t + i * 60_000))).kind).toBe('good');
    // From its thisUpdate less the skew the newer CRL answers, from memory.
    expect((await checker.check(cert, issuer, new Date(t + 5 * 60_000))).kind).toBe('revoked');
    expect(checker.crls.downloads).toBe(2);
    // A check dated earlier (a slow login's time, a clock stepped back) still has the current CRL: it is dropped
    // only when it expires, not when the first check reaches the newer one.
    expect((await checker.check(cert, issuer, new Date(t + 60_000))).kind).toBe('good');
    expect((await checker.check(cert, issuer, new Date(t0.getTime() + HOUR + 1))).kind).toBe('revoked');
    expect(checker.crls.downloads).toBe(2);
  });

  it('never stands in past the current CRL\'s nextUpdate: with the newer one still not current, the check fails CRL_STALE', async () => {
    const t0 = new Date(Math.floor(Date.now() / 1000) * 1000);
    const url = publish('gap.crl', { thisUpdate: t0, nextUpdate: new Date(t0.getTime() + HOUR) });
    const checker = new RevocationChecker({ mode: 'crl', crlUrls: [url] });
    await checker.check(cert, issuer, t0);
    publish('gap.crl', { thisUpdate: new Date(t0.getTime() + 80 * 60_000), nextUpdate: new Date(t0.getTime() + 3 * HOUR) });
    expect((await checker.check(cert, issuer, new Date(t0.getTime() + 55 * 60_000))).kind).toBe('good');
    await new Promise((r) => setTimeout(r, 100));
    expect((await failure(checker.check(cert, issuer, new Date(t0.getTime() + HOUR + 1)))).code).toBe('CRL_STALE');
  });
});

describe('the held CRL once it answers, before the one it follows expires', () => {
  // The held CRL answers from its thisUpdate (less the skew), and its own refresh starts at its own time, which can come
  // before the older CRL's nextUpdate (CRLs valid long, issued often, refreshAheadMs large). That refresh's CRL was
  // compared with the older one, not with the one answering: checks could go back to the older CRL.
  const MIN = 60_000;
  /** C1 cached at t0 (valid 10 h, refreshed from t0 + 1 h); C2, revoking the holder, brought 10 minutes early and answering from t0 + 70 min; its refresh due at t0 + 2 h. */
  async function heldAndAnswering(name: string): Promise<{ checker: RevocationChecker; t0: number }> {
    const t0 = Math.floor(Date.now() / 1000) * 1000;
    const url = publish(name, { thisUpdate: new Date(t0), nextUpdate: new Date(t0 + 10 * HOUR) });
    const checker = new RevocationChecker({ mode: 'crl', crlUrls: [url], crlRefreshAheadMs: 9 * HOUR });
    expect((await checker.check(cert, issuer, new Date(t0))).kind).toBe('good');
    publish(name, { thisUpdate: new Date(t0 + HOUR + 10 * MIN), nextUpdate: new Date(t0 + 11 * HOUR), revoked: true });
    expect((await checker.check(cert, issuer, new Date(t0 + HOUR))).kind).toBe('good'); // C2 fetched, held
    await new Promise((r) => setTimeout(r, 100));
    expect((await checker.check(cert, issuer, new Date(t0 + HOUR + 10 * MIN))).kind).toBe('revoked'); // C2 answers
    expect(checker.crls.downloads).toBe(2);
    return { checker, t0 };
  }
  /** A check at `at` that starts the held CRL's refresh, then its settling. */
  async function refreshAt(checker: RevocationChecker, at: number): Promise<void> {
    expect((await checker.check(cert, issuer, new Date(at))).kind).toBe('revoked');
    await new Promise((r) => setTimeout(r, 100));
  }

  it('a CRL put up early again is held beside the one answering: checks never go back to the older one', async () => {
    const { checker, t0 } = await heldAndAnswering('held-then-ahead.crl');
    publish('held-then-ahead.crl', { thisUpdate: new Date(t0 + 2 * HOUR + 10 * MIN), nextUpdate: new Date(t0 + 12 * HOUR), revoked: true });
    await refreshAt(checker, t0 + 2 * HOUR);
    expect(checker.crls.downloads).toBe(3);
    // Before, C3 took C2's place beside C1, and C1 (which does not list the holder) answered until C3 was current.
    expect((await checker.check(cert, issuer, new Date(t0 + 2 * HOUR + MIN))).kind).toBe('revoked');
    expect((await checker.check(cert, issuer, new Date(t0 + 2 * HOUR + 10 * MIN))).kind).toBe('revoked');
    expect(checker.crls.downloads).toBe(3);
  });

  it('an older CRL (a lagging mirror) replaces neither the one answering nor the one it follows', async () => {
    const { checker, t0 } = await heldAndAnswering('held-then-older.crl');
    publish('held-then-older.crl', { thisUpdate: new Date(t0 + 30 * MIN), nextUpdate: new Date(t0 + 10 * HOUR + 30 * MIN) });
    await refreshAt(checker, t0 + 2 * HOUR);
    expect(checker.crls.downloads).toBe(3);
    // Before, being newer than C1 it replaced C1 and C2 both, and the holder read good.
    expect((await checker.check(cert, issuer, new Date(t0 + 2 * HOUR + MIN))).kind).toBe('revoked');
  });

  // A CRL of another partition planted at the URL, brought early: held, then answering, and forgotten when found not to
  // cover the certificate. Before, only the entry's own CRL was forgotten, so the planted one answered on (failing every
  // check CRL_WRONG_SCOPE) until the one it followed expired.
  it('a held CRL found not to cover the certificate is forgotten: the next check downloads again', async () => {
    const t0 = Math.floor(Date.now() / 1000) * 1000;
    const url = publish('held-planted.crl', { thisUpdate: new Date(t0), nextUpdate: new Date(t0 + 10 * HOUR) });
    const checker = new RevocationChecker({ mode: 'crl', crlUrls: [url], crlRefreshAheadMs: 9 * HOUR });
    expect((await checker.check(cert, issuer, new Date(t0))).kind).toBe('good');
    const planted = (thisUpdate: number): Uint8Array =>
      buildCrl({ issuer: pki.issuer('moica'), entries: [], thisUpdate: new Date(thisUpdate), nextUpdate: new Date(t0 + 11 * HOUR), issuingDistributionPoint: { uris: [`${server.crlBaseUrl}/MOICA-10-999.crl`] } });
    server.publishCrl('held-planted.crl', planted(t0 + HOUR + 10 * MIN));
    expect((await checker.check(cert, issuer, new Date(t0 + HOUR))).kind).toBe('good');
    await new Promise((r) => setTimeout(r, 100));
    expect((await failure(checker.check(cert, issuer, new Date(t0 + HOUR + 10 * MIN)))).code).toBe('CRL_WRONG_SCOPE');
    publish('held-planted.crl', { thisUpdate: new Date(t0 + HOUR + 11 * MIN), nextUpdate: new Date(t0 + 11 * HOUR), revoked: true });
    expect((await checker.check(cert, issuer, new Date(t0 + HOUR + 12 * MIN))).kind).toBe('revoked');
    expect(checker.crls.downloads).toBe(3);
  });

  it('the same CRL again keeps its retry schedule: no second download at once', async () => {
    const { checker, t0 } = await heldAndAnswering('held-then-same.crl');
    await refreshAt(checker, t0 + 2 * HOUR);
    expect(checker.crls.downloads).toBe(3);
    // Before, it was stored anew in C1's place with its refresh time already past: the next check downloaded again.
    expect((await checker.check(cert, issuer, new Date(t0 + 2 * HOUR + 30_000))).kind).toBe('revoked');
    await new Promise((r) => setTimeout(r, 100));
    expect(checker.crls.downloads).toBe(3);
  });
});

describe('OCSP answer cache', () => {
  beforeEach(() => {
    Object.assign(server.ocsp, { thisUpdate: undefined, nextUpdate: undefined, defaultStatus: { kind: 'good' } });
    server.setStatus(cert.serialHex, { kind: 'good' });
  });

  it('keeps a good answer until its nextUpdate, then asks again', async () => {
    const t0 = new Date(Math.floor(Date.now() / 1000) * 1000);
    server.ocsp.thisUpdate = t0;
    server.ocsp.nextUpdate = new Date(t0.getTime() + 10 * 60_000);
    const checker = new RevocationChecker({ mode: 'ocsp' });
    const before = server.hits.ocsp;
    for (let i = 0; i < 10; i++) expect((await checker.check(cert, issuer, t0)).kind).toBe('good');
    expect((await checker.check(cert, issuer, new Date(t0.getTime() + 10 * 60_000))).kind).toBe('good');
    expect(server.hits.ocsp - before).toBe(1);
    server.ocsp.thisUpdate = new Date(t0.getTime() + 11 * 60_000);
    server.ocsp.nextUpdate = new Date(t0.getTime() + HOUR);
    expect((await checker.check(cert, issuer, new Date(t0.getTime() + 10 * 60_000 + 1))).kind).toBe('good');
    expect(server.hits.ocsp - before).toBe(2);
  });

  it('sends one request for concurrent checks of one certificate', async () => {
    const checker = new RevocationChecker({ mode: 'ocsp' });
    const before = server.hits.ocsp;
    const statuses = await Promise.all(Array.from({ length: 20 }, () => checker.check(cert, issuer)));
    expect(statuses.every((s) => s.kind === 'good')).toBe(true);
    expect(server.hits.ocsp - before).toBe(1);
  });

  it('does not keep revoked, unknown, nonce-bound or nextUpdate-less answers', async () => {
    const count = async (checker: RevocationChecker): Promise<number> => {
      const before = server.hits.ocsp;
      for (let i = 0; i < 3; i++) await checker.check(cert, issuer).catch(() => undefined);
      return server.hits.ocsp - before;
    };
    server.setStatus(cert.serialHex, { kind: 'revoked', revokedAt: new Date(Date.now() - 60_000) });
    expect(await count(new RevocationChecker({ mode: 'ocsp' }))).toBe(3);
    server.setStatus(cert.serialHex, { kind: 'unknown' });
    expect(await count(new RevocationChecker({ mode: 'ocsp' }))).toBe(3);
    server.setStatus(cert.serialHex, { kind: 'good' });
    expect(await count(new RevocationChecker({ mode: 'ocsp', requireOcspNonce: true }))).toBe(3);
    expect(await count(new RevocationChecker({ mode: 'ocsp', ocspCacheSize: 0 }))).toBe(3);
    server.ocsp.nextUpdate = null;
    expect(await count(new RevocationChecker({ mode: 'ocsp' }))).toBe(3);
  });

  it('is bounded: the oldest answer goes first', async () => {
    const other = await pki.issueCardHolder({ authority: 'moica', commonName: '林小美' });
    const second = TrustedCertificate.from(other.sign.certificate);
    const checker = new RevocationChecker({ mode: 'ocsp', ocspCacheSize: 1 });
    await checker.check(cert, issuer);
    await checker.check(second, issuer);
    expect(checker.ocsp.cached).toBe(1);
    const before = server.hits.ocsp;
    await checker.check(second, issuer);
    expect(server.hits.ocsp - before).toBe(0);
    await checker.check(cert, issuer);
    expect(server.hits.ocsp - before).toBe(1);
  });
});

// The login hot path asks `warmRevocationStatus` first and awaits `check`
// only when it answers `undefined`: it must give exactly what `check` gives,
// and nothing where `check` would download, ask OCSP or fail.
describe('revocation answered from memory', () => {
  it('is undefined until a CRL is cached, then equals check for good and revoked certificates', async () => {
    const t0 = new Date(Math.floor(Date.now() / 1000) * 1000);
    for (const revoked of [false, true]) {
      const url = publish(`warm-${String(revoked)}.crl`, { thisUpdate: t0, nextUpdate: new Date(t0.getTime() + HOUR), revoked });
      const checker = new RevocationChecker({ mode: 'crl', crlUrls: [url] });
      expect(warmRevocationStatus(checker, cert, issuer, t0)).toBeUndefined();
      const checked = await checker.check(cert, issuer, t0);
      expect(checked.kind).toBe(revoked ? 'revoked' : 'good');
      const warm = warmRevocationStatus(checker, cert, issuer, t0);
      expect(warm).toEqual(checked);
      expect(checker.crls.downloads).toBe(1);
    }
  });

  it('is undefined past the CRL nextUpdate and before its thisUpdate beyond the skew', async () => {
    const t0 = new Date(Math.floor(Date.now() / 1000) * 1000);
    const url = publish('warm-window.crl', { thisUpdate: t0, nextUpdate: new Date(t0.getTime() + HOUR) });
    const checker = new RevocationChecker({ mode: 'crl', crlUrls: [url] });
    await checker.check(cert, issuer, t0);
    expect(warmRevocationStatus(checker, cert, issuer, new Date(t0.getTime() + HOUR))?.kind).toBe('good');
    expect(warmRevocationStatus(checker, cert, issuer, new Date(t0.getTime() + HOUR + 1))).toBeUndefined();
    expect(warmRevocationStatus(checker, cert, issuer, new Date(t0.getTime() - 5 * 60_000 - 1))).toBeUndefined();
    // Another issuer's cache entry is not this one's.
    expect(warmRevocationStatus(checker, cert, cert, t0)).toBeUndefined();
  });

  it('answers for OCSP-first modes only from a cached OCSP good, never from the second source', async () => {
    const now = new Date();
    server.setStatus(cert.serialHex, { kind: 'good' });
    server.ocsp.nextUpdate = new Date(now.getTime() + HOUR);
    try {
      const url = publish('warm-second.crl', { thisUpdate: new Date(Math.floor(now.getTime() / 1000) * 1000 - 1000), nextUpdate: new Date(now.getTime() + HOUR) });
      const both = new RevocationChecker({ mode: 'ocsp-then-crl', crlUrls: [url] });
      // A warm CRL (the second source) does not answer while OCSP (the first) is cold.
      await both.crls.get(url, issuer, now);
      expect(warmRevocationStatus(both, cert, issuer, now)).toBeUndefined();
      const checked = await both.check(cert, issuer, now);
      expect(checked).toMatchObject({ kind: 'good', source: 'ocsp' });
      expect(warmRevocationStatus(both, cert, issuer, now)).toEqual(checked);
      expect(warmRevocationStatus(both, cert, issuer, new Date(now.getTime() + HOUR + 1))).toBeUndefined();
      // No cache, no warm answer.
      const uncached = new RevocationChecker({ mode: 'ocsp', ocspCacheSize: 0 });
      await uncached.check(cert, issuer, now);
      expect(warmRevocationStatus(uncached, cert, issuer, now)).toBeUndefined();
    } finally {
      server.ocsp.nextUpdate = undefined;
    }
  });
});
