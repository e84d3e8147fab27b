/**
 * Flow 3 (seed gepi…): an organization registers with its organization
 * certificate plus the authorized administrator's citizen card; an OID mismatch
 * goes to manual review (retry on the next business day); the administrator then
 * assigns operators by certificate serial, and replaces certificates when renewed.
 */
import type { Actor } from '../domain/actor.js';
import { nextBusinessDayStart, type BusinessCalendar } from '../domain/business-day.js';
import { ORGANIZATION_AUTHORITIES, parseCardHolder, type CardIdentity } from '../domain/card-holder.js';
import {
  parseCertificateSerial,
  parseEmail,
  parseNationalId,
  parsePhone,
  parseRequiredText,
  type CertificateSerial,
} from '../domain/identifiers.js';
import { EnrollError, InvalidInputError, IssueCollector, ManualReviewError } from '../errors.js';
import { assertEventAllowed, assertTransition } from '../machine/machine.js';
import { ORG_MACHINE, type OrgEvent, type OrgStatus } from '../machine/org-machine.js';
import type { Agency, AgencyDirectory } from '../ports/agency-directory.js';
import type { Clock } from '../ports/clock.js';
import { recordTransition } from '../store/audit.js';
import { isUniqueViolation } from '../store/sql-errors.js';
import type { EnrollStore, SqlSession } from '../store/store.js';
import {
  operatorFromRow,
  recordFromRow,
  registrationFromRow,
  type Operator,
  type OrgRegistration,
  type RegistrationItem,
  type RegistrationRecord,
} from './org-records.js';

/** Dependencies of {@link OrgRegistrationFlow}. */
export interface OrgRegistrationOptions {
  /** Persistence. */
  readonly store: EnrollStore;
  /** Time source (business-day rule, audit). */
  readonly clock: Clock;
  /** Agency code → expected OID / 統一編號. */
  readonly agencies: AgencyDirectory;
  /** Holidays beyond weekends. */
  readonly calendar?: BusinessCalendar;
  /** The function menu; when given, operator permissions must come from it. */
  readonly permissions?: readonly string[];
}

/** Administrator contact fields (姓名, 電子信箱, 連絡電話; 必填). */
export interface AdministratorContact {
  /** 姓名 */
  readonly name: string;
  /** 電子信箱 */
  readonly email: string;
  /** 連絡電話 */
  readonly phone: string;
}

/** Input of {@link OrgRegistrationFlow.register}. */
export interface RegisterInput {
  /** The relying party's agency code (機關代號). */
  readonly agencyCode: string;
  /** Verified organization certificate login (GCA/XCA/MOEACA). */
  readonly organizationCard: unknown;
  /** Verified citizen card login of the authorized administrator. */
  readonly administratorCard: unknown;
  /** Administrator contact data. */
  readonly administrator: AdministratorContact;
  /** Contact for manual review; required when the OID does not match (姓名, 電話). */
  readonly reviewContact?: {
    /** Contact person's name (姓名). */
    readonly name: string;
    /** Contact phone number (電話); digits with optional `+`, `()`, `-`, `#` or 分機 extension. */
    readonly phone: string;
  };
}

