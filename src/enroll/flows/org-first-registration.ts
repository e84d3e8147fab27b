/**
 * 首次註冊 of the organization certificate flow: the agency OID check, manual
 * review of a mismatch (approve / reject), and the next-business-day retry.
 */
import { parseActor, type Actor } from '../domain/actor.js';
import { nextBusinessDayStart } from '../domain/business-day.js';
import { TaiwanCalendar } from '../domain/taiwan-calendar.js';
import type { CardIdentity } from '../domain/card-holder.js';
import { isBlank, parsePhone, parseRequiredText } from '../domain/identifiers.js';
import type { Agency } from '../ports/agency-directory.js';
import type { SqlSession } from '../store/store.js';
import { EnrollError, IssueCollector, ManualReviewError } from '../errors.js';
import { assertEventAllowed } from '../machine/machine.js';
import { ORG_MACHINE, type OrgStatus } from '../machine/org-machine.js';
import { isUniqueViolation } from '../store/sql-errors.js';
import { parseAgencyCode, parseOrgCard, takeAcceptedTerms, type AdministratorContact, type RegisterInput, type ReviewRequestInput } from './org-inputs.js';
import type { OrgRegistration } from './org-records.js';
import { ORG_COMMANDS, auditRefusals, authorize } from './authorization.js';
import { applyTransition } from './transition.js';
import { addRecord, recordConsent, recordReviewConsent } from './org-receipts-table.js';
import { REGISTRATION_KEY, findRegistration, lockRegistration, saveRegistration, saveReviewDecision, saveReviewRequest } from './org-registrations-table.js';
import { agencyOf, identifierOf, isRecordedAgencyCard, matchesAgency, parseCardsAndContact, type OrgRegistrationOptions } from './org-shared.js';
import { requireVerifiedLogin } from '../refusals.js';
import { FIRST_REGISTRATION_SENTENCES, retryTooEarlySentence } from './org-words.js';

let defaultCalendar: TaiwanCalendar | undefined;
/** Taiwan's office calendar with the built-in adjustments, made once. */
function taiwanCalendar(): TaiwanCalendar {
  defaultCalendar ??= new TaiwanCalendar();
  return defaultCalendar;
}

/** {@link OrgRegistrationFlow.register}: first registration, or a retry after review. */
export async function register(o: OrgRegistrationOptions, input: RegisterInput, actor?: Actor): Promise<OrgRegistration> {
  const issues = new IssueCollector();
  const given = actor === undefined ? undefined : issues.take(() => parseActor(actor));
  const v = (typeof input === 'object' && input !== null ? input : {}) as unknown as Record<string, unknown>;
  const agencyCode = issues.take(() => parseAgencyCode(v.agencyCode));
  const { org, admin, contact, terms } = parseCardsAndContact(o, v, issues);
  let reviewContact: { name: string; phone: string } | undefined;
  // Left out, null, or a form's two boxes both left empty: no review contact (asked for only on a mismatch, with
  // REVIEW_CONTACT_REQUIRED). One of the two given makes both required.
  const rc = (typeof v.reviewContact === 'object' && v.reviewContact !== null ? v.reviewContact : {}) as Record<string, unknown>;
  const leftOut = isBlank(v.reviewContact) || (rc === v.reviewContact && isBlank(rc.name) && isBlank(rc.phone));
  if (!leftOut) {
    const name = issues.take(() => parseRequiredText(rc.name, 'reviewContact.name'));
    const phone = issues.take(() => parsePhone(rc.phone, 'reviewContact.phone'));
    if (name !== undefined && phone !== undefined) reviewContact = { name, phone };
  }
  issues.throwIfAny();
  requireVerifiedLogin(org as CardIdentity, admin as CardIdentity);
  const [code, orgCard, adminCard, adminContact] = [agencyCode as string, org as CardIdentity, admin as CardIdentity, contact as AdministratorContact];
  const who: Actor = given ?? { role: 'administrator', id: adminCard.certificateSerial };
  return auditRefusals(o.store, o.clock, 'organization', () => registerAs(o, code, orgCard, adminCard, adminContact, reviewContact, who, terms));
}

/**
 * The manual's words for the three answers of 機關憑證確認 that stop 首次註冊; the errors and the read show the same,
 * and so does the catalogue, which words the three codes from the same module (`org-words.ts`).
 */
