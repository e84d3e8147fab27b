import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RevocationChecker, TrustedCertificate } from '../../../src/cert/index.js';
import { bitString, objectIdentifier, sequence, smallInteger, tlv, x509Time } from '../../../src/testing/der/der-writer.js';
import { createTestPki, type TestPki } from '../../../src/testing/pki/index.js';
import { buildCrl } from '../../../src/testing/revocation/index.js';
import { revocationFailure as failure } from './helpers/fixtures.js';

// CRLs travel over plain HTTP: anyone on the path can answer a CRL download
// with whatever they like, up to the fetch's size limit (64 MiB). Work done
// on such a body before its signature is checked is work an attacker
// chooses. A body of millions of tiny entries took ~10 s of synchronous
// parsing (every login on the process stalled) and a quarter of a gigabyte
// of index before the signature was found not to verify.

let server: Server;
let base: string;
let pki: TestPki;
let cert: TrustedCertificate;
let issuer: TrustedCertificate;
let body: Uint8Array = new Uint8Array(0);

beforeAll(async () => {
  server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/pkix-crl', 'content-length': body.length }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  pki = await createTestPki({ authorities: ['moica'], crlBaseUrl: `${base}/crl`, ocspUrl: `${base}/ocsp` });
  cert = TrustedCertificate.from((await pki.issueCardHolder({ authority: 'moica' })).sign.certificate);
  issuer = TrustedCertificate.from(pki.issuer('moica').certificate);
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/**
 * A CRL in the MOICA test CA's name with `count` distinct 13-byte entries
 * and a signature of zeros: well-formed DER, not signed by anyone.
 */
function unsignedCrl(count: number): Uint8Array {
  const entries = Buffer.alloc(count * 13);
  for (let i = 0; i < count; i++) {
    const at = i * 13;
    entries.set([0x30, 0x0b, 0x02, 0x04], at);
    entries.writeUInt32BE((0x10000000 | i) >>> 0, at + 4);
    entries.set([0x17, 0x03, 0x32, 0x36, 0x30], at + 8);
  }
  const sha256WithRsa = sequence(objectIdentifier('1.2.840.113549.1.1.11'), tlv(0x05, new Uint8Array(0)));
  const now = new Date();
  const tbs = sequence(
    smallInteger(1),
    sha256WithRsa,
    issuer.subjectDer,
    x509Time(now),
    x509Time(new Date(now.getTime() + 86_400_000)),
    tlv(0x30, new Uint8Array(entries)),
  );
  return sequence(tbs, sha256WithRsa, bitString(new Uint8Array(256)));
}

describe('a CRL body nobody signed', () => {
  it('is refused for its signature before its entries are indexed', async () => {
    body = unsignedCrl(2_500_000);
    expect(body.length).toBeGreaterThan(30 * 1024 * 1024);
    const checker = new RevocationChecker({ mode: 'crl' });
    // The longest the event loop (every other login of the process) was kept waiting.
    let last = Date.now();
    let longestStall = 0;
    const tick = setInterval(() => {
      const now = Date.now();
      longestStall = Math.max(longestStall, now - last);
      last = now;
    }, 10);
    const start = Date.now();
    const err = await failure(checker.check(cert, issuer));
    const ms = Date.now() - start;
    // One more turn of the loop, so a tick overdue from a stall just before the answer is counted.
    await new Promise((resolve) => setTimeout(resolve, 30));
    clearInterval(tick);
    expect(err.code).toBe('CRL_BAD_SIGNATURE');
    // One hash of the body and one RSA verification block for a fraction of a second; indexing
    // 2.5 million entries first blocked for 5 to 9 s.
    expect(longestStall).toBeLessThan(1_500);
    expect(ms).toBeLessThan(5_000);
  });

  it('still reads a genuine CRL, and refuses one that is not DER, typed', async () => {
    body = buildCrl({ issuer: pki.issuer('moica'), entries: [{ serialHex: cert.serialHex, revokedAt: new Date(Date.now() - 60_000) }] });
    expect(await new RevocationChecker({ mode: 'crl' }).check(cert, issuer)).toMatchObject({ kind: 'revoked', source: 'crl' });
    const pem = `-----BEGIN X509 CRL-----\n${Buffer.from(body).toString('base64')}\n-----END X509 CRL-----\n`;
    for (const wrong of [new Uint8Array(Buffer.from(pem)), new Uint8Array(Buffer.from('<html><body>維護中</body></html>')), new Uint8Array(0)]) {
      body = wrong;
      expect((await failure(new RevocationChecker({ mode: 'crl' }).check(cert, issuer))).code).toBe('CRL_MALFORMED');
    }
  });
});
