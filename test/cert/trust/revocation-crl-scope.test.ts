import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RevocationChecker, TrustedCertificate } from '../../../src/cert/index.js';
import type { TestPki } from '../../../src/testing/pki/index.js';
import { CertificateRevocationList } from '../../../src/cert/advanced.js';
import { readCrlEnvelope } from '../../../src/cert/trust/revocation/crl-envelope.js';
import { enumerated, integerFromHex, objectIdentifier, octetString, sequence, tlv, x509Time } from '../../../src/testing/der/der-writer.js';
import { buildCrl, type BuildCrlOptions, type LocalRevocationServer } from '../../../src/testing/revocation/index.js';
import { revocationFailure as failure, startRevocationRig } from './helpers/fixtures.js';
import { handCrl, type HandExtension } from './helpers/revocation-hand-built.js';

// RFC 5280 5.2, 5.3 and 6.3.3: a CRL answers only for what it covers. MOICA
// publishes partitioned CRLs (MOICA-10-<n>.crl) over plain HTTP: a genuine,
// current partition served in place of another must not read as "good".

let server: LocalRevocationServer;
let pki: TestPki;
let cert: TrustedCertificate;
let issuer: TrustedCertificate;
/** The MOICA test CA, checked against the root's CRL. */
let caCert: TrustedCertificate;
let root: TrustedCertificate;

beforeAll(async () => {
  ({ server, pki, cert, issuer } = await startRevocationRig({ ocspResponder: false }));
  caCert = issuer;
  root = TrustedCertificate.from(pki.root.certificate);
});

afterAll(async () => {
  await server.close();
});

const revokedAt = new Date('2026-01-01T00:00:00Z');

/** Publishes a MOICA CRL at the holder certificate's own CRL URL and checks the holder against it. */
async function checkHolder(options: Omit<BuildCrlOptions, 'issuer'>): Promise<ReturnType<RevocationChecker['check']>> {
  server.publishCrl('moica.crl', buildCrl({ issuer: pki.issuer('moica'), ...options }));
  return new RevocationChecker({ mode: 'crl' }).check(cert, issuer);
}

/** Publishes a root CRL at the MOICA CA certificate's CRL URL and checks the CA against it. */
async function checkCa(options: Omit<BuildCrlOptions, 'issuer'>): Promise<ReturnType<RevocationChecker['check']>> {
  server.publishCrl('root.crl', buildCrl({ issuer: pki.root, ...options }));
  return new RevocationChecker({ mode: 'crl' }).check(caCert, root);
}