const WORDS = {
  reviewNeeded: FIRST_REGISTRATION_SENTENCES.reviewNeeded.zhTW,
  reviewPending: FIRST_REGISTRATION_SENTENCES.reviewPending.zhTW,
  retryTooEarly: retryTooEarlySentence,
} as const;

/**
 * Where 首次註冊 stands for one organization certificate of an agency: the one rule `register`, `requestReview` and
 * `checkOrganizationCard` share.
 * - `matches`: the OID (統一編號 for MOEACA) is the directory's: on to 授權管理者自然人憑證確認.
 * - `reviewApproved`: a reviewer approved this very certificate and the next business day has come: on as well.
 * - `reviewNeeded`: it does not match (or the approved review was of another certificate): the 申請人's 姓名 and
 *   電話, then a manual review.
 * - `reviewPending`: a review is waiting for the reviewer, whatever card is presented (MANUAL_REVIEW_PENDING).
 * - `retryTooEarly`: the review was approved; registration opens at `retryNotBefore` (RETRY_TOO_EARLY).
 * - `registered`: the agency has registered; 首次註冊 is not for it (授權指派, 更換憑證 are).
 */
export type FirstRegistrationStanding =
  | {
      /** On to (二) (`matches`, `reviewApproved`), or not 首次註冊's (`registered`). */
      readonly outcome: 'matches' | 'reviewApproved' | 'registered';
    }
  | {
      /** 比對不符: 圖3-6 申請人確認, then `requestReview`. */
      readonly outcome: 'reviewNeeded';
      /** 圖3-6's sentence (the catalogue's `REVIEW_CONTACT_REQUIRED`). */
      readonly message: string;
    }
  | {
      /** A review stops 首次註冊 (MANUAL_REVIEW_PENDING / RETRY_TOO_EARLY). */
      readonly outcome: 'reviewPending' | 'retryTooEarly';
      /** Start of the next business day after the review was filed (ISO). */
      readonly retryNotBefore: string;
      /** The message the command's ManualReviewError carries. */
      readonly message: string;
    };

/** Result of {@link OrgRegistrationFlow.checkOrganizationCard}: the agency and where 首次註冊 stands for the card. */
export type OrganizationCardCheck = {
  /** The 公保機關代號 checked. */
  readonly agencyCode: string;
  /** The agency's name in the directory. */
  readonly agencyName: string;
  /** Whether the card's OID (統一編號 for MOEACA) is the directory's. */
  readonly oidMatches: boolean;
  /**
   * Whether the card is the organization certificate the agency's row records (the registered agency card, or the
   * one a review was filed for): the same CA, serial and identifier, the rule `authenticate` applies. A page shows
   * the row's people (授權管理者, 申請人) only to that card or a matching one; another organization's certificate
   * with an equal serial is not it.
   */
  readonly recordedCard: boolean;
} & FirstRegistrationStanding;

/** {@link FirstRegistrationStanding} of `orgCard` for an agency whose row is `existing` (`matches`: the directory's verdict). */
export function standingOf(existing: OrgRegistration | undefined, orgCard: CardIdentity, matches: boolean, now: Date): FirstRegistrationStanding {
  // Seed: until the review passes, every attempt shows the same 需進行審核 message.
  if (existing?.status === 'manualReview') {
    return { outcome: 'reviewPending', retryNotBefore: existing.retryNotBefore ?? now.toISOString(), message: WORDS.reviewPending };
  }
  if (existing?.status === 'registered') return { outcome: 'registered' };
  if (existing?.status === 'reviewApproved') {
    const retry = existing.retryNotBefore ?? now.toISOString();
    if (now.getTime() < new Date(retry).getTime()) return { outcome: 'retryTooEarly', retryNotBefore: retry, message: WORDS.retryTooEarly(retry) };
    if (matches) return { outcome: 'matches' };
    // The approval is of the certificate reviewed; another mismatching one (a renewal has a new serial) is reviewed again.
    // A serial alone does not name it: another CA's certificate may carry the same serial (and a negative serial is
    // spelt as the positive one of its octets), so the reviewer's verdict on this CA's certificate with this
    // identifier is not stretched to a certificate with an identifier the reviewer never saw.
    if (isRecordedAgencyCard(existing, orgCard)) return { outcome: 'reviewApproved' };
  }
  return matches ? { outcome: 'matches' } : { outcome: 'reviewNeeded', message: WORDS.reviewNeeded };
}

