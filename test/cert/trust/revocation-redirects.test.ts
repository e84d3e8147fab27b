/**
 * Redirects of revocation downloads. The URL comes from a certificate and the
 * answer usually over plain HTTP, so anyone on the path can answer with a
 * redirect: each hop is checked (scheme, inward targets, an OCSP POST turned
 * into a GET, how many), and what is refused is a typed FETCH_FAILED saying why.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RevocationChecker, TrustedCertificate, httpRevocationFetch } from '../../../src/cert/index.js';
import { isInward, nextHop, refuseResolvedInward, type HostLookup } from '../../../src/cert/trust/revocation/redirect-policy.js';
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
    ]) {
      expect(() => nextHop(ca, ca, 302, inward, 'GET'), inward).toThrow(/inward/);
    }
  });

  it('follows a public URL to another public host, and an inward start (a test responder, a mirror) inward', () => {
    expect(nextHop(ca, ca, 301, 'https://cdn.example.gov.tw/moica.crl', 'GET').href).toBe('https://cdn.example.gov.tw/moica.crl');
    expect(nextHop(ca, ca, 302, '/repository/MOICA/CRL/2.crl', 'GET').href).toBe('http://moica.nat.gov.tw/repository/MOICA/CRL/2.crl');
    expect(nextHop(ca, ca, 302, 'http://8.8.8.8/x', 'GET').host).toBe('8.8.8.8');
    expect(nextHop(ca, ca, 302, 'http://[2001:db8::1]/x', 'GET').host).toBe('[2001:db8::1]');
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

describe('a redirect to a host name that resolves inward (refuseResolvedInward)', () => {
  const ca = new URL('http://moica.nat.gov.tw/repository/MOICA/CRL/complete.crl');
  const names: Record<string, readonly string[]> = {
    '127.0.0.1.nip.io': ['127.0.0.1'],
    'metadata.example.net': ['169.254.169.254'],
    'mixed.example.net': ['203.0.113.5', '10.0.0.7'],
    'ip6-localhost': ['::1'],
    'cdn.example.gov.tw': ['203.0.113.80', '2001:db8::80'],
  };
  const asked: string[] = [];
  const lookup: HostLookup = (host) => {
    asked.push(host);
    const found = names[host];
    return found === undefined ? Promise.reject(new Error(`getaddrinfo ENOTFOUND ${host}`)) : Promise.resolve(found);
  };

  it('refuses a name any of whose addresses is inward, naming it', async () => {
    for (const host of ['127.0.0.1.nip.io', 'metadata.example.net', 'mixed.example.net', 'ip6-localhost']) {
      await expect(refuseResolvedInward(ca, new URL(`http://${host}/x`), undefined, lookup), host).rejects.toThrow(/resolves inward to/);
    }
  });

  it('lets a public name, a name that does not resolve and an inward start through, and asks no resolver for literals', async () => {
    asked.length = 0;
    await expect(refuseResolvedInward(ca, new URL('http://cdn.example.gov.tw/x'), undefined, lookup)).resolves.toBeUndefined();
    await expect(refuseResolvedInward(ca, new URL('http://gone.example.net/x'), undefined, lookup)).resolves.toBeUndefined();
    await expect(refuseResolvedInward(new URL('http://127.0.0.1:9000/crl'), new URL('http://127.0.0.1.nip.io/x'), undefined, lookup)).resolves.toBeUndefined();
    await expect(refuseResolvedInward(ca, new URL('http://203.0.113.1/x'), undefined, lookup)).resolves.toBeUndefined();
    expect(asked).toEqual(['cdn.example.gov.tw', 'gone.example.net']);
  });

  it("gives the lookup up when the fetch's time is up, refusing the hop (a resolver can take tens of seconds)", async () => {
    const never: HostLookup = () => new Promise(() => undefined);
    const started = Date.now();
    await expect(refuseResolvedInward(ca, new URL('http://slow.example.net/x'), AbortSignal.timeout(200), never)).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(Date.now() - started).toBeLessThan(5_000);
    const aborted = AbortSignal.abort(new Error('time is up'));
    await expect(refuseResolvedInward(ca, new URL('http://slow.example.net/x'), aborted, never)).rejects.toThrow('time is up');
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
