/**
 * Inputs of the organization certificate flow and their parsers: agency code,
 * organization and citizen cards, administrator contact, the administrator's
 * session and operator fields.
 */
import { ORGANIZATION_AUTHORITIES, parseCardHolder, type CardIdentity, type VerifiedCardHolder } from '../domain/card-holder.js';
import {
  parseCertificateSerial,
  parseEmail,
  parseNationalId,
  parsePhone,
  parseRequiredText,
  type CertificateSerial,
} from '../domain/identifiers.js';
import { InvalidInputError, IssueCollector } from '../errors.js';
import { requireVerifiedLogin } from '../refusals.js';

/** Administrator contact fields (姓名, 電子信箱, 連絡電話; 必填). */
export interface AdministratorContact {
  /** 姓名 */
  readonly name: string;
  /** 電子信箱 */
  readonly email: string;
  /** 連絡電話 */
  readonly phone: string;
  /**
   * 授權管理者身分證統一編號 (必填 at 首次註冊 and at every 更換), checked against the
   * administrator card's ID hint when the card carries one.
   */
  readonly nationalId: string;
}

/** Input of {@link OrgRegistrationFlow.register}. */
export interface RegisterInput {
  /** The relying party's agency code (機關代號). */
  readonly agencyCode: string;
  /** Verified organization certificate login (GCA/XCA/MOEACA). */
  readonly organizationCard: VerifiedCardHolder;
  /** Verified citizen card login of the authorized administrator. */
  readonly administratorCard: VerifiedCardHolder;
  /** Administrator contact data. */
  readonly administrator: AdministratorContact;
  /** The 用戶約定條款 version the administrator agreed to (required when the flow has `termsVersion`). */
  readonly acceptedTerms?: string;
  /** Contact for manual review; required when the OID does not match (姓名, 電話). */
  readonly reviewContact?: {
    /** Contact person's name (姓名). */
    readonly name: string;
    /** Contact phone number (電話); digits with optional `+`, `()`, `-`, `#` or 分機 extension. */
    readonly phone: string;
  };
}

/**
 * Input of {@link OrgRegistrationFlow.requestReview}: what the manual's 機關憑證確認 has when the card does not
 * match (圖3-6): the agency code and card of that step, and the 申請人's 姓名 and 電話 (both 必填).
 */
export interface ReviewRequestInput {
  /** The relying party's agency code (機關代號). */
  readonly agencyCode: string;
  /** Verified organization certificate login (GCA/XCA/MOEACA/HCA). */
  readonly organizationCard: VerifiedCardHolder;
  /** The 申請人 the reviewer contacts (審核不通過: 本部會主動聯絡申請人). */
  readonly applicant: {
    /** 姓名 */
    readonly name: string;
    /** 電話; digits with optional `+`, `()`, `-`, `#` or 分機 extension. */
    readonly phone: string;
  };
  /** The 用戶約定條款 version agreed to before 機關憑證確認 (required when the flow has `termsVersion`). */
  readonly acceptedTerms?: string;
}

/** Both cards of the administrator's session (機關憑證確認 + 授權管理者自然人憑證確認). */
export interface AdministratorSession {
  /** Verified organization certificate login. */
  readonly organizationCard: VerifiedCardHolder;
  /** Verified administrator citizen card login. */
  readonly administratorCard: VerifiedCardHolder;
  /**
   * 授權管理者身分證統一編號, typed beside the card at 授權管理者自然人憑證確認 (必填 in the manual, 圖3-13):
   * checked to be one, to agree with the card's ID hint (`idHintRule`) and, once both cards are the registered
   * ones, to be the registered administrator's (when one is on record: registrations since migration 0011), else
   * INVALID_INPUT naming `session.administratorNationalId` (REQUIRED / INVALID_ID; MISMATCH: not the ID of the card;
   * NOT_ON_RECORD: the card's, but not the registered administrator's); a key present with
   * `undefined` is REQUIRED, and so is a session without the key, unless the flow has
   * `requireAdministratorNationalId: false` (then such a session is taken without these checks, as it was before the
   * field existed).
   */
  readonly administratorNationalId?: string;
}

/** Operator fields (all 必填). */
export interface OperatorInput {
  /** 自然人憑證序號 */
  readonly certificateSerial: string;
  /** 授權經辦人姓名 */
  readonly name: string;
  /** 身分證統一編號 */
  readonly nationalId: string;
  /** 功能選單項目 (at least one). */
  readonly permissions: readonly string[];
}

