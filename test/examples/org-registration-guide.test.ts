/**
 * The organization-certificate guide's first snippet (docs/guides/org-registration.md), run as written: setup,
 * 首次註冊 with the agency card and the 授權管理者's citizen card, 授權指派 of one 經辦人 and that 經辦人's login to
 * a function. The cards are the test kit's (a GCA agency card, two MOICA cards) and every login is signed over a
 * challenge and verified by a real LoginVerifier inside the snippet, on PGlite and on PostgreSQL (both branches of
 * its `store`). Only what the guide leaves to the reader is given: the imports resolve to the source, the data
 * directory to a temporary one, and the free names (`verifier`, the three tokens, the two session IDs and
 * `operatorSerial`, which a page reads with 讀取憑證). The people the snippet names hold cards whose ID hints agree
 * with the 身分證統一編號 it types. It must end with the registration active and the 經辦人 authorized.
 */
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import * as cert from '../../src/cert/index.js';
import * as enroll from '../../src/enroll/index.js';
import * as enrollPg from '../../src/enroll/pg.js';
import * as enrollPglite from '../../src/enroll/pglite.js';
import { createTestPki, signLoginToken, type CardHolderCredentials } from '../../src/testing/index.js';
import { stopOwnPostgres } from '../enroll/helpers.js';
import { guideBlock, itRunsOnBothStores, runGuideSnippet } from './support/guide-snippet.js';

const GUIDE = readFileSync(new URL('../../docs/guides/org-registration.md', import.meta.url), 'utf8');
const MODULES: Record<string, unknown> = {
  'twpki/cert': cert,
  'twpki/enroll': enroll,
  'twpki/enroll/pg': enrollPg,
  'twpki/enroll/pglite': enrollPglite,
};
const ORIGIN = 'https://gepi.example.gov.tw';

/** The guide's first TypeScript block. */
const firstSnippet = (): string => guideBlock(GUIDE, 'org-registration.md', 'ts');

interface Ran {
  readonly store: enroll.EnrollStore;
  readonly flow: enroll.OrgRegistrationFlow;
  readonly registration: enroll.OrgRegistration;
  readonly operator: enroll.Operator;
  /** The answer of (一) 機關憑證確認 the snippet asks for. */
  readonly step1: enroll.OrganizationCardCheck;
}

let dir: string;
let verifier: cert.LoginVerifier;
let challenges: cert.ChallengeIssuer;
let agencyCard: CardHolderCredentials;
let administratorCard: CardHolderCredentials;
let operatorCard: CardHolderCredentials;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'twpki-org-registration-guide-'));
  const pki = await createTestPki({ authorities: ['gca', 'moica'] });
  // The agency card carries the OID the snippet's directory gives 機關代號 A1001.
  const oid = /agencyCode: 'A1001', name: '[^']+', oid: '([0-9.]+)'/.exec(firstSnippet())?.[1];
  if (oid === undefined) throw new Error('the snippet no longer lists A1001 with an OID: update this test');
  agencyCard = await pki.issueCardHolder({ authority: 'gca', commonName: '內政部消防署', organizationOid: oid });
  // 張管理 types A123456789, 李經辦 is assigned with B120863130: their cards' ID hints are those IDs' last four.
  administratorCard = await pki.issueCardHolder({ authority: 'moica', commonName: '張管理', idHint: '6789' });
  operatorCard = await pki.issueCardHolder({ authority: 'moica', commonName: '李經辦', idHint: '3130' });
  challenges = new cert.ChallengeIssuer();
  verifier = new cert.LoginVerifierBuilder()
    .withTrustAnchors(pki.root.certificate)
    .withIntermediates(pki.issuer('gca').certificate, pki.issuer('moica').certificate)
    .withAllowedOrigins(ORIGIN)
    .withChallenges(challenges)
    .withoutRevocationCheck()
    .build();
}, 120_000);

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await stopOwnPostgres();
});

/** A login token of `card`, signed over a fresh challenge of `sessionId` with its 卡號, as the local component makes it. */
async function token(card: CardHolderCredentials, sessionId: string, cardNumber: string): Promise<cert.LoginToken> {
  const challenge = await challenges.issue(sessionId);
  return signLoginToken(card, { tbs: cert.buildLoginMessage({ origin: ORIGIN, challenge: challenge.value }), cardNumber });
}

