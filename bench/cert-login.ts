import { verify } from 'node:crypto';
import {
  ChallengeIssuer,
  LoginVerifierBuilder,
  RevocationChecker,
  TrustedCertificate,
  buildLoginMessage,
  type LoginVerifier,
} from '../src/cert/index.js';
import { ChainValidator, TrustStore } from '../src/cert/index.js';
import { parseCertificate } from '../src/cert/profile/index.js';
import { parseCmsSignedData } from '../src/cert/trust/verification/cms-signed-data.js';
import { decodeSignedLoginToken } from '../src/cert/trust/login/login-token.js';
import { CertificateCache } from '../src/cert/trust/verification/certificate-cache.js';
import { createTestPki, type CardHolderCredentials } from '../src/testing/pki/index.js';
import { LocalRevocationServer, buildCrl } from '../src/testing/revocation/index.js';
// The /sign mimic lives with the tests; the bench reuses it rather than a second copy.
import { signLogin } from '../test/cert/trust/helpers/login-signer.js';
import { iterations, type BenchResult } from './result.js';

const ORIGIN = 'https://bench.example.gov.tw';

async function tokens(
  challenges: ChallengeIssuer,
  holder: CardHolderCredentials,
  signatureType: 'PKCS1' | 'PKCS7',
  count: number,
): Promise<Record<string, string>[]> {
  const out: Record<string, string>[] = [];
  for (let i = 0; i < count; i++) {
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

/**
 * A synchronous minor collection. `npm run bench` starts node with
 * `--expose-gc` for it.
 */
function collectYoung(): void {
  const gc = (globalThis as { gc?: (options: { type: 'minor'; execution: 'sync' }) => void }).gc;
  if (gc === undefined) throw new Error('the login bench needs --expose-gc: run it with npm run bench');
  gc({ type: 'minor', execution: 'sync' });
}

/**
 * CPU microseconds (user + system) of this process per item of `work` over
 * `items` (each used once: challenges are single-use). "On one core" means
 * per CPU-second, which other load on a shared machine inflates far less
 * than wall time.
 *
 * Each side pays for its own garbage: the young generation is emptied,
 * untimed, before the items, and collected again, timed, after them. Without
 * that, the side that allocates more (the logins) triggered every scavenge,
 * and a scavenge also finalises the weak handles every `crypto.verify` call
 * leaves behind, so the logins paid for the baseline's verifications too
 * (see the calibration line and docs/decisions.md).
 */
async function perItem<T>(items: readonly T[], work: (item: T) => unknown): Promise<number> {
  collectYoung();
  const start = process.cpuUsage();
  for (const item of items) await work(item);
  collectYoung();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / items.length;
}

/**
 * Login verification with revocation answered from a warm CRL cache, against
 * the work a login cannot avoid: two raw `crypto.verify` calls (the token's
 * signature with the user's key, and the user's certificate with the issuing
 * CA's key) and nothing else, over the same bytes, in the same run. The
 * issuing chain above the user's certificate is the same for every user and
 * is validated once (see `IssuingChainCache`).
 */
export async function benchCertLogin(): Promise<BenchResult[]> {
  const count = iterations(3000, 40);
  const server = await LocalRevocationServer.start();
  try {
    const pki = await createTestPki({ crlBaseUrl: server.crlBaseUrl, ocspUrl: server.ocspUrl });
    const holder = await pki.issueCardHolder({ authority: 'moica' });
    const issuerCert = pki.issuer('moica');
    const crlUrl = TrustedCertificate.from(holder.sign.certificate).crlUrls[0];
    if (crlUrl === undefined) throw new Error('bench certificate must name a CRL');
    server.publishCrl(
      crlUrl.slice(server.crlBaseUrl.length + 1),
      buildCrl({ issuer: issuerCert, entries: [{ serialHex: '0badc0de', revokedAt: new Date(Date.now() - 86_400_000) }] }),
    );
    const revocation = new RevocationChecker({ mode: 'crl' });
    const user = TrustedCertificate.from(holder.sign.certificate);
    const issuer = TrustedCertificate.from(issuerCert.certificate);
    const results: BenchResult[] = [];
    for (const type of ['PKCS1', 'PKCS7'] as const) {
      const challenges = new ChallengeIssuer({ ttlMs: 3_600_000 });
      const verifier: LoginVerifier = new LoginVerifierBuilder()
        .withTrustAnchors(pki.root.certificate)
        .withIntermediates(issuerCert.certificate)
        .withAllowedOrigins(ORIGIN)
        .withChallenges(challenges)
        .withRevocationChecker(revocation)
        .build();
      const userKey = user.publicKey();
      const issuerKey = issuer.publicKey();
      const loginOnce = (t: Record<string, string>): Promise<unknown> => verifier.verify(t, { sessionId: 'bench-session' });
      // The raw baseline verifies what the card actually signed (the tbs bytes
      // for PKCS1; for PKCS7 the DER of its signed attributes) and the user's
      // certificate under the issuing CA's key.
      const baselineOnce = (x: RawInput): void => twoVerifies(x, userKey, issuerKey, user);
      // Warm-up, twice as long as the measurement and the same shape, untimed:
      // it fills the CRL and issuing-chain caches and lets V8 finish
      // optimising both loops. A shorter one measured the JIT and the garbage
      // collector's background threads (process CPU time counts them) more
      // than the login: the first thousand logins of a process cost up to 4×
      // the steady state, and the baseline up to 2×. As long as the
      // measurement was still too short: a login's once-per-call steps
      // (`checkSignedData`, `checkChain`, …) reached V8's optimisation
      // threshold during the timed PKCS1 run (`--trace-opt`), which then paid
      // about 8 ms of compiling, some 3 µs per login, that a server running
      // for more than a second does not.
      // Every token is made before anything is measured: signing them leaves
      // garbage that the collector would otherwise bill to the timed run.
      const warm = await tokens(challenges, holder, type, 2 * count);
      const batch = await tokens(challenges, holder, type, count);
      const raw = batch.map((t) => rawInput(t, type));
      await interleaved(warm, warm.map((t) => rawInput(t, type)), loginOnce, baselineOnce);
      const downloadsBefore = revocation.crls.downloads;
      const { login, baseline } = await interleaved(batch, raw, loginOnce, baselineOnce);
      const downloads = revocation.crls.downloads - downloadsBefore;
      const loginsPerSecond = 1e6 / login;
      const baselinePerSecond = 1e6 / baseline;
      results.push({
        name: `cert: login verification ${type} (warm CRL cache)`,
        value: loginsPerSecond,
        unit: 'logins/s',
        baseline: `two raw crypto.verify ${baselinePerSecond.toFixed(0)}/s`,
        baselineValue: baselinePerSecond,
        ratio: loginsPerSecond / baselinePerSecond,
        goal: { on: 'ratio', op: '>=', bound: 0.8, text: '≥ 0.8× two raw verifies' },
        note: `${count} tokens in ${ROUNDS} interleaved rounds after twice as many untimed, each side collecting its own garbage, RSA-2048, one core; ${login.toFixed(0)} µs per login vs ${baseline.toFixed(0)} µs; ${downloads} CRL downloads during the timed run`,
      });
      // Calibration, once: the baseline against itself, timed the same way,
      // must come out at 1 (what the harness adds or takes on either side).
      if (type === 'PKCS1') {
        const self = await interleaved(raw, raw, baselineOnce, baselineOnce);
        results.push({
          name: 'cert: login bench calibration (baseline against itself)',
          value: self.login,
          unit: 'µs',
          baseline: `the same ${self.baseline.toFixed(1)} µs`,
          baselineValue: self.baseline,
          ratio: self.baseline / self.login,
          note: 'two raw verifies timed as the login side and as the baseline side; expected 1.00',
        });
      }
    }
    const sample = (await tokens(new ChallengeIssuer(), holder, 'PKCS1', 1))[0] ?? {};
    results.push(...(await breakdown(pki.root.certificate, issuerCert.certificate, holder.sign.certificate, revocation, issuer, sample)));
    return results;
  } finally {
    await server.close();
  }
}

type RawInput = { data: Uint8Array; signature: Uint8Array };

const ROUNDS = 8;

/**
 * Mean CPU µs per login and per baseline over `batch`, interleaved in rounds
 * so load on a shared machine that comes and goes during the run weighs on
 * the figure and its baseline alike. The side that goes first alternates from
 * round to round: whatever the first pass of a round pays (a collection the
 * previous round left due, caches the other side cooled) is shared by both.
 */
async function interleaved<L, B>(
  batch: readonly L[],
  raw: readonly B[],
  loginOnce: (t: L) => unknown,
  baselineOnce: (x: B) => unknown,
): Promise<{ login: number; baseline: number }> {
  let loginSum = 0;
  let baselineSum = 0;
  for (let r = 0; r < ROUNDS; r++) {
    const from = Math.floor((r * batch.length) / ROUNDS);
    const to = Math.floor(((r + 1) * batch.length) / ROUNDS);
    const timeLogin = async (): Promise<void> => {
      loginSum += (await perItem(batch.slice(from, to), loginOnce)) * (to - from);
    };
    const timeBaseline = async (): Promise<void> => {
      baselineSum += (await perItem(raw.slice(from, to), baselineOnce)) * (to - from);
    };
    if (r % 2 === 0) {
      await timeLogin();
      await timeBaseline();
    } else {
      await timeBaseline();
      await timeLogin();
    }
  }
  return { login: loginSum / batch.length, baseline: baselineSum / batch.length };
}

function twoVerifies(r: RawInput, userKey: ReturnType<TrustedCertificate['publicKey']>, issuerKey: typeof userKey, user: TrustedCertificate): void {
  if (!verify('sha256', r.data, userKey, r.signature)) throw new Error('baseline token signature must verify');
  if (!verify('sha256', user.tbs, issuerKey, user.signature)) throw new Error('baseline certificate signature must verify');
}

function rawInput(token: Record<string, string>, type: 'PKCS1' | 'PKCS7'): RawInput {
  const signature = Buffer.from(token['signature'] ?? '', 'base64');
  if (type === 'PKCS1') return { data: Buffer.from(token['tbs'] ?? '', 'utf8'), signature };
  return cmsSignedParts(signature);
}

/** Pulls the signed attributes (re-tagged as SET) and the signature out of the CMS, via the library's parser. */
function cmsSignedParts(cms: Uint8Array): RawInput {
  const parsed = parseCmsSignedData(cms);
  if (parsed.signedAttributesDer === undefined) throw new Error('bench CMS must have signed attributes');
  return { data: parsed.signedAttributesDer, signature: parsed.signature };
}

/** Mean CPU microseconds per call of `fn` over `n` calls, after as many untimed (the steady state, as for logins). */
async function perCall(n: number, fn: () => unknown): Promise<number> {
  for (let i = 0; i < n; i++) await fn();
  const start = process.cpuUsage();
  for (let i = 0; i < n; i++) await fn();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / n;
}

/**
 * Where a login's time goes beyond the two verifications: each step alone,
 * as a multiple of one raw certificate-signature verification measured in
 * the same run. The steps in login/** (the profile parse at the end of
 * `verify`, the token decode) are measured through their public functions.
 */
async function breakdown(
  root: Uint8Array,
  issuerDer: Uint8Array,
  leafDer: Uint8Array,
  revocation: RevocationChecker,
  issuer: TrustedCertificate,
  token: Record<string, string>,
): Promise<BenchResult[]> {
  const n = iterations(1000, 50);
  const leaf = TrustedCertificate.from(leafDer);
  const issuerKey = issuer.publicKey();
  const validator = new ChainValidator(new TrustStore({ anchors: [root], intermediates: [issuerDer] }));
  const uncached = new ChainValidator(new TrustStore({ anchors: [root], intermediates: [issuerDer] }), { issuingChainCacheSize: 0 });
  const one = await perCall(n, () => verify('sha256', leaf.tbs, issuerKey, leaf.signature));
  // What a returning user's login pays instead of the two decode steps below it.
  const certificates = new CertificateCache();
  const certText = token['certb64'] ?? '';
  const steps: [string, () => unknown][] = [
    ['token JSON and base64 decode, certb64 left as text (decodeSignedLoginToken)', () => decodeSignedLoginToken(token)],
    ['user certificate from the verifier cache (CertificateCache, warm)', () => certificates.fromBase64(certText, (t) => TrustedCertificate.from(t)).publicKey()],
    ['decode the user certificate (TrustedCertificate.from + key)', () => TrustedCertificate.from(leafDer).publicKey()],
    ['profile parse of the user certificate (parseCertificate)', () => parseCertificate(leafDer)],
    ['chain validation, issuing chain cached', () => validator.validate(leaf)],
    ['chain validation, no cache', () => uncached.validate(leaf)],
    ['revocation from the warm CRL cache', () => revocation.check(leaf, issuer)],
  ];
  const out: BenchResult[] = [];
  for (const [name, fn] of steps) {
    const us = await perCall(n, fn);
    out.push({
      name: `cert: login step: ${name}`,
      value: us,
      unit: 'µs',
      baseline: `one raw crypto.verify ${one.toFixed(1)} µs`,
      baselineValue: one,
      ratio: us / one,
      note: 'cost of the step alone, in raw verifications',
    });
  }
  return out;
}
