/**
 * 首次註冊 of the organization certificate flow: the agency OID check, manual
 * review of a mismatch (approve / reject), and the next-business-day retry.
 */
import { parseActor, type Actor } from '../domain/actor.js';
import { nextBusinessDayStart } from '../domain/business-day.js';
import { TaiwanCalendar } from '../domain/taiwan-calendar.js';
import type { CardIdentity } from '../domain/card-holder.js';
import { isBlank, parsePhone, parseRequiredText } from '../domain/identifiers.js';
import { EnrollError, IssueCollector, ManualReviewError } from '../errors.js';
import { assertEventAllowed } from '../machine/machine.js';
import { ORG_MACHINE, type OrgStatus } from '../machine/org-machine.js';
import { isUniqueViolation } from '../store/sql-errors.js';
import { parseAgencyCode, type AdministratorContact, type RegisterInput } from './org-inputs.js';
import type { OrgRegistration } from './org-records.js';
import { ORG_COMMANDS, auditRefusals, authorize } from './authorization.js';
import { applyTransition } from './transition.js';
import { addRecord, recordConsent } from './org-receipts-table.js';
import { REGISTRATION_KEY, lockRegistration, saveRegistration, saveReviewDecision } from './org-registrations-table.js';
import { identifierOf, matchesAgency, parseCardsAndContact, type OrgRegistrationOptions } from './org-shared.js';
import { requireVerifiedLogin } from '../refusals.js';

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

  const agency = await o.agencies.findByAgencyCode(code);
  if (agency === undefined) throw new EnrollError('NOT_FOUND', `unknown agency code ${code}`);
  const matches = matchesAgency(orgCard, agency);

  try {
    return await o.store.transaction(async (tx) => {
      const now = o.clock.now();
      const at = now.toISOString();
      const existing = await lockRegistration(tx, code);
      const from: OrgStatus = existing?.status ?? 'unregistered';
      // Seed: until the review passes, every attempt shows the same 需進行審核 message.
      if (existing?.status === 'manualReview') {
        throw new ManualReviewError(
          'MANUAL_REVIEW_PENDING',
          existing.retryNotBefore ?? at,
          '貴機關申請憑證註冊，因申請資料比對不符，需進行審核；審核通過前無法註冊，請於次一營業日再重新註冊',
        );
      }
      assertEventAllowed(ORG_MACHINE, from, 'register');
      let to: OrgStatus;
      if (existing?.status === 'reviewApproved') {
        const retry = existing.retryNotBefore ?? at;
        if (now.getTime() < new Date(retry).getTime()) {
          throw new ManualReviewError('RETRY_TOO_EARLY', retry, `審核已通過，請於次一營業日 (${retry}) 再重新註冊`);
        }
        to = matches || orgCard.certificateSerial === existing.organizationCertificateSerial ? 'registered' : 'manualReview';
      } else {
        to = matches ? 'registered' : 'manualReview';
      }
      if (to === 'manualReview' && reviewContact === undefined) {
        // The manual's words exactly, as the catalogue's `enroll.REVIEW_CONTACT_REQUIRED` has them: one text whichever a page shows.
        throw new EnrollError('REVIEW_CONTACT_REQUIRED', '貴機關申請憑證註冊，因申請資料比對不符，需進行審核，請填聯絡資料');
      }
      const retryNotBefore = to === 'manualReview' ? nextBusinessDayStart(now, o.calendar ?? taiwanCalendar()).toISOString() : null;
      const step = { subject: code, from, event: 'register' as const, to, actor: who, at };
      return applyTransition(tx, ORG_MACHINE, step, async () => {
        const saved = await saveRegistration(tx, existing !== undefined, {
          code, status: to, orgCard, orgIdentifier: identifierOf(orgCard), adminCard, contact: adminContact, reviewContact, retryNotBefore, at,
        });
        await addRecord(tx, code, agency.name, to === 'registered' ? '首次註冊' : '首次註冊(需審核)', at);
        if (terms !== undefined) await recordConsent(tx, code, '首次註冊', terms, adminCard.certificateSerial, at);
        return saved;
      }, matches ? 'OID 比對相符' : `OID 比對不符: ${identifierOf(orgCard)} ≠ ${agency.oid}`);
    });
  } catch (err) {
    if (isUniqueViolation(err, REGISTRATION_KEY)) {
      throw new EnrollError('CONCURRENT_UPDATE', `agency ${code} was registered concurrently`);
    }
    throw err;
  }
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
