/**
 * Fixtures of the official account system's tests: a fake personnel system
 * (行政院人事行政總處) and a login rig that turns test-PKI cards into verified
 * card holders through the certificate layer's real login verifier (with an
 * OCSP responder, so revoked and expired certificates are really refused).
 */
import {
  ChallengeIssuer,
  LoginVerifierBuilder,
  RevocationChecker,
  TrustedCertificate,
  type LoginVerifier,
} from '../../src/cert/index.js';
import type { Actor } from '../../src/enroll/domain/actor.js';
import type { VerifiedCardHolder } from '../../src/enroll/domain/card-holder.js';
import type { PersonnelCheckResult, PersonnelPerson, PersonnelQuery, PersonnelSystem } from '../../src/enroll/ports/personnel-system.js';
import { createTestPki, type CardHolderCredentials, type CardHolderOptions, type TestPki } from '../../src/testing/pki/index.js';
import { LocalRevocationServer } from '../../src/testing/revocation/index.js';
import { cardLogins } from './verified-logins.js';

/** 內政部消防署, the seed's example agency. */
export const NFA = '2.16.886.101.20003.20001.20003';
/** The seed's general member (會員註冊 example data). */
export const claire = { memberId: 'clairesu1234', name: '張美善', nationalId: 'A226812638', email: 'claire01001@hotmail.com' };
/** The member acting for itself. */
export const member: Actor = { role: 'applicant', id: 'clairesu1234' };
/** The host portal synchronizing members. */
export const host: Actor = { role: 'system', id: 'egov-portal' };
/** The service desk's reviewer. */
export const reviewer: Actor = { role: 'reviewer', id: 'egov-service' };

/** One person on the personnel system's record. */
export interface PersonnelRecord {
  readonly name: string;
  readonly nationalId: string;
  readonly agencyOid: string;
}

/** In-memory personnel system: per-item verdicts against its records; `down` makes it fail. */
export class FakePersonnelSystem implements PersonnelSystem {
  public readonly records: PersonnelRecord[] = [];
  public readonly queries: PersonnelQuery[] = [];
  public down = false;
  /** When set, returned instead of a real answer (a broken integration). */
  public answer: unknown;

  public check(query: PersonnelQuery): Promise<PersonnelCheckResult> {
    this.queries.push(query);
    if (this.down) return Promise.reject(new Error('connect ETIMEDOUT personnel.example.gov.tw'));
    if (this.answer !== undefined) return Promise.resolve(this.answer as PersonnelCheckResult);
    const rec = this.records.find((r) => r.nationalId === query.nationalId);
    return Promise.resolve({
      nationalId: rec === undefined ? 'mismatch' : 'match',
      name: rec !== undefined && rec.name === query.name ? 'match' : 'mismatch',
      agency: rec !== undefined && rec.agencyOid === query.agencyOid ? 'match' : 'mismatch',
    });
  }

  /** People looked up with {@link currentAgency}. */
  public readonly lookups: PersonnelPerson[] = [];

  /** The agency of the record with this ID and name (the same `down` and `answer` overrides as `check`). */
  public currentAgency(person: PersonnelPerson): Promise<string | undefined> {
    this.lookups.push(person);
    if (this.down) return Promise.reject(new Error('connect ETIMEDOUT personnel.example.gov.tw'));
    if (this.answer !== undefined) return Promise.resolve(this.answer as string);
    return Promise.resolve(this.records.find((r) => r.nationalId === person.nationalId && r.name === person.name)?.agencyOid);
  }
}

const ORIGIN = 'https://www.gov.tw';

/** The test PKI, an OCSP responder and the verifier that trusts them. */
export interface LoginRig {
  readonly pki: TestPki;
  readonly server: LocalRevocationServer;
  /** Issues a card of the test PKI. */
  issue(options: CardHolderOptions): Promise<CardHolderCredentials>;
  /** Signs a login with `card` (card number `cardNumber` in the signed attributes) and verifies it: the enroll layer's holder. */
  login(card: CardHolderCredentials, cardNumber: string): Promise<VerifiedCardHolder>;
  /** Marks `card`'s signing certificate revoked at the OCSP responder. */
  revoke(card: CardHolderCredentials): void;
  close(): Promise<void>;
}

/** Starts a {@link LoginRig}. */
export async function startLoginRig(): Promise<LoginRig> {
  const server = await LocalRevocationServer.start();
  const pki = await createTestPki({ crlBaseUrl: server.crlBaseUrl, ocspUrl: server.ocspUrl, authorities: ['moica', 'hca'] });
  for (const a of ['moica', 'hca'] as const) server.addAuthority(pki.issuer(a));
  const challenges = new ChallengeIssuer();
  const verifier: LoginVerifier = new LoginVerifierBuilder()
    .withTrustAnchors(pki.root.certificate)
    .withIntermediates(pki.issuer('moica').certificate, pki.issuer('hca').certificate)
    .withAllowedOrigins(ORIGIN)
    .withChallenges(challenges)
    .withRevocationChecker(new RevocationChecker({ mode: 'ocsp' }))
    .build();
  return {
    pki,
    server,
    issue: (options) => pki.issueCardHolder(options),
    login: cardLogins(ORIGIN, challenges, verifier),
    revoke(card) {
      server.setStatus(TrustedCertificate.from(card.sign.certificate).serialHex, { kind: 'revoked', revokedAt: new Date(Date.now() - 60_000), reason: 'keyCompromise' });
    },
    close: () => server.close(),
  };
}
