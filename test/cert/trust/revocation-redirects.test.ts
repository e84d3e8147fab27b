/**
 * Redirects of revocation downloads. The URL comes from a certificate and the
 * answer usually over plain HTTP, so anyone on the path can answer with a
 * redirect: each hop is checked (scheme, inward targets, an OCSP POST turned
 * into a GET, how many), and what is refused is a typed FETCH_FAILED saying why.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RevocationChecker, TrustedCertificate, httpRevocationFetch } from '../../../src/cert/index.js';
import { ADDRCONFIG, type LookupOptions } from 'node:dns';
import { hopLookup, isInward, nextHop } from '../../../src/cert/trust/revocation/redirect-policy.js';
import type { HostResolver } from '../../../src/cert/trust/revocation/http-exchange.js';
import { revocationFetchResolvingWith } from '../../../src/cert/trust/revocation/revocation-fetch.js';
import { createTestPki, type TestPki } from '../../../src/testing/pki/index.js';
import { LocalRevocationServer, buildCrl } from '../../../src/testing/revocation/index.js';
import { revocationFailure as failure } from './helpers/fixtures.js';
import { startCaServer, type CaServer } from './helpers/ca-server.js';

describe('where a redirect may go (nextHop)', () => {
  const ca = new URL('http://moica.nat.gov.tw/repository/MOICA/CRL/complete.crl');

  it('refuses a public CA URL redirected inward: loopback, private, link-local, unique-local, mapped, localhost', () => {
    for (const inward of [
      'http://127.0.0.1/x',
      'http://127.1.2.3:8080/x',
      'http://2130706433/x', // 127.0.0.1 written as a number: the URL parser reads it as such
      'http://10.0.0.5/x',
      'http://172.20.1.1/x',
      'http://192.168.1.1/x',
      'http://169.254.169.254/latest/meta-data/',
      'http://100.64.0.1/x',
      'http://0.0.0.0/x',
      'http://[::1]/x',
      'http://[::]/x',
      'http://[fd12:3456::1]/x',
      'http://[fe80::1]/x',
      'http://[::ffff:127.0.0.1]/x',
      'http://localhost:8080/x',
      'http://admin.localhost/x',
      'https://LOCALHOST/x',
      'http://localhost./x',
      'http://admin.localhost./x',
      'http://198.18.0.1/x',
      'http://239.255.255.250/x',
      'http://255.255.255.255/x',
      'http://[fec0::1]/x',
      'http://[ff02::1]/x',
      // IPv4 inward addresses carried by NAT64 and 6to4 addresses.
      'http://[64:ff9b::a9fe:a9fe]/x',
      'http://[64:ff9b::127.0.0.1]/x',
      'http://[2002:c0a8:101::1]/x',
    ]) {
      expect(() => nextHop(ca, ca, 302, inward, 'GET'), inward).toThrow(/inward/);
    }
  });

  it('follows a public URL to another public host, and an inward start (a test responder, a mirror) inward', () => {
    expect(nextHop(ca, ca, 301, 'https://cdn.example.gov.tw/moica.crl', 'GET').href).toBe('https://cdn.example.gov.tw/moica.crl');
    expect(nextHop(ca, ca, 302, '/repository/MOICA/CRL/2.crl', 'GET').href).toBe('http://moica.nat.gov.tw/repository/MOICA/CRL/2.crl');
    expect(nextHop(ca, ca, 302, 'http://8.8.8.8/x', 'GET').host).toBe('8.8.8.8');
    expect(nextHop(ca, ca, 302, 'http://[2001:db8::1]/x', 'GET').host).toBe('[2001:db8::1]');
    expect(nextHop(ca, ca, 302, 'http://[64:ff9b::808:808]/x', 'GET').host).toBe('[64:ff9b::808:808]');
    const local = new URL('http://127.0.0.1:9000/crl');
    expect(nextHop(local, local, 302, 'http://10.1.1.1/crl', 'GET').host).toBe('10.1.1.1');
    // The start decides, not the hop before: a public start that went through a public hop is still public.
    const hop = new URL('http://cdn.example.gov.tw/x');
    expect(() => nextHop(ca, hop, 302, 'http://127.0.0.1/x', 'GET')).toThrow(/inward/);
  });

  it('refuses another scheme, a missing or unreadable Location, and an OCSP POST turned into a GET', () => {
    expect(() => nextHop(ca, ca, 301, 'file:///etc/passwd', 'GET')).toThrow(/non-HTTP/);
    expect(() => nextHop(ca, ca, 301, 'ldap://ldap.example.gov.tw/cn=CRL', 'GET')).toThrow(/non-HTTP/);
    expect(() => nextHop(ca, ca, 302, null, 'GET')).toThrow(/without a Location/);
    expect(() => nextHop(ca, ca, 302, 'http://[::1', 'GET')).toThrow(/unreadable/);
    for (const status of [301, 302, 303]) expect(() => nextHop(ca, ca, status, '/ocsp2', 'POST')).toThrow(/POST into a GET/);
    for (const status of [307, 308]) expect(nextHop(ca, ca, status, '/ocsp2', 'POST').pathname).toBe('/ocsp2');
  });

  it('isInward reads only address literals and localhost names', () => {
    expect(isInward(new URL('http://moica.nat.gov.tw/'))).toBe(false);
    expect(isInward(new URL('http://172.15.255.255/'))).toBe(false);
    expect(isInward(new URL('http://172.32.0.1/'))).toBe(false);
    expect(isInward(new URL('http://172.31.255.255/'))).toBe(true);
  });
});

describe('a redirect to a host name that resolves inward (hopLookup)', () => {
  const ca = new URL('http://moica.nat.gov.tw/repository/MOICA/CRL/complete.crl');
  const names: Record<string, readonly string[]> = {
    '127.0.0.1.nip.io': ['127.0.0.1'],
    'metadata.example.net': ['169.254.169.254'],
    'mixed.example.net': ['203.0.113.5', '10.0.0.7'],
    'ip6-localhost': ['::1'],
    'cdn.example.gov.tw': ['203.0.113.80', '2001:db8::80'],
    // 169.254.169.254 through a NAT64 translator; 127.0.0.1 as a 6to4 address.
    'nat64.example.net': ['64:ff9b::a9fe:a9fe'],
    '6to4.example.net': ['2002:7f00:1::1'],
    'public-nat64.example.net': ['64:ff9b::808:808'],
  };
  const hintsAsked: Array<number | undefined> = [];
  const resolver: HostResolver = (host, hints) => {
    hintsAsked.push(hints);
    const found = names[host];
    if (found === undefined) return Promise.reject(Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' }));
    return Promise.resolve(found.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })));
  };

  /** What the connection's resolver answers for `host`: the addresses, or the error it fails with. */
  function resolveFor(start: URL, host: string, options: LookupOptions = { all: true }): Promise<unknown> {
    const lookup = hopLookup(isInward(start), resolver);
    return new Promise((resolve) => {
      lookup(host, options, (err: NodeJS.ErrnoException | null, address: unknown, family?: number) => {
        resolve(err ?? (family === undefined ? address : { address, family }));
      });
    });
  }

  it('refuses a name any of whose addresses is inward, naming the address', async () => {
    for (const [host, inward] of [
      ['nat64.example.net', '64:ff9b::a9fe:a9fe'],
      ['6to4.example.net', '2002:7f00:1::1'],
      ['127.0.0.1.nip.io', '127.0.0.1'],
      ['metadata.example.net', '169.254.169.254'],
      ['mixed.example.net', '10.0.0.7'],
      ['ip6-localhost', '::1'],
    ] as const) {
      const answer = await resolveFor(ca, host);
      expect(answer, host).toBeInstanceOf(Error);
      expect((answer as Error).message, host).toBe(`${host} resolves inward to ${inward}, refused`);
    }
  });

  it('gives a public name its addresses (all, or the first of the family asked), passes a failure on, and checks nothing after an inward start', async () => {
    expect(await resolveFor(ca, 'cdn.example.gov.tw')).toEqual([
      { address: '203.0.113.80', family: 4 },
      { address: '2001:db8::80', family: 6 },
    ]);
    expect(await resolveFor(ca, 'cdn.example.gov.tw', { family: 6 })).toEqual({ address: '2001:db8::80', family: 6 });
    expect(await resolveFor(ca, 'cdn.example.gov.tw', {})).toEqual({ address: '203.0.113.80', family: 4 });
    expect(await resolveFor(ca, 'gone.example.net')).toMatchObject({ code: 'ENOTFOUND' });
    // The hints the connection asks with (ADDRCONFIG: no IPv6 answers on a host without IPv6) reach the resolver.
    hintsAsked.length = 0;
    await resolveFor(ca, 'cdn.example.gov.tw', { all: true, hints: ADDRCONFIG });
    expect(hintsAsked).toEqual([ADDRCONFIG]);
    // NAT64 as such is how an IPv6-only host reaches public IPv4 addresses: allowed when the address it carries is.
    expect(await resolveFor(ca, 'public-nat64.example.net')).toEqual([{ address: '64:ff9b::808:808', family: 6 }]);
    expect(await resolveFor(new URL('http://127.0.0.1:9000/crl'), '127.0.0.1.nip.io')).toEqual([{ address: '127.0.0.1', family: 4 }]);
  });
});

