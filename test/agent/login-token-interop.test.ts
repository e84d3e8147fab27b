/**
 * What pages post to the backend after the agent's /sign, read by the login
 * verifier: the request names as the agent takes them (`pkcs7`, `Base64`,
 * `sha256`) and optional fields sent as `""` (a `cardSN: ""` from a reply
 * without `withCardSN`, or filled in by the page) mean absent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmulatorCardSlots, startAgent, type AgentServer, type SignResponse } from '../../src/agent/index.js';
import { ChallengeIssuer, LoginVerifierBuilder, buildLoginMessage, type LoginVerifier } from '../../src/cert/index.js';
import { EmulatorReader } from '../../src/pcsc/index.js';
import { createTestPki, createVirtualHiCOSCard, signLoginToken, type VirtualHiCOSCard } from '../../src/testing/index.js';
import type { CardHolderCredentials } from '../../src/testing/pki/index.js';

const ORIGIN = 'https://login.example.gov.tw';
const PIN = '246810';
const CARD_NUMBER = 'TP03000012349999';

describe('login tokens as pages post them', () => {
  let agent: AgentServer;
  let card: VirtualHiCOSCard;
  let challenges: ChallengeIssuer;
  let verifier: LoginVerifier;

  beforeAll(async () => {
    const pki = await createTestPki();
    card = await createVirtualHiCOSCard({ pki, pin: PIN, cardNumber: CARD_NUMBER });
    const reader = new EmulatorReader({ name: 'Virtual PCD 00 00' });
    reader.insert(card);
    agent = await startAgent({ slots: new EmulatorCardSlots(reader), trusted: [ORIGIN], port: 0 });
    challenges = new ChallengeIssuer();
    verifier = new LoginVerifierBuilder()
      .withTrustAnchors(pki.root.certificate)
      .withIntermediates(pki.issuer('moica').certificate)
      .withAllowedOrigins(ORIGIN)
      .withChallenges(challenges)
      .withoutRevocationCheck()
      .build();
  }, 60_000);

  afterAll(async () => {
    await agent?.close();
  });

  // signLoginToken uses the signing key and certificate, which a virtual card's credentials have.
  const holder = (): CardHolderCredentials => card.credentials as unknown as CardHolderCredentials;

  async function agentSign(fields: Record<string, string>): Promise<SignResponse> {
    const body = `tbsPackage=${JSON.stringify({ func: 'MakeSignature', pin: PIN, tbsEncoding: '', hashAlgorithm: 'SHA256', nonce: '', ...fields })}`;
    const answer = await fetch(`${agent.url}/sign`, { method: 'POST', headers: { 'Content-Type': 'text/plain', Origin: ORIGIN }, body });
    return (await answer.json()) as SignResponse;
  }

  it('accepts the agent\'s reply posted as is, with the request\'s lower-case signatureType and cardSN ""', async () => {
    for (const withCardSN of ['', 'false', 'true']) {
      const tbs = buildLoginMessage({ origin: ORIGIN, challenge: (await challenges.issue('s1')).value });
      const reply = await agentSign({ signatureType: 'pkcs7', tbs, withCardSN });
      expect(reply.ret_code).toBe(0);
      expect(reply.cardSN).toBe(withCardSN === 'true' ? CARD_NUMBER : '');
      const login = await verifier.verify({ ...reply, signatureType: 'pkcs7', tbs, tbsEncoding: '', hashAlgorithm: '' }, { sessionId: 's1' });
      expect(login.origin).toBe(ORIGIN);
      expect(login.cardNumber).toBe(withCardSN === 'true' ? CARD_NUMBER : undefined);
      expect(login.reportedCardNumber).toBe(withCardSN === 'true' ? CARD_NUMBER : undefined);
    }
  });

  it('a page that fills cardSN with "" is not a card-number mismatch against the signed card number', async () => {
    const tbs = buildLoginMessage({ origin: ORIGIN, challenge: (await challenges.issue('s2')).value });
    const token = await signLoginToken(holder(), { tbs, cardNumber: CARD_NUMBER });
    const login = await verifier.verify({ ...token, cardSN: '' }, { sessionId: 's2' });
    expect(login.cardNumber).toBe(CARD_NUMBER);
    expect(login.reportedCardNumber).toBeUndefined();
  });

  it('reads signatureType, tbsEncoding and hashAlgorithm in any case, as the agent does', async () => {
    const tbs = buildLoginMessage({ origin: ORIGIN, challenge: (await challenges.issue('s3')).value });
    const token = await signLoginToken(holder(), { tbs, signatureType: 'PKCS1', hashAlgorithm: 'SHA384' });
    const login = await verifier.verify(
      { ...token, signatureType: 'pkcs1', tbs: Buffer.from(tbs).toString('base64'), tbsEncoding: 'Base64', hashAlgorithm: 'sha-384' },
      { sessionId: 's3' },
    );
    expect(login.origin).toBe(ORIGIN);
    // A name that is no spelling of a known one is still refused.
    const tbs2 = buildLoginMessage({ origin: ORIGIN, challenge: (await challenges.issue('s4')).value });
    const other = await signLoginToken(holder(), { tbs: tbs2 });
    await expect(verifier.verify({ ...other, signatureType: 'pkcs9' }, { sessionId: 's4' })).rejects.toMatchObject({ code: 'TOKEN_MALFORMED' });
    await expect(verifier.verify({ ...other, tbsEncoding: 'base-64' }, { sessionId: 's4' })).rejects.toMatchObject({ code: 'TOKEN_MALFORMED' });
  });
});