/** Both cards of the administrator's session (機關憑證確認 + 授權管理者自然人憑證確認). */
export interface AdministratorSession {
  /** Verified organization certificate login. */
  readonly organizationCard: unknown;
  /** Verified administrator citizen card login. */
  readonly administratorCard: unknown;
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

/** Input of the three replacement commands (更換憑證). */
export interface ReplaceInput extends AdministratorSession {
  /** Administrator contact, confirmed or re-entered. */
  readonly administrator: AdministratorContact;
}

const REPLACE_ITEMS: Readonly<Record<'replaceOrganizationCertificate' | 'replaceAdministratorCard' | 'replaceBoth', RegistrationItem>> = {
  replaceOrganizationCertificate: '更換機關憑證',
  replaceAdministratorCard: '更換授權管理者自然人憑證',
  replaceBoth: '更換機關憑證和更換授權管理者自然人憑證',
};

function parseAgencyCode(value: unknown): string {
  const t = parseRequiredText(value, 'agencyCode', 20);
  if (!/^[A-Za-z0-9-]+$/.test(t)) {
    throw new InvalidInputError([{ field: 'agencyCode', reason: 'letters, digits and - only' }]);
  }
  return t;
}

function parseOrgCard(value: unknown, field: string, issues: IssueCollector): CardIdentity | undefined {
  const card = issues.take(() => parseCardHolder(value, field));
  if (card === undefined) return undefined;
  if (!ORGANIZATION_AUTHORITIES.includes(card.authority)) {
    issues.add(`${field}.authority`, 'an organization certificate (GCA, XCA or MOEACA) is required');
  }
  else if (card.authority === 'MOEACA' ? card.businessId === undefined : card.organizationOid === undefined) {
    issues.add(field, card.authority === 'MOEACA' ? 'the certificate carries no 統一編號' : 'the certificate carries no organization OID');
  }
  return card;
}

function parseCitizenCard(value: unknown, field: string, issues: IssueCollector): CardIdentity | undefined {
  const card = issues.take(() => parseCardHolder(value, field));
  if (card !== undefined && card.authority !== 'MOICA') {
    issues.add(`${field}.authority`, 'a citizen certificate (MOICA) is required');
  }
  return card;
}

function parseContact(value: unknown, field: string, issues: IssueCollector): AdministratorContact | undefined {
  const v = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const name = issues.take(() => parseRequiredText(v.name, `${field}.name`));
  const email = issues.take(() => parseEmail(v.email, `${field}.email`));
  const phone = issues.take(() => parsePhone(v.phone, `${field}.phone`));
  return name === undefined || email === undefined || phone === undefined ? undefined : { name, email, phone };
}

function identifierOf(card: CardIdentity): string {
  return card.authority === 'MOEACA' ? (card.businessId ?? '') : (card.organizationOid ?? '');
}

function matchesAgency(card: CardIdentity, agency: Agency): boolean {
  return card.authority === 'MOEACA' ? card.businessId !== undefined && card.businessId === agency.businessId : card.organizationOid === agency.oid;
}

/** Commands and queries of the organization certificate flow. */
export class OrgRegistrationFlow {
  private readonly o: OrgRegistrationOptions;

  /** Fixes the dependencies once. */
  public constructor(options: OrgRegistrationOptions) {
    this.o = options;
  }

