import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseCertificate, TrustedCertificate } from '../../../src/cert/index.js';
import { createTestPki } from '../../../src/testing/pki/index.js';
import { realCa } from './helpers/fixtures.js';

// TrustedCertificate reads a certificate once with the one DER reader and
// builds its profile from that reading; it must be exactly the profile a
// fresh parse gives, for real CA certificates and for generated user ones.
const REAL = readdirSync(new URL('../../../fixtures/ca/', import.meta.url))
  .filter((f) => f.endsWith('.pem'))
  .map((f) => f.slice(0, -'.pem'.length));

describe('TrustedCertificate exposes its profile without parsing again', () => {
  it.each(REAL)('real %s: the profile equals parseCertificate of the same bytes', (name) => {
    const pem = realCa(name);
    const trusted = TrustedCertificate.from(pem);
    const profile = trusted.profile();
    expect(profile).toEqual(parseCertificate(pem));
    expect(trusted.profile()).toBe(profile);
    // The trust view and the profile read the same fields from the same walk.
    expect(trusted.notBefore).toEqual(profile.validity.notBefore);
    expect(trusted.notAfter).toEqual(profile.validity.notAfter);
    expect(trusted.serialHex).toBe(profile.serialNumber.toLowerCase().replace(/^(00)+(?=..)/, ''));
    expect(trusted.subjectKeyId).toBe(profile.subjectKeyId?.toLowerCase());
    expect(trusted.policies).toEqual(profile.policies.map((p) => p.oid));
  });

  it('generated MOICA and GCA holders: the profile equals parseCertificate, identity hints included', async () => {
    const pki = await createTestPki();
    for (const authority of ['moica', 'gca'] as const) {
      const holder = await pki.issueCardHolder({ authority });
      const der = holder.sign.certificate;
      const profile = TrustedCertificate.from(der).profile();
      expect(profile).toEqual(parseCertificate(der));
      expect(profile.authority.id).toBe(authority);
    }
  });

  it('the profile and the trust view share one copy of the DER', async () => {
    const pki = await createTestPki();
    const holder = await pki.issueCardHolder({ authority: 'moica' });
    const trusted = TrustedCertificate.from(Uint8Array.from(holder.sign.certificate));
    expect(trusted.profile().der).toBe(trusted.der);
  });
});
