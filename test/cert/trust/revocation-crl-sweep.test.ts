import { beforeAll, describe, expect, it } from 'vitest';
import { AlgorithmPolicy, RevocationError, TrustedCertificate, type RevocationFetch } from '../../../src/cert/index.js';
import { CrlCache } from '../../../src/cert/advanced.js';
import { createTestPki, type TestPki } from '../../../src/testing/pki/index.js';
import { buildCrl } from '../../../src/testing/revocation/index.js';

const HOUR = 3_600_000;
const T0 = new Date('2026-12-01T00:00:00Z').getTime();

let pki: TestPki;
let issuer: TrustedCertificate;

beforeAll(async () => {
  pki = await createTestPki({ authorities: ['moica'] });
  issuer = TrustedCertificate.from(pki.issuer('moica').certificate);
}, 60_000);

/** A CRL server in memory: each URL serves the CRL last published there, or fails when none is. */
function crlServer(): { fetch: RevocationFetch; publish(url: string, from: number, hours: number): void; fetched: string[] } {
  const published = new Map<string, Uint8Array>();
  const fetched: string[] = [];
  return {
    fetched,
    publish(url, from, hours) {
      published.set(url, buildCrl({ issuer: pki.issuer('moica'), entries: [], thisUpdate: new Date(from), nextUpdate: new Date(from + hours * HOUR) }));
    },
    fetch: (url) => {
      fetched.push(url);
      const body = published.get(url);
      if (body === undefined) return Promise.reject(new RevocationError('FETCH_FAILED', `no CRL at ${url}`, { url }));
      return Promise.resolve({ status: 200, body });
    },
  };
}

