import { buildCmsSignature } from '../../agent/index.js';
import { ChallengeIssuer, LoginVerifierBuilder, RevocationChecker, buildLoginMessage, parseCertificate } from '../../cert/index.js';
import { DEFAULT_FIELDS, compareWithEms, renderResultText } from '../../ems/index.js';
import { toHex } from '../../shared/bytes.js';
import { LocalRevocationServer, createTestPki, createVirtualHiCOSCard } from '../../testing/index.js';
import { connectDemoCard } from './demo-card.js';
import { runDemoEnrollment } from './demo-enrollment.js';
import { loadDemoPeers } from './demo-peers.js';

/** One printed step of the demo. */
export interface DemoStep {
  title: string;
  ok: boolean;
  detail: Record<string, unknown>;
}

/** Demo settings (the virtual card's PIN is a test fixture, not a secret). */
export interface DemoOptions {
  generation: 1 | 2;
  onStep?: (step: DemoStep) => void;
}

const DEMO_PIN = '123456';
const ORIGIN = 'https://demo.twpki.example.gov.tw';

/** The seed's example: the company typed 3樓 where EMS says 3F, and 台 vs 臺. */
const APPLICANT = {
  controlNumber: 'E5600123',
  companyName: '範例環保股份有限公司',
  responsiblePerson: '王大明',
  facilityAddress: '台北市中正區重慶南路一段122號3樓',
  facilityEmail: 'service@example.com.tw',
  mailingAddress: '臺北市中正區重慶南路一段122號3F',
  contactName: '李小華',
  contactEmail: 'contact@example.com.tw',
};
const EMS_RECORD = { ...APPLICANT, facilityAddress: '臺北市中正區重慶南路1段122號3F' };

/**
 * Walks the SDK end to end on a virtual card: read the card, verify the PIN,
 * sign a login challenge and verify it as a backend would, compare EMS data,
 * and take one enrollment to active. Every step is reported as it finishes.
 */
export async function runDemo(options: DemoOptions): Promise<DemoStep[]> {
  const steps: DemoStep[] = [];
  const record = (title: string, ok: boolean, detail: Record<string, unknown>): void => {
    const step = { title, ok, detail };
    steps.push(step);
    options.onStep?.(step);
  };

  const peers = await loadDemoPeers();
  // A local OCSP responder on 127.0.0.1 plays MOICA's, so the login check includes revocation.
  const revocation = await LocalRevocationServer.start();
  let demo: Awaited<ReturnType<typeof connectDemoCard>>;
  let pki: Awaited<ReturnType<typeof createTestPki>>;
  try {
    pki = await createTestPki({ ocspUrl: revocation.ocspUrl, crlBaseUrl: revocation.crlBaseUrl, authorities: ['moica'] });
    revocation.addAuthority(pki.issuer('moica'));
    const virtual = await createVirtualHiCOSCard({ pki, generation: options.generation, pin: DEMO_PIN, cardNumber: 'TP03000012345678' });
    demo = await connectDemoCard(virtual);
  } catch (error) {
    // The open server would keep the process alive after the error is printed (the test kit's peers missing, say).
    await revocation.close();
    throw error;
  }
  try {
    const info = await demo.card.info();
    const sign = info.certificates.find((c) => c.usage === 'SIGN');
    if (!sign) throw new Error('the virtual card has no SIGN certificate');
    const profile = parseCertificate(sign.der);
    record('讀取卡片 read the card (no PIN)', true, {
      via: demo.via,
      reader: demo.transport.readerName,
      atr: toHex(info.atr).toUpperCase(),
      generation: info.generation,
      cardNumber: info.cardNumber,
      certificates: info.certificates.map((c) => `${c.label} (${c.usage})`),
      holder: profile.subject.commonName,
      authority: profile.authority.id,
      idHint: profile.identity.idHint,
    });

    const verified = await demo.card.verifyPin(DEMO_PIN);
    record('驗證 PIN verify the PIN', verified.status === 'ok', { status: verified.status, retriesLeft: verified.retriesLeft });

    const issuer = new ChallengeIssuer();
    const sessionId = 'demo-session';
    const challenge = await issuer.issue(sessionId);
    const tbs = buildLoginMessage({ origin: ORIGIN, challenge: challenge.value });
    // The shape the official local component returns: CMS SignedData whose signed attributes carry the card number.
    const cms = await buildCmsSignature({
      content: new TextEncoder().encode(tbs),
      certificate: sign.der,
      hash: 'sha256',
      signingTime: new Date(),
      cardNumber: info.cardNumber,
      sign: (attributes) => demo.card.sign(attributes, { hash: 'sha256', pin: DEMO_PIN }),
    });
    record('簽章 sign a login challenge on the card (PKCS#7)', true, { challenge: challenge.value, signatureBytes: cms.length });

    const root = pki.root.certificate;
    const verifier = new LoginVerifierBuilder()
      .withTrustAnchors(root)
      .withIntermediates(pki.issuer('moica').certificate)
      .withAllowedOrigins(ORIGIN)
      .withChallenges(issuer)
      .withRevocationChecker(new RevocationChecker({ mode: 'ocsp' }))
      .build();
    const login = await verifier.verify(
      { signatureType: 'PKCS7', signature: Buffer.from(cms).toString('base64'), tbs, cardSN: info.cardNumber },
      { sessionId },
    );
    record('後端驗證 verify the login as a backend', true, {
      holder: login.profile.subject.commonName,
      certificateSerial: login.profile.serialNumber,
      signedCardNumber: login.cardNumber,
      chainLength: login.chain.length,
      revocation: login.revocation ? `${login.revocation.kind} (${login.revocation.source.toUpperCase()} from the local test responder)` : 'not checked',
    });

    const mismatch = compareWithEms(APPLICANT, EMS_RECORD, { policy: 'strict', fields: DEFAULT_FIELDS });
    // The step demonstrates a rejection: it succeeds when the comparison fails on the address only.
    const onlyAddress = mismatch.fields.filter((f) => f.compared && !f.pass).map((f) => f.field.key);
    record('EMS 比對 compare basic data with EMS (完全一致才算通過)', !mismatch.pass && onlyAddress.join() === 'facilityAddress', {
      verdict: mismatch.pass ? 'pass' : 'fail',
      result: renderResultText(mismatch),
      then: 'the company types the address exactly as EMS holds it and applies again',
    });

    const enrollment = await runDemoEnrollment({ applicant: EMS_RECORD, holder: login }, peers);
    record('申請與綁定 enrollment: apply → EMS → bind card → review → activate', enrollment.state === 'active', enrollment.detail);
  } finally {
    await demo.close();
    await revocation.close();
  }
  return steps;
}
