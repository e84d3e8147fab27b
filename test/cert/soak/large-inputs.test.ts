import { createHash, sign, type KeyObject } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ChallengeIssuer,
  LoginVerifierBuilder,
  MAX_TOKEN_CHARS,
  RevocationChecker,
  TrustedCertificate,
  buildLoginMessage,
  type LoginVerifier,
  type VerifiedLogin,
} from '../../../src/cert/index.js';
import { LoginVerificationError } from '../../../src/cert/trust/login/errors.js';
import { NULL, explicit, integerFromHex, objectIdentifier, octetString, sequence, tlv } from '../../../src/testing/der/der-writer.js';
import { createTestPki, type IssuedCertificate, type TestPki } from '../../../src/testing/pki/index.js';
import { buildCrl, type LocalRevocationServer } from '../../../src/testing/revocation/index.js';
import { startRevocationRig } from '../trust/helpers/fixtures.js';
import { certificateVariant, certificateWithName } from './helpers/variants.js';

// The largest tokens a client can post (MAX_TOKEN_CHARS of JSON): a CMS full
// of certificates, a certificate with a huge name, thousands of signed
// attributes. Each must end in a result or a typed error; the work is bounded
// by the path-building budget and linear parsing (timings are printed with
// SOAK_REPORT=1, never asserted).

const ORIGIN = 'https://large.example.gov.tw';
let server: LocalRevocationServer;
let pki: TestPki;
let user: IssuedCertificate;
let stranger: IssuedCertificate;
let strangerCa: IssuedCertificate;
const challenges = new ChallengeIssuer();
let verifier: LoginVerifier;

beforeAll(async () => {
  ({ server, pki } = await startRevocationRig({ ocspResponder: true }));
  const moica = pki.issuer('moica');
  user = await pki.issueCertificate({ issuer: moica, subject: 'C=TW, CN=王小明', keyUsage: ['digitalSignature'] });
  server.publishCrl(pki.crlUrl('moica'), buildCrl({ issuer: moica, entries: [] }));
  const other = await createTestPki({ authorities: ['moica'], crlBaseUrl: server.crlBaseUrl, ocspUrl: server.ocspUrl });
  strangerCa = other.issuer('moica');
  stranger = await other.issueCertificate({ issuer: strangerCa, subject: 'C=TW, CN=王小明', keyUsage: ['digitalSignature'] });
  verifier = new LoginVerifierBuilder()
    .withTrustAnchors(pki.root.certificate)
    .withIntermediates(moica.certificate)
    .withAllowedOrigins(ORIGIN)
    .withChallenges(challenges)
    .withRevocationChecker(new RevocationChecker({ mode: 'crl' }))
    .build();
}, 60_000);

afterAll(async () => {
  await server.close();
});

function attribute(type: string, value: Uint8Array): Uint8Array {
  return sequence(objectIdentifier(type), tlv(0x31, value));
}

/** DER SET OF: members sorted by their encoding. */
function setOf(items: readonly Uint8Array[]): Uint8Array {
  const sorted = [...items].sort((a, b) => Buffer.compare(a, b));
  return tlv(0x31, new Uint8Array(Buffer.concat(sorted)));
}

interface CmsShape {
  readonly signer: IssuedCertificate;
  readonly carried?: readonly Uint8Array[];
  readonly extraAttributes?: number;
}

/** A PKCS7 login token as the local component makes it, with what `shape` adds. */
async function cmsToken(shape: CmsShape, session: string): Promise<string> {
  const challenge = await challenges.issue(session);
  const tbs = buildLoginMessage({ origin: ORIGIN, challenge: challenge.value });
  const cert = TrustedCertificate.from(shape.signer.certificate);
  const digestAlg = sequence(objectIdentifier('2.16.840.1.101.3.4.2.1'), NULL);
  const attrs = [
    attribute('1.2.840.113549.1.9.3', objectIdentifier('1.2.840.113549.1.7.1')),
    attribute('1.2.840.113549.1.9.4', octetString(new Uint8Array(createHash('sha256').update(tbs).digest()))),
  ];
  // Private-arc attribute types twpki does not read, each once.
  for (let i = 0; i < (shape.extraAttributes ?? 0); i++) attrs.push(attribute(`1.3.6.1.4.1.99999.${i}`, octetString(new Uint8Array([i & 0xff]))));
  const set = setOf(attrs);
  const signedAttrs = Uint8Array.from(set);
  signedAttrs[0] = 0xa0;
  const signature = sign('sha256', set, shape.signer.privateKey as KeyObject);
  const signerInfo = sequence(
    integerFromHex('01'),
    sequence(cert.issuerDer, integerFromHex(cert.serialHex)),
    digestAlg,
    signedAttrs,
    sequence(objectIdentifier('1.2.840.113549.1.1.1'), NULL),
    octetString(new Uint8Array(signature)),
  );
  const signedData = sequence(
    integerFromHex('01'),
    setOf([digestAlg]),
    sequence(objectIdentifier('1.2.840.113549.1.7.1')),
    tlv(0xa0, new Uint8Array(Buffer.concat([shape.signer.certificate, ...(shape.carried ?? [])]))),
    setOf([signerInfo]),
  );
  const cms = sequence(objectIdentifier('1.2.840.113549.1.7.2'), explicit(0, signedData));
  return JSON.stringify({ signatureType: 'PKCS7', tbs, signature: Buffer.from(cms).toString('base64') });
}

