/**
 * 更換憑證 of the organization certificate flow: replace the organization
 * certificate, the administrator's citizen card, or both.
 */
import type { Actor } from '../domain/actor.js';
import type { CardIdentity } from '../domain/card-holder.js';
import { EnrollError, IssueCollector } from '../errors.js';
import { assertEventAllowed } from '../machine/machine.js';
import { ORG_MACHINE } from '../machine/org-machine.js';
import { parseAgencyCode, type AdministratorContact, type ReplaceInput } from './org-inputs.js';
import type { OrgRegistration, RegistrationItem } from './org-records.js';
import { renewAdministratorCard } from './org-cards.js';
import { addRecord, recordConsent } from './org-receipts-table.js';
import { administratorCard, lockRegistration, saveReplacedCards } from './org-registrations-table.js';
import { orgCardStillBound } from './org-operators-table.js';
import { rejectPendingRenewalsOf } from './card-renewal.js';
import { applyTransition } from './transition.js';
import { recordTransition } from '../store/audit.js';
import {
  agencyOf,
  authenticate,
  identifierOf,
  matchesAgency,
  parseCardsAndContact,
  requireRegisteredAdministratorId,
  type OrgRegistrationOptions,
} from './org-shared.js';
import { requireVerifiedLogin } from '../refusals.js';

/** The three replacement events (更換憑證 sub-functions). */
export type ReplaceEvent = 'replaceOrganizationCertificate' | 'replaceAdministratorCard' | 'replaceBoth';

const REPLACE_ITEMS: Readonly<Record<ReplaceEvent, RegistrationItem>> = {
  replaceOrganizationCertificate: '更換機關憑證',
  replaceAdministratorCard: '更換授權管理者自然人憑證',
  replaceBoth: '更換機關憑證和更換授權管理者自然人憑證',
};

/**
 * Replaces the registered organization certificate and/or administrator card
 * per `event`, recording the new cards and contact, a registration record and
 * the audit entry in one transaction.
 */
export async function replace(o: OrgRegistrationOptions, agencyCode: string, input: ReplaceInput, event: ReplaceEvent): Promise<OrgRegistration> {
  const code = parseAgencyCode(agencyCode);
  let who: Actor | undefined;
  try {
    return await replaceAs(o, code, input, event, (actor) => (who = actor));
  } catch (err) {
    // A kept card that is not the registered one is refused NOT_AUTHORIZED (its code since the first release), and
    // audited as every administrator session command's refusal is (`forbidden:<command>`): the same wrong card
    // refused at 授權指派 left an entry, at 更換 none, so a trail of tries with another agency's or another person's
    // card showed only half of them.
    if (who !== undefined && err instanceof EnrollError && err.code === 'NOT_AUTHORIZED' && err.refusal !== undefined && KEPT_CARD_REFUSALS.has(err.refusal)) {
      const actor = who;
      await o.store.transaction(async (tx) => {
        const state = (await lockRegistration(tx, code))?.status ?? 'unregistered';
        await recordTransition(tx, { flow: 'organization', subject: code, actor, at: o.clock.now().toISOString(), event: `forbidden:${event}`, from: state, to: state, reason: err.message.slice(0, 500) });
      });
    }
    throw err;
  }
}

/** The refusals of a 更換 whose kept card (the administrator's, or the agency's) is not the registered one. */
const KEPT_CARD_REFUSALS: ReadonlySet<string> = new Set(['AGENCY_CARD_MISMATCH', 'ADMINISTRATOR_CARD_MISMATCH']);

async function replaceAs(o: OrgRegistrationOptions, code: string, input: ReplaceInput, event: ReplaceEvent, actorIs: (who: Actor) => void): Promise<OrgRegistration> {
  const issues = new IssueCollector();
  const v = (typeof input === 'object' && input !== null ? input : {}) as unknown as Record<string, unknown>;
  const { org, admin, contact, terms } = parseCardsAndContact(o, v, issues);
  issues.throwIfAny();
  requireVerifiedLogin(org as CardIdentity, admin as CardIdentity);
  const [orgCard, adminCard, adminContact] = [org as CardIdentity, admin as CardIdentity, contact as AdministratorContact];
  const agency = await agencyOf(o, code);
  const who: Actor = { role: 'administrator', id: adminCard.certificateSerial };
  actorIs(who);
  const outcome = await o.store.transaction(async (tx): Promise<OrgRegistration | EnrollError> => {
    let reg = await lockRegistration(tx, code);
    if (reg === undefined) throw new EnrollError('NOT_FOUND', `agency ${code} has not registered`);
    assertEventAllowed(ORG_MACHINE, reg.status, event);
    // Each sub-function keeps one credential that must already be on record.
    if (event === 'replaceOrganizationCertificate') {
      // The administrator card is that credential: a renewal of it is judged by the renewal rule first.
      const renewal = await renewAdministratorCard(o, tx, reg, adminCard, o.clock.now().toISOString());
      if (renewal instanceof EnrollError) return renewal;
      if (renewal === 'renewed') reg = (await lockRegistration(tx, code)) as OrgRegistration;
      authenticate(reg, orgCard, adminCard, 'administrator');
      // The administrator stays: the ID typed at (2.) is theirs, or the command changes nothing (a renewal taken
      // over just now included). None on record (before migration 0011): this one is recorded below.
      await requireRegisteredAdministratorId(tx, code, adminContact.nationalId, 'administrator.nationalId');
    }
    if (event === 'replaceAdministratorCard') authenticate(reg, orgCard, adminCard, 'organization');
    // The agency's certificate is the directory's, or carries the identifier a reviewer accepted for this
    // registration (首次註冊 after 比對不符 and 人工審核): its renewal carries the same one and must be able to
    // replace it, or the agency could never 更換機關憑證 again.
    if (event !== 'replaceAdministratorCard' && !matchesAgency(orgCard, agency) && identifierOf(orgCard) !== reg.organizationIdentifier) {
      throw new EnrollError('ORGANIZATION_MISMATCH', 'the new organization certificate does not belong to this agency (OID 比對不符)');
    }
    const at = o.clock.now().toISOString();
    const before = reg;
    const step = { subject: code, from: reg.status, event, to: 'registered' as const, actor: who, at };
    return applyTransition(tx, ORG_MACHINE, step, async () => {
      const oldAdmin = await administratorCard(tx, code);
      const saved = await saveReplacedCards(tx, code, { orgCard, orgIdentifier: identifierOf(orgCard), adminCard, contact: adminContact, at });
      // Another administrator card: a renewal of the old one waiting for review could only fail now. The
      // registration is held, the order of an administrator's login and of an acceptance.
      const replaced = oldAdmin !== undefined && oldAdmin.certificateSerial !== adminCard.certificateSerial;
      if (replaced && !(await orgCardStillBound(tx, oldAdmin.cardNumber, oldAdmin.certificateSerial))) {
        await rejectPendingRenewalsOf(tx, 'organization', [oldAdmin], who, at, { subject: code, state: before.status, why: 'the 授權管理者 card was replaced' });
      }
      await addRecord(tx, code, agency.name, REPLACE_ITEMS[event], at);
      if (terms !== undefined) await recordConsent(tx, code, REPLACE_ITEMS[event], terms, adminCard.certificateSerial, at);
      return saved;
    }, `機關憑證 ${before.organizationCertificateSerial} → ${orgCard.certificateSerial}; 管理者憑證 ${before.administrator?.certificateSerial ?? '(none)'} → ${adminCard.certificateSerial}`);
  });
  if (outcome instanceof EnrollError) throw outcome;
  return outcome;
}