/** The refusal of a standing that stops 首次註冊 at step (一) (`registered`: the state machine's INVALID_TRANSITION). */
function refuseStopped(standing: FirstRegistrationStanding): void {
  if (standing.outcome === 'reviewPending') throw new ManualReviewError('MANUAL_REVIEW_PENDING', standing.retryNotBefore, standing.message);
  if (standing.outcome === 'retryTooEarly') throw new ManualReviewError('RETRY_TOO_EARLY', standing.retryNotBefore, standing.message);
  if (standing.outcome === 'registered') assertEventAllowed(ORG_MACHINE, 'registered', 'register');
}

/** Runs `body` in one transaction; a concurrent first row for the same agency is CONCURRENT_UPDATE. */
async function inRegistration<T>(o: OrgRegistrationOptions, code: string, body: (tx: SqlSession) => Promise<T>): Promise<T> {
  try {
    return await o.store.transaction(body);
  } catch (err) {
    if (isUniqueViolation(err, REGISTRATION_KEY)) {
      throw new EnrollError('CONCURRENT_UPDATE', `agency ${code} was registered concurrently`);
    }
    throw err;
  }
}

/** The audit reason of a registration step: the OID comparison. */
function comparison(orgCard: CardIdentity, agency: Agency, matches: boolean): string {
  return matches ? 'OID 比對相符' : `OID 比對不符: ${identifierOf(orgCard)} ≠ ${agency.oid}`;
}

async function registerAs(
  o: OrgRegistrationOptions,
  code: string,
  orgCard: CardIdentity,
  adminCard: CardIdentity,
  adminContact: AdministratorContact,
  reviewContact: { name: string; phone: string } | undefined,
  who: Actor,
  terms: string | undefined,
): Promise<OrgRegistration> {
  authorize(ORG_COMMANDS, 'register', who, { subject: code });
  const agency = await agencyOf(o, code);
  const matches = matchesAgency(orgCard, agency);
  return inRegistration(o, code, async (tx) => {
    const now = o.clock.now();
    const at = now.toISOString();
    const existing = await lockRegistration(tx, code);
    const from: OrgStatus = existing?.status ?? 'unregistered';
    const standing = standingOf(existing, orgCard, matches, now);
    refuseStopped(standing);
    const to: OrgStatus = standing.outcome === 'reviewNeeded' ? 'manualReview' : 'registered';
    if (standing.outcome === 'reviewNeeded' && reviewContact === undefined) throw new EnrollError('REVIEW_CONTACT_REQUIRED', standing.message);
    const retryNotBefore = to === 'manualReview' ? nextBusinessDayStart(now, o.calendar ?? taiwanCalendar()).toISOString() : null;
    const step = { subject: code, from, event: 'register' as const, to, actor: who, at };
    return applyTransition(tx, ORG_MACHINE, step, async () => {
      const saved = await saveRegistration(tx, existing !== undefined, {
        code, status: to, orgCard, orgIdentifier: identifierOf(orgCard), adminCard, contact: adminContact, reviewContact, retryNotBefore, at,
      });
      await addRecord(tx, code, agency.name, to === 'registered' ? '首次註冊' : '首次註冊(需審核)', at);
      if (terms !== undefined) await recordConsent(tx, code, '首次註冊', terms, adminCard.certificateSerial, at);
      return saved;
    }, comparison(orgCard, agency, matches));
  });
}

/** {@link OrgRegistrationFlow.checkOrganizationCard}: 機關憑證確認, answered without changing anything. */
export async function checkOrganizationCard(o: OrgRegistrationOptions, agencyCode: unknown, organizationCard: unknown): Promise<OrganizationCardCheck> {
  const issues = new IssueCollector();
  const code = issues.take(() => parseAgencyCode(agencyCode));
  const org = parseOrgCard(organizationCard, 'organizationCard', issues);
  issues.throwIfAny();
  const orgCard = org as CardIdentity;
  requireVerifiedLogin(orgCard);
  const agency = await agencyOf(o, code as string);
  const matches = matchesAgency(orgCard, agency);
  const existing = await o.store.transaction((tx) => findRegistration(tx, code as string));
  return {
    agencyCode: code as string,
    agencyName: agency.name,
    oidMatches: matches,
    recordedCard: existing !== undefined && isRecordedAgencyCard(existing, orgCard),
    ...standingOf(existing, orgCard, matches, o.clock.now()),
  };
}

