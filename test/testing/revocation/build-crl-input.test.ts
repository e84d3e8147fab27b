import { generateKeyPairSync } from 'node:crypto';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { CertificateRevocationList } from '../../../src/cert/trust/revocation/crl.js';
import { TwpkiError } from '../../../src/shared/twpki-error.js';
import { TestPkiError, buildCrl, createTestPki, type BuildCrlOptions, type TestCa, type TestCrlEntry } from '../../../src/testing/index.js';

// Counts signatures: a misuse must fail before anything is signed.
const signing = vi.hoisted(() => ({ count: 0 }));
vi.mock('../../../src/testing/revocation/signing.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../../src/testing/revocation/signing.js')>();
  return {
    ...original,
    signTbs: (...args: Parameters<typeof original.signTbs>) => {
      signing.count++;
      return original.signTbs(...args);
    },
  };
});

/** `build` throws TestPkiError `BAD_OPTIONS` with a message matching `message`, having signed nothing. */
function expectRefused(build: () => unknown, message: RegExp): void {
  const before = signing.count;
  let error: unknown;
  try {
    build();
  } catch (e) {
    error = e;
  }
  expect(error, String(message)).toBeInstanceOf(TestPkiError);
  expect(error).toBeInstanceOf(TwpkiError);
  expect((error as TestPkiError).code, String(message)).toBe('BAD_OPTIONS');
  expect((error as Error).message).toMatch(message);
  expect(signing.count, `nothing signed for ${String(message)}`).toBe(before);
}

const revokedAt = new Date('2026-01-01T00:00:00Z');