describe('issuingDistributionPoint', () => {
  it('refuses a genuine CRL of another partition served at the certificate\'s CRL URL', async () => {
    const other = `${server.crlBaseUrl}/moica-9.crl`;
    const err = await failure(checkHolder({ entries: [], issuingDistributionPoint: { uris: [other] } }));
    expect(err.code).toBe('CRL_WRONG_SCOPE');
    expect(err.url).toBe(pki.crlUrl('moica'));
  });

  it('uses a CRL whose distribution point is the URL it was fetched from (exactly or as the same URL)', async () => {
    const own = pki.crlUrl('moica');
    expect(cert.crlUrls).toEqual([own]);
    expect((await checkHolder({ entries: [{ serialHex: cert.serialHex, revokedAt }], issuingDistributionPoint: { uris: [own] } })).kind).toBe('revoked');
    expect((await checkHolder({ entries: [], issuingDistributionPoint: { uris: ['ldap://x/cn=CRL', own] } })).kind).toBe('good');
    const upperCased = own.replace(/^http:\/\/127\.0\.0\.1/, 'HTTP://127.0.0.1');
    expect((await checkHolder({ entries: [], issuingDistributionPoint: { uris: [upperCased] } })).kind).toBe('good');
  });

  it('keeps a CRL without issuingDistributionPoint, or without a distribution point in it, as full scope', async () => {
    expect((await checkHolder({ entries: [] })).kind).toBe('good');
    expect((await checkHolder({ entries: [], issuingDistributionPoint: { onlyUserCerts: true } })).kind).toBe('good');
  });

  it('checks onlyContainsUserCerts / onlyContainsCACerts against the certificate checked', async () => {
    expect((await failure(checkHolder({ entries: [], issuingDistributionPoint: { onlyCaCerts: true } }))).code).toBe('CRL_WRONG_SCOPE');
    expect((await failure(checkCa({ entries: [], issuingDistributionPoint: { onlyUserCerts: true } }))).code).toBe('CRL_WRONG_SCOPE');
    expect((await checkCa({ entries: [{ serialHex: caCert.serialHex, revokedAt }], issuingDistributionPoint: { onlyCaCerts: true } })).kind).toBe(
      'revoked',
    );
  });

  it('refuses onlySomeReasons and indirect CRLs as incomplete', async () => {
    expect((await failure(checkHolder({ entries: [], issuingDistributionPoint: { onlySomeReasons: [0x40] } }))).code).toBe('CRL_NOT_COMPLETE');
    expect((await failure(checkHolder({ entries: [], issuingDistributionPoint: { indirect: true } }))).code).toBe('CRL_NOT_COMPLETE');
  });

  it('refuses a distribution point named relative to the CRL issuer (no URL to compare)', async () => {
    const relative = sequence(tlv(0xa0, tlv(0xa1, tlv(0x31, new Uint8Array(0)))));
    const err = await failure(checkHolder({ entries: [], extraExtensions: [{ oid: '2.5.29.28', critical: true, value: relative }] }));
    expect(err.code).toBe('CRL_WRONG_SCOPE');
  });

  it('with operator-chosen URLs (a mirror), matches the distribution point to the certificate\'s own CRL URLs', async () => {
    const mirror = server.publishCrl('mirror.crl', buildCrl({
      issuer: pki.issuer('moica'),
      entries: [{ serialHex: cert.serialHex, revokedAt }],
      issuingDistributionPoint: { uris: [pki.crlUrl('moica')] },
    }));
    expect((await new RevocationChecker({ mode: 'crl', crlUrls: [mirror] }).check(cert, issuer)).kind).toBe('revoked');
    const wrong = server.publishCrl('mirror-9.crl', buildCrl({
      issuer: pki.issuer('moica'),
      entries: [],
      issuingDistributionPoint: { uris: [`${server.crlBaseUrl}/moica-9.crl`] },
    }));
    expect((await failure(new RevocationChecker({ mode: 'crl', crlUrls: [wrong] }).check(cert, issuer))).code).toBe('CRL_WRONG_SCOPE');
  });
});

describe('CRLs that are not a complete list', () => {
  it('refuses a delta CRL (deltaCRLIndicator)', async () => {
    expect((await failure(checkHolder({ entries: [], deltaOf: 1 }))).code).toBe('CRL_NOT_COMPLETE');
  });

  it('refuses a CRL with an unrecognised critical extension, and reads one that is not critical', async () => {
    const unknown = { oid: '1.2.3.4.5', value: Uint8Array.of(0x05, 0x00) };
    expect((await failure(checkHolder({ entries: [], extraExtensions: [{ ...unknown, critical: true }] }))).code).toBe(
      'CRL_UNKNOWN_CRITICAL_EXTENSION',
    );
    expect((await checkHolder({ entries: [], extraExtensions: [{ ...unknown, critical: false }] })).kind).toBe('good');
  });

  it('refuses a CRL with an unrecognised critical entry extension on any entry, not only the one looked up', async () => {
    const certificateIssuer = {
      oid: '2.5.29.29',
      critical: true,
      value: sequence(tlv(0xa4, new Uint8Array(Buffer.from(caCert.subjectDer)))),
    };
    const err = await failure(checkHolder({ entries: [{ serialHex: '0a', revokedAt, extraExtensions: [certificateIssuer] }] }));
    expect(err.code).toBe('CRL_UNKNOWN_CRITICAL_EXTENSION');
  });

  it('reads entries whose critical entry extensions are understood (reasonCode, invalidityDate)', async () => {
    const invalidityDate = { oid: '2.5.29.24', critical: true, value: tlv(0x18, new Uint8Array(Buffer.from('20251231000000Z'))) };
    const criticalReason = { oid: '2.5.29.21', critical: true, value: tlv(0x0a, Uint8Array.of(1)) };
    const status = await checkHolder({
      entries: [
        { serialHex: '0a', revokedAt, reason: 'superseded', extraExtensions: [invalidityDate] },
        { serialHex: cert.serialHex, revokedAt, extraExtensions: [criticalReason] },
      ],
    });
    expect(status).toMatchObject({ kind: 'revoked', reason: 'keyCompromise' });
  });

  it('never caches a CRL it cannot use: the complete one keeps answering', async () => {
    const url = server.publishCrl('refresh.crl', buildCrl({ issuer: pki.issuer('moica'), entries: [], nextUpdate: new Date(Date.now() + 3_600_000) }));
    const checker = new RevocationChecker({ mode: 'crl', crlUrls: [url] });
    expect((await checker.check(cert, issuer)).kind).toBe('good');
    // Past the cached CRL's nextUpdate the check downloads again and gets a (newer) delta CRL.
    server.publishCrl('refresh.crl', buildCrl({
      issuer: pki.issuer('moica'),
      entries: [{ serialHex: cert.serialHex, revokedAt }],
      deltaOf: 1,
      thisUpdate: new Date(Date.now() + 1000),
      nextUpdate: new Date(Date.now() + 7_200_000),
    }));
    const later = new Date(Date.now() + 3_700_000);
    expect((await failure(checker.check(cert, issuer, later))).code).toBe('CRL_NOT_COMPLETE');
    expect((await checker.check(cert, issuer)).kind).toBe('good');
  });
});

