import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlgorithmPolicy, RevocationChecker, type RevocationFetch, type TrustedCertificate } from '../../../src/cert/index.js';
import { OcspClient } from '../../../src/cert/advanced.js';
import type { TestPki } from '../../../src/testing/pki/index.js';
import { buildOcspResponse, type LocalRevocationServer } from '../../../src/testing/revocation/index.js';
import { startRevocationRig, sha1CertId } from './helpers/fixtures.js';

// A responder that pre-signs does not echo the nonce, so a `good` recorded
// days ago replays as well as today's. `maxResponseAgeMs` bounds how old.

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

const DAY = 86_400_000;


/** A responder that answers `good`, produced at `thisUpdate`, valid for a week after it, without a nonce. */
function presigned(thisUpdate: Date): RevocationFetch {
  return () =>
    Promise.resolve({
      status: 200,
      body: buildOcspResponse({
        signer: pki.issuer('moica'),
        issuerCertificate: pki.issuer('moica').certificate,
        responses: [{ certIdDer: sha1CertId(cert, issuer), status: { kind: 'good' } }],
        thisUpdate,
        nextUpdate: new Date(thisUpdate.getTime() + 7 * DAY),
      }),
    });
}

function client(fetch: RevocationFetch, maxResponseAgeMs?: number): OcspClient {
  return new OcspClient({
    fetch,
    algorithms: AlgorithmPolicy.withSha1(),
    ...(maxResponseAgeMs === undefined ? {} : { maxResponseAgeMs }),
  });
}

describe('OcspClient maxResponseAgeMs', () => {
  // Whole seconds: GeneralizedTime in the answer carries no fraction.
  const now = new Date(Math.floor(Date.now() / 1000) * 1000);
  const threeDaysAgo = new Date(now.getTime() - 3 * DAY);

  it('by default accepts an answer produced days ago while inside its nextUpdate', async () => {
    expect(await client(presigned(threeDaysAgo)).check(cert, issuer, now)).toMatchObject({ kind: 'good', thisUpdate: threeDaysAgo });
  });

  it('refuses an answer older than the bound as OCSP_STALE, naming the setting', async () => {
    const err = await client(presigned(threeDaysAgo), DAY).check(cert, issuer, now).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'RevocationError', code: 'OCSP_STALE' });
    expect(String(err)).toContain('maxResponseAgeMs');
  });

  it('accepts an answer younger than the bound, and allows the clock skew at the edge', async () => {
    expect((await client(presigned(new Date(now.getTime() - DAY / 2)), DAY).check(cert, issuer, now)).kind).toBe('good');
    // Produced the bound plus 4 minutes ago: inside the default 5-minute skew.
    const edge = new Date(now.getTime() - DAY - 4 * 60_000);
    expect((await client(presigned(edge), DAY).check(cert, issuer, now)).kind).toBe('good');
    const past = new Date(now.getTime() - DAY - 6 * 60_000);
    await expect(client(presigned(past), DAY).check(cert, issuer, now)).rejects.toMatchObject({ code: 'OCSP_STALE' });
  });

  it('keeps a cached answer no longer than it would be accepted', async () => {
    const produced = new Date(now.getTime() - DAY / 2);
    const c = client(presigned(produced), DAY);
    expect((await c.check(cert, issuer, now)).kind).toBe('good');
    expect(c.requests).toBe(1);
    // Ten minutes later the cached answer serves.
    expect((await c.check(cert, issuer, new Date(now.getTime() + 10 * 60_000))).kind).toBe('good');
    expect(c.requests).toBe(1);
    // With a cache cap longer than the bound, the bound still ends the cached answer: past thisUpdate + bound +
    // skew the responder is asked again (and its answer, as old, refused).
    const long = new OcspClient({ fetch: presigned(produced), algorithms: AlgorithmPolicy.withSha1(), maxResponseAgeMs: DAY, cacheMaxAgeMs: 2 * DAY });
    expect((await long.check(cert, issuer, now)).kind).toBe('good');
    const later = new Date(produced.getTime() + DAY + 6 * 60_000);
    await expect(long.check(cert, issuer, later)).rejects.toMatchObject({ code: 'OCSP_STALE' });
    expect(long.requests).toBe(2);
  });

  it('refuses a setting that is not a usable number of milliseconds, naming it', () => {
    for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => client(presigned(now), bad)).toThrow(/maxResponseAgeMs/);
    }
  });
});

describe('RevocationChecker ocspMaxResponseAgeMs', () => {
  const now = new Date(Math.floor(Date.now() / 1000) * 1000);
  const checker = (maxAge?: number): RevocationChecker =>
    new RevocationChecker({
      mode: 'ocsp',
      fetch: presigned(new Date(now.getTime() - 3 * DAY)),
      ocspNonce: false,
      ...(maxAge === undefined ? {} : { ocspMaxResponseAgeMs: maxAge }),
    });

  it('hands the bound to its OCSP client: a three-day-old answer is good without it, OCSP_STALE with a day', async () => {
    expect((await checker().check(cert, issuer, now)).kind).toBe('good');
    await expect(checker(DAY).check(cert, issuer, now)).rejects.toMatchObject({ name: 'RevocationError', code: 'OCSP_STALE' });
  });

  it('refuses an unusable setting naming it as the caller wrote it', () => {
    expect(() => checker(-5)).toThrow(/ocspMaxResponseAgeMs/);
  });
});
