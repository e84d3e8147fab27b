import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RevocationChecker, TrustedCertificate } from '../../../src/cert/index.js';
import { warmRevocationStatus } from '../../../src/cert/trust/revocation/revocation-checker.js';
import type { TestPki } from '../../../src/testing/pki/index.js';
import { sequence, tlv } from '../../../src/testing/der/der-writer.js';
import { buildCrl, type LocalRevocationServer } from '../../../src/testing/revocation/index.js';
import { revocationFailure as failure, startRevocationRig } from './helpers/fixtures.js';

// MOICA certificates list a partition (MOICA-10-<n>.crl) and then the complete
// CRL (MOICA-complete.crl). A partition that is down or answers wrongly must
// not block logins while the complete CRL answers; every URL failing still fails closed.

let server: LocalRevocationServer;
let pki: TestPki;
let issuer: TrustedCertificate;
/** A MOICA certificate listing the partition, then the complete CRL. */
let cert: TrustedCertificate;
let partition: string;
let complete: string;
let run = 0;

beforeAll(async () => {
  ({ server, pki, issuer } = await startRevocationRig({ ocspResponder: false }));
});

afterAll(async () => {
  await server.close();
});

// Fresh URLs per test: the server keeps what earlier tests published.
beforeEach(async () => {
  run++;
  partition = `${server.crlBaseUrl}/MOICA-10-${run}.crl`;
  complete = `${server.crlBaseUrl}/MOICA-complete-${run}.crl`;
  const uri = (url: string): Uint8Array => tlv(0x86, new Uint8Array(Buffer.from(url, 'latin1')));
  const point = (url: string): Uint8Array => sequence(tlv(0xa0, tlv(0xa0, uri(url))));
  const issued = await pki.issueCertificate({
    issuer: pki.issuer('moica'),
    subject: 'C=TW, CN=分區',
    keyUsage: ['digitalSignature'],
    crlUrl: null,
    extraExtensions: [{ oid: '2.5.29.31', critical: false, value: sequence(point(partition), point(complete)) }],
  });
  cert = TrustedCertificate.from(issued.certificate);
});

const revokedAt = new Date('2026-01-01T00:00:00Z');
const name = (url: string): string => url.slice(server.crlBaseUrl.length + 1);