/** {@link OrgRegistrationFlow.requestReview}: the 申請人確認畫面's 送出申請. */
export async function requestReview(o: OrgRegistrationOptions, input: ReviewRequestInput, actor?: Actor): Promise<OrgRegistration> {
  const issues = new IssueCollector();
  const given = actor === undefined ? undefined : issues.take(() => parseActor(actor));
  const v = (typeof input === 'object' && input !== null ? input : {}) as unknown as Record<string, unknown>;
  const code = issues.take(() => parseAgencyCode(v.agencyCode));
  const org = parseOrgCard(v.organizationCard, 'organizationCard', issues);
  const a = (typeof v.applicant === 'object' && v.applicant !== null ? v.applicant : {}) as Record<string, unknown>;
  const name = issues.take(() => parseRequiredText(a.name, 'applicant.name'));
  const phone = issues.take(() => parsePhone(a.phone, 'applicant.phone'));
  // The 用戶約定條款 come before 機關憑證確認 (圖3-4): the consent is recorded with the review, as the agency card and
  // the 申請人 (no administrator is named yet); the `register` that follows approval records the administrator's.
  const terms = takeAcceptedTerms(v, o.termsVersion, issues);
  issues.throwIfAny();
  const orgCard = org as CardIdentity;
  requireVerifiedLogin(orgCard);
  const applicant = { name: name as string, phone: phone as string };
  const who: Actor = given ?? { role: 'applicant', id: orgCard.certificateSerial };
  return auditRefusals(o.store, o.clock, 'organization', async () => {
    authorize(ORG_COMMANDS, 'requestReview', who, { subject: code as string });
    const agency = await agencyOf(o, code as string);
    const matches = matchesAgency(orgCard, agency);
    return inRegistration(o, code as string, async (tx) => {
      const now = o.clock.now();
      const at = now.toISOString();
      const existing = await lockRegistration(tx, code as string);
      const standing = standingOf(existing, orgCard, matches, now);
      refuseStopped(standing);
      if (standing.outcome !== 'reviewNeeded') {
        throw new EnrollError('REVIEW_NOT_NEEDED', standing.outcome === 'matches'
          ? '機關憑證比對相符，無需審核，請繼續授權管理者自然人憑證確認'
          : '此機關憑證已審核通過，請繼續授權管理者自然人憑證確認');
      }
      const retryNotBefore = nextBusinessDayStart(now, o.calendar ?? taiwanCalendar()).toISOString();
      const step = { subject: code as string, from: existing?.status ?? 'unregistered', event: 'register' as const, to: 'manualReview' as const, actor: who, at };
      return applyTransition(tx, ORG_MACHINE, step, async () => {
        const saved = await saveReviewRequest(tx, existing !== undefined, {
          code: code as string, orgCard, orgIdentifier: identifierOf(orgCard), applicant, retryNotBefore, at,
        });
        await addRecord(tx, code as string, agency.name, '首次註冊(需審核)', at);
        if (terms !== undefined) await recordReviewConsent(tx, code as string, terms, orgCard.certificateSerial, applicant, at);
        return saved;
      }, `${comparison(orgCard, agency, matches)} (機關憑證確認, 申請人確認)`);
    });
  });
}

/** A reviewer's decision on a registration in manual review: `event` leads to `to`, with an optional note. */
export async function review(
  o: OrgRegistrationOptions,
  agencyCode: string,
  reviewer: Actor,
  event: 'approveReview' | 'rejectReview',
  to: OrgStatus,
  note?: string,
): Promise<OrgRegistration> {
  const issues = new IssueCollector();
  const who = issues.take(() => parseActor(reviewer, 'reviewer'));
  const code = issues.take(() => parseAgencyCode(agencyCode));
  const reviewNote = note === undefined ? null : (issues.take(() => parseRequiredText(note, 'note', 2000)) ?? null);
  issues.throwIfAny();
  return auditRefusals(o.store, o.clock, 'organization', () => o.store.transaction(async (tx) => {
    const reg = await lockRegistration(tx, code as string);
    authorize(ORG_COMMANDS, event, who as Actor, { subject: code as string, state: reg?.status ?? 'unregistered' });
    if (reg === undefined) throw new EnrollError('NOT_FOUND', `agency ${String(code)} has not registered`);
    const at = o.clock.now().toISOString();
    const step = { subject: code as string, from: reg.status, event, to, actor: who as Actor, at };
    return applyTransition(tx, ORG_MACHINE, step, () => saveReviewDecision(tx, code as string, to, reviewNote, at), reviewNote ?? undefined);
  }));
}