describe('issuingDistributionPoint decoding', () => {
  it('refuses a flag that is not a one-octet BOOLEAN (an empty one read the next field\'s tag as TRUE)', async () => {
    const { decodeIssuingDistributionPoint } = await import('../../../src/cert/trust/revocation/issuing-distribution-point.js');
    // [1] onlyContainsUserCerts with no content, then [2] onlyContainsCACerts FALSE.
    const empty = sequence(tlv(0x81, new Uint8Array(0)), tlv(0x82, Uint8Array.of(0x00)));
    expect(() => decodeIssuingDistributionPoint(empty)).toThrow(expect.objectContaining({ code: 'DER_SHAPE' }));
    expect(() => decodeIssuingDistributionPoint(sequence(tlv(0x81, Uint8Array.of(0xff, 0xff))))).toThrow(expect.objectContaining({ code: 'DER_SHAPE' }));
    expect(decodeIssuingDistributionPoint(sequence(tlv(0x81, Uint8Array.of(0xff)))).onlyUserCerts).toBe(true);
    expect(() => decodeIssuingDistributionPoint(sequence(tlv(0x89, Uint8Array.of(0xff))))).toThrow(expect.objectContaining({ code: 'DER_SHAPE' }));
  });
});

describe('critical CRL entry extensions', () => {
  it('reads a critical flag with a BER (long-form) length as critical', async () => {
    const { unknownCriticalEntryExtension } = await import('../../../src/cert/trust/revocation/crl-extensions.js');
    const oid = Uint8Array.of(0x06, 0x03, 0x2a, 0x03, 0x04); // 1.2.3.4, not an entry extension twpki knows
    const value = Uint8Array.of(0x04, 0x00);
    const ext = (flag: Uint8Array): Uint8Array => sequence(sequence(oid, flag, value));
    const derTrue = ext(Uint8Array.of(0x01, 0x01, 0xff));
    expect(unknownCriticalEntryExtension(derTrue, 0, derTrue.length)).toBe('1.2.3.4');
    const berTrue = ext(Uint8Array.of(0x01, 0x81, 0x01, 0xff));
    expect(unknownCriticalEntryExtension(berTrue, 0, berTrue.length)).toBe('1.2.3.4');
    const notCritical = ext(Uint8Array.of(0x01, 0x01, 0x00));
    expect(unknownCriticalEntryExtension(notCritical, 0, notCritical.length)).toBeUndefined();
  });
});