describe('CRL cache memory', () => {
  it('drops a CRL past its nextUpdate when the next download comes in, and keeps the current ones', async () => {
    const server = crlServer();
    const cache = new CrlCache({ fetch: server.fetch, algorithms: AlgorithmPolicy.modern() });
    // A partition, the complete CRL (fetched once, as when a partition was down) and another partition.
    server.publish('http://crl.test/MOICA-10-1.crl', T0, 6);
    server.publish('http://crl.test/MOICA-complete.crl', T0, 1);
    server.publish('http://crl.test/MOICA-10-2.crl', T0 + 2 * HOUR, 6);
    await cache.get('http://crl.test/MOICA-10-1.crl', issuer, new Date(T0));
    await cache.get('http://crl.test/MOICA-complete.crl', issuer, new Date(T0));
    expect(cache.size).toBe(2);
    // Two hours on, the complete CRL is past its nextUpdate and nobody asks for it again.
    await cache.get('http://crl.test/MOICA-10-2.crl', issuer, new Date(T0 + 2 * HOUR));
    expect(cache.size).toBe(2);
    // The current partition is still answered from memory, without a download.
    const before = server.fetched.length;
    await cache.get('http://crl.test/MOICA-10-1.crl', issuer, new Date(T0 + 2 * HOUR));
    expect(server.fetched.length).toBe(before);
    // Asked again, the complete CRL is downloaded (and, still past its nextUpdate, refused).
    await expect(cache.get('http://crl.test/MOICA-complete.crl', issuer, new Date(T0 + 2 * HOUR))).rejects.toMatchObject({ code: 'CRL_STALE' });
    expect(server.fetched.slice(before)).toEqual(['http://crl.test/MOICA-complete.crl']);
  });

  it('holds no more CRLs than are current, however many were fetched over time', async () => {
    const server = crlServer();
    const cache = new CrlCache({ fetch: server.fetch, algorithms: AlgorithmPolicy.modern(), refreshRetryMs: 0 });
    // A day of one-hour CRLs at a new URL each hour (a CA renaming its partitions): one current at a time.
    for (let h = 0; h < 24; h++) {
      const url = `http://crl.test/hour-${h}.crl`;
      server.publish(url, T0 + h * HOUR, 1);
      await cache.get(url, issuer, new Date(T0 + h * HOUR + 1000));
    }
    expect(server.fetched).toHaveLength(24);
    expect(cache.size).toBeLessThanOrEqual(2);
  });

  it('a failed download is remembered for the retry delay, and no longer', async () => {
    const server = crlServer();
    const cache = new CrlCache({ fetch: server.fetch, algorithms: AlgorithmPolicy.modern(), refreshRetryMs: 60_000 });
    await expect(cache.get('http://crl.test/down.crl', issuer, new Date(T0))).rejects.toMatchObject({ code: 'FETCH_FAILED' });
    await expect(cache.get('http://crl.test/down.crl', issuer, new Date(T0 + 30_000))).rejects.toMatchObject({ code: 'FETCH_FAILED' });
    expect(server.fetched).toEqual(['http://crl.test/down.crl']);
    server.publish('http://crl.test/up.crl', T0, 6);
    await cache.get('http://crl.test/up.crl', issuer, new Date(T0 + 90_000));
    server.publish('http://crl.test/down.crl', T0, 6);
    await cache.get('http://crl.test/down.crl', issuer, new Date(T0 + 90_000));
    expect(server.fetched).toEqual(['http://crl.test/down.crl', 'http://crl.test/up.crl', 'http://crl.test/down.crl']);
    expect(cache.size).toBe(2);
  });

  it('a check at an earlier time does not sweep what checks at the present still use', async () => {
    const server = crlServer();
    const cache = new CrlCache({ fetch: server.fetch, algorithms: AlgorithmPolicy.modern(), refreshRetryMs: 60_000 });
    // A login now: the CA's server is down, remembered for a minute.
    await expect(cache.get('http://crl.test/down.crl', issuer, new Date(T0))).rejects.toMatchObject({ code: 'FETCH_FAILED' });
    // A document received yesterday, checked at its time: another partition is downloaded.
    server.publish('http://crl.test/other.crl', T0 - 25 * HOUR, 26);
    await cache.get('http://crl.test/other.crl', issuer, new Date(T0 - 24 * HOUR));
    // The next login, within the retry delay: answered from the memory, no download.
    await expect(cache.get('http://crl.test/down.crl', issuer, new Date(T0 + 2000))).rejects.toMatchObject({ code: 'FETCH_FAILED' });
    expect(server.fetched.filter((u) => u === 'http://crl.test/down.crl')).toHaveLength(1);
  });

  it('one check at a later time (a clock that ran ahead) does not keep sweeping the present away', async () => {
    const server = crlServer();
    const cache = new CrlCache({ fetch: server.fetch, algorithms: AlgorithmPolicy.modern(), refreshRetryMs: 60_000 });
    server.publish('http://crl.test/ahead.crl', T0 + 47 * HOUR, 6);
    await cache.get('http://crl.test/ahead.crl', issuer, new Date(T0 + 48 * HOUR));
    // Back at the present: a current CRL kept, a server that is down remembered, another partition downloaded.
    server.publish('http://crl.test/MOICA-1.crl', T0, 6);
    await cache.get('http://crl.test/MOICA-1.crl', issuer, new Date(T0));
    await expect(cache.get('http://crl.test/down.crl', issuer, new Date(T0 + 1000))).rejects.toMatchObject({ code: 'FETCH_FAILED' });
    server.publish('http://crl.test/MOICA-2.crl', T0, 6);
    await cache.get('http://crl.test/MOICA-2.crl', issuer, new Date(T0 + 2000));
    // The next logins: answered from memory, no download.
    const before = server.fetched.length;
    await cache.get('http://crl.test/MOICA-1.crl', issuer, new Date(T0 + 3000));
    await expect(cache.get('http://crl.test/down.crl', issuer, new Date(T0 + 3000))).rejects.toMatchObject({ code: 'FETCH_FAILED' });
    expect(server.fetched.slice(before)).toEqual([]);
  });
});
