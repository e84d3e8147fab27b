import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AlgorithmPolicy, RevocationChecker, RevocationError, TrustedCertificate, httpRevocationFetch, type RevocationFetch } from '../../../src/cert/index.js';
import { OcspClient, parseOcspResponse } from '../../../src/cert/advanced.js';
import { encodeTlv, tlvs, type Tlv } from './helpers/tlv-tree.js';
import type { IssuedCertificate, TestPki } from '../../../src/testing/pki/index.js';
import { buildCrl, buildOcspResponse, type LocalRevocationServer, type TestOcspStatus } from '../../../src/testing/revocation/index.js';
import { revocationFailure as failure, startRevocationRig, sha1CertId } from './helpers/fixtures.js';
import { enumerated, generalizedTime, objectIdentifier, octetString, sequence, tlv } from '../../../src/testing/der/der-writer.js';
import { concatBytes } from '../../../src/shared/bytes.js';
import { handAnsweringChecker, handOcspResponse, UNKNOWN_CRITICAL, type HandAnswerFields } from './helpers/revocation-hand-built.js';

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

describe('a delegated responder without id-pkix-ocsp-nocheck', () => {
  // RFC 6960 4.2.2.2.1: a CA that leaves nocheck out has said its responder's certificate is to be checked.
  // Before, it never was: one revoked responder key vouched `good` for every revoked card of the CA.
  const DAY = 86_400_000;
  let unmarked: IssuedCertificate;
  let unmarkedCert: TrustedCertificate;
  beforeAll(async () => {
    unmarked = await pki.issueCertificate({
      issuer: pki.issuer('moica'),
      subject: 'C=TW, O=行政院, CN=MOICA OCSP (no nocheck)',
      keyUsage: ['digitalSignature'],
      extendedKeyUsage: ['1.3.6.1.5.5.7.3.9'],
    });
    unmarkedCert = TrustedCertificate.from(unmarked.certificate);
    expect(unmarkedCert.crlUrls).toEqual([pki.crlUrl('moica')]);
  });
  /** The CA's CRL, at the URL both the card and the delegate name, revoking `serials` (key compromise). */
  const publishCaCrl = (serials: readonly string[]): void => {
    server.publishCrl(
      pki.crlUrl('moica'),
      buildCrl({ issuer: pki.issuer('moica'), entries: serials.map((serialHex) => ({ serialHex, revokedAt: new Date(Date.now() - DAY), reason: 'keyCompromise' })) }),
    );
  };

  it('is refused once its CA\'s CRL revokes it: the CRL answers next (ocsp-then-crl), ocsp mode fails closed', async () => {
    server.ocsp.signWith = unmarked; // answers `good` for the holder
    publishCaCrl([unmarkedCert.serialHex, cert.serialHex]);
    expect(await new RevocationChecker().check(cert, issuer)).toMatchObject({ kind: 'revoked', source: 'crl' });
    const err = await failure(new RevocationChecker({ mode: 'ocsp' }).check(cert, issuer));
    expect(err.code).toBe('OCSP_UNAUTHORIZED_RESPONDER');
    expect(err.message).toMatch(/no id-pkix-ocsp-nocheck, and it is revoked \(keyCompromise/);
  });

  it('answers when the CRL does not list it; the CRL is downloaded once for many answers', async () => {
    server.ocsp.signWith = unmarked;
    publishCaCrl([]);
    const checker = new RevocationChecker({ mode: 'ocsp', ocspCacheSize: 0 });
    for (let i = 0; i < 3; i++) expect(await checker.check(cert, issuer)).toMatchObject({ kind: 'good', source: 'ocsp' });
    expect(checker.ocsp.requests).toBe(3);
    expect(checker.crls.downloads).toBe(1);
  });

  it('is refused when its status cannot be established (its CRL unreachable), with the CRL failure as cause', async () => {
    server.ocsp.signWith = unmarked;
    const http = httpRevocationFetch();
    const fetch: RevocationFetch = (url, request) => (url === pki.crlUrl('moica') ? Promise.resolve({ status: 503, body: new Uint8Array(0) }) : http(url, request));
    const err = await failure(new RevocationChecker({ mode: 'ocsp', fetch }).check(cert, issuer));
    expect(err.code).toBe('OCSP_UNAUTHORIZED_RESPONDER');
    expect(err.message).toMatch(/could not be established: HTTP 503/);
    expect(err.cause).toBeInstanceOf(RevocationError);
  });

  it('is refused by an OcspClient given no way to check it (checkResponder); one with nocheck is not looked up', async () => {
    server.ocsp.signWith = unmarked;
    const client = (): OcspClient => new OcspClient({ fetch: httpRevocationFetch(), algorithms: AlgorithmPolicy.withSha1() });
    const err = await failure(client().check(cert, issuer, new Date()));
    expect(err.code).toBe('OCSP_UNAUTHORIZED_RESPONDER');
    expect(err.message).toMatch(/checkResponder/);
    // With nocheck the CA vouches for its responder: even listed on the CRL, it is not looked up (no download).
    const marked = await pki.issueCertificate({
      issuer: pki.issuer('moica'),
      subject: 'C=TW, O=行政院, CN=MOICA OCSP (nocheck)',
      keyUsage: ['digitalSignature'],
      extendedKeyUsage: ['1.3.6.1.5.5.7.3.9'],
      ocspNoCheck: true,
    });
    server.ocsp.signWith = marked;
    publishCaCrl([TrustedCertificate.from(marked.certificate).serialHex]);
    expect((await client().check(cert, issuer, new Date())).kind).toBe('good');
    const checker = new RevocationChecker({ mode: 'ocsp' });
    expect((await checker.check(cert, issuer)).kind).toBe('good');
    expect(checker.crls.downloads).toBe(0);
  });
});

describe('what a signed answer says about itself', () => {
  const HOUR = 3_600_000;
  /** An OCSP-only checker whose responder is the CA, answering `good` with the fields given. */
  const handAnswering = (o: HandAnswerFields): RevocationChecker =>
    handAnsweringChecker({ signer: issuer, signerKey: pki.issuer('moica').privateKey, certId: sha1CertId(cert, issuer) }, o);

  // RevokedInfo ::= SEQUENCE { revocationTime, revocationReason [0] EXPLICIT CRLReason OPTIONAL }. Before, the reason
  // was the first octet of whatever sat first in [0] (257 read as keyCompromise), and anything after it was skipped.
  it('reads the reason of a revoked answer as one DER ENUMERATED and refuses anything more in RevokedInfo', async () => {
    const revokedAt = new Date(Math.floor(Date.now() / 1000) * 1000 - HOUR);
    const revoked = (...rest: Uint8Array[]): Uint8Array => tlv(0xa1, concatBytes(generalizedTime(revokedAt), ...rest));
    const reason = (...inside: Uint8Array[]): Uint8Array => tlv(0xa0, concatBytes(...inside));
    const statusOf = async (certStatus: Uint8Array) => handAnswering({ certStatus }).check(cert, issuer);
    expect(await statusOf(revoked())).toMatchObject({ kind: 'revoked', revokedAt, reason: undefined });
    expect(await statusOf(revoked(reason(enumerated(1))))).toMatchObject({ kind: 'revoked', reason: 'keyCompromise' });
    // 257 is no CRLReason: still revoked, the reason not named (as for a CRL entry).
    expect(await statusOf(revoked(reason(tlv(0x0a, Uint8Array.of(0x01, 0x01)))))).toMatchObject({ kind: 'revoked', reason: undefined });
    for (const [what, certStatus] of [
      ['a second element in [0]', revoked(reason(enumerated(1), enumerated(2)))],
      ['an element after [0]', revoked(reason(enumerated(1)), generalizedTime(revokedAt))],
      ['another tag in place of [0]', revoked(tlv(0xa2, enumerated(1)))],
      ['a padded ENUMERATED', revoked(reason(tlv(0x0a, Uint8Array.of(0x00, 0x01))))],
    ] as const) {
      const err = await failure(statusOf(certStatus));
      expect(err.code, what).toBe('OCSP_MALFORMED');
    }
  });

  // The twin of the reason's fault: responseStatus was its first content octet, so a padded `00 00` read as successful.
  it('refuses a responseStatus that is not one minimal DER ENUMERATED', () => {
    const now = new Date(Math.floor(Date.now() / 1000) * 1000);
    const good = handOcspResponse({ signer: issuer, signerKey: pki.issuer('moica').privateKey, certId: sha1CertId(cert, issuer), producedAt: now, thisUpdate: now, nextUpdate: new Date(now.getTime() + HOUR) });
    expect(parseOcspResponse(good).responses).toHaveLength(1);
    const [top] = tlvs(good);
    const [, responseBytes] = top?.content as Tlv[];
    const padded = encodeTlv({ tag: 0x30, content: [{ tag: 0x0a, content: Uint8Array.of(0x00, 0x00) }, responseBytes as Tlv] });
    expect(() => parseOcspResponse(padded)).toThrow(expect.objectContaining({ code: 'OCSP_MALFORMED' }));
  });

  // RFC 6960 4.4: an extension not understood is ignored unless critical. Before, critical ones were ignored too.
  it('is refused with a critical extension twpki does not process, on the response or on the single answer', async () => {
    for (const where of ['responseExtensions', 'singleExtensions'] as const) {
      const err = await failure(handAnswering({ [where]: [UNKNOWN_CRITICAL] }).check(cert, issuer));
      expect(err.code, where).toBe('OCSP_UNKNOWN_CRITICAL_EXTENSION');
      expect(err.message).toContain(UNKNOWN_CRITICAL.oid);
      // The same extension not marked critical is ignored.
      expect((await handAnswering({ [where]: [{ ...UNKNOWN_CRITICAL, critical: false }] }).check(cert, issuer)).kind).toBe('good');
    }
  });

  // Before, an Extension of 4 fields was read as not critical (the flag was taken from 3-field ones only) and its last
  // field as the value: an unknown critical extension written so was ignored, and the answer read `good`.
  it('is refused with an extension that is not (extnID, [critical], extnValue): OCSP_MALFORMED, not read as non-critical', async () => {
    const { oid, value } = UNKNOWN_CRITICAL;
    const fourFields = sequence(objectIdentifier(oid), tlv(0x01, Uint8Array.of(0xff)), octetString(value), octetString(value));
    for (const where of ['responseExtensions', 'singleExtensions'] as const) {
      const err = await failure(handAnswering({ [where]: [fourFields] }).check(cert, issuer));
      expect([err.code, err.message], where).toEqual(['OCSP_MALFORMED', expect.stringContaining(`extension is not (extnID, [critical], extnValue): it has 4 fields`)]);
      // Written as RFC 5280 has it, the same extension is understood as critical and refused for that.
      expect((await failure(handAnswering({ [where]: [UNKNOWN_CRITICAL] }).check(cert, issuer))).code, where).toBe('OCSP_UNKNOWN_CRITICAL_EXTENSION');
    }
    // A critical flag that is not a BOOLEAN, or a value that is not an OCTET STRING, is no extension either.
    const notBoolean = sequence(objectIdentifier(oid), tlv(0x02, Uint8Array.of(0x01)), octetString(value));
    const notOctets = sequence(objectIdentifier(oid), tlv(0x01, Uint8Array.of(0xff)), value);
    for (const bad of [notBoolean, notOctets]) {
      expect((await failure(handAnswering({ singleExtensions: [bad] }).check(cert, issuer))).code).toBe('OCSP_MALFORMED');
    }
  });

  it('is refused with an extension appearing twice in one list (OCSP_MALFORMED): which copy counts is not for a reader to pick', async () => {
    const ignorable = { ...UNKNOWN_CRITICAL, critical: false };
    for (const where of ['responseExtensions', 'singleExtensions'] as const) {
      expect((await handAnswering({ [where]: [ignorable] }).check(cert, issuer)).kind, where).toBe('good');
      const err = await failure(handAnswering({ [where]: [ignorable, { ...ignorable, value: Uint8Array.of(0x04, 0x00) }] }).check(cert, issuer));
      expect([err.code, err.message], where).toEqual(['OCSP_MALFORMED', expect.stringContaining(`${ignorable.oid} appears twice`)]);
    }
  });

  // The [1] wrappers were read as their first child: a second list after it (an unknown critical extension) was signed
  // and never read, and the answer read `good`.
  it('is refused with anything after the list inside the [1] of responseExtensions or singleExtensions: OCSP_MALFORMED naming it', async () => {
    const second = sequence(sequence(objectIdentifier(UNKNOWN_CRITICAL.oid), tlv(0x01, Uint8Array.of(0xff)), octetString(UNKNOWN_CRITICAL.value)));
    for (const [where, after] of [['responseExtensions', 'afterResponseExtensions'], ['singleExtensions', 'afterSingleExtensions']] as const) {
      for (const element of [second, sequence()]) {
        const err = await failure(handAnswering({ [where]: [], [after]: [element] }).check(cert, issuer));
        expect([err.code, err.message], where).toEqual(['OCSP_MALFORMED', expect.stringContaining(`${where} [1] holds 2 elements, not one SEQUENCE OF Extension`)]);
      }
      expect((await handAnswering({ [where]: [] }).check(cert, issuer)).kind, where).toBe('good');
    }
  });

  it('is refused with an element after responseExtensions (signed, and never read): OCSP_MALFORMED', async () => {
    const err = await failure(handAnswering({ responseExtensions: [], trailing: Uint8Array.of(0x30, 0x00) }).check(cert, issuer));
    expect(err.code).toBe('OCSP_MALFORMED');
    expect(err.message).toMatch(/unexpected element/);
  });

  it('is refused when produced beyond the skew ahead (OCSP_STALE) or signed before the status it reports (OCSP_MALFORMED)', async () => {
    expect((await failure(handAnswering({ producedAt: new Date(Date.now() + 10 * 60_000) }).check(cert, issuer))).code).toBe('OCSP_STALE');
    const early = await failure(handAnswering({ producedAt: new Date(Date.now() - 10 * 60_000) }).check(cert, issuer));
    expect(early.code).toBe('OCSP_MALFORMED');
    expect(early.message).toMatch(/before the status it reports/);
    // Within the skew either way, it answers.
    for (const shift of [-60_000, 60_000]) expect((await handAnswering({ producedAt: new Date(Date.now() + shift) }).check(cert, issuer)).kind).toBe('good');
  });
});
