/**
 * Queries of the organization certificate flow: the current registration,
 * 查詢憑證註冊收件紀錄, 查詢機關憑證 OID and 查詢自然人憑證序號.
 */
import type { CardIdentity } from '../domain/card-holder.js';
import type { CertificateSerial } from '../domain/identifiers.js';
import { EnrollError, IssueCollector } from '../errors.js';
import { parseAgencyCode, parseCitizenCard, parseOrgCard, takeIdOfCard } from './org-inputs.js';
import type { OrgRegistration, RegistrationRecord } from './org-records.js';
import { recordsOf } from './org-receipts-table.js';
import { findRegistration } from './org-registrations-table.js';
import { idHintAgrees, type OrgRegistrationOptions } from './org-shared.js';

/** Result of {@link organizationCertificateOid}. */
export interface OrganizationCertificateInfo {
  /** The 機關代號 the query was made for (必填 in the seed's form). */
  agencyCode: string;
  /** The certificate's subject name. */
  organizationName: string;
  /** Dotted organization OID (GCA/XCA cards); absent when the certificate has none. */
  organizationOid?: string;
  /** 統一編號 (MOEACA cards); absent when the certificate has none. */
  businessId?: string;
}

/** Result of {@link citizenCertificateSerial}. */
export interface CitizenCertificateInfo {
  /** The holder's name from the certificate subject. */
  name: string;
  /** The certificate serial, lower-case hex without separators. */
  certificateSerial: CertificateSerial;
}

/** {@link OrgRegistrationFlow.get}: current registration of an agency; NOT_FOUND if it has none. */
export async function getRegistration(o: OrgRegistrationOptions, agencyCode: string): Promise<OrgRegistration> {
  const code = parseAgencyCode(agencyCode);
  const reg = await o.store.transaction((tx) => findRegistration(tx, code));
  if (reg === undefined) throw new EnrollError('NOT_FOUND', `agency ${code} has not registered`);
  return reg;
}

/** {@link OrgRegistrationFlow.registrationRecords}: every registration event of an agency, oldest first. */
export async function registrationRecords(o: OrgRegistrationOptions, agencyCode: string): Promise<RegistrationRecord[]> {
  const code = parseAgencyCode(agencyCode);
  return o.store.transaction((tx) => recordsOf(tx, code));
}

/**
 * 查詢機關憑證 OID: organization name and OID (or 統一編號) of an organization
 * certificate, for the 機關代號 typed beside it (both 必填 in the seed).
 */
export function organizationCertificateOid(organizationCard: unknown, agencyCode: unknown): OrganizationCertificateInfo {
  const issues = new IssueCollector();
  const card = parseOrgCard(organizationCard, 'organizationCard', issues);
  const code = issues.take(() => parseAgencyCode(agencyCode));
  issues.throwIfAny();
  const c = card as CardIdentity;
  return {
    agencyCode: code as string,
    organizationName: c.subjectName,
    ...(c.organizationOid === undefined ? {} : { organizationOid: c.organizationOid }),
    ...(c.businessId === undefined ? {} : { businessId: c.businessId }),
  };
}

/**
 * 查詢自然人憑證序號: holder name and certificate serial of a citizen
 * certificate, for the 身分證統一編號 typed beside it (both 必填 in the seed),
 * which must agree with the card's ID hint by the flow's `idHintRule`.
 */
export function citizenCertificateSerial(o: OrgRegistrationOptions, citizenCard: unknown, nationalId: unknown): CitizenCertificateInfo {
  const issues = new IssueCollector();
  const card = parseCitizenCard(citizenCard, 'citizenCard', issues);
  takeIdOfCard(nationalId, card, 'nationalId', (id, hint) => idHintAgrees(o, id, hint), issues);
  issues.throwIfAny();
  return { name: (card as CardIdentity).subjectName, certificateSerial: (card as CardIdentity).certificateSerial };
}

/** Result of {@link confirmAdministratorCard}. */
export interface AdministratorCardInfo {
  /** The holder's name from the certificate subject. */
  name: string;
  /** The certificate serial, lower-case hex without separators. */
  certificateSerial: CertificateSerial;
  /** The typed 授權管理者身分證統一編號, normalized (upper-case letter). */
  administratorNationalId: string;
}

/**
 * 授權管理者自然人憑證確認 (step (二) of 首次註冊, 授權指派 and each 更換憑證): the
 * 授權管理者身分證統一編號 typed beside the card is one and agrees with the card's ID hint.
 */
export function confirmAdministratorCard(o: OrgRegistrationOptions, administratorCard: unknown, administratorNationalId: unknown): AdministratorCardInfo {
  const issues = new IssueCollector();
  const card = parseCitizenCard(administratorCard, 'administratorCard', issues);
  const id = takeIdOfCard(administratorNationalId, card, 'administratorNationalId', (n, hint) => idHintAgrees(o, n, hint), issues);
  issues.throwIfAny();
  const c = card as CardIdentity;
  return { name: c.subjectName, certificateSerial: c.certificateSerial, administratorNationalId: id as string };
}