describe('the address checked is the address connected to (DNS rebinding)', () => {
  let ca: CaServer;
  let port = '';

  beforeAll(async () => {
    ca = await startCaServer();
    port = new URL(ca.base).port;
  });

  afterAll(() => ca.close());

  beforeEach(() => ca.reset());

  /**
   * A resolver for names the test makes up: `ca.example.test` is the CA server (its URL is public as text, so
   * its redirects are checked); `answers` gives each other name's answers in the order they are asked.
   */
  function resolverWith(answers: Record<string, string[][]>): { resolve: HostResolver; asked: string[] } {
    const asked: string[] = [];
    const resolve: HostResolver = (host) => {
      asked.push(host);
      const next = host === 'ca.example.test' ? ['127.0.0.1'] : answers[host]?.shift();
      if (next === undefined) return Promise.reject(Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' }));
      return Promise.resolve(next.map((address) => ({ address, family: 4 })));
    };
    return { resolve, asked };
  }

  it('refuses a redirect whose name resolves inward when its connection is made, and never reaches it', async () => {
    ca.routes.set('/crl', (_req, res) => res.writeHead(302, { location: `http://inward.example.test:${port}/inside` }).end());
    const { resolve } = resolverWith({ 'inward.example.test': [['127.0.0.1']] });
    const error = await failure(revocationFetchResolvingWith({ timeoutMs: 5_000 }, resolve)(`http://ca.example.test:${port}/crl`, { method: 'GET', headers: {}, kind: 'crl' }));
    expect(error.code).toBe('FETCH_FAILED');
    expect(error.message).toMatch(/inward\.example\.test resolves inward to 127\.0\.0\.1, refused/);
    expect(ca.hits.get('/crl')).toBe(1);
    expect(ca.hits.get('/inside')).toBeUndefined();
  });

  it('asks once per connection: a name that answers public first and inward after never leads inward', async () => {
    // A check made before the request, with the connection resolving again, would have passed 203.0.113.9 and
    // then connected to 127.0.0.1. The connection uses the one answer checked.
    ca.routes.set('/crl', (_req, res) => res.writeHead(302, { location: `http://rebind.example.test:${port}/inside` }).end());
    const { resolve, asked } = resolverWith({ 'rebind.example.test': [['203.0.113.9'], ['127.0.0.1'], ['127.0.0.1']] });
    const error = await failure(revocationFetchResolvingWith({ timeoutMs: 1_500 }, resolve)(`http://ca.example.test:${port}/crl`, { method: 'GET', headers: {}, kind: 'crl' }));
    expect(error.code).toBe('FETCH_FAILED');
    expect(ca.hits.get('/inside')).toBeUndefined();
    expect(asked.filter((h) => h === 'rebind.example.test')).toEqual(['rebind.example.test']);
  });

  it("gives a resolver that never answers up when the fetch's time is up", async () => {
    ca.routes.set('/crl', (_req, res) => res.writeHead(302, { location: `http://slow.example.test:${port}/inside` }).end());
    const never: HostResolver = (host) => (host === 'ca.example.test' ? Promise.resolve([{ address: '127.0.0.1', family: 4 }]) : new Promise(() => undefined));
    const started = Date.now();
    const error = await failure(revocationFetchResolvingWith({ timeoutMs: 300 }, never)(`http://ca.example.test:${port}/crl`, { method: 'GET', headers: {}, kind: 'crl' }));
    expect(error.code).toBe('FETCH_FAILED');
    expect(error.message).toMatch(/timeout/);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

describe('httpRevocationFetch follows redirects through nextHop', () => {
  let ca: CaServer;
  let responder: LocalRevocationServer;
  let pki: TestPki;
  let cert: TrustedCertificate;
  let issuer: TrustedCertificate;

  beforeAll(async () => {
    [ca, responder] = await Promise.all([startCaServer(), LocalRevocationServer.start()]);
    pki = await createTestPki({ authorities: ['moica'], crlBaseUrl: `${ca.base}/crl`, ocspUrl: `${ca.base}/ocsp` });
    responder.addAuthority(pki.issuer('moica'));
    cert = TrustedCertificate.from((await pki.issueCardHolder({ authority: 'moica' })).sign.certificate);
    issuer = TrustedCertificate.from(pki.issuer('moica').certificate);
  });

  afterAll(async () => {
    await Promise.all([ca.close(), responder.close()]);
  });

  beforeEach(() => ca.reset());

  it('an OCSP POST moved with 307 reaches the new responder with its body; with 302 it is refused, typed', async () => {
    ca.routes.set('/ocsp', (_req, res) => res.writeHead(307, { location: responder.ocspUrl }).end());
    const before = responder.hits.ocsp;
    expect(await new RevocationChecker({ mode: 'ocsp' }).check(cert, issuer)).toMatchObject({ kind: 'good', source: 'ocsp' });
    expect(responder.hits.ocsp).toBe(before + 1);

    ca.routes.set('/ocsp', (_req, res) => res.writeHead(302, { location: responder.ocspUrl }).end());
    const error = await failure(new RevocationChecker({ mode: 'ocsp' }).check(cert, issuer));
    expect(error.code).toBe('FETCH_FAILED');
    expect(error.message).toMatch(/redirect 302 would turn the OCSP POST into a GET/);
    expect(responder.hits.ocsp).toBe(before + 1);
  });

  it('follows five redirects of a CRL, and refuses a sixth naming the limit', async () => {
    const der = buildCrl({ issuer: pki.issuer('moica'), entries: [{ serialHex: cert.serialHex, revokedAt: new Date(Date.now() - 60_000) }] });
    const chain = (hops: number): void => {
      for (let i = 0; i < hops; i++) {
        const from = i === 0 ? '/crl/moica.crl' : `/moved/${i}`;
        ca.routes.set(from, (_req, res) => res.writeHead(i % 2 === 0 ? 301 : 302, { location: `/moved/${i + 1}` }).end());
      }
      ca.routes.set(`/moved/${hops}`, (_req, res) => res.writeHead(200, { 'content-length': der.length }).end(der));
    };
    chain(5);
    expect(await new RevocationChecker({ mode: 'crl' }).check(cert, issuer)).toMatchObject({ kind: 'revoked', source: 'crl' });
    ca.reset();
    chain(6);
    const error = await failure(httpRevocationFetch()(`${ca.base}/crl/moica.crl`, { method: 'GET', headers: {}, kind: 'crl' }));
    expect(error.code).toBe('FETCH_FAILED');
    expect(error.message).toMatch(/more than 5 redirects/);
    expect(ca.hits.get('/moved/6')).toBeUndefined();
  });
});
