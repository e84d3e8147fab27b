import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RevocationChecker, TrustedCertificate, type RevocationFetch } from '../../../src/cert/index.js';
import type { TestPki } from '../../../src/testing/pki/index.js';
import { buildOcspResponse, type LocalRevocationServer, type TestOcspStatus } from '../../../src/testing/revocation/index.js';
import { revocationFailure as failure, startRevocationRig, sha1CertId } from './helpers/fixtures.js';

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

beforeEach(() => {
  server.ocsp.signWith = undefined;
  server.setStatus(cert.serialHex, { kind: 'good' });
});


/** An OCSP-only checker whose responder answers with one SingleResponse per status, all for `cert`. */
function answering(statuses: readonly TestOcspStatus[]): RevocationChecker {
  const fetch: RevocationFetch = () =>
    Promise.resolve({
      status: 200,
      body: buildOcspResponse({
        signer: pki.issuer('moica'),
        issuerCertificate: pki.issuer('moica').certificate,
        responses: statuses.map((status) => ({ certIdDer: sha1CertId(cert, issuer), status })),
      }),
    });
  return new RevocationChecker({ mode: 'ocsp', fetch, ocspNonce: false });
}

describe('a response with several answers for the certificate', () => {
  const revoked = (iso: string): TestOcspStatus => ({ kind: 'revoked', revokedAt: new Date(iso), reason: 'keyCompromise' });

  it('is revoked when any answer says revoked, whatever the order', async () => {
    for (const statuses of [[{ kind: 'good' }, revoked('2026-01-01T00:00:00Z')], [revoked('2026-01-01T00:00:00Z'), { kind: 'good' }]] as const) {
      expect(await answering(statuses).check(cert, issuer)).toMatchObject({ kind: 'revoked', revokedAt: new Date('2026-01-01T00:00:00Z') });
    }
  });

  it('takes the earliest revocation time among revoked answers', async () => {
    const status = await answering([revoked('2026-02-01T00:00:00Z'), revoked('2026-01-01T00:00:00Z')]).check(cert, issuer);
    expect(status).toMatchObject({ kind: 'revoked', revokedAt: new Date('2026-01-01T00:00:00Z') });
  });

  it('is unknown, not good, when one answer is unknown', async () => {
    expect((await answering([{ kind: 'good' }, { kind: 'unknown' }]).check(cert, issuer)).kind).toBe('unknown');
  });

  it('is good only when every answer is good, and is then cached once', async () => {
    const checker = answering([{ kind: 'good' }, { kind: 'good' }]);
    expect((await checker.check(cert, issuer)).kind).toBe('good');
    expect((await checker.check(cert, issuer)).kind).toBe('good');
    expect(checker.ocsp.requests).toBe(1);
  });
});

describe('delegated responder certificates', () => {
  const responder = (options: { keyUsage?: readonly ('digitalSignature' | 'keyCertSign' | 'cRLSign')[]; critical?: boolean }) =>
    pki.issueCertificate({
      issuer: pki.issuer('moica'),
      subject: 'C=TW, O=行政院, CN=MOICA OCSP',
      ...(options.keyUsage === undefined ? {} : { keyUsage: options.keyUsage }),
      extendedKeyUsage: ['1.3.6.1.5.5.7.3.9'],
      ocspNoCheck: true,
      ...(options.critical === true ? { extraExtensions: [{ oid: '1.2.3.4', critical: true, value: Uint8Array.of(0x05, 0x00) }] } : {}),
    });
  const ocspOnly = (): RevocationChecker => new RevocationChecker({ mode: 'ocsp' });

  it('refuses one with an unrecognised critical extension', async () => {
    server.ocsp.signWith = await responder({ keyUsage: ['digitalSignature'], critical: true });
    const err = await failure(ocspOnly().check(cert, issuer));
    expect(err.code).toBe('OCSP_UNAUTHORIZED_RESPONDER');
    expect(err.message).toContain('1.2.3.4');
  });

  it('refuses one whose keyUsage lacks digitalSignature', async () => {
    server.ocsp.signWith = await responder({ keyUsage: ['keyCertSign', 'cRLSign'] });
    const err = await failure(ocspOnly().check(cert, issuer));
    expect(err.code).toBe('OCSP_UNAUTHORIZED_RESPONDER');
    expect(err.message).toContain('digitalSignature');
  });

  it('accepts one with digitalSignature, or with no keyUsage at all (RFC 5280: any use)', async () => {
    server.ocsp.signWith = await responder({ keyUsage: ['digitalSignature'] });
    expect((await ocspOnly().check(cert, issuer)).kind).toBe('good');
    server.ocsp.signWith = await responder({});
    expect((await ocspOnly().check(cert, issuer)).kind).toBe('good');
  });
});