/**
 * Input of the three replacement commands (更換憑證). Its 授權管理者身分證統一編號 is `administrator.nationalId`,
 * typed with the contact, so the session's `administratorNationalId` is not part of it.
 */
export interface ReplaceInput extends Omit<AdministratorSession, 'administratorNationalId'> {
  /** Administrator contact, confirmed or re-entered. */
  readonly administrator: AdministratorContact;
  /** The 用戶約定條款 version the administrator agreed to (required when the flow has `termsVersion`). */
  readonly acceptedTerms?: string;
}

/**
 * The GEPI checks common to registration and replacement: the typed
 * 身分證統一編號 agrees with the card's ID hint, and the 用戶約定條款 of the
 * configured version were accepted. Adds issues; returns the accepted version.
 */
export function parseGepiChecks(
  v: Record<string, unknown>,
  contact: AdministratorContact | undefined,
  admin: CardIdentity | undefined,
  options: { termsVersion?: string; idHintAgrees: (nationalId: string, idHint: string | undefined) => boolean },
  issues: IssueCollector,
): string | undefined {
  if (contact !== undefined && admin !== undefined && !options.idHintAgrees(contact.nationalId, admin.idHint)) {
    issues.add('administrator.nationalId', 'MISMATCH', '身分證統一編號與自然人憑證不符 (does not match the card)');
  }
  return takeAcceptedTerms(v, options.termsVersion, issues);
}

/**
 * The 用戶約定條款 version the input accepted: `acceptedTerms` must equal `termsVersion` when one is set (else an
 * issue `NOT_CONFIRMED` and `undefined`); `undefined` when none is set. For every command that shows the terms.
 */
export function takeAcceptedTerms(v: Record<string, unknown>, termsVersion: string | undefined, issues: IssueCollector): string | undefined {
  if (termsVersion === undefined) return undefined;
  if (v.acceptedTerms !== termsVersion) {
    issues.add('acceptedTerms', 'NOT_CONFIRMED', `請同意用戶約定條款 (version ${termsVersion})`);
    return undefined;
  }
  return termsVersion;
}

/** Operator fields after {@link parseOperator}: serial normalized, permissions de-duplicated. */
export interface ParsedOperator {
  /** 自然人憑證序號, normalized. */
  certificateSerial: CertificateSerial;
  /** 授權經辦人姓名 */
  name: string;
  /** 身分證統一編號 */
  nationalId: string;
  /** 功能選單項目, in input order without duplicates. */
  permissions: string[];
}

/** Parses an agency code (機關代號): required, at most 20 letters, digits or `-`. */
export function parseAgencyCode(value: unknown): string {
  const t = parseRequiredText(value, 'agencyCode', 20);
  if (!/^[A-Za-z0-9-]+$/.test(t)) {
    throw new InvalidInputError([{ field: 'agencyCode', code: 'INVALID_FORMAT', reason: 'letters, digits and - only' }]);
  }
  return t;
}

/** Parses an organization certificate login (GCA/XCA with OID, MOEACA with 統一編號) into `issues`. */
export function parseOrgCard(value: unknown, field: string, issues: IssueCollector): CardIdentity | undefined {
  const card = issues.take(() => parseCardHolder(value, field));
  if (card === undefined) return undefined;
  if (!ORGANIZATION_AUTHORITIES.includes(card.authority)) {
    issues.add(`${field}.authority`, 'WRONG_CERTIFICATE', 'an organization certificate (GCA, XCA, MOEACA or HCA) is required');
  }
  else if (card.authority === 'MOEACA' ? card.businessId === undefined : card.organizationOid === undefined) {
    issues.add(field, 'WRONG_CERTIFICATE', card.authority === 'MOEACA' ? 'the certificate carries no 統一編號' : 'the certificate carries no organization OID');
  }
  return card;
}

/** Parses a citizen certificate (MOICA) login into `issues`. */
export function parseCitizenCard(value: unknown, field: string, issues: IssueCollector): CardIdentity | undefined {
  const card = issues.take(() => parseCardHolder(value, field));
  if (card !== undefined && card.authority !== 'MOICA') {
    issues.add(`${field}.authority`, 'WRONG_CERTIFICATE', 'a citizen certificate (MOICA) is required');
  }
  return card;
}

