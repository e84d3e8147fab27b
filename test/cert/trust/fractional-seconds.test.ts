/**
 * Fractional seconds in GeneralizedTime, by where the time is. RFC 5280 (4.1.2.5.2, 5.1.2.4, 5.1.2.6): a
 * certificate's or CRL's GeneralizedTime MUST NOT have them, and they were read as if allowed. RFC 6960 sets no such
 * rule for OCSP and real responders send them: OCSP times keep them, read to the millisecond.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChainValidationError, RevocationChecker, TrustedCertificate, type RevocationFetch } from '../../../src/cert/index.js';
import { CertificateRevocationList, parseOcspResponse } from '../../../src/cert/advanced.js';
import { parseCertificate } from '../../../src/cert/profile/index.js';
import type { TestPki } from '../../../src/testing/pki/index.js';
import type { LocalRevocationServer } from '../../../src/testing/revocation/index.js';
import { tlv } from '../../../src/testing/der/der-writer.js';
import { writtenCertificate } from '../profile/helpers/written-certificate.js';
import { revocationFailure as failure, sha1CertId, startRevocationRig } from './helpers/fixtures.js';
import { handCrl, handOcspResponse } from './helpers/revocation-hand-built.js';

let server: LocalRevocationServer;
let pki: TestPki;
let cert: TrustedCertificate;
let issuer: TrustedCertificate;

beforeAll(async () => {
  ({ server, pki, cert, issuer } = await startRevocationRig({ ocspResponder: false }));
});

afterAll(async () => {
  await server.close();
});

/** A GeneralizedTime element with exactly this text. */
const generalized = (text: string): Uint8Array => tlv(0x18, new Uint8Array(Buffer.from(text, 'latin1')));

/** A GeneralizedTime as DER writes one with a fraction: milliseconds, trailing zeros dropped (none at all on a whole second). */
function withMilliseconds(date: Date): Uint8Array {
  const iso = date.toISOString();
  const fraction = iso.slice(20, 23).replace(/0+$/, '');
  return generalized(`${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}${fraction === '' ? '' : `.${fraction}`}Z`);
}

describe('certificates', () => {
  it('refuses a validity time with fractional seconds (MALFORMED_CERTIFICATE naming the field); the profile still shows it', () => {
    const whole = generalized('20700101000000Z');
    for (const [field, validity] of [
      ['notBefore', [generalized('20600101000000.5Z'), whole]],
      ['notAfter', [generalized('20600101000000Z'), generalized('20700101000000.25Z')]],
    ] as const) {
      const der = writtenCertificate({ validity });
      expect(() => TrustedCertificate.from(der)).toThrowError(
        expect.objectContaining({
          name: ChainValidationError.name,
          code: 'MALFORMED_CERTIFICATE',
          message: expect.stringMatching(new RegExp(`^not a certificate: ${field} is not a valid time \\(GeneralizedTime ".*" has fractional seconds, which RFC 5280 forbids`)) as string,
        }) as Error,
      );
      // For display the profile reads what it can (as it reads an offset), so a bad certificate can still be inspected.
      expect(parseCertificate(der).validity[field].getUTCMilliseconds()).toBe(field === 'notBefore' ? 500 : 250);
    }
    // The same times in whole seconds are a certificate.
    expect(TrustedCertificate.from(writtenCertificate({ validity: [generalized('20600101000000Z'), whole] })).notBefore).toEqual(new Date('2060-01-01T00:00:00Z'));
  });
});

