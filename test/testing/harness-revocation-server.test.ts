import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ChallengeIssuer,
  LoginVerifierBuilder,
  RevocationChecker,
  TrustedCertificate,
  buildLoginMessage,
  type LoginVerifier,
} from '../../src/cert/index.js';
import { TwpkiError } from '../../src/shared/twpki-error.js';
import { LocalRevocationServer, TestPkiError, buildCrl, createTestPki, signLoginToken, type TestPki } from '../../src/testing/index.js';

const origin = 'https://gps.example.gov.tw';

/** What a harness's setStatus/addAuthority/publishCrl misuse throws: its class, code and message. */
function thrown(fn: () => unknown): { error: unknown; code?: string; message?: string } {
  try {
    fn();
  } catch (error) {
    return { error, code: (error as TestPkiError).code, message: (error as Error).message };
  }
  return { error: undefined };
}

describe('LocalRevocationServer as a backend harness drives it', () => {
  let pki: TestPki;
  let server: LocalRevocationServer;
  beforeAll(async () => {
    server = await LocalRevocationServer.start();
    pki = await createTestPki({ ocspUrl: server.ocspUrl, crlBaseUrl: server.crlBaseUrl, authorities: ['moica'] });
  }, 60_000);
  afterAll(() => server.close());

  function verifier(challenges: ChallengeIssuer): LoginVerifier {
    return new LoginVerifierBuilder()
      .withTrustAnchors(pki.root.certificate)
      .withIntermediates(pki.issuer('moica').certificate)
      .withAllowedOrigins(origin)
      .withChallenges(challenges)
      .withRevocationChecker(new RevocationChecker({ ocspCacheSize: 0 }))
      .build();
  }

  it('keeps a status set before the authority was added: the revoked card is refused', { timeout: 30_000 }, async () => {
    const own = await LocalRevocationServer.start();
    try {
      const ownPki = await createTestPki({ ocspUrl: own.ocspUrl, crlBaseUrl: own.crlBaseUrl, authorities: ['moica'] });
      const card = await ownPki.issueCardHolder({ authority: 'moica', commonName: '王小明' });
      // The order a harness writes when it prepares the card first and the server's authorities in a shared helper.
      own.setStatus(TrustedCertificate.from(card.sign.certificate).serialHex, { kind: 'revoked', revokedAt: new Date(), reason: 'keyCompromise' });
      own.addAuthority(ownPki.issuer('moica'));
      const challenges = new ChallengeIssuer();
      const built = new LoginVerifierBuilder()
        .withTrustAnchors(ownPki.root.certificate)
        .withIntermediates(ownPki.issuer('moica').certificate)
        .withAllowedOrigins(origin)
        .withChallenges(challenges)
        .withRevocationChecker(new RevocationChecker({ ocspCacheSize: 0 }))
        .build();
      const challenge = await challenges.issue('s1');
      const token = await signLoginToken(card, { tbs: buildLoginMessage({ origin, challenge: challenge.value }) });
      await expect(built.verify(token, { sessionId: 's1' })).rejects.toMatchObject({ code: 'CERT_REVOKED' });
    } finally {
      await own.close();
    }
  });

  it('suspend, resume, revoke: the login follows', { timeout: 30_000 }, async () => {
    server.addAuthority(pki.issuer('moica'));
    const card = await pki.issueCardHolder({ authority: 'moica', commonName: '王小明' });
    const serial = TrustedCertificate.from(card.sign.certificate).serialHex;
    const challenges = new ChallengeIssuer();
    const v = verifier(challenges);
    const login = async (): Promise<string> => {
      const challenge = await challenges.issue('s1');
      const token = await signLoginToken(card, { tbs: buildLoginMessage({ origin, challenge: challenge.value }) });
      return v.verify(token, { sessionId: 's1' }).then(
        () => 'ok',
        (e: { code: string }) => e.code,
      );
    };
    expect(await login()).toBe('ok');
    server.setStatus(serial, { kind: 'revoked', revokedAt: new Date(), reason: 'certificateHold' });
    expect(await login()).toBe('CERT_SUSPENDED');
    server.setStatus(serial.toUpperCase(), { kind: 'good' });
    expect(await login()).toBe('ok');
    server.setStatus(serial, { kind: 'revoked', revokedAt: new Date() });
    expect(await login()).toBe('CERT_REVOKED');
  });

  it('refuses a status or serial it could never answer with, naming what is wrong', () => {
    const cases: Array<[() => unknown, RegExp]> = [
      [() => server.setStatus(1234 as unknown as string, { kind: 'good' }), /setStatus: serialHex .*TrustedCertificate\.from\(der\)\.serialHex.*not number/],
      [() => server.setStatus('王小明', { kind: 'good' }), /setStatus: serialHex must be .* hex digits/],
      [() => server.setStatus('01', { kind: 'revoked' } as never), /setStatus: status revokedAt must be a valid Date/],
      [() => server.setStatus('01', { kind: 'suspended' } as never), /setStatus: status kind must be 'good', 'revoked' or 'unknown'.*certificateHold/],
      [() => server.setStatus('01', { kind: 'revoked', revokedAt: new Date(), reason: 'hold' } as never), /setStatus: status reason "hold" is not a revocation reason/],
      [() => server.addAuthority(pki.issuer('moica').certificate as never), /addAuthority: ca must be a certificate with its private key, as pki\.issuer\('moica'\)/],
      [() => server.addAuthority(undefined as never), /addAuthority: ca must be/],
      [() => server.addAuthority(pki.issuer('moica'), { certificate: pki.root.certificate } as never), /addAuthority: responder must be/],
      [() => server.publishCrl('http://127.0.0.1:1/crl/moica.crl', new Uint8Array(1)), /publishCrl: name must be a file name such as "moica\.crl"/],
      [() => server.publishCrl('moica.crl', 'MII...' as never), /publishCrl: der must be the CRL as DER bytes/],
    ];
    for (const [fn, message] of cases) {
      const { error, code, message: text } = thrown(fn);
      expect(error, String(message)).toBeInstanceOf(TestPkiError);
      expect(error).toBeInstanceOf(TwpkiError);
      expect(code).toBe('BAD_OPTIONS');
      expect(text).toMatch(message);
    }
  });

  it("publishes a CRL at the URL the test PKI's certificates name, given that URL", async () => {
    const crl = buildCrl({ issuer: pki.issuer('moica'), entries: [] });
    expect(server.publishCrl(pki.crlUrl('moica'), crl)).toBe(pki.crlUrl('moica'));
    const answer = await fetch(pki.crlUrl('moica'));
    expect(answer.status).toBe(200);
    expect(new Uint8Array(await answer.arrayBuffer())).toEqual(crl);
  });
});
