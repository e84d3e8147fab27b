/**
 * Helpers shared by the organization certificate flow's modules: its
 * dependencies, the ID-hint rule, agency matching and the check that a
 * session's cards are the ones on record. The SQL lives in the table modules
 * (`org-registrations-table.ts`, `org-operators-table.ts`, `org-receipts-table.ts`).
 */
import type { BusinessCalendar } from '../domain/business-day.js';
import { ID_HINT, type CardIdentity } from '../domain/card-holder.js';
import { EnrollError, InvalidInputError } from '../errors.js';
import type { Agency, AgencyDirectory } from '../ports/agency-directory.js';
import type { Clock } from '../ports/clock.js';
import type { EnrollStore, SqlSession } from '../store/store.js';
import { administratorNationalId } from './org-registrations-table.js';
import type { RenewalPolicy } from './card-renewal.js';
import type { OrgRegistration, RegisteredOrganization } from './org-records.js';
import type { IssueCollector } from '../errors.js';
import { parseCitizenCard, parseContact, parseGepiChecks, parseOrgCard, type AdministratorContact } from './org-inputs.js';
import { refusalError } from '../refusals.js';
import { AGENCIES_RULE, checkFlowOptions, type OptionRule } from './flow-options.js';

/** Dependencies of {@link OrgRegistrationFlow}. */
export interface OrgRegistrationOptions {
  /** Persistence. */
  readonly store: EnrollStore;
  /** Time source (business-day rule, audit). */
  readonly clock: Clock;
  /** Agency code → expected OID / 統一編號. */
  readonly agencies: AgencyDirectory;
  /** Holidays beyond weekends; default {@link TaiwanCalendar} (date-holidays TW plus the built-in DGPA adjustments). */
  readonly calendar?: BusinessCalendar;
  /** The function menu; when given, operator permissions must come from it. */
  readonly permissions?: readonly string[];
  /**
   * Version of the 用戶約定條款 shown on 首次註冊 and each 更換憑證 page. When set,
   * those commands (and `requestReview`, filed at 首次註冊 step (一)) require `acceptedTerms` equal to it and record
   * the consent (sub-function, version, who, time) in `enroll_org_consents`.
   */
  readonly termsVersion?: string;
  /**
   * How a typed 身分證統一編號 is checked against a citizen card's ID hint
   * (OID 2.16.886.1.100.2.51). Default `lastFour`: the hint is the ID's last
   * four characters; pass a function if your cards behave otherwise. Either way the hint is
   * 4 digits: a card whose hint is not is refused before the rule is asked.
   */
  readonly idHintRule?: 'lastFour' | ((nationalId: string, idHint: string) => boolean);
  /**
   * What a renewed certificate on the administrator's or an operator's card
   * (same 卡號, authority, trust anchor, holder name and ID hint, from a
   * verified login) does: take over the binding (`automatic`, default) or wait
   * for a reviewer's `acceptRenewal`.
   */
  readonly renewal?: RenewalPolicy;
  /**
   * Whether every administrator session (`assignOperator`, `editOperator`, `removeOperator`, `listOperators`) must
   * carry the 授權管理者身分證統一編號 the manual asks for at 授權管理者自然人憑證確認 (必填, beside the card and its PIN,
   * 圖3-13): default `true`, a session without `administratorNationalId` is INVALID_INPUT (REQUIRED), so no session
   * skips the checks against the card and the registered administrator. `false` takes a session without the key
   * without them, as before the field existed: only for callers that cannot pass the ID yet.
   */
  readonly requireAdministratorNationalId?: boolean;
}

/**
 * Checks the `idHintRule` option of a flow when it is built: `'lastFour'` or a
 * function; anything else would fail the first upload with a TypeError.
 * @throws RangeError naming the option.
 */
export function checkIdHintRule(value: unknown): void {
  if (value !== undefined && value !== 'lastFour' && typeof value !== 'function') {
    throw new RangeError(`idHintRule must be 'lastFour' or a function (nationalId, idHint) => boolean, not ${JSON.stringify(value)}`);
  }
}

/**
 * Checks the options of a flow that looks agencies up and compares ID hints
 * (organization and official accounts): `own` plus the agency directory,
 * business calendar and ID-hint rule they share.
 * @throws RangeError naming the flow and the option.
 */
export function checkAgencyFlowOptions(flow: string, options: { readonly idHintRule?: unknown }, own: Readonly<Record<string, OptionRule>>): void {
  checkFlowOptions(flow, options, { agencies: AGENCIES_RULE, calendar: { kind: 'other' }, idHintRule: { kind: 'other' }, ...own });
  checkIdHintRule(options.idHintRule);
}

/**
 * The 授權管理者身分證統一編號 typed at a session or at 更換機關憑證 (`field`) against the registered administrator's,
 * in the transaction that holds the registration, after its cards were found to be the registered ones (before,
 * the answer would tell any card holder whose ID is on record). None on record (a registration made before
 * migration 0011): nothing to compare. The message names neither ID: it is personal data, and errors reach logs.
 * The issue is `NOT_ON_RECORD`, not the `MISMATCH` of an ID that does not agree with the card's hint, so a page tells
 * 「與註冊之授權管理者不符」 from 「與自然人憑證不符」 by the code alone.
 * @throws InvalidInputError naming `field` (`NOT_ON_RECORD`).
 */