/** As many of `make(i)` as fit in a token of at most MAX_TOKEN_CHARS beside `base` bytes of the rest. */
function fill(make: (i: number) => Uint8Array, base: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  let bytes = base;
  for (let i = 0; ; i++) {
    const next = make(i);
    if (((bytes + next.length) * 4) / 3 + 2048 > MAX_TOKEN_CHARS) return out;
    out.push(next);
    bytes += next.length;
  }
}

/** A Name of `n` OU attributes between C and CN (about 17 octets each). */
function hugeName(n: number): Uint8Array {
  const rdn = (type: string, value: string): Uint8Array => tlv(0x31, sequence(objectIdentifier(type), tlv(0x0c, new Uint8Array(Buffer.from(value)))));
  return sequence(rdn('2.5.4.6', 'TW'), ...Array.from({ length: n }, (_, i) => rdn('2.5.4.11', `單${i}`)), rdn('2.5.4.3', '王小明'));
}

type Outcome = { readonly login: VerifiedLogin } | { readonly error: LoginVerificationError };

/** Verifies `token`: a login or a typed error; any other throw fails the test. */
async function outcome(name: string, token: string, session: string): Promise<Outcome> {
  expect(token.length).toBeLessThanOrEqual(MAX_TOKEN_CHARS);
  const start = performance.now();
  let result: Outcome;
  try {
    result = { login: await verifier.verify(token, { sessionId: session }) };
  } catch (err) {
    expect(err).toBeInstanceOf(LoginVerificationError);
    result = { error: err as LoginVerificationError };
  }
  if (process.env['SOAK_REPORT'] === '1') {
    const what = 'login' in result ? 'login' : (result.error as { code: string }).code;
    console.log(`${name}: ${token.length} chars, ${(performance.now() - start).toFixed(1)} ms, ${what}`);
  }
  return result;
}

function codeOf(o: Outcome): string | undefined {
  return 'error' in o ? (o.error as { code: string }).code : undefined;
}

describe('tokens of the largest size', () => {
  it('a CMS full of copies of the issuing CA certificate (each a candidate issuer): the login succeeds on the configured path', async () => {
    const moica = pki.issuer('moica').certificate;
    const carried = fill((i) => certificateVariant(moica, i), user.certificate.length);
    expect(carried.length).toBeGreaterThan(100);
    const o = await outcome('CA copies', await cmsToken({ signer: user, carried }, 'a'), 'a');
    expect(codeOf(o)).toBeUndefined();
  });

  it('a stranger signer with a CMS full of forged issuers of it: CERT_UNTRUSTED', async () => {
    const carried = fill((i) => certificateVariant(strangerCa.certificate, i), stranger.certificate.length);
    const o = await outcome('forged issuers', await cmsToken({ signer: stranger, carried }, 'b'), 'b');
    expect(codeOf(o)).toBe('CERT_UNTRUSTED');
  });

  it('a CMS full of undecodable "certificates" beside a known signer: the signer is still found, then judged', async () => {
    const junk = (i: number): Uint8Array => sequence(integerFromHex((i + 1).toString(16).padStart(8, '0')), octetString(new Uint8Array(1200)));
    const carried = fill(junk, user.certificate.length);
    const o = await outcome('junk certificates', await cmsToken({ signer: user, carried }, 'c'), 'c');
    expect(['TOKEN_MALFORMED', undefined]).toContain(codeOf(o));
  });

  it('thousands of signed attributes: read once each, the login judged as any other', async () => {
    const o = await outcome('signed attributes', await cmsToken({ signer: user, extraAttributes: 9000 }, 'd'), 'd');
    expect(codeOf(o)).toBeUndefined();
  });

  it('a certificate with a name of thousands of attributes, issued by the CA: judged in full', async () => {
    const big = { ...user, certificate: certificateWithName(user.certificate, hugeName(9000), pki.issuer('moica').privateKey) };
    expect(big.certificate.length).toBeGreaterThan(150_000);
    const o = await outcome('huge subject', await cmsToken({ signer: big }, 'e'), 'e');
    expect(codeOf(o)).toBeUndefined();
    if ('login' in o) expect(o.login.profile.subject.commonName).toBe('王小明');
  });

  it('a certificate naming a huge issuer, compared by meaning with every configured CA: CERT_UNTRUSTED', async () => {
    const forged = { ...stranger, certificate: certificateWithName(stranger.certificate, hugeName(5000), strangerCa.privateKey, 3) };
    const o = await outcome('huge issuer', await cmsToken({ signer: forged }, 'g'), 'g');
    expect(codeOf(o)).toBe('CERT_UNTRUSTED');
  });

  it('one character over MAX_TOKEN_CHARS: TOKEN_MALFORMED before parsing', async () => {
    const text = `{"signatureType":"PKCS7","tbs":"x","signature":"${'A'.repeat(MAX_TOKEN_CHARS)}"}`;
    try {
      await verifier.verify(text, { sessionId: 'f' });
      throw new Error('expected a refusal');
    } catch (err) {
      expect(err).toBeInstanceOf(LoginVerificationError);
      expect((err as { code: string }).code).toBe('TOKEN_MALFORMED');
    }
  });
});