describe('CRL URLs tried in order', () => {
  it('reads the partition and the complete CRL URL from the certificate', () => {
    expect(cert.crlUrls).toEqual([partition, complete]);
  });

  it('answers from the complete CRL when the partition is missing (404)', async () => {
    server.publishCrl(name(complete), buildCrl({ issuer: pki.issuer('moica'), entries: [{ serialHex: cert.serialHex, revokedAt }] }));
    const status = await new RevocationChecker({ mode: 'crl' }).check(cert, issuer);
    expect(status).toMatchObject({ kind: 'revoked', source: 'crl', url: complete });
  });

  it('answers from the complete CRL when the partition serves another partition\'s CRL', async () => {
    server.publishCrl(name(partition), buildCrl({
      issuer: pki.issuer('moica'),
      entries: [],
      issuingDistributionPoint: { uris: [`${server.crlBaseUrl}/MOICA-10-999.crl`] },
    }));
    server.publishCrl(name(complete), buildCrl({ issuer: pki.issuer('moica'), entries: [{ serialHex: cert.serialHex, revokedAt }] }));
    expect(await new RevocationChecker({ mode: 'crl' }).check(cert, issuer)).toMatchObject({ kind: 'revoked', url: complete });
  });

  it('uses the partition when it answers, without downloading the complete CRL', async () => {
    server.publishCrl(name(partition), buildCrl({ issuer: pki.issuer('moica'), entries: [] }));
    server.publishCrl(name(complete), buildCrl({ issuer: pki.issuer('moica'), entries: [{ serialHex: cert.serialHex, revokedAt }] }));
    const checker = new RevocationChecker({ mode: 'crl' });
    expect(await checker.check(cert, issuer)).toMatchObject({ kind: 'good', url: partition });
    expect(checker.crls.downloads).toBe(1);
  });

  it('fails closed with the first URL\'s error, the others kept as its cause, when every URL fails', async () => {
    server.publishCrl(name(complete), buildCrl({ issuer: pki.issuer('moica'), entries: [], corruptSignature: true }));
    const err = await failure(new RevocationChecker({ mode: 'crl' }).check(cert, issuer));
    expect(err.code).toBe('FETCH_FAILED');
    expect(err.url).toBe(partition);
    expect(err.cause).toEqual([expect.objectContaining({ code: 'FETCH_FAILED', url: partition }), expect.objectContaining({ code: 'CRL_BAD_SIGNATURE', url: complete })]);
  });

  it('shares one download per URL between concurrent checks, then answers from the cached complete CRL', async () => {
    server.publishCrl(name(complete), buildCrl({ issuer: pki.issuer('moica'), entries: [], nextUpdate: new Date(Date.now() + 3_600_000) }));
    const checker = new RevocationChecker({ mode: 'crl' });
    const before = server.hits.crl;
    const statuses = await Promise.all(Array.from({ length: 8 }, () => checker.check(cert, issuer)));
    expect(statuses.map((s) => s.kind)).toEqual(Array(8).fill('good'));
    // One request for the partition (404), one for the complete CRL.
    expect(server.hits.crl - before).toBe(2);
    // While the partition stays down, logins are answered from memory: no new request to it.
    expect(warmRevocationStatus(checker, cert, issuer, new Date())).toMatchObject({ kind: 'good', url: complete });
    for (let i = 0; i < 5; i++) expect((await checker.check(cert, issuer)).url).toBe(complete);
    expect(server.hits.crl - before).toBe(2);
  });

  it('accepts the complete CRL served at the partition URL (its distribution point is one of the certificate\'s), over http or https', async () => {
    const https = complete.replace(/^http:/, 'https:');
    server.publishCrl(name(partition), buildCrl({ issuer: pki.issuer('moica'), entries: [{ serialHex: cert.serialHex, revokedAt }], issuingDistributionPoint: { uris: [https] } }));
    expect(await new RevocationChecker({ mode: 'crl' }).check(cert, issuer)).toMatchObject({ kind: 'revoked', url: partition });
  });

  it('forgets a CRL of another partition planted at the partition URL: once the real one is served again, it is used', async () => {
    const checker = new RevocationChecker({ mode: 'crl' });
    const planted = buildCrl({ issuer: pki.issuer('moica'), entries: [], issuingDistributionPoint: { uris: [`${server.crlBaseUrl}/MOICA-10-999.crl`] } });
    server.publishCrl(name(partition), planted);
    expect((await failure(checker.check(cert, issuer))).code).toBe('CRL_WRONG_SCOPE');
    server.publishCrl(name(partition), buildCrl({ issuer: pki.issuer('moica'), entries: [{ serialHex: cert.serialHex, revokedAt }], issuingDistributionPoint: { uris: [partition] } }));
    expect(await checker.check(cert, issuer)).toMatchObject({ kind: 'revoked', url: partition });
  });

  it('downloads a CRL URL the certificate lists twice once', async () => {
    const twice = await pki.issueCertificate({
      issuer: pki.issuer('moica'),
      subject: 'C=TW, CN=重複',
      keyUsage: ['digitalSignature'],
      crlUrl: null,
      extraExtensions: [
        {
          oid: '2.5.29.31',
          critical: false,
          value: sequence(...[partition, partition].map((url) => sequence(tlv(0xa0, tlv(0xa0, tlv(0x86, new Uint8Array(Buffer.from(url, 'latin1')))))))),
        },
      ],
    });
    const before = server.hits.crl;
    expect((await failure(new RevocationChecker({ mode: 'crl' }).check(TrustedCertificate.from(twice.certificate), issuer))).code).toBe('FETCH_FAILED');
    expect(server.hits.crl - before).toBe(1);
  });
});