describe('CRL and CRL entry extensions read by the one Extension reader', () => {
  // RFC 5280 4.1 and 5.3: Extension ::= SEQUENCE { extnID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }.
  // Before, a 4-field CRL extension read as not critical, and an entry's critical flag was read only where DER puts
  // it: a malformed extension could carry a critical flag nobody read. Now any other shape refuses the CRL.
  const PRIVATE = '1.3.6.1.4.1.99999.1';
  const TRUE = tlv(0x01, Uint8Array.of(0xff));
  const FALSE = tlv(0x01, Uint8Array.of(0x00));
  const NULL_VALUE = octetString(Uint8Array.of(0x05, 0x00));
  const reasonCode = (code: number): Uint8Array => sequence(objectIdentifier('2.5.29.21'), octetString(enumerated(code)));
  /** A revoked entry with these crlEntryExtensions (and anything after them). */
  const entry = (serialHex: string, extensions: readonly Uint8Array[], ...after: Uint8Array[]): Uint8Array =>
    sequence(integerFromHex(serialHex), x509Time(revokedAt), sequence(...extensions), ...after);
  /** A signed MOICA CRL, written by hand (the extensions as given). */
  const hand = (o: {
    rawEntries?: readonly Uint8Array[];
    extensions?: readonly (HandExtension | Uint8Array)[];
    afterExtensions?: readonly Uint8Array[];
  }): Uint8Array =>
    handCrl({
      issuer: caCert,
      issuerKey: pki.issuer('moica').privateKey,
      thisUpdate: new Date(Date.now() - 60_000),
      nextUpdate: new Date(Date.now() + 3_600_000),
      serials: ['0b'],
      revokedAt,
      entriesAfterExtensions: false,
      ...o,
    });
  /** Publishes `crl` under `name` and checks the holder against it. */
  const checkAgainst = (name: string, crl: Uint8Array): ReturnType<RevocationChecker['check']> =>
    new RevocationChecker({ mode: 'crl', crlUrls: [server.publishCrl(name, crl)] }).check(cert, issuer);

  it('refuses a CRL with a crlExtension of 4 fields (CRL_MALFORMED), which read as not critical', async () => {
    const fourFields = hand({ extensions: [sequence(objectIdentifier(PRIVATE), TRUE, NULL_VALUE, NULL_VALUE)] });
    const err = await failure(checkAgainst('four-fields.crl', fourFields));
    expect([err.code, err.message]).toEqual(['CRL_MALFORMED', expect.stringContaining('CRL extension is not (extnID, [critical], extnValue): it has 4 fields')]);
    // Both readers of a CRL's extensions refuse it: the signed envelope (read before the signature is checked) and the parse.
    expect(() => readCrlEnvelope(fourFields)).toThrow(expect.objectContaining({ code: 'CRL_MALFORMED' }));
    expect(() => CertificateRevocationList.parse(fourFields)).toThrow(expect.objectContaining({ code: 'CRL_MALFORMED' }));
    // Written as RFC 5280 has it, the same extension is critical, and the CRL refused for that.
    const critical = await failure(checkAgainst('critical.crl', hand({ extensions: [{ oid: PRIVATE, critical: true, value: Uint8Array.of(0x05, 0x00) }] })));
    expect(critical.code).toBe('CRL_UNKNOWN_CRITICAL_EXTENSION');
  });

  it('refuses a CRL with a malformed entry extension on any entry (CRL_MALFORMED naming the entry); a well-formed unknown one is judged by its flag', async () => {
    const hidden = sequence(objectIdentifier(PRIVATE), FALSE, TRUE, NULL_VALUE); // a TRUE flag after a FALSE one
    const err = await failure(checkAgainst('entry-four-fields.crl', hand({ rawEntries: [entry('0a', [hidden])] })));
    expect([err.code, err.message]).toEqual([
      'CRL_MALFORMED',
      expect.stringContaining('revoked entry 0a: CRL entry extension is not (extnID, [critical], extnValue): it has 4 fields'),
    ]);
    // Well formed: critical, the CRL is unusable (RFC 5280 5.3); not critical, it is read, on the holder's own entry too.
    const unknownCritical = sequence(objectIdentifier(PRIVATE), TRUE, NULL_VALUE);
    expect((await failure(checkAgainst('entry-critical.crl', hand({ rawEntries: [entry('0a', [unknownCritical])] })))).code).toBe(
      'CRL_UNKNOWN_CRITICAL_EXTENSION',
    );
    const ignorable = sequence(objectIdentifier(PRIVATE), NULL_VALUE);
    expect((await checkAgainst('entry-ignorable.crl', hand({ rawEntries: [entry('0a', [ignorable])] }))).kind).toBe('good');
    const own = await checkAgainst('entry-own.crl', hand({ rawEntries: [entry(cert.serialHex, [ignorable, reasonCode(1)])] }));
    expect(own).toMatchObject({ kind: 'revoked', reason: 'keyCompromise' });
  });

  it('refuses a CRL with an entry extension appearing twice, or an element after crlEntryExtensions (CRL_MALFORMED)', async () => {
    // Two reasonCodes: the lookup kept the last one.
    const twice = await failure(checkAgainst('entry-twice.crl', hand({ rawEntries: [entry(cert.serialHex, [reasonCode(1), reasonCode(4)])] })));
    expect([twice.code, twice.message]).toEqual(['CRL_MALFORMED', expect.stringContaining('CRL entry extension 2.5.29.21 appears twice')]);
    // An element after an entry's extensions was signed and never read.
    const trailing = await failure(checkAgainst('entry-trailing.crl', hand({ rawEntries: [entry('0a', [reasonCode(1)], sequence())] })));
    expect([trailing.code, trailing.message]).toEqual(['CRL_MALFORMED', expect.stringContaining('revoked entry 0a: ')]);
  });
  // [0] crlExtensions was read as its first child: a second list after it (an unknown critical extension, a second
  // issuingDistributionPoint) was signed and never read.
  it('refuses a CRL whose [0] holds anything after the crlExtensions list (CRL_MALFORMED naming [0]), in the envelope and the parse', async () => {
    const second = sequence(sequence(objectIdentifier(PRIVATE), TRUE, NULL_VALUE));
    for (const after of [second, sequence()]) {
      const crl = hand({ afterExtensions: [after] });
      const err = await failure(checkAgainst('wrapper-second.crl', crl));
      expect([err.code, err.message]).toEqual(['CRL_MALFORMED', expect.stringContaining('crlExtensions [0] holds 2 elements, not one SEQUENCE OF Extension')]);
      expect(() => readCrlEnvelope(crl)).toThrow(expect.objectContaining({ code: 'CRL_MALFORMED', message: expect.stringContaining('crlExtensions [0] holds 2 elements') }));
      expect(() => CertificateRevocationList.parse(crl)).toThrow(expect.objectContaining({ code: 'CRL_MALFORMED', message: expect.stringContaining('crlExtensions [0]') }));
    }
    // The list alone, as RFC 5280 has it, is read.
    expect((await checkAgainst('wrapper-one.crl', hand({}))).kind).toBe('good');
  });
});