export async function requireRegisteredAdministratorId(tx: SqlSession, code: string, typed: string, field: string): Promise<void> {
  const registered = await administratorNationalId(tx, code);
  if (registered !== undefined && registered !== typed) {
    throw new InvalidInputError([{ field, code: 'NOT_ON_RECORD', reason: '身分證統一編號與註冊之授權管理者不符 (not the registered administrator\'s)' }]);
  }
}

/**
 * Whether `nationalId` agrees with the card's ID hint under `o.idHintRule` (no hint on the card: nothing to check). A
 * hint that is not 4 digits agrees with nothing, whichever rule: `endsWith` would have let a hint of "9" agree with
 * every ID ending in 9, and `parseCardHolder` refuses such a card before this is asked.
 */
export function idHintAgrees(o: OrgRegistrationOptions, nationalId: string, idHint: string | undefined): boolean {
  if (idHint === undefined) return true;
  if (!ID_HINT.test(idHint)) return false;
  const rule = o.idHintRule ?? 'lastFour';
  return rule === 'lastFour' ? nationalId.toUpperCase().endsWith(idHint) : rule(nationalId, idHint);
}

/** The cards, contact and consent of 首次註冊 and 更換憑證, parsed into `issues` (`undefined` where invalid). */
export interface CardsAndContact {
  /** The organization certificate. */
  readonly org: CardIdentity | undefined;
  /** The administrator's citizen card. */
  readonly admin: CardIdentity | undefined;
  /** The administrator's contact. */
  readonly contact: AdministratorContact | undefined;
  /** The accepted terms version, when the flow asks for consent. */
  readonly terms: string | undefined;
}

/** Parses the fields 首次註冊 and 更換憑證 share, with the GEPI checks of `o` (ID hint, terms). */
export function parseCardsAndContact(o: OrgRegistrationOptions, v: Record<string, unknown>, issues: IssueCollector): CardsAndContact {
  const org = parseOrgCard(v.organizationCard, 'organizationCard', issues);
  const admin = parseCitizenCard(v.administratorCard, 'administratorCard', issues);
  const contact = parseContact(v.administrator, 'administrator', issues);
  const checks = { ...(o.termsVersion === undefined ? {} : { termsVersion: o.termsVersion }), idHintAgrees: (n: string, h: string | undefined) => idHintAgrees(o, n, h) };
  return { org, admin, contact, terms: parseGepiChecks(v, contact, admin, checks, issues) };
}

/** The identifier compared with the agency directory: 統一編號 for MOEACA, else the organization OID. */
export function identifierOf(card: CardIdentity): string {
  return card.authority === 'MOEACA' ? (card.businessId ?? '') : (card.organizationOid ?? '');
}

/** Whether an organization certificate belongs to `agency` (統一編號 for MOEACA, else OID). */
export function matchesAgency(card: CardIdentity, agency: Agency): boolean {
  return card.authority === 'MOEACA' ? card.businessId !== undefined && card.businessId === agency.businessId : card.organizationOid === agency.oid;
}

/**
 * Whether `card` is the organization certificate the row `reg` records (the registered agency card, or the one a
 * review was filed for): that CA's certificate of that serial, carrying the
 * identifier (organization OID, or 統一編號 for MOEACA) the registration stored. A serial does not name a
 * certificate across CAs, nor does a CA's own numbering stop another organization's certificate from carrying a
 * serial equal to this one's, so all three must agree. A card or a row without an identifier is nobody's: it fails
 * (closed), whatever the other two say.
 */
export function isRecordedAgencyCard(reg: OrgRegistration, card: CardIdentity): boolean {
  const identifier = identifierOf(card);
  return identifier !== ''
    && identifier === reg.organizationIdentifier
    && card.certificateSerial === reg.organizationCertificateSerial
    && card.authority === reg.organizationAuthority;
}

/**
 * Requires a `registered` registration whose organization certificate and/or
 * administrator card (per `check`) are the ones presented; NOT_FOUND or
 * NOT_AUTHORIZED otherwise.
 */
export function authenticate(
  reg: OrgRegistration | undefined,
  org: CardIdentity,
  admin: CardIdentity,
  check: 'both' | 'organization' | 'administrator',
): asserts reg is RegisteredOrganization {
  if (reg === undefined) throw new EnrollError('NOT_FOUND', 'this agency has not registered');
  // A registered row always has its administrator (migration 0013's CHECK); without one, nothing authenticates.
  if (reg.status !== 'registered' || reg.administrator === undefined) {
    throw refusalError('ORGANIZATION_NOT_REGISTERED', `registration is ${reg.status}`);
  }
  // The registered agency card is its CA's certificate of that serial for that organization (isRecordedAgencyCard).
  // The administrator's is a MOICA card, whose serials MOICA keeps unique, as parseCitizenCard requires.
  if (check !== 'administrator' && !isRecordedAgencyCard(reg, org)) throw refusalError('AGENCY_CARD_MISMATCH');
  if (check !== 'organization' && admin.certificateSerial !== reg.administrator.certificateSerial) {
    throw refusalError('ADMINISTRATOR_CARD_MISMATCH');
  }
}

/** The agency of `code`; NOT_FOUND when the directory has none. */
export async function agencyOf(o: OrgRegistrationOptions, code: string): Promise<Agency> {
  const agency = await o.agencies.findByAgencyCode(code);
  if (agency === undefined) throw new EnrollError('NOT_FOUND', `unknown agency code ${code}`);
  return agency;
}