/** Parses administrator contact fields into `issues`; `undefined` if any is invalid. */
export function parseContact(value: unknown, field: string, issues: IssueCollector): AdministratorContact | undefined {
  const v = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const name = issues.take(() => parseRequiredText(v.name, `${field}.name`));
  const email = issues.take(() => parseEmail(v.email, `${field}.email`));
  const phone = issues.take(() => parsePhone(v.phone, `${field}.phone`));
  const nationalId = issues.take(() => parseNationalId(v.nationalId, `${field}.nationalId`));
  if (name === undefined || email === undefined || phone === undefined || nationalId === undefined) return undefined;
  return { name, email, phone, nationalId };
}

/** How a typed 身分證統一編號 is compared with a card's ID hint (`idHintAgrees` of the flow's options). */
export type IdHintCheck = (nationalId: string, idHint: string | undefined) => boolean;

/**
 * The 身分證統一編號 typed beside a citizen card (授權管理者自然人憑證確認, 查詢自然人憑證序號), into `issues`
 * under `field`: a valid one (REQUIRED / INVALID_ID) that agrees with the card's ID hint (MISMATCH).
 */
export function takeIdOfCard(value: unknown, card: CardIdentity | undefined, field: string, agrees: IdHintCheck, issues: IssueCollector): string | undefined {
  const id = issues.take(() => parseNationalId(value, field));
  if (id === undefined || card === undefined) return id;
  if (!agrees(id, card.idHint)) {
    issues.add(field, 'MISMATCH', '身分證統一編號與自然人憑證不符 (does not match the card)');
    return undefined;
  }
  return id;
}

/** An administrator session after {@link parseSession}. */
export interface ParsedSession {
  /** The organization certificate. */
  readonly org: CardIdentity;
  /** The administrator's citizen card. */
  readonly admin: CardIdentity;
  /** The typed 授權管理者身分證統一編號, normalized; absent when the session has no such key (and none is required). */
  readonly nationalId?: string;
}

/**
 * Parses both cards of an administrator session, and the 授權管理者身分證統一編號 when given or `required`
 * (checked with `agrees`); throws INVALID_INPUT listing every bad field.
 */
export function parseSession(session: AdministratorSession, agrees: IdHintCheck, required: boolean): ParsedSession {
  const issues = new IssueCollector();
  const v = (typeof session === 'object' && session !== null ? session : {}) as unknown as Record<string, unknown>;
  const org = parseOrgCard(v.organizationCard, 'session.organizationCard', issues);
  const admin = parseCitizenCard(v.administratorCard, 'session.administratorCard', issues);
  // Checked whenever the key is there: a host forwarding `req.body.administratorNationalId` from a request that left
  // it out passes `undefined`, which must be REQUIRED, not a session taken without the check. Without the key it is
  // REQUIRED too unless the flow says otherwise (`requireAdministratorNationalId: false`).
  const nationalId = required || Object.hasOwn(v, 'administratorNationalId')
    ? takeIdOfCard(v.administratorNationalId, admin, 'session.administratorNationalId', agrees, issues)
    : undefined;
  issues.throwIfAny();
  requireVerifiedLogin(org as CardIdentity, admin as CardIdentity);
  return { org: org as CardIdentity, admin: admin as CardIdentity, ...(nationalId === undefined ? {} : { nationalId }) };
}

/**
 * Parses operator fields; throws INVALID_INPUT listing every bad field. When
 * `menu` is given, every permission must be one of its functions.
 */
export function parseOperator(value: unknown, menu: readonly string[] | undefined): ParsedOperator {
  const issues = new IssueCollector();
  const v = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const certificateSerial = issues.take(() => parseCertificateSerial(v.certificateSerial, 'operator.certificateSerial'));
  const name = issues.take(() => parseRequiredText(v.name, 'operator.name'));
  const nationalId = issues.take(() => parseNationalId(v.nationalId, 'operator.nationalId'));
  const permissions: string[] = [];
  if (!Array.isArray(v.permissions) || v.permissions.length === 0) {
    issues.add('operator.permissions', 'REQUIRED', 'at least one function (功能選單項目) is required');
  } else {
    for (const [i, p] of (v.permissions as unknown[]).entries()) {
      const perm = issues.take(() => parseRequiredText(p, `operator.permissions[${i}]`, 100));
      if (perm === undefined) continue;
      if (menu !== undefined && !menu.includes(perm)) {
        issues.add(`operator.permissions[${i}]`, 'NOT_AN_OPTION', 'not a function of this system');
      }
      else if (!permissions.includes(perm)) permissions.push(perm);
    }
  }
  issues.throwIfAny();
  return { certificateSerial: certificateSerial as CertificateSerial, name: name as string, nationalId: nationalId as string, permissions };
}