describe('reasonCode entry extension', () => {
  const PRIVATE = '1.3.6.1.4.1.99999.1';
  const reasonWith = (value: Uint8Array, critical = false): Uint8Array =>
    sequence(objectIdentifier('2.5.29.21'), ...(critical ? [tlv(0x01, Uint8Array.of(0xff))] : []), octetString(value));
  const entry = (serialHex: string, ...extensions: Uint8Array[]): Uint8Array => sequence(integerFromHex(serialHex), x509Time(revokedAt), sequence(...extensions));
  const hand = (rawEntries: readonly Uint8Array[]): Uint8Array =>
    handCrl({
      issuer: caCert,
      issuerKey: pki.issuer('moica').privateKey,
      thisUpdate: new Date(Date.now() - 60_000),
      nextUpdate: new Date(Date.now() + 3_600_000),
      serials: [],
      revokedAt,
      entriesAfterExtensions: false,
      rawEntries,
    });
  const checkAgainst = (name: string, crl: Uint8Array): ReturnType<RevocationChecker['check']> =>
    new RevocationChecker({ mode: 'crl', crlUrls: [server.publishCrl(name, crl)] }).check(cert, issuer);

  // Before, an extnValue that was not an ENUMERATED read as "no reason", and only the first content octet was used.
  it('refuses a CRL with a reasonCode that is not exactly one DER ENUMERATED, on any entry (CRL_MALFORMED naming the entry)', async () => {
    const malformed: [string, Uint8Array][] = [
      ['an INTEGER', Uint8Array.of(0x02, 0x01, 0x01)],
      ['a padded ENUMERATED', Uint8Array.of(0x0a, 0x02, 0x00, 0x01)],
      ['an empty ENUMERATED', Uint8Array.of(0x0a, 0x00)],
      ['an ENUMERATED and more', Uint8Array.of(0x0a, 0x01, 0x01, 0x05, 0x00)],
      ['nothing', new Uint8Array(0)],
      ['a constructed ENUMERATED', Uint8Array.of(0x2a, 0x03, 0x0a, 0x01, 0x01)],
    ];
    for (const [what, value] of malformed) {
      // On another serial, next to the holder's own entry: the CRL as a whole is refused.
      const crl = hand([entry('0a', reasonWith(value)), entry('0b', sequence(objectIdentifier(PRIVATE), octetString(Uint8Array.of(0x05, 0x00))))]);
      const err = await failure(checkAgainst('reason-malformed.crl', crl));
      expect([what, err.code, err.message]).toEqual([what, 'CRL_MALFORMED', expect.stringContaining('revoked entry 0a: reasonCode (2.5.29.21) extnValue')]);
    }
    // Critical, and so read by the Extension reader rather than matched by its bytes: the same rule.
    const critical = await failure(checkAgainst('reason-critical-malformed.crl', hand([entry('0a', reasonWith(Uint8Array.of(0x02, 0x01, 0x01), true))])));
    expect([critical.code, critical.message]).toEqual(['CRL_MALFORMED', expect.stringContaining('revoked entry 0a: reasonCode')]);
  });

  it('keeps an entry whose reasonCode is outside CRLReason revoked, its reason not named; reads the whole ENUMERATED', async () => {
    const outside: Uint8Array[] = [
      enumerated(7), // not used by RFC 5280
      enumerated(11), // later than RFC 5280 (its own fast path: one reasonCode, one octet)
      Uint8Array.of(0x0a, 0x01, 0xff), // -1
      Uint8Array.of(0x0a, 0x02, 0x01, 0x01), // 257: its first octet read as 1, keyCompromise
    ];
    for (const value of outside) {
      for (const extensions of [[reasonWith(value)], [reasonWith(value, true)]]) {
        const status = await checkAgainst('reason-outside.crl', hand([entry(cert.serialHex, ...extensions)]));
        expect(status).toMatchObject({ kind: 'revoked', reason: undefined });
      }
    }
    const known = await checkAgainst('reason-known.crl', hand([entry(cert.serialHex, reasonWith(enumerated(9), true))]));
    expect(known).toMatchObject({ kind: 'revoked', reason: 'privilegeWithdrawn' });
  });
});

