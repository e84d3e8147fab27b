import { beforeAll, describe, expect, it } from 'vitest';
import {
  ChallengeIssuer,
  LoginVerifierBuilder,
  SignatureVerificationError,
  SignedDocumentVerifierBuilder,
  TrustedCertificate,
  buildLoginMessage,
} from '../../../src/cert/index.js';
import { DEFAULT_SIGNER_EXTENDED_KEY_USAGES } from '../../../src/cert/trust/verification/signer-verifier-builder.js';
import { createTestPki, type IssuedCertificate, type TestPki } from '../../../src/testing/pki/index.js';
import { signLogin } from './helpers/login-signer.js';
import { pkijsCms } from './helpers/pkijs-signer.js';
import { configCode } from './helpers/verification.js';

// RFC 5280 4.2.1.12: with an extendedKeyUsage extension the key may be used
// only for the purposes listed. A signer certificate that has one must list
// an accepted purpose, for logins and for documents alike; card certificates
// have none and keep verifying.

const ORIGIN = 'https://login.example.gov.tw';
const DOCUMENT = new Uint8Array(Buffer.from('申請書：王小明', 'utf8'));

const EKU = {
  any: '2.5.29.37.0',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
  codeSigning: '1.3.6.1.5.5.7.3.3',
  emailProtection: '1.3.6.1.5.5.7.3.4',
  smartcardLogon: '1.3.6.1.4.1.311.20.2.2',
  timeStamping: '1.3.6.1.5.5.7.3.8',
  documentSigning: '1.3.6.1.5.5.7.3.36',
  msDocumentSigning: '1.3.6.1.4.1.311.10.3.12',
  adobeAuthenticDocuments: '1.2.840.113583.1.1.5',
} as const;

let pki: TestPki;
let challenges: ChallengeIssuer;
/** A real card's SIGN certificate: digitalSignature, no EKU. */
let card: IssuedCertificate;
/** A GCA government web server's TLS certificate: EKU serverAuth only. */
let tlsServer: IssuedCertificate;
const byEku = new Map<string, IssuedCertificate>();

async function moicaCertWith(ekus: readonly string[]): Promise<IssuedCertificate> {
  const key = ekus.join('+');
  const known = byEku.get(key);
  if (known !== undefined) return known;
  const cert = await pki.issueCertificate({
    issuer: pki.issuer('moica'),
    subject: [
      { type: 'C', value: 'TW' },
      { type: 'CN', value: `EKU ${key}` },
    ],
    keyUsage: ['digitalSignature'],
    extendedKeyUsage: ekus,
  });
  byEku.set(key, cert);
  return cert;
}

beforeAll(async () => {
  pki = await createTestPki({ authorities: ['moica', 'gca'] });
  challenges = new ChallengeIssuer();
  card = (await pki.issueCardHolder({ authority: 'moica', commonName: '王小明' })).sign;
  tlsServer = await pki.issueCertificate({
    issuer: pki.issuer('gca'),
    subject: 'C=TW, O=行政院, OU=某機關, CN=www.example.gov.tw',
    keyUsage: ['digitalSignature', 'keyEncipherment'],
    extendedKeyUsage: [EKU.serverAuth],
    policies: ['2.16.886.101.0.3.3', '2.23.140.1.2.2'],
  });
});

type Tweak = (b: LoginVerifierBuilder | SignedDocumentVerifierBuilder) => void;

const verifiers = {
  async login(signer: IssuedCertificate, tweak?: Tweak): Promise<string> {
    const builder = new LoginVerifierBuilder()
      .withTrustAnchors(pki.root.certificate)
      .withIntermediates(pki.issuer('moica').certificate, pki.issuer('gca').certificate)
      .withAllowedOrigins(ORIGIN)
      .withChallenges(challenges)
      .withoutRevocationCheck();
    tweak?.(builder);
    const challenge = await challenges.issue('session-1');
    const token = signLogin({
      tbs: buildLoginMessage({ origin: ORIGIN, challenge: challenge.value }),
      certificate: signer.certificate,
      privateKey: signer.privateKey,
    });
    return outcome(builder.build().verify(token, { sessionId: 'session-1' }));
  },
  async document(signer: IssuedCertificate, tweak?: Tweak): Promise<string> {
    const builder = new SignedDocumentVerifierBuilder()
      .withTrustAnchors(pki.root.certificate)
      .withIntermediates(pki.issuer('moica').certificate, pki.issuer('gca').certificate)
      .withoutRevocationCheck();
    tweak?.(builder);
    const signature = await pkijsCms({ content: DOCUMENT, certificate: signer.certificate, privateKey: signer.privateKey });
    return outcome(builder.build().verify({ format: 'cms', signature }));
  },
};

/** `ok`, or the failed step and code (the message after a `|`). */
async function outcome(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (err) {
    if (err instanceof SignatureVerificationError) return `${err.step}:${err.code} | ${err.message}`;
    throw err;
  }
}

const KINDS = ['login', 'document'] as const;

