import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { TrustedCertificate } from '../../../src/cert/index.js';
import { nameToText } from '../../../src/cert/trust/name-text.js';
import { parseCertificate } from '../../../src/cert/profile/index.js';
import { TwpkiError } from '../../../src/shared/twpki-error.js';
import { TestPkiError, buildName, createTestPki, type CardHolderCredentials, type TestPki } from '../../../src/testing/index.js';
import { thrownBy } from '../../support/thrown-by.js';

// Counts the key pairs the kit makes: a misuse must fail before one is paid for.
const keys = vi.hoisted(() => ({ made: 0 }));
vi.mock('../../../src/testing/pki/rsa-keys.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../../src/testing/pki/rsa-keys.js')>();
  return {
    ...original,
    generateRsaKeyPair: () => {
      keys.made++;
      return original.generateRsaKeyPair();
    },
  };
});

/** `attempt` fails as TestPkiError `code` with a message matching `message`, before making a key pair. */
async function expectRefused(attempt: () => unknown, message: RegExp, code: 'BAD_OPTIONS' | 'BAD_SUBJECT_NAME' = 'BAD_OPTIONS'): Promise<void> {
  const before = keys.made;
  const error = await thrownBy(attempt);
  expect(error, String(message)).toBeInstanceOf(TestPkiError);
  expect(error).toBeInstanceOf(TwpkiError);
  expect((error as TestPkiError).code, String(message)).toBe(code);
  expect((error as Error).message).toMatch(message);
  expect(keys.made, `no key pair made for ${String(message)}`).toBe(before);
}

const subject = 'C=TW, CN=測試';
const now = new Date('2026-06-01T00:00:00Z');