describe('CRL signature algorithm', () => {
  it('refuses a CRL whose signed algorithm differs from the one outside tbsCertList (CRL_MALFORMED)', async () => {
    const { CertificateRevocationList } = await import('../../../src/cert/trust/revocation/crl.js');
    const der = Buffer.from(buildCrl({ issuer: pki.issuer('moica'), entries: [] }));
    expect(CertificateRevocationList.parse(new Uint8Array(der)).size).toBe(0);
    // sha256WithRSAEncryption appears inside tbsCertList and after it; make the outer one sha512WithRSAEncryption.
    const sha256WithRsa = Buffer.from('2a864886f70d01010b', 'hex');
    const outer = der.lastIndexOf(sha256WithRsa);
    expect(outer).toBeGreaterThan(der.indexOf(sha256WithRsa));
    der[outer + sha256WithRsa.length - 1] = 0x0d;
    expect(() => CertificateRevocationList.parse(new Uint8Array(der))).toThrow(expect.objectContaining({ code: 'CRL_MALFORMED' }));
  });
});

describe('CRL extensions appear once', () => {
  it('refuses a CRL carrying issuingDistributionPoint twice (CRL_MALFORMED): the second copy made a partition look complete', async () => {
    const emptyIdp = { oid: '2.5.29.28', critical: true, value: sequence() };
    expect((await failure(checkHolder({ entries: [], issuingDistributionPoint: { indirect: true } }))).code).toBe('CRL_NOT_COMPLETE');
    for (const first of [{ indirect: true }, { onlySomeReasons: [0x40] }]) {
      const err = await failure(checkHolder({ entries: [], issuingDistributionPoint: first, extraExtensions: [emptyIdp] }));
      expect([err.code, err.message]).toEqual(['CRL_MALFORMED', expect.stringContaining('2.5.29.28 appears twice')]);
    }
  });
});

describe('the CRL issuer may sign CRLs', () => {
  it("refuses a CRL from a CA whose keyUsage leaves out cRLSign (CRL_WRONG_ISSUER); with cRLSign it is read", async () => {
    for (const [keyUsage, expected] of [[['keyCertSign'], 'CRL_WRONG_ISSUER'], [['keyCertSign', 'cRLSign'], 'good']] as const) {
      const subCa = await pki.issueCertificate({ issuer: pki.issuer('moica'), subject: `C=TW, O=行政院, OU=子CA ${keyUsage.length}`, isCa: true, keyUsage: [...keyUsage] });
      const name = `sub-${keyUsage.length}.crl`;
      const leaf = await pki.issueCertificate({ issuer: subCa, subject: 'C=TW, CN=葉', keyUsage: ['digitalSignature'], crlUrl: `${server.crlBaseUrl}/${name}`, ocspUrl: null });
      server.publishCrl(name, buildCrl({ issuer: subCa, entries: [] }));
      const check = new RevocationChecker({ mode: 'crl' }).check(TrustedCertificate.from(leaf.certificate), TrustedCertificate.from(subCa.certificate));
      if (expected === 'good') expect((await check).kind).toBe('good');
      else expect((await failure(check)).code).toBe(expected);
    }
  });
});