  /**
   * 首次註冊. OID match ⇒ `registered`. Mismatch ⇒ `manualReview` (contact
   * required, else REVIEW_CONTACT_REQUIRED); until a reviewer approves, every
   * attempt fails with MANUAL_REVIEW_PENDING; after approval, registration is
   * accepted from the next business day.
   */
  public async register(input: RegisterInput, actor?: Actor): Promise<OrgRegistration> {
    const issues = new IssueCollector();
    const v = (typeof input === 'object' && input !== null ? input : {}) as unknown as Record<string, unknown>;
    const agencyCode = issues.take(() => parseAgencyCode(v.agencyCode));
    const org = parseOrgCard(v.organizationCard, 'organizationCard', issues);
    const admin = parseCitizenCard(v.administratorCard, 'administratorCard', issues);
    const contact = parseContact(v.administrator, 'administrator', issues);
    let reviewContact: { name: string; phone: string } | undefined;
    if (v.reviewContact !== undefined) {
      const rc = (typeof v.reviewContact === 'object' && v.reviewContact !== null ? v.reviewContact : {}) as Record<string, unknown>;
      const name = issues.take(() => parseRequiredText(rc.name, 'reviewContact.name'));
      const phone = issues.take(() => parsePhone(rc.phone, 'reviewContact.phone'));
      if (name !== undefined && phone !== undefined) reviewContact = { name, phone };
    }
    issues.throwIfAny();
    const [code, orgCard, adminCard, adminContact] = [agencyCode as string, org as CardIdentity, admin as CardIdentity, contact as AdministratorContact];
    const who: Actor = actor ?? { role: 'administrator', id: adminCard.certificateSerial };

    const agency = await this.o.agencies.findByAgencyCode(code);
    if (agency === undefined) throw new EnrollError('NOT_FOUND', `unknown agency code ${code}`);
    const matches = matchesAgency(orgCard, agency);

    try {
      return await this.o.store.transaction(async (tx) => {
        const now = this.o.clock.now();
        const at = now.toISOString();
        const existing = await this.lock(tx, code);
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
          throw new EnrollError('REVIEW_CONTACT_REQUIRED', '貴機關申請憑證註冊，因申請資料比對不符，需進行審核，請填聯絡資料 (姓名、電話)');
        }
        assertTransition(ORG_MACHINE, from, 'register', to);
        const retryNotBefore = to === 'manualReview' ? nextBusinessDayStart(now, this.o.calendar).toISOString() : null;
        const params = [
          code,
          to,
          orgCard.subjectName,
          orgCard.authority,
          orgCard.certificateSerial,
          identifierOf(orgCard),
          adminCard.certificateSerial,
          adminContact.name,
          adminContact.email,
          adminContact.phone,
          reviewContact?.name ?? null,
          reviewContact?.phone ?? null,
          retryNotBefore,
          at,
        ];
        const rows =
          existing === undefined
            ? await tx.query(
                `INSERT INTO enroll_org_registrations (agency_code, status, organization_name, org_authority, org_certificate_serial,
                   org_identifier, admin_certificate_serial, admin_name, admin_email, admin_phone, review_contact_name,
                   review_contact_phone, retry_not_before, created_at, updated_at)
                 VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$14) RETURNING *`,
                params,
              )
            : await tx.query(
                `UPDATE enroll_org_registrations SET status=$2, organization_name=$3, org_authority=$4, org_certificate_serial=$5,
                   org_identifier=$6, admin_certificate_serial=$7, admin_name=$8, admin_email=$9, admin_phone=$10,
                   review_contact_name=COALESCE($11, review_contact_name), review_contact_phone=COALESCE($12, review_contact_phone),
                   retry_not_before=$13, updated_at=$14, version=version+1
                 WHERE agency_code=$1 RETURNING *`,
                params,
              );
        await this.addRecord(tx, code, orgCard.subjectName, to === 'registered' ? '首次註冊' : '首次註冊(需審核)', at);
        await recordTransition(tx, {
          flow: 'organization',
          subject: code,
          actor: who,
          at,
          event: 'register',
          from,
          to,
          reason: matches ? 'OID 比對相符' : `OID 比對不符: ${identifierOf(orgCard)} ≠ ${agency.oid}`,
        });
        return registrationFromRow(rows[0] ?? {});
      });
    } catch (err) {
      if (isUniqueViolation(err, 'enroll_org_registrations_pkey')) {
        throw new EnrollError('CONCURRENT_UPDATE', `agency ${code} was registered concurrently`);
      }
      throw err;
    }
  }

  /** Reviewer accepts a mismatched registration; the agency may register from the next business day. */
  public approveReview(agencyCode: string, reviewer: Actor, note?: string): Promise<OrgRegistration> {
    return this.review(agencyCode, reviewer, 'approveReview', 'reviewApproved', note);
  }

  /** Reviewer refuses a mismatched registration (本部將與您聯絡). */
  public async rejectReview(agencyCode: string, reviewer: Actor, reason: string): Promise<OrgRegistration> {
    return this.review(agencyCode, reviewer, 'rejectReview', 'reviewRejected', parseRequiredText(reason, 'reason', 2000));
  }

  /** 授權指派 → 新增: authorizes an operator by certificate serial with function permissions. */
  public async assignOperator(agencyCode: string, session: AdministratorSession, operator: OperatorInput): Promise<Operator> {
    const code = parseAgencyCode(agencyCode);
    const op = this.parseOperator(operator);
    try {
      return await this.asAdministrator(code, session, 'assignOperator', async (tx, reg, at) => {
        const rows = await tx.query(
          `INSERT INTO enroll_org_operators (agency_code, certificate_serial, name, national_id, permissions, created_at, updated_at)
           VALUES ($1,$2,$3,$4,$5::jsonb,$6,$6) RETURNING *`,
          [reg.agencyCode, op.certificateSerial, op.name, op.nationalId, JSON.stringify(op.permissions), at],
        );
        return { result: operatorFromRow(rows[0] ?? {}), reason: `經辦人 ${op.certificateSerial}` };
      });
    } catch (err) {
      if (isUniqueViolation(err, 'enroll_org_operators_pkey')) {
        throw new EnrollError('OPERATOR_EXISTS', `certificate ${op.certificateSerial} is already an operator of ${code}`);
      }
      throw err;
    }
  }

