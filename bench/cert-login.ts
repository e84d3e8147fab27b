import { verify } from 'node:crypto';
import { ChallengeIssuer, LoginVerifierBuilder, buildLoginMessage, type LoginVerifier } from '../src/cert/index.js';
import { parseCmsSignedData } from '../src/cert/trust/login/cms-signed-data.js';
import { createTestPki, type CardHolderCredentials } from '../src/testing/pki/index.js';
// The /sign mimic lives with the tests; the bench reuses it rather than a second copy.
import { signLogin } from '../test/cert/trust/helpers/login-signer.js';
import type { BenchResult } from './result.js';

const ORIGIN = 'https://bench.example.gov.tw';
const COUNT = 150;

async function tokens(
  challenges: ChallengeIssuer,
  holder: CardHolderCredentials,
  signatureType: 'PKCS1' | 'PKCS7',
): Promise<Record<string, string>[]> {
  const out: Record<string, string>[] = [];
  for (let i = 0; i < COUNT; i++) {
    const challenge = await challenges.issue('bench-session');
    out.push(
      signLogin({
        tbs: buildLoginMessage({ origin: ORIGIN, challenge: challenge.value }),
        certificate: holder.sign.certificate,
        privateKey: holder.sign.privateKey,
        signatureType,
        cardNumber: signatureType === 'PKCS7' ? 'TP0300000001' : undefined,
      }),
    );
  }
  return out;
}

/** Microseconds per item of `work` over `items` (each used once: challenges are single-use). */
async function perItem<T>(items: readonly T[], work: (item: T) => unknown): Promise<number> {
  const start = process.hrtime.bigint();
  for (const item of items) await work(item);
  return Number(process.hrtime.bigint() - start) / 1e3 / items.length;
}

/** Login verification (every step but revocation) vs raw `crypto.verify` of the same signatures, in one run. */
export async function benchCertLogin(): Promise<BenchResult[]> {
  const pki = await createTestPki();
  const holder = await pki.issueCardHolder({ authority: 'moica' });
  const results: BenchResult[] = [];
  const publicKey = holder.sign.publicKey;
  for (const type of ['PKCS1', 'PKCS7'] as const) {
    const challenges = new ChallengeIssuer({ ttlMs: 3_600_000 });
    const verifier: LoginVerifier = new LoginVerifierBuilder()
      .withTrustAnchors(pki.root.certificate)
      .withIntermediates(pki.issuer('moica').certificate)
      .withAllowedOrigins(ORIGIN)
      .withChallenges(challenges)
      .withoutRevocationCheck()
      .build();
    const warm = await tokens(challenges, holder, type);
    for (const t of warm.slice(0, 10)) await verifier.verify(t, { sessionId: 'bench-session' });
    const batch = await tokens(challenges, holder, type);
    // The raw baseline verifies what the card actually signed: the tbs bytes for
    // PKCS1; for PKCS7 the same signature over the DER of its signed attributes.
    const raw = batch.map((t) => rawInput(t, type));
    const login = await perItem(batch, (t) => verifier.verify(t, { sessionId: 'bench-session' }));
    const baseline = await perItem(raw, ({ data, signature }) => {
      if (!verify('sha256', data, publicKey, signature)) throw new Error('baseline signature must verify');
    });
    results.push({
      name: `cert: login verification ${type} (no revocation)`,
      value: login,
      unit: 'µs',
      baseline: `crypto.verify ${baseline.toFixed(1)} µs`,
      ratio: login / baseline,
      note: `${COUNT} tokens, RSA-2048; a login does 3 RSA verifications (token + 2 chain links), decodes certificate and key, parses the profile, consumes a challenge`,
    });
  }
  return results;
}

function rawInput(token: Record<string, string>, type: 'PKCS1' | 'PKCS7'): { data: Uint8Array; signature: Uint8Array } {
  const signature = Buffer.from(token['signature'] ?? '', 'base64');
  if (type === 'PKCS1') return { data: Buffer.from(token['tbs'] ?? '', 'utf8'), signature };
  return cmsSignedParts(signature);
}

/** Pulls the signed attributes (re-tagged as SET) and the signature out of the CMS, via the library's parser. */
function cmsSignedParts(cms: Uint8Array): { data: Uint8Array; signature: Uint8Array } {
  const parsed = parseCmsSignedData(cms);
  if (parsed.signedAttributesDer === undefined) throw new Error('bench CMS must have signed attributes');
  return { data: parsed.signedAttributesDer, signature: parsed.signature };
}
