/**
 * End-to-end card login rig: a test PKI with a local OCSP responder, a
 * virtual HiCOS card in an in-process reader, and the twpki agent (the local
 * component) signing with that card, as a browser page would ask it to.
 */
import { EmulatorCardSlots, startAgent, type AgentServer, type SignResponse } from '../../src/agent/index.js';
import {
  ChallengeIssuer,
  LoginVerifierBuilder,
  RevocationChecker,
  type ChallengeStore,
  type LoginVerifier,
} from '../../src/cert/index.js';
import { EmulatorReader } from '../../src/pcsc/index.js';
import { createTestPki, createVirtualHiCOSCard, LocalRevocationServer, type VirtualHiCOSCard } from '../../src/testing/index.js';

/** The site the tests log in to. */
export const ORIGIN = 'https://login.example.gov.tw';
/** The virtual card's PIN. */
export const PIN = '246810';
/** The virtual card's number. */
export const CARD_NUMBER = 'TP03000012345678';

/** A running rig. */
export interface LoginRig {
  server: LocalRevocationServer;
  card: VirtualHiCOSCard;
  agent: AgentServer;
  challenges: ChallengeIssuer;
  verifier: LoginVerifier;
  close(): Promise<void>;
}

/** Starts the rig; `store` replaces the in-memory challenge store. */
export async function startLoginRig(store?: ChallengeStore): Promise<LoginRig> {
  const server = await LocalRevocationServer.start();
  const pki = await createTestPki({ crlBaseUrl: server.crlBaseUrl, ocspUrl: server.ocspUrl, authorities: ['moica'] });
  server.addAuthority(pki.issuer('moica'));
  const card = await createVirtualHiCOSCard({ pki, commonName: '王小明', pin: PIN, cardNumber: CARD_NUMBER });
  const reader = new EmulatorReader({ name: 'Virtual PCD 00 00' });
  reader.insert(card);
  const agent = await startAgent({ slots: new EmulatorCardSlots(reader), trusted: [ORIGIN], port: 0 });
  const challenges = new ChallengeIssuer(store === undefined ? {} : { store });
  const verifier = new LoginVerifierBuilder()
    .withTrustAnchors(pki.root.certificate)
    .withIntermediates(pki.issuer('moica').certificate)
    .withAllowedOrigins(ORIGIN)
    .withChallenges(challenges)
    // No OCSP answer cache: the tests take the responder down mid-run and expect the next login to see it.
    .withRevocationChecker(new RevocationChecker({ mode: 'ocsp', ocspCacheSize: 0 }))
    .build();
  return {
    server,
    card,
    agent,
    challenges,
    verifier,
    async close() {
      await agent.close();
      await server.close();
    },
  };
}

/**
 * What a page does with the challenge route's `tbs`: asks the local
 * component to sign it with the card (PKCS7, card number included) and
 * builds the body to post — the `/sign` answer plus `{ signatureType, tbs }`.
 */
export async function signWithComponent(rig: LoginRig, tbs: string, pin = PIN): Promise<Record<string, unknown>> {
  const tbsPackage = JSON.stringify({
    func: 'MakeSignature',
    signatureType: 'PKCS7',
    tbs,
    tbsEncoding: 'NONE',
    hashAlgorithm: 'SHA256',
    withCardSN: 'true',
    pin,
  });
  const res = await fetch(`http://127.0.0.1:${rig.agent.port}/sign`, {
    method: 'POST',
    headers: { Origin: ORIGIN, 'Content-Type': 'text/plain' },
    body: `tbsPackage=${tbsPackage}`,
  });
  const answer = (await res.json()) as SignResponse;
  if (answer.ret_code !== 0) throw new Error(`the component refused to sign: ${answer.ret_code} ${answer.message}`);
  return { ...answer, signatureType: 'PKCS7', tbs };
}