  /**
   * 修改授權經辦人資料: replaces an operator's serial, name, ID and permissions.
   * After a card renewal (展期/換卡) this is how the new serial is recorded.
   */
  public async editOperator(
    agencyCode: string,
    session: AdministratorSession,
    currentSerial: string,
    operator: OperatorInput,
  ): Promise<Operator> {
    const code = parseAgencyCode(agencyCode);
    const serial = parseCertificateSerial(currentSerial, 'currentSerial');
    const op = this.parseOperator(operator);
    try {
      return await this.asAdministrator(code, session, 'editOperator', async (tx, reg, at) => {
        const rows = await tx.query(
          `UPDATE enroll_org_operators SET certificate_serial=$3, name=$4, national_id=$5, permissions=$6::jsonb, updated_at=$7
           WHERE agency_code=$1 AND certificate_serial=$2 RETURNING *`,
          [reg.agencyCode, serial, op.certificateSerial, op.name, op.nationalId, JSON.stringify(op.permissions), at],
        );
        const row = rows[0];
        if (row === undefined) throw new EnrollError('NOT_FOUND', `no operator with certificate ${serial}`);
        return { result: operatorFromRow(row), reason: `經辦人 ${serial} → ${op.certificateSerial}` };
      });
    } catch (err) {
      if (isUniqueViolation(err, 'enroll_org_operators_pkey')) {
        throw new EnrollError('OPERATOR_EXISTS', `certificate ${op.certificateSerial} is already an operator of ${code}`);
      }
      throw err;
    }
  }

  /** 刪除授權經辦人 (operator left, or before re-adding with a renewed card). */
  public async removeOperator(agencyCode: string, session: AdministratorSession, certificateSerial: string): Promise<Operator[]> {
    const code = parseAgencyCode(agencyCode);
    const serial = parseCertificateSerial(certificateSerial);
    return this.asAdministrator(code, session, 'removeOperator', async (tx, reg) => {
      const gone = await tx.query(
        'DELETE FROM enroll_org_operators WHERE agency_code=$1 AND certificate_serial=$2 RETURNING 1',
        [reg.agencyCode, serial],
      );
      if (gone.length === 0) throw new EnrollError('NOT_FOUND', `no operator with certificate ${serial}`);
      return { result: await this.operators(tx, reg.agencyCode), reason: `經辦人 ${serial}` };
    });
  }

  /** 授權經辦人清單 (administrator session required). */
  public async listOperators(agencyCode: string, session: AdministratorSession): Promise<Operator[]> {
    const code = parseAgencyCode(agencyCode);
    const { org, admin } = this.parseSession(session);
    return this.o.store.transaction(async (tx) => {
      const reg = await this.lock(tx, code);
      this.authenticate(reg, org, admin, 'both');
      return this.operators(tx, code);
    });
  }

  /**
   * Operator login: the card's certificate serial must be assigned and hold
   * `permission`. A renewed card has a new serial and fails until edited.
   */
  public async authorizeOperator(agencyCode: string, holder: unknown, permission: string): Promise<Operator> {
    const code = parseAgencyCode(agencyCode);
    const issues = new IssueCollector();
    const card = parseCitizenCard(holder, 'holder', issues);
    const perm = issues.take(() => parseRequiredText(permission, 'permission'));
    issues.throwIfAny();
    const rows = await this.o.store.transaction((tx) =>
      tx.query(
        `SELECT o.* FROM enroll_org_operators o JOIN enroll_org_registrations r USING (agency_code)
         WHERE o.agency_code=$1 AND o.certificate_serial=$2 AND r.status='registered'`,
        [code, (card as CardIdentity).certificateSerial],
      ),
    );
    const row = rows[0];
    if (row === undefined) {
      throw new EnrollError('NOT_AUTHORIZED', '此自然人憑證序號未經授權 (若憑證已展期或換卡，請授權管理者修改憑證序號)');
    }
    const op = operatorFromRow(row);
    if (!op.permissions.includes(perm as string)) {
      throw new EnrollError('NOT_AUTHORIZED', `operator lacks permission ${perm}`);
    }
    return op;
  }