// buildCrl writes DER by hand, so most misuse used to go into the CRL as something else: a serial `xyz` or ''
// as zero, an unknown reason as 0xFF, a cRLNumber of -1 or 1.5, an unknown hash as an empty OID, a non-ASCII
// URI cut to bytes, an unknown option or entry field dropped. The rest failed as TypeError, RangeError, a chain
// error or node:crypto's own error.
describe('buildCrl refuses arguments it cannot use, naming them, before signing', () => {
  let moica: TestCa;
  beforeAll(async () => {
    moica = (await createTestPki({ authorities: ['moica'] })).issuer('moica');
  }, 60_000);
  const crl = (options: Partial<Record<keyof BuildCrlOptions, unknown>> & Record<string, unknown>): (() => Uint8Array) =>
    () => buildCrl({ issuer: moica, entries: [{ serialHex: '0a', revokedAt }], ...options } as BuildCrlOptions);

  it('options that are not an object, and names that are not options', () => {
    expectRefused(() => buildCrl(undefined as never), /^buildCrl: options must be an object/);
    expectRefused(crl({ crlNumbr: 3 }), /^buildCrl: "crlNumbr" is not an option \(they are .*crlNumber/);
  });

  it('an issuer that is not a CA certificate with its key; a signWith that is not a private key', () => {
    const ed = generateKeyPairSync('ed25519');
    expectRefused(crl({ issuer: undefined }), /^buildCrl: option "issuer" must be the CA with its key, such as pki\.issuer\('moica'\).*, not undefined/);
    expectRefused(crl({ issuer: 'moica' }), /option "issuer" must be the CA with its key.*, not "moica"/);
    expectRefused(crl({ issuer: moica.certificate }), /option "issuer" must be the CA with its key.*, not a Uint8Array of \d+ bytes/);
    expectRefused(crl({ issuer: { certificate: moica.certificate } }), /option "issuer\.privateKey" must be the CA's private key.*, not undefined/);
    expectRefused(crl({ issuer: { certificate: moica.certificate, privateKey: moica.publicKey } }), /option "issuer\.privateKey" .*not a public rsa KeyObject/);
    expectRefused(crl({ issuer: { certificate: moica.certificate, privateKey: ed.privateKey } }), /option "issuer\.privateKey" .*\(rsa or ec\), not a private ed25519 KeyObject/);
    expectRefused(crl({ issuer: { ...moica, certificate: Uint8Array.of(1, 2, 3) } }), /option "issuer\.certificate" is not a certificate/);
    expectRefused(crl({ signWith: moica.publicKey }), /option "signWith" must be the key to sign with .*not a public rsa KeyObject/);
    expectRefused(crl({ signWith: moica }), /option "signWith" .*, not an object/);
    // Still accepted: an EC key signs (ECDSA), and signWith stands in for the issuer's key.
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    expect(CertificateRevocationList.parse(crl({ issuer: { certificate: moica.certificate, privateKey: ec.privateKey } })()).size).toBe(1);
    expect(CertificateRevocationList.parse(crl({ signWith: ec.privateKey })()).size).toBe(1);
  });

  it('entries that are not an iterable of { serialHex, revokedAt }, naming the entry and field', () => {
    expectRefused(crl({ entries: undefined }), /^buildCrl: option "entries" must be the revoked certificates, an array .*\[\] for none\), not undefined/);
    expectRefused(crl({ entries: { serialHex: '0a', revokedAt } }), /option "entries" must be the revoked certificates.*, not an object/);
    expectRefused(crl({ entries: '0a' }), /option "entries" must be the revoked certificates.*, not "0a"/);
    expectRefused(crl({ entries: [{ serialHex: '0a', revokedAt }, null] }), /option "entries\[1\]" must be an object such as/);
    expectRefused(crl({ entries: [{ serialHex: '0a', revokedAt, revocationReason: 'keyCompromise' }] }), /option "entries\[0\]": "revocationReason" is not an option \(they are serialHex, revokedAt, reason, extraExtensions\)/);
  });

  it('a serial that is not hex digits; odd-length hex and zero are still integers', () => {
    for (const serialHex of [undefined, '', '-', '--1', '+1', '0x0a', 'xyz', '0a ', 10]) {
      expectRefused(crl({ entries: [{ serialHex: '0b', revokedAt }, { serialHex, revokedAt }] }), /option "entries\[1\]\.serialHex" must be the certificate's serial in hex digits/);
    }
    const parsed = CertificateRevocationList.parse(crl({ entries: [{ serialHex: 'abc', revokedAt }, { serialHex: '0', revokedAt }] })());
    expect(parsed.lookup('0abc')?.revokedAt).toEqual(revokedAt);
    expect(parsed.lookup('00')?.revokedAt).toEqual(revokedAt);
  });

  it('a negative serial is spelt as TrustedCertificate.serialHex spells it (-80 is -128), and lists that value only', () => {
    const other = new Date(revokedAt.getTime() - 60_000);
    const parsed = CertificateRevocationList.parse(crl({ entries: [{ serialHex: '-80', revokedAt }, { serialHex: '0081', revokedAt: other }] })());
    expect(parsed.lookup('-80')?.revokedAt).toEqual(revokedAt);
    // +128 is another certificate: not listed. +129 is written as a positive INTEGER (00 81), not as -127.
    expect(parsed.lookup('80')).toBeUndefined();
    expect(parsed.lookup('81')?.revokedAt).toEqual(other);
    expect(parsed.lookup('-7f')).toBeUndefined();
  });

  it('revokedAt missing or not a valid Date, and a reason that is not a revocation reason', () => {
    const entry = (fields: Record<string, unknown>): TestCrlEntry[] => [{ serialHex: '0a', revokedAt, ...fields } as TestCrlEntry];
    expectRefused(crl({ entries: [{ serialHex: '0a' }] }), /option "entries\[0\]\.revokedAt" must be a valid Date \(the revocationDate\), not undefined/);
    expectRefused(crl({ entries: entry({ revokedAt: new Date('x') }) }), /option "entries\[0\]\.revokedAt" must be a valid Date, not an invalid Date/);
    expectRefused(crl({ entries: entry({ revokedAt: '2026-01-01' }) }), /option "entries\[0\]\.revokedAt" must be a valid Date, not "2026-01-01"/);
    expectRefused(crl({ entries: entry({ revokedAt: 0 }) }), /option "entries\[0\]\.revokedAt" must be a valid Date, not 0/);
    expectRefused(crl({ entries: entry({ revokedAt: new Date('+010000-01-01T00:00:00Z') }) }), /option "entries\[0\]\.revokedAt" must be a Date from year 0000 to 9999/);
    expectRefused(crl({ entries: entry({ reason: 'stolen' }) }), /option "entries\[0\]\.reason" must be a revocation reason \(unspecified, keyCompromise, .*certificateHold.*\), not "stolen"/);
    expectRefused(crl({ entries: entry({ reason: 1 }) }), /option "entries\[0\]\.reason" must be a revocation reason/);
    expectRefused(crl({ entries: entry({ extraExtensions: [{ oid: '2.5.29.24', critical: false, value: '20251231000000Z' }] }) }), /option "entries\[0\]\.extraExtensions\[0\]\.value" must be the DER/);
  });

  it('an entry from a generator is named by its position, and a generator of good entries still builds', () => {
    function* entries(bad: boolean): Generator<TestCrlEntry> {
      yield { serialHex: '01', revokedAt };
      yield { serialHex: '02', revokedAt: bad ? new Date(Number.NaN) : revokedAt };
    }
    expectRefused(crl({ entries: entries(true) }), /option "entries\[1\]\.revokedAt" must be a valid Date/);
    expect(CertificateRevocationList.parse(crl({ entries: entries(false) })()).size).toBe(2);
  });

  it('thisUpdate and nextUpdate not valid Dates, or a past nextUpdate beside the default thisUpdate (naming both)', () => {
    expectRefused(crl({ thisUpdate: '2026-01-01' }), /option "thisUpdate" must be a valid Date, not "2026-01-01"/);
    expectRefused(crl({ thisUpdate: new Date('x') }), /option "thisUpdate" must be a valid Date, not an invalid Date/);
    expectRefused(crl({ nextUpdate: new Date('x') }), /option "nextUpdate" must be a valid Date, not an invalid Date/);
    expectRefused(crl({ nextUpdate: Date.now() + 86_400_000 }), /option "nextUpdate" must be a valid Date, not \d+/);
    expectRefused(
      crl({ nextUpdate: new Date(Date.now() - 60_000) }),
      /option "nextUpdate" \(.*\) is before thisUpdate \(.*, the default: now\); a stale CRL has both in the past, thisUpdate first/,
    );
    // Still accepted: null omits nextUpdate; a stale CRL has both dates in the past; with both given, an inverted
    // CRL is built as asked (for testing a verifier against one).
    const inverted = CertificateRevocationList.parse(crl({ thisUpdate: revokedAt, nextUpdate: new Date('2025-12-31T00:00:00Z') })());
    expect(inverted.nextUpdate).toEqual(new Date('2025-12-31T00:00:00Z'));
    expect(CertificateRevocationList.parse(crl({ nextUpdate: null })()).nextUpdate).toBeUndefined();
    expect(CertificateRevocationList.parse(crl({ thisUpdate: new Date('2025-01-01T00:00:00Z'), nextUpdate: new Date('2025-01-02T00:00:00Z') })()).size).toBe(1);
  });

  it('hash, cRLNumber, deltaOf and corruptSignature of the wrong kind', () => {
    expectRefused(crl({ hash: 'sha256' }), /option "hash" must be one of "SHA-1", "SHA-256", "SHA-384", "SHA-512", not "sha256"/);
    expectRefused(crl({ hash: 'MD5' }), /option "hash" must be one of .*, not "MD5"/);
    expectRefused(crl({ crlNumber: -1 }), /option "crlNumber" must be a non-negative integer, not -1/);
    expectRefused(crl({ crlNumber: 1.5 }), /option "crlNumber" must be a non-negative integer, not 1.5/);
    expectRefused(crl({ crlNumber: '2' }), /option "crlNumber" must be a non-negative integer, not "2"/);
    expectRefused(crl({ deltaOf: -2 }), /option "deltaOf" must be a non-negative integer, not -2/);
    expectRefused(crl({ corruptSignature: 'yes' }), /option "corruptSignature" must be true or false, not "yes"/);
  });

  it('an issuingDistributionPoint or extraExtensions that would be dropped or mangled', () => {
    expectRefused(crl({ issuingDistributionPoint: 'http://127.0.0.1/a.crl' }), /option "issuingDistributionPoint" must be an object/);
    expectRefused(crl({ issuingDistributionPoint: { uri: ['http://127.0.0.1/a.crl'] } }), /option "issuingDistributionPoint": "uri" is not an option \(they are uris, /);
    expectRefused(crl({ issuingDistributionPoint: { uris: 'http://127.0.0.1/a.crl' } }), /option "issuingDistributionPoint\.uris" must be an array of URIs/);
    expectRefused(crl({ issuingDistributionPoint: { uris: ['http://127.0.0.1/憑證.crl'] } }), /option "issuingDistributionPoint\.uris\[0\]" must be a non-empty URI in printable ASCII/);
    expectRefused(crl({ issuingDistributionPoint: { uris: [''] } }), /option "issuingDistributionPoint\.uris\[0\]" must be a non-empty URI/);
    expectRefused(crl({ issuingDistributionPoint: { onlyCaCerts: 'yes' } }), /option "issuingDistributionPoint\.onlyCaCerts" must be true or false/);
    expectRefused(crl({ issuingDistributionPoint: { onlySomeReasons: [256] } }), /option "issuingDistributionPoint\.onlySomeReasons\[0\]" must be a byte \(0–255\), not 256/);
    expectRefused(crl({ extraExtensions: [{ oid: 'x', critical: false, value: Uint8Array.of(5, 0) }] }), /option "extraExtensions\[0\]\.oid" must be a dotted object identifier/);
    expectRefused(crl({ extraExtensions: [{ oid: '1.2.3.4', critical: 'yes', value: Uint8Array.of(5, 0) }] }), /option "extraExtensions\[0\]\.critical" must be true or false/);
  });
});