/** Runs the snippet; `databaseUrl` is its `process.env.DATABASE_URL`. */
async function runSnippet(databaseUrl: string | undefined, dataDir: string): Promise<Ran> {
  return runGuideSnippet<Ran>({
    snippet: firstSnippet(),
    replace: [["'./gepi-data'", JSON.stringify(dataDir)], ['process.env.DATABASE_URL', '__env.DATABASE_URL']],
    modules: MODULES,
    env: { DATABASE_URL: databaseUrl },
    free: {
      verifier,
      sessionId: 'gepi-administrator-session',
      operatorSessionId: 'gepi-operator-session',
      organizationToken: await token(agencyCard, 'gepi-administrator-session', 'GC03000000000001'),
      administratorToken: await token(administratorCard, 'gepi-administrator-session', 'TP03000011112222'),
      operatorToken: await token(operatorCard, 'gepi-operator-session', 'TP03000033334444'),
      // 讀取憑證: the serial as the component's certificate list shows it (upper-case hex), not as the SDK spells it.
      operatorSerial: new X509Certificate(operatorCard.sign.certificate).serialNumber,
    },
    returns: ['store', 'flow', 'registration', 'operator', 'step1'],
  });
}

/** The registration is active and the 經辦人 authorized, as the database has them after the snippet. */
async function expectRegisteredWithOperator(ran: Ran): Promise<void> {
  try {
    expect(ran.registration.status).toBe('registered');
    expect(ran.step1).toEqual({ agencyCode: 'A1001', agencyName: '內政部消防署', oidMatches: true, recordedCard: false, outcome: 'matches' });
    const stored = await ran.flow.get('A1001');
    expect(stored).toMatchObject({ status: 'registered', organizationName: '內政部消防署', administrator: { name: '張管理', email: 'admin@nfa.gov.tw' } });
    expect(stored.organizationCertificateSerial).toBe(enroll.cardHolderFromLogin(await verifyAgain(agencyCard, 'GC03000000000001')).certificateSerial);
    expect(ran.operator).toMatchObject({ agencyCode: 'A1001', name: '李經辦', permissions: ['加保作業', '退保作業'] });
    // Authorized by the card alone, in a later login too; not for a function it was not given.
    const later = enroll.cardHolderFromLogin(await verifyAgain(operatorCard, 'TP03000033334444'));
    expect((await ran.flow.authorizeOperator('A1001', later, '退保作業')).name).toBe('李經辦');
    const refused = await ran.flow.authorizeOperator('A1001', later, '保險費查詢').catch((e: unknown) => e);
    expect((refused as enroll.EnrollError).refusal).toBe('OPERATOR_PERMISSION_MISSING');
    expect((await ran.flow.registrationRecords('A1001')).map((r) => r.item)).toEqual(['首次註冊']);
    expect((await ran.flow.consents('A1001')).map((c) => [c.subFunction, c.termsVersion])).toEqual([['首次註冊', '2026-01']]);
    const trail = await enroll.readAuditTrail(ran.store, { flow: 'organization', subject: 'A1001' });
    expect(trail.map((e) => e.event)).toEqual(['register', 'assignOperator']);
  } finally {
    await ran.store.close();
  }
}

async function verifyAgain(card: CardHolderCredentials, cardNumber: string): Promise<cert.VerifiedLogin> {
  return verifier.verify(await token(card, 'later-session', cardNumber), { sessionId: 'later-session' });
}

describe('docs/guides/org-registration.md, first snippet', () => {
  itRunsOnBothStores({
    ending: 'registered with both cards, 經辦人 assigned and authorized',
    dir: () => dir,
    dataDirName: 'gepi-data',
    schema: 'guide_org_registration',
    run: runSnippet,
    check: async (ran, store) => {
      expect(ran.store).toBeInstanceOf(store === 'pglite' ? enrollPglite.PgliteStore : enrollPg.PgStore);
      await expectRegisteredWithOperator(ran);
    },
  });
});
