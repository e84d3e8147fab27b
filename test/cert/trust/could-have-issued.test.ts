import { describe, expect, it } from 'vitest';
import { couldHaveIssued } from '../../../src/cert/trust/trust-store.js';
import { encodedString, objectIdentifier, sequence, setOf } from '../../../src/testing/der/der-writer.js';

// The rule CRL and OCSP issuers are matched by (crl-cache, ocsp-client), the same as path building's.
const name = (org: 'printable' | 'utf8', value: string): Uint8Array =>
  sequence(setOf(sequence(objectIdentifier('2.5.4.6'), encodedString('printable', 'TW'))), setOf(sequence(objectIdentifier('2.5.4.10'), encodedString(org, value))));

describe('couldHaveIssued (CRL and OCSP issuers)', () => {
  it('compares names as RFC 4518 prepares them when no key identifiers decide: another string type or case still matches', () => {
    const issuer = { subjectKeyId: undefined, subjectDer: name('printable', 'Test CA') };
    expect(couldHaveIssued(issuer, { authorityKeyId: undefined, issuerDer: name('utf8', 'test  ca') })).toBe(true);
    expect(couldHaveIssued(issuer, { authorityKeyId: undefined, issuerDer: name('utf8', 'Other CA') })).toBe(false);
  });

  it('requires the name even when the key identifiers agree, and the key identifiers when both are present', () => {
    const issuer = { subjectKeyId: 'aa01', subjectDer: name('printable', 'Test CA') };
    expect(couldHaveIssued(issuer, { authorityKeyId: 'aa01', issuerDer: name('printable', 'Test CA') })).toBe(true);
    expect(couldHaveIssued(issuer, { authorityKeyId: 'aa01', issuerDer: name('printable', 'Evil Corp') })).toBe(false);
    expect(couldHaveIssued(issuer, { authorityKeyId: 'bb02', issuerDer: name('printable', 'Test CA') })).toBe(false);
  });
});

describe('TrustedCertificate.isSelfIssued', () => {
  it('compares subject and issuer as names (a CA that re-encodes its own name is still self-issued)', async () => {
    const { TrustedCertificate } = await import('../../../src/cert/index.js');
    const { certificate, dn, ecKeyPair, C, O } = await import('./helpers/hand-made-certificates.js');
    const key = ecKeyPair();
    /** A CA certificate named `Test Root` (PrintableString) whose issuer field says `issuerOrg` (UTF8String). */
    const issuedBy = (issuerOrg: string): Uint8Array =>
      certificate({
        serial: 1,
        subject: dn([C, 'printable', 'TW'], [O, 'printable', 'Test Root']),
        issuer: dn([C, 'printable', 'TW'], [O, 'utf8', issuerOrg]),
        key: key.publicKey,
        signer: key.privateKey,
        ca: true,
      });
    expect(TrustedCertificate.from(issuedBy('Test Root')).isSelfIssued()).toBe(true);
    const other = issuedBy('Other Root');
    expect(TrustedCertificate.from(other).isSelfIssued()).toBe(false);
  });
});
