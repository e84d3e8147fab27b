import { beforeAll, describe, expect, it } from 'vitest';
import { SignedDocumentVerifierBuilder } from '../../../src/cert/index.js';
import { createTestPki, type IssuedCertificate, type TestPki } from '../../../src/testing/pki/index.js';
import { signLogin } from './helpers/login-signer.js';
import { failure } from './helpers/verification.js';

// The allowed policy must run the whole path: a CA that asserts only assurance level 2 cannot vouch for a
// certificate claiming level 3 (RFC 5280 6.1.3 (d)).
const LEVEL2 = '2.16.886.101.0.3.2';
const LEVEL3 = '2.16.886.101.0.3.3';
const ANY = '2.5.29.32.0';

let pki: TestPki;

beforeAll(async () => {
  pki = await createTestPki({ authorities: ['moica'] });
}, 60_000);

async function signerUnder(caPolicies: readonly string[]): Promise<{ ca: IssuedCertificate; signer: IssuedCertificate }> {
  const ca = await pki.issueCertificate({
    issuer: 'root',
    isCa: true,
    pathLength: 0,
    keyUsage: ['keyCertSign', 'cRLSign'],
    subject: [{ type: 'C', value: 'TW' }, { type: 'OU', value: `CA ${caPolicies.join(' ') || 'without policies'}` }],
    policies: caPolicies,
    crlUrl: null,
  });
  const signer = await pki.issueCertificate({ issuer: ca, subject: [{ type: 'C', value: 'TW' }, { type: 'CN', value: '王小明' }], keyUsage: ['digitalSignature'], policies: [LEVEL3], crlUrl: null, ocspUrl: null });
  return { ca, signer };
}

async function verify(caPolicies: readonly string[]): Promise<string> {
  const { ca, signer } = await signerUnder(caPolicies);
  const token = signLogin({ tbs: '公文', certificate: signer.certificate, privateKey: signer.privateKey, attached: true });
  const verifier = new SignedDocumentVerifierBuilder().withTrustAnchors(pki.root.certificate).withIntermediates(ca.certificate).withoutRevocationCheck().build();
  const signature = new Uint8Array(Buffer.from(token['signature'] ?? '', 'base64'));
  return verifier.verify({ format: 'cms', signature }).then(
    () => 'ok',
    async (e: unknown) => {
      const err = await failure(Promise.reject(e));
      return `${err.code}: ${err.message}`;
    },
  );
}

describe('the signer\'s policy along the path', () => {
  it('refuses a level-3 signer under a CA that asserts level 2 only, naming the CA', async () => {
    expect(await verify([LEVEL2])).toMatch(/^CERT_POLICY_NOT_ALLOWED: the issuing CA .*CA 2\.16\.886\.101\.0\.3\.2.* asserts policies \[2\.16\.886\.101\.0\.3\.2\]/);
  });

  it('accepts it under a CA asserting level 3, levels 1–4 (as the GRCA cross certificate), anyPolicy, or no policies', async () => {
    expect(await verify([LEVEL3])).toBe('ok');
    expect(await verify(['2.16.886.101.0.3.1', LEVEL2, LEVEL3, '2.16.886.101.0.3.4'])).toBe('ok');
    expect(await verify([ANY])).toBe('ok');
    expect(await verify([])).toBe('ok');
  });
});