  /** 更換機關憑證: new organization certificate, authenticated by the registered administrator card. */
  public replaceOrganizationCertificate(agencyCode: string, input: ReplaceInput): Promise<OrgRegistration> {
    return this.replace(agencyCode, input, 'replaceOrganizationCertificate');
  }

  /** 更換授權管理者自然人憑證: new administrator card, authenticated by the registered organization certificate. */
  public replaceAdministratorCard(agencyCode: string, input: ReplaceInput): Promise<OrgRegistration> {
    return this.replace(agencyCode, input, 'replaceAdministratorCard');
  }

  /** 更換機關憑證和更換授權管理者自然人憑證: both new; the new organization certificate must match the agency. */
  public replaceBoth(agencyCode: string, input: ReplaceInput): Promise<OrgRegistration> {
    return this.replace(agencyCode, input, 'replaceBoth');
  }

  /** Current registration of an agency. */
  public async get(agencyCode: string): Promise<OrgRegistration> {
    const code = parseAgencyCode(agencyCode);
    const rows = await this.o.store.transaction((tx) => tx.query(
      'SELECT * FROM enroll_org_registrations WHERE agency_code=$1',
      [code],
    ));
    const row = rows[0];
    if (row === undefined) throw new EnrollError('NOT_FOUND', `agency ${code} has not registered`);
    return registrationFromRow(row);
  }

  /** 查詢憑證註冊收件紀錄: name, time received and item of every registration event, oldest first. */
  public async registrationRecords(agencyCode: string): Promise<RegistrationRecord[]> {
    const code = parseAgencyCode(agencyCode);
    const rows = await this.o.store.transaction((tx) =>
      tx.query('SELECT * FROM enroll_org_registration_records WHERE agency_code=$1 ORDER BY id', [code]),
    );
    return rows.map(recordFromRow);
  }

  /** 查詢機關憑證 OID: organization name and OID (or 統一編號) of an organization certificate. */
  public organizationCertificateOid(organizationCard: unknown): {
    /** The certificate's subject name. */
    organizationName: string;
    /** Dotted organization OID (GCA/XCA cards); absent when the certificate has none. */
    organizationOid?: string;
    /** 統一編號 (MOEACA cards); absent when the certificate has none. */
    businessId?: string;
  } {
    const issues = new IssueCollector();
    const card = parseOrgCard(organizationCard, 'organizationCard', issues);
    issues.throwIfAny();
    const c = card as CardIdentity;
    return {
      organizationName: c.subjectName,
      ...(c.organizationOid === undefined ? {} : { organizationOid: c.organizationOid }),
      ...(c.businessId === undefined ? {} : { businessId: c.businessId }),
    };
  }

  /** 查詢自然人憑證序號: holder name and certificate serial, to paste into 新增授權經辦人. */
  public citizenCertificateSerial(citizenCard: unknown): {
    /** The holder's name from the certificate subject. */
    name: string;
    /** The certificate serial, lower-case hex without separators. */
    certificateSerial: CertificateSerial;
  } {
    const issues = new IssueCollector();
    const card = parseCitizenCard(citizenCard, 'citizenCard', issues);
    issues.throwIfAny();
    return { name: (card as CardIdentity).subjectName, certificateSerial: (card as CardIdentity).certificateSerial };
  }