describe('CRLs', () => {
  const crl = (times: Parameters<typeof handCrl>[0]['times']): Uint8Array =>
    handCrl({
      issuer,
      issuerKey: pki.issuer('moica').privateKey,
      thisUpdate: new Date(Date.now() - 60_000),
      nextUpdate: new Date(Date.now() + 3_600_000),
      serials: [cert.serialHex],
      revokedAt: new Date(Date.now() - 86_400_000),
      entriesAfterExtensions: false,
      ...(times === undefined ? {} : { times }),
    });

  it('refuses a thisUpdate or nextUpdate with fractional seconds (CRL_MALFORMED naming the field)', () => {
    for (const [field, times] of [
      ['thisUpdate', { thisUpdate: generalized('20250101000000.5Z') }],
      ['nextUpdate', { nextUpdate: generalized('20990101000000.5Z') }],
    ] as const) {
      expect(() => CertificateRevocationList.parse(crl(times))).toThrowError(
        expect.objectContaining({ code: 'CRL_MALFORMED', message: expect.stringMatching(new RegExp(`^not a CRL: ${field} is not a valid time \\(GeneralizedTime ".*\\.5Z" has fractional seconds`)) as string }) as Error,
      );
    }
  });

  it('refuses an entry whose revocationDate has fractional seconds when it is looked up, and a check then fails, neither good nor revoked', async () => {
    const bad = crl({ revocationDate: generalized('20250101000000.5Z') });
    const list = CertificateRevocationList.parse(bad);
    expect(() => list.lookup(cert.serialHex)).toThrowError(
      expect.objectContaining({ code: 'CRL_MALFORMED', message: expect.stringContaining('revocationDate is not a valid time (GeneralizedTime "20250101000000.5Z" has fractional seconds') as string }) as Error,
    );
    const url = server.publishCrl('fraction-entry.crl', bad);
    expect((await failure(new RevocationChecker({ mode: 'crl', crlUrls: [url] }).check(cert, issuer))).code).toBe('CRL_MALFORMED');
    const thisUpdate = server.publishCrl('fraction-this-update.crl', crl({ thisUpdate: generalized('20250101000000.5Z') }));
    expect((await failure(new RevocationChecker({ mode: 'crl', crlUrls: [thisUpdate] }).check(cert, issuer))).code).toBe('CRL_MALFORMED');
    // Whole seconds, in GeneralizedTime as in UTCTime, the same list revokes.
    const whole = server.publishCrl('fraction-none.crl', crl({ revocationDate: generalized('20250101000000Z') }));
    expect(await new RevocationChecker({ mode: 'crl', crlUrls: [whole] }).check(cert, issuer)).toMatchObject({ kind: 'revoked', revokedAt: new Date('2025-01-01T00:00:00Z') });
  });
});

describe('OCSP', () => {
  // The rule is RFC 5280's, not the reader's: the same CA's OCSP answers keep their fractions while its CRLs may not.
  it('reads fractional seconds to the millisecond in every time of a response and answers with them, where a CRL with them fails', async () => {
    const crlWithFraction = server.publishCrl(
      'fraction-ocsp-contrast.crl',
      handCrl({
        issuer,
        issuerKey: pki.issuer('moica').privateKey,
        thisUpdate: new Date(),
        nextUpdate: new Date(Date.now() + 3_600_000),
        serials: [],
        revokedAt: new Date(),
        entriesAfterExtensions: false,
        times: { thisUpdate: withMilliseconds(new Date(Math.floor(Date.now() / 1000) * 1000 - 1000 + 125)) },
      }),
    );
    expect((await failure(new RevocationChecker({ mode: 'crl', crlUrls: [crlWithFraction] }).check(cert, issuer))).code).toBe('CRL_MALFORMED');

    const signer = { signer: issuer, signerKey: pki.issuer('moica').privateKey, certId: sha1CertId(cert, issuer) };
    // A second ago and some milliseconds: not a whole second, so each time is written with a fraction.
    const at = (): Date => new Date(Math.floor(Date.now() / 1000) * 1000 - 1000 + 125);
    const revokedAt = new Date('2025-06-01T08:00:00.5Z');
    const revokedStatus = tlv(0xa1, withMilliseconds(revokedAt));
    const now = at();
    const parsed = parseOcspResponse(handOcspResponse({ ...signer, producedAt: now, thisUpdate: now, nextUpdate: new Date(now.getTime() + 3_600_000), certStatus: revokedStatus, writeTime: withMilliseconds }));
    expect(parsed.producedAt).toEqual(now);
    expect(parsed.responses[0]).toMatchObject({ status: 'revoked', revokedAt, thisUpdate: now, nextUpdate: new Date(now.getTime() + 3_600_000) });

    const answering = (certStatus?: Uint8Array): RevocationChecker => {
      const fetch: RevocationFetch = () => {
        const t = at();
        const body = handOcspResponse({ ...signer, producedAt: t, thisUpdate: t, nextUpdate: new Date(t.getTime() + 3_600_000), writeTime: withMilliseconds, ...(certStatus === undefined ? {} : { certStatus }) });
        return Promise.resolve({ status: 200, body });
      };
      return new RevocationChecker({ mode: 'ocsp', fetch, ocspNonce: false });
    };
    const good = await answering().check(cert, issuer);
    expect(good).toMatchObject({ kind: 'good', source: 'ocsp' });
    expect(good.kind === 'good' && good.thisUpdate.getUTCMilliseconds()).toBe(125);
    expect(await answering(revokedStatus).check(cert, issuer)).toMatchObject({ kind: 'revoked', revokedAt });
  });
});