describe.each(KINDS)('extended key usage of a %s signer, default purposes', (kind) => {
  it('refuses a GCA TLS server certificate (EKU serverAuth only), naming the EKU found', async () => {
    const result = await verifiers[kind](tlsServer);
    expect(result).toMatch(/^key-usage:CERT_WRONG_PURPOSE \| /);
    expect(result).toContain("extendedKeyUsage [serverAuth (1.3.6.1.5.5.7.3.1)] lists none of the accepted purposes");
  });

  it('refuses a certificate with EKU timeStamping only, and one with codeSigning only', async () => {
    expect(await verifiers[kind](await moicaCertWith([EKU.timeStamping]))).toMatch(
      /^key-usage:CERT_WRONG_PURPOSE \| .*\[timeStamping \(1\.3\.6\.1\.5\.5\.7\.3\.8\)\]/,
    );
    expect(await verifiers[kind](await moicaCertWith([EKU.codeSigning]))).toMatch(/^key-usage:CERT_WRONG_PURPOSE/);
  });

  it('accepts a card certificate without EKU', async () => {
    expect(TrustedCertificate.from(card.certificate).extendedKeyUsage).toBeUndefined();
    expect(await verifiers[kind](card)).toBe('ok');
  });

  it.each([
    ['anyExtendedKeyUsage', [EKU.any]],
    ['clientAuth', [EKU.clientAuth]],
    ['emailProtection', [EKU.emailProtection]],
    ['Microsoft smart card logon', [EKU.smartcardLogon]],
    ['documentSigning (RFC 9336)', [EKU.documentSigning]],
    ['Microsoft document signing', [EKU.msDocumentSigning]],
    ['Adobe authentic documents', [EKU.adobeAuthenticDocuments]],
    ['serverAuth together with clientAuth', [EKU.serverAuth, EKU.clientAuth]],
  ])('accepts EKU %s', async (_label, ekus) => {
    expect(await verifiers[kind](await moicaCertWith(ekus))).toBe('ok');
  });
});

describe.each(KINDS)('withExtendedKeyUsages on the %s verifier', (kind) => {
  it('replaces the accepted set: clientAuth only refuses emailProtection and anyExtendedKeyUsage', async () => {
    const clientAuthOnly: Tweak = (b) => b.withExtendedKeyUsages(EKU.clientAuth);
    expect(await verifiers[kind](await moicaCertWith([EKU.clientAuth]), clientAuthOnly)).toBe('ok');
    expect(await verifiers[kind](await moicaCertWith([EKU.emailProtection]), clientAuthOnly)).toMatch(
      /^key-usage:CERT_WRONG_PURPOSE \| .*lists none of the accepted purposes \[clientAuth \(1\.3\.6\.1\.5\.5\.7\.3\.2\)\]$/,
    );
    expect(await verifiers[kind](await moicaCertWith([EKU.any]), clientAuthOnly)).toMatch(/^key-usage:CERT_WRONG_PURPOSE/);
    // A certificate without EKU is not restricted by the option.
    expect(await verifiers[kind](card, clientAuthOnly)).toBe('ok');
  });

  it('can accept a purpose the default refuses (serverAuth, for a deployment that wants it)', async () => {
    expect(await verifiers[kind](tlsServer, (b) => b.withExtendedKeyUsages(EKU.serverAuth))).toBe('ok');
  });

  it('with no purposes refuses every certificate that has an EKU and still accepts one without', async () => {
    const none: Tweak = (b) => b.withExtendedKeyUsages();
    expect(await verifiers[kind](await moicaCertWith([EKU.any]), none)).toMatch(/^key-usage:CERT_WRONG_PURPOSE \| .*accepted purposes \[\]$/);
    expect(await verifiers[kind](await moicaCertWith([EKU.clientAuth]), none)).toMatch(/^key-usage:CERT_WRONG_PURPOSE/);
    expect(await verifiers[kind](card, none)).toBe('ok');
  });

  it('refuses text that is not a dotted OID', () => {
    const make = kind === 'login' ? () => new LoginVerifierBuilder() : () => new SignedDocumentVerifierBuilder();
    for (const bad of ['clientAuth', '1.3.6.1.5.5.7.3.02', '3.1', '1', ' 1.3.6.1.5.5.7.3.2', '', '1.43.6.1']) {
      expect(configCode(() => make().withExtendedKeyUsages(EKU.clientAuth, bad))).toBe('configuration:INVALID_CONFIGURATION');
    }
  });
});

describe('default accepted purposes', () => {
  it('are anyExtendedKeyUsage, clientAuth, emailProtection, smart card logon and the three document-signing purposes', () => {
    expect(DEFAULT_SIGNER_EXTENDED_KEY_USAGES).toEqual([
      EKU.any,
      EKU.clientAuth,
      EKU.emailProtection,
      EKU.smartcardLogon,
      EKU.documentSigning,
      EKU.msDocumentSigning,
      EKU.adobeAuthenticDocuments,
    ]);
    expect(Object.isFrozen(DEFAULT_SIGNER_EXTENDED_KEY_USAGES)).toBe(true);
  });

  it("one builder's withExtendedKeyUsages leaves the default of the next builder untouched", async () => {
    const narrowed = new LoginVerifierBuilder().withExtendedKeyUsages(EKU.serverAuth);
    expect(narrowed).toBeInstanceOf(LoginVerifierBuilder);
    expect(DEFAULT_SIGNER_EXTENDED_KEY_USAGES).toContain(EKU.clientAuth);
    expect(await verifiers.login(await moicaCertWith([EKU.clientAuth]))).toBe('ok');
  });

  it('lists at most eight purposes of a hostile certificate in the message', async () => {
    const many = Array.from({ length: 40 }, (_, i) => `1.2.3.${i}`);
    const result = await verifiers.document(await moicaCertWith(many));
    expect(result).toMatch(/^key-usage:CERT_WRONG_PURPOSE \| .*\[1\.2\.3\.0, .*1\.2\.3\.7, … 32 more\]/);
  });
});