  private async review(agencyCode: string, reviewer: Actor, event: OrgEvent, to: OrgStatus, note?: string): Promise<OrgRegistration> {
    const code = parseAgencyCode(agencyCode);
    const reviewNote = note === undefined ? null : parseRequiredText(note, 'note', 2000);
    return this.o.store.transaction(async (tx) => {
      const reg = await this.lock(tx, code);
      if (reg === undefined) throw new EnrollError('NOT_FOUND', `agency ${code} has not registered`);
      assertTransition(ORG_MACHINE, reg.status, event, to);
      const at = this.o.clock.now().toISOString();
      const rows = await tx.query(
        `UPDATE enroll_org_registrations SET status=$2, review_note=COALESCE($3, review_note), updated_at=$4, version=version+1
         WHERE agency_code=$1 RETURNING *`,
        [code, to, reviewNote, at],
      );
      await recordTransition(tx, {
        flow: 'organization',
        subject: code,
        actor: reviewer,
        at,
        event,
        from: reg.status,
        to,
        ...(reviewNote === null ? {} : { reason: reviewNote }),
      });
      return registrationFromRow(rows[0] ?? {});
    });
  }

  private async replace(
    agencyCode: string,
    input: ReplaceInput,
    event: 'replaceOrganizationCertificate' | 'replaceAdministratorCard' | 'replaceBoth',
  ): Promise<OrgRegistration> {
    const code = parseAgencyCode(agencyCode);
    const issues = new IssueCollector();
    const v = (typeof input === 'object' && input !== null ? input : {}) as unknown as Record<string, unknown>;
    const org = parseOrgCard(v.organizationCard, 'organizationCard', issues);
    const admin = parseCitizenCard(v.administratorCard, 'administratorCard', issues);
    const contact = parseContact(v.administrator, 'administrator', issues);
    issues.throwIfAny();
    const [orgCard, adminCard, adminContact] = [org as CardIdentity, admin as CardIdentity, contact as AdministratorContact];
    const agency = await this.o.agencies.findByAgencyCode(code);
    if (agency === undefined) throw new EnrollError('NOT_FOUND', `unknown agency code ${code}`);
    const who: Actor = { role: 'administrator', id: adminCard.certificateSerial };
    return this.o.store.transaction(async (tx) => {
      const reg = await this.lock(tx, code);
      if (reg === undefined) throw new EnrollError('NOT_FOUND', `agency ${code} has not registered`);
      assertTransition(ORG_MACHINE, reg.status, event, 'registered');
      // Each sub-function keeps one credential that must already be on record.
      if (event === 'replaceOrganizationCertificate') this.authenticate(reg, orgCard, adminCard, 'administrator');
      if (event === 'replaceAdministratorCard') this.authenticate(reg, orgCard, adminCard, 'organization');
      if (event !== 'replaceAdministratorCard' && !matchesAgency(orgCard, agency)) {
        throw new EnrollError('ORGANIZATION_MISMATCH', 'the new organization certificate does not belong to this agency (OID 比對不符)');
      }
      const at = this.o.clock.now().toISOString();
      const rows = await tx.query(
        `UPDATE enroll_org_registrations SET organization_name=$2, org_authority=$3, org_certificate_serial=$4, org_identifier=$5,
           admin_certificate_serial=$6, admin_name=$7, admin_email=$8, admin_phone=$9, updated_at=$10, version=version+1
         WHERE agency_code=$1 RETURNING *`,
        [code, orgCard.subjectName, orgCard.authority, orgCard.certificateSerial, identifierOf(orgCard), adminCard.certificateSerial,
          adminContact.name, adminContact.email, adminContact.phone, at],
      );
      await this.addRecord(tx, code, orgCard.subjectName, REPLACE_ITEMS[event], at);
      await recordTransition(tx, {
        flow: 'organization',
        subject: code,
        actor: who,
        at,
        event,
        from: reg.status,
        to: 'registered',
        reason: `機關憑證 ${reg.organizationCertificateSerial} → ${orgCard.certificateSerial}; 管理者憑證 ${reg.administrator.certificateSerial} → ${adminCard.certificateSerial}`,
      });
      return registrationFromRow(rows[0] ?? {});
    });
  }

  private async asAdministrator<T>(
    code: string,
    session: AdministratorSession,
    event: OrgEvent,
    apply: (tx: SqlSession, reg: OrgRegistration, at: string) => Promise<{ result: T; reason: string }>,
  ): Promise<T> {
    const { org, admin } = this.parseSession(session);
    return this.o.store.transaction(async (tx) => {
      const reg = await this.lock(tx, code);
      this.authenticate(reg, org, admin, 'both');
      const registered = reg as OrgRegistration;
      assertTransition(ORG_MACHINE, registered.status, event, 'registered');
      const at = this.o.clock.now().toISOString();
      const { result, reason } = await apply(tx, registered, at);
      await recordTransition(tx, {
        flow: 'organization',
        subject: code,
        actor: { role: 'administrator', id: admin.certificateSerial },
        at,
        event,
        from: registered.status,
        to: 'registered',
        reason,
      });
      return result;
    });
  }