// issueCertificate is the kit's tool for edge cases, so every misuse of it used to surface somewhere else: a
// TypeError from a missing issuer or subject, a certificate parse error for `issuer: 'moica'`, a DOMException for
// an EC issuer key or `sha256`, or nothing at all — an invalid Date, an unknown option, key usage or encoding,
// `isCa: 'yes'`, a serial of zero (replaced by a random one) and `crlUrl: ''` (no CDP) were all taken silently.
describe('issueCertificate refuses arguments it cannot use, naming them, before making a key', () => {
  let pki: TestPki;
  let holder: CardHolderCredentials;
  beforeAll(async () => {
    pki = await createTestPki({ now, authorities: ['moica'] });
    holder = await pki.issueCardHolder({ authority: 'moica' });
  }, 60_000);

  it('options that are not an object, and names that are not options', async () => {
    await expectRefused(() => pki.issueCertificate(null as never), /^issueCertificate: options must be an object/);
    await expectRefused(() => pki.issueCertificate('root' as never), /^issueCertificate: options must be an object/);
    await expectRefused(() => pki.issueCertificate({ issuer: 'root', subject, serial: '0a' } as never), /^issueCertificate: "serial" is not an option \(they are .*serialNumber/);
    await expectRefused(() => pki.issueCertificate({ issuer: 'root', subject, notafter: now } as never), /"notafter" is not an option \(they are .*notAfter/);
  });

  it('an issuer that is not root or a certificate with its RSA key', async () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const moica = pki.issuer('moica');
    await expectRefused(() => pki.issueCertificate({ subject } as never), /^issueCertificate: option "issuer" must be 'root', a test CA .*, not undefined/);
    await expectRefused(() => pki.issueCertificate({ issuer: 'moica', subject } as never), /option "issuer" .*for the moica CA pass pki\.issuer\('moica'\), not "moica"/);
    await expectRefused(() => pki.issueCertificate({ issuer: holder as never, subject }), /option "issuer" .*for a card holder's signing certificate pass its \.sign/);
    await expectRefused(() => pki.issueCertificate({ issuer: { certificate: moica.certificate } as never, subject }), /option "issuer\.privateKey" must be the issuer's RSA private key.*, not undefined/);
    await expectRefused(() => pki.issueCertificate({ issuer: { certificate: moica.certificate, privateKey: moica.publicKey, publicKey: moica.publicKey }, subject }), /option "issuer\.privateKey" .*not a public rsa KeyObject/);
    await expectRefused(() => pki.issueCertificate({ issuer: { certificate: moica.certificate, ...ec }, subject }), /option "issuer\.privateKey" .*not a private ec KeyObject/);
    await expectRefused(() => pki.issueCertificate({ issuer: { ...moica, certificate: Uint8Array.of(1, 2, 3) }, subject }), /option "issuer\.certificate" is not a certificate/);
    // Still accepted: any certificate with its key, a CA or not (a path through a non-CA is an edge case to test).
    const child = await pki.issueCertificate({ issuer: holder.sign, subject });
    expect(parseCertificate(child.certificate).issuer.der).toEqual(parseCertificate(holder.sign.certificate).subject.der);
  });

  it('a subject that is not a name (BAD_SUBJECT_NAME, naming the attribute)', async () => {
    await expectRefused(() => pki.issueCertificate({ issuer: 'root' } as never), /^issueCertificate: option "subject" must be a name such as .*, not undefined/, 'BAD_SUBJECT_NAME');
    await expectRefused(() => pki.issueCertificate({ issuer: 'root', subject: 42 as never }), /option "subject" must be a name .*, not 42/, 'BAD_SUBJECT_NAME');
    await expectRefused(() => pki.issueCertificate({ issuer: 'root', subject: [null as never] }), /option "subject" attribute 0 must be an object/, 'BAD_SUBJECT_NAME');
    await expectRefused(() => pki.issueCertificate({ issuer: 'root', subject: [{ type: 'CN', value: 42 as never }] }), /option "subject" attribute 0 \(CN\) value must be a string, not 42/, 'BAD_SUBJECT_NAME');
    await expectRefused(
      () => pki.issueCertificate({ issuer: 'root', subject: [{ type: 'C', value: 'TW' }, { type: 'CN', value: '王', encoding: 'utf16' as never }] }),
      /option "subject" attribute 1 \(CN\) encoding must be one of utf8, bmp, printable, teletex, ia5, not "utf16"/,
      'BAD_SUBJECT_NAME',
    );
    await expectRefused(() => pki.issueCertificate({ issuer: 'root', subject: [{ type: 'CN', value: '王', encodng: 'bmp' } as never] }), /attribute 0: "encodng" is not an option/, 'BAD_SUBJECT_NAME');
    await expectRefused(() => pki.issueCertificate({ issuer: 'root', subject: 'C=TW, nonsense' }), /option "subject": not a TYPE=value pair: nonsense/, 'BAD_SUBJECT_NAME');
    // Past what the certificate parser takes (10,000 ASN.1 elements): an untyped "Maximum ASN.1 node count exceeded" before.
    const many = (n: number): string => ['C=TW', ...Array.from({ length: n }, (_, i) => `OU=單${i}`)].join(', ');
    await expectRefused(() => pki.issueCertificate({ issuer: 'root', subject: many(3000) }), /option "subject" has 3001 attributes; a certificate's name may have at most 1000/, 'BAD_SUBJECT_NAME');
    expect(parseCertificate((await pki.issueCertificate({ issuer: 'root', subject: many(999) })).certificate).subject.der.length).toBeGreaterThan(10_000);
    await expectRefused(() => pki.issueCertificate({ issuer: 'root', subject: 'XX=1' }), /option "subject" attribute 0: unknown name attribute type: XX \(the short names are CN, /, 'BAD_SUBJECT_NAME');
  });

  it('buildName itself: a spec that is neither a string nor attributes', () => {
    expect(() => buildName(42 as never)).toThrow(expect.objectContaining({ code: 'BAD_SUBJECT_NAME', message: expect.stringMatching(/^buildName: name must be a name/) }));
    expect(() => buildName([{ type: 'toString', value: 'x' }])).toThrow(expect.objectContaining({ code: 'BAD_SUBJECT_NAME', message: expect.stringMatching(/unknown name attribute type: toString/) }));
  });

  it('validity that is not a valid Date, out of ASN.1 range, or inverted (naming both dates)', async () => {
    await expectRefused(() => pki.issueCertificate({ issuer: 'root', subject, notBefore: '2026-01-01' as never }), /option "notBefore" must be a valid Date, not "2026-01-01"/);
    await expectRefused(() => pki.issueCertificate({ issuer: 'root', subject, notAfter: new Date('x') }), /option "notAfter" must be a valid Date, not an invalid Date/);
    await expectRefused(
      () => pki.issueCertificate({ issuer: 'root', subject, notBefore: now, notAfter: new Date('+010000-01-01T00:00:00Z') }),
      /option "notAfter" must be a Date from year 0000 to 9999/,
    );
    await expectRefused(
      () => pki.issueCertificate({ issuer: 'root', subject, notBefore: now, notAfter: new Date('2026-05-01T00:00:00Z') }),
      /option "notAfter" \(2026-05-01T00:00:00.000Z\) is before notBefore \(2026-06-01T00:00:00.000Z\)$/,
    );
    await expectRefused(() => pki.issueCertificate({ issuer: 'root', subject, notAfter: new Date('2026-01-01T00:00:00Z') }), /is before notBefore \(2026-05-31T23:00:00.000Z, the default/);
  });

  it('a serial that is not a positive hex integer; odd-length hex is still the same integer', async () => {
    const must = /option "serialNumber" must be a positive integer in hex digits/;
    for (const serialNumber of ['', '00', '-1', '0x0a', 'xyz', 10 as never]) {
      await expectRefused(() => pki.issueCertificate({ issuer: 'root', subject, serialNumber }), must);
    }
    const odd = await pki.issueCertificate({ issuer: 'root', subject, serialNumber: 'abc', keyPair: holder.keyx });
    expect(parseCertificate(odd.certificate).serialNumber).toBe('0ABC');
  });

  it('extension options of the wrong type, unknown names and values, and options that would be dropped', async () => {
    const refuse = (options: object, message: RegExp): Promise<void> =>
      expectRefused(() => pki.issueCertificate({ issuer: 'root', subject, ...options }), message);
    await refuse({ keyUsage: 'digitalSignature' }, /option "keyUsage" must be an array of key usage names/);
    await refuse({ keyUsage: ['digitalSignature', 'signing'] }, /option "keyUsage\[1\]" must be one of digitalSignature, .*, not "signing"/);
    await refuse({ keyUsage: ['digitalSignature'], keyUsageCritical: 'no' }, /option "keyUsageCritical" must be true or false, not "no"/);
    await refuse({ extendedKeyUsage: ['ocspSigning'] }, /option "extendedKeyUsage\[0\]" must be a dotted object identifier/);
    await refuse({ isCa: 'yes' }, /option "isCa" must be true or false, not "yes"/);
    await refuse({ isCa: true, pathLength: -1 }, /option "pathLength" must be a non-negative integer, not -1/);
    await refuse({ isCa: true, pathLength: 0.5 }, /option "pathLength" must be a non-negative integer, not 0.5/);
    await refuse({ pathLength: 0 }, /option "pathLength" needs isCa: true/);
    await refuse({ policies: '2.16.886.101.0.3.3' }, /option "policies" must be an array of dotted object identifiers/);
    await refuse({ policies: ['level3'] }, /option "policies\[0\]" must be a dotted object identifier/);
    await refuse({ policies: ['1.50'] }, /option "policies\[0\]" must be a dotted object identifier/);
    await refuse({ crlUrl: '' }, /option "crlUrl" must not be empty \(null omits/);
    await refuse({ ocspUrl: 8080 }, /option "ocspUrl" must be a string, not 8080/);
    await refuse({ caIssuersUrl: false }, /option "caIssuersUrl" must be a string, not false/);
    await refuse({ email: 1 }, /option "email" must be a string, not 1/);
    await refuse({ gpkiAttributes: 'citizen' }, /option "gpkiAttributes" must be an object/);
    await refuse({ gpkiAttributes: { idhint: '1234' } }, /option "gpkiAttributes": "idhint" is not an option \(they are .*idHint/);
    await refuse({ gpkiAttributes: { idHint: 1234 } }, /option "gpkiAttributes\.idHint" must be a string, not 1234/);
    await refuse({ gpkiAttributes: { subjectType: 'citizen' } }, /option "gpkiAttributes\.subjectType" must be a dotted object identifier/);
    await refuse({ ocspNoCheck: 1 }, /option "ocspNoCheck" must be true or false, not 1/);
    await refuse({ omitKeyIdentifiers: 'yes' }, /option "omitKeyIdentifiers" must be true or false/);
    await refuse({ signatureHash: 'sha256' }, /option "signatureHash" must be one of "SHA-1", "SHA-256", "SHA-384", "SHA-512", not "sha256"/);
    await refuse({ extraExtensions: { oid: '1.2.3.4' } }, /option "extraExtensions" must be an array of \{ oid, critical, value \}/);
    await refuse({ extraExtensions: [{ oid: '1.2.3.4', critical: false, value: 'abc' }] }, /option "extraExtensions\[0\]\.value" must be the DER/);
    await refuse({ extraExtensions: [{ oid: '1.2.3.4', value: Uint8Array.of(5, 0) }] }, /option "extraExtensions\[0\]\.critical" must be true or false, not undefined/);
    await refuse({ extraExtensions: [{ oid: 'x', critical: false, value: Uint8Array.of(5, 0) }] }, /option "extraExtensions\[0\]\.oid" must be a dotted object identifier/);
    // Under 2 the first two arcs are written as one number (80 + second): past 2^53 − 1 the OID came out empty.
    await refuse({ policies: ['2.9007199254740912'] }, /option "policies\[0\]" must be a dotted object identifier .* that DER can carry as written/);
    await refuse({ gpkiAttributes: { subjectType: '2.9007199254740912.1' } }, /option "gpkiAttributes\.subjectType" must be a dotted object identifier/);
  });

  it('a key pair without its private key or with the keys swapped; an EC key to certify is still fine', async () => {
    const moica = pki.issuer('moica');
    await expectRefused(() => pki.issueCertificate({ issuer: 'root', subject, keyPair: { publicKey: moica.publicKey } as never }), /option "keyPair\.privateKey" must be that key's private key/);
    await expectRefused(
      () => pki.issueCertificate({ issuer: 'root', subject, keyPair: { publicKey: moica.privateKey, privateKey: moica.publicKey } }),
      /option "keyPair\.publicKey" must be the public key to certify .*not a private rsa KeyObject/,
    );
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const issued = await pki.issueCertificate({ issuer: 'root', subject, keyPair: ec });
    expect(issued.privateKey).toBe(ec.privateKey);
  });

  it('still accepted: 2.25.<UUID> OIDs (written as given), a hash name in lower case, keyUsageCritical alone', async () => {
    const uuidOid = '2.25.329800735698586629295641978511506172918';
    const issued = await pki.issueCertificate({
      issuer: 'root',
      subject,
      keyPair: holder.keyx,
      policies: [uuidOid],
      signatureHash: 'sha-384' as never,
      keyUsageCritical: false,
    });
    const profile = parseCertificate(issued.certificate);
    expect(profile.policies.map((p) => p.oid)).toEqual([uuidOid]);
    expect(profile.signatureAlgorithm.oid).toBe('1.2.840.113549.1.1.12');
    expect(nameToText(buildName([{ type: uuidOid, value: 'x' }]))).toBe(`${uuidOid}=x`);
    const typed = await pki.issueCertificate({ issuer: 'root', subject, keyPair: holder.keyx, gpkiAttributes: { subjectType: uuidOid } });
    expect(TrustedCertificate.from(typed.certificate).profile().identity.subjectType?.oid).toBe(uuidOid);
    // A certificate's own name is re-encoded by @peculiar/x509, which wrote such an arc as another OID ("2.25=x").
    await expectRefused(
      () => pki.issueCertificate({ issuer: 'root', subject: [{ type: uuidOid, value: 'x' }] }),
      /option "subject" attribute 0: type 2\.25\.\d+ has an arc above 2\^53 − 1, which a certificate's name cannot carry here \(buildName can\)/,
      'BAD_SUBJECT_NAME',
    );
    await expectRefused(
      () => pki.issueCertificate({ issuer: 'root', subject: [{ type: '2.9007199254740912', value: 'x' }] }),
      /option "subject" attribute 0: type 2\.9007199254740912 is not an object identifier DER can carry as written/,
      'BAD_SUBJECT_NAME',
    );
  });

  it('issueCardHolder: a cardType that is not a string', async () => {
    await expectRefused(() => pki.issueCardHolder({ authority: 'moica', cardType: 1 as never }), /^issueCardHolder: option "cardType" must be a string/);
  });

  // Each of these used to be written as another value: UTF-8 bytes in a PrintableString, an e-mail's low bytes, U+FFFD.
  it.each([
    ['subjectSerialNumber', '王000000000000001', /^issueCardHolder: option "subjectSerialNumber" must be 1 to 64 PrintableString characters \(A–Z a–z 0–9 space ' \( \) \+ , - \. \/ : = \?\), such as 16 digits.*, not "王000000000000001"$/],
    ['subjectSerialNumber', 'A_1', /option "subjectSerialNumber" must be 1 to 64 PrintableString characters/],
    ['subjectSerialNumber', '', /option "subjectSerialNumber" must be 1 to 64 PrintableString characters/],
    ['subjectSerialNumber', '1'.repeat(65), /option "subjectSerialNumber" must be 1 to 64 PrintableString characters/],
    ['cardType', 'prim@ry', /^issueCardHolder: option "cardType" must be PrintableString characters \(A–Z a–z 0–9 space .*\), such as 'primary', 'secondary' or 'mobile', not "prim@ry"$/],
    ['cardType', '主卡', /option "cardType" must be PrintableString characters/],
    ['email', 'wáng@例子.tw', /^issueCardHolder: option "email" must be ASCII only: subjectAltName's rfc822Name is an IA5String, not "wáng@例子.tw"$/],
    ['commonName', 'a\ud800b', /^issueCardHolder: option "commonName" must be well-formed Unicode \(it has a lone surrogate, which a UTF8String cannot carry\)/],
    ['idHint', '\udc001234', /option "idHint" must be well-formed Unicode/],
    ['businessId', '1234560\ud83d', /option "businessId" must be well-formed Unicode/],
    ['organizationOid', 'agency-1', /^issueCardHolder: option "organizationOid" must be a dotted object identifier such as '2\.16\.886\.101\.0\.3\.3'.*, not "agency-1"$/],
  ])('issueCardHolder: %s %j, which its ASN.1 type cannot carry as given', async (name, value, message) => {
    await expectRefused(() => pki.issueCardHolder({ authority: 'moica', [name]: value }), message);
  });

  it('issueCardHolder: the edge of each type is written as given, one step past it refused', async () => {
    const serial = "A-Z a-z 0-9 '()+,./:=?".padEnd(64, '9');
    const holder = await pki.issueCardHolder({
      authority: 'moica',
      subjectSerialNumber: serial,
      cardType: 'secondary',
      email: 'wang.xiaoming@example.tw',
      commonName: '王小明 😀',
    });
    const subjectDer = Buffer.from(parseCertificate(holder.sign.certificate).subject.der);
    expect(subjectDer.includes(Buffer.concat([Uint8Array.of(0x13, 64), Buffer.from(serial, 'ascii')]))).toBe(true);
    expect(subjectDer.includes(Buffer.from('王小明 😀', 'utf8'))).toBe(true);
    expect(TrustedCertificate.from(holder.sign.certificate).profile().identity.cardType).toBe('secondary');
    expect(new X509Certificate(holder.sign.certificate).subjectAltName).toBe('email:wang.xiaoming@example.tw');
    await expectRefused(() => pki.issueCardHolder({ authority: 'moica', subjectSerialNumber: `${serial}9` }), /option "subjectSerialNumber" must be 1 to 64/);
    await expectRefused(() => pki.issueCardHolder({ authority: 'moica', email: 'wang.xiaoming@example.tw\u0080' }), /option "email" must be ASCII only/);
  });

  it('issueCardHolder: a subjectSerialNumber for an authority whose subject has none is refused, not dropped', async () => {
    const organizations = await createTestPki({ now, authorities: ['moeaca', 'xca', 'gca'] });
    for (const authority of ['moeaca', 'xca'] as const) {
      await expectRefused(
        () => organizations.issueCardHolder({ authority, subjectSerialNumber: '0000000000000001' }),
        new RegExp(`^issueCardHolder: option "subjectSerialNumber" has no place in a ${authority.toUpperCase()} holder's subject`),
      );
    }
    const gca = await organizations.issueCardHolder({ authority: 'gca', subjectSerialNumber: '0000000000000001' });
    expect(Buffer.from(parseCertificate(gca.sign.certificate).subject.der).includes(Buffer.from('0000000000000001'))).toBe(true);
  });

  it('issueCardHolder: a MOICA idHint that is not 4 digits is refused (no MOICA card has one); other authorities take it as given', async () => {
    for (const idHint of ['12345', '123', '', 'abcd', '12a4', '１２３４']) {
      await expectRefused(() => pki.issueCardHolder({ authority: 'moica', idHint }), /^issueCardHolder: option "idHint" must be 4 digits \(0–9\) for a MOICA holder, such as '1234', not "/);
    }
    const moica = await pki.issueCardHolder({ authority: 'moica', idHint: '0042' });
    expect(parseCertificate(moica.sign.certificate).identity.idHint).toBe('0042');
    const gca = await (await createTestPki({ now, authorities: ['gca'] })).issueCardHolder({ authority: 'gca', idHint: '12345' });
    expect(parseCertificate(gca.sign.certificate).identity.idHint).toBe('12345');
  });

  it('issueCertificate: an e-mail that is not ASCII', async () => {
    await expectRefused(() => pki.issueCertificate({ issuer: 'root', subject, email: 'ü@example.tw' }), /^issueCertificate: option "email" must be ASCII only: subjectAltName's rfc822Name is an IA5String, not "ü@example.tw"$/);
  });
});