  private parseSession(session: AdministratorSession): { org: CardIdentity; admin: CardIdentity } {
    const issues = new IssueCollector();
    const v = (typeof session === 'object' && session !== null ? session : {}) as unknown as Record<string, unknown>;
    const org = parseOrgCard(v.organizationCard, 'session.organizationCard', issues);
    const admin = parseCitizenCard(v.administratorCard, 'session.administratorCard', issues);
    issues.throwIfAny();
    return { org: org as CardIdentity, admin: admin as CardIdentity };
  }

  private authenticate(
    reg: OrgRegistration | undefined,
    org: CardIdentity,
    admin: CardIdentity,
    check: 'both' | 'organization' | 'administrator',
  ): asserts reg is OrgRegistration {
    if (reg === undefined) throw new EnrollError('NOT_FOUND', 'this agency has not registered');
    if (reg.status !== 'registered') {
      throw new EnrollError('NOT_AUTHORIZED', `registration is ${reg.status}, not registered`);
    }
    if (check !== 'administrator' && org.certificateSerial !== reg.organizationCertificateSerial) {
      throw new EnrollError('NOT_AUTHORIZED', '機關憑證與註冊資料不符 (if it was renewed, use 更換機關憑證)');
    }
    if (check !== 'organization' && admin.certificateSerial !== reg.administrator.certificateSerial) {
      throw new EnrollError('NOT_AUTHORIZED', '授權管理者自然人憑證與註冊資料不符 (if it was renewed, use 更換授權管理者自然人憑證)');
    }
  }

  private parseOperator(value: unknown): { certificateSerial: CertificateSerial; name: string; nationalId: string; permissions: string[] } {
    const issues = new IssueCollector();
    const v = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
    const certificateSerial = issues.take(() => parseCertificateSerial(v.certificateSerial, 'operator.certificateSerial'));
    const name = issues.take(() => parseRequiredText(v.name, 'operator.name'));
    const nationalId = issues.take(() => parseNationalId(v.nationalId, 'operator.nationalId'));
    const permissions: string[] = [];
    if (!Array.isArray(v.permissions) || v.permissions.length === 0) {
      issues.add('operator.permissions', 'at least one function (功能選單項目) is required');
    } else {
      for (const [i, p] of (v.permissions as unknown[]).entries()) {
        const perm = issues.take(() => parseRequiredText(p, `operator.permissions[${i}]`, 100));
        if (perm === undefined) continue;
        if (this.o.permissions !== undefined && !this.o.permissions.includes(perm)) {
          issues.add(`operator.permissions[${i}]`, 'not a function of this system');
        }
        else if (!permissions.includes(perm)) permissions.push(perm);
      }
    }
    issues.throwIfAny();
    return { certificateSerial: certificateSerial as CertificateSerial, name: name as string, nationalId: nationalId as string, permissions };
  }

  private async lock(tx: SqlSession, code: string): Promise<OrgRegistration | undefined> {
    const rows = await tx.query('SELECT * FROM enroll_org_registrations WHERE agency_code=$1 FOR UPDATE', [code]);
    return rows[0] === undefined ? undefined : registrationFromRow(rows[0]);
  }

  private async operators(tx: SqlSession, code: string): Promise<Operator[]> {
    return (await tx.query(
      'SELECT * FROM enroll_org_operators WHERE agency_code=$1 ORDER BY created_at, certificate_serial',
      [code],
    )).map(operatorFromRow);
  }

  private async addRecord(tx: SqlSession, code: string, name: string, item: RegistrationItem, at: string): Promise<void> {
    await tx.query(
      'INSERT INTO enroll_org_registration_records (agency_code, organization_name, item, received_at) VALUES ($1,$2,$3,$4)',
      [code, name, item, at],
    );
  }
}

