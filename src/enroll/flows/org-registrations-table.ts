/**
 * The SQL of `enroll_org_registrations`: one row per agency — its organization
 * certificate, its administrator (card and contact) and the review state.
 */
import type { CardIdentity } from '../domain/card-holder.js';
import { ORG_MACHINE, type OrgStatus } from '../machine/org-machine.js';
import { optionalText } from '../store/rows.js';
import type { SqlSession } from '../store/store.js';
import { boundCardFromRow, type BoundCard } from './card-renewal.js';
import type { AdministratorContact } from './org-inputs.js';
import { registrationFromRow, type OrgRegistration } from './org-records.js';
import type { QueueSource } from './review-queue.js';

/** The reviewer queue's source (GEPI manual reviews). */
export const REGISTRATION_QUEUE: QueueSource<OrgRegistration> = {
  table: 'enroll_org_registrations',
  key: 'agency_code',
  states: ORG_MACHINE.states,
  map: registrationFromRow,
};

/** Primary key: a concurrent first registration of the same agency. */
export const REGISTRATION_KEY = 'enroll_org_registrations_pkey';

/** Columns the administrator's card is recorded in, for the renewal rule (prefixed `admin_`). */
export const CARD_COLUMNS = ['card_number', 'authority', 'subject_name', 'id_hint', 'anchor', 'valid_from'] as const;

/** A card's values for {@link CARD_COLUMNS}. */
export function cardValues(card: CardIdentity): unknown[] {
  return [card.cardNumber ?? null, card.authority, card.subjectName, card.idHint ?? null, card.anchor ?? null, card.validFrom ?? null];
}

/** Reads an agency's registration; `undefined` when it has none. */
export async function findRegistration(tx: SqlSession, code: string): Promise<OrgRegistration | undefined> {
  const rows = await tx.query('SELECT * FROM enroll_org_registrations WHERE agency_code=$1', [code]);
  return rows[0] === undefined ? undefined : registrationFromRow(rows[0]);
}

/** Reads an agency's registration row `FOR UPDATE`; `undefined` when it has none. */
export async function lockRegistration(tx: SqlSession, code: string): Promise<OrgRegistration | undefined> {
  const rows = await tx.query('SELECT * FROM enroll_org_registrations WHERE agency_code=$1 FOR UPDATE', [code]);
  return rows[0] === undefined ? undefined : registrationFromRow(rows[0]);
}

/** What 首次註冊 writes. */
export interface RegistrationWrite {
  /** Agency code. */
  readonly code: string;
  /** New state. */
  readonly status: OrgStatus;
  /** The organization certificate. */
  readonly orgCard: CardIdentity;
  /** Identifier compared with the directory (OID or 統一編號). */
  readonly orgIdentifier: string;
  /** The administrator's card. */
  readonly adminCard: CardIdentity;
  /** The administrator's contact. */
  readonly contact: AdministratorContact;
  /** Contact for manual review, when given. */
  readonly reviewContact: { name: string; phone: string } | undefined;
  /** Retry instant after a manual review, or `null`. */
  readonly retryNotBefore: string | null;
  /** Instant of the write (ISO). */
  readonly at: string;
}

/** 首次註冊: inserts the agency's row, or rewrites it on a retry after review (the administrator typed anew). */
export async function saveRegistration(tx: SqlSession, exists: boolean, w: RegistrationWrite): Promise<OrgRegistration> {
  const params = [
    w.code, w.status, w.orgCard.subjectName, w.orgCard.authority, w.orgCard.certificateSerial, w.orgIdentifier, w.adminCard.certificateSerial,
    w.contact.name, w.contact.email, w.contact.phone, w.reviewContact?.name ?? null, w.reviewContact?.phone ?? null, w.retryNotBefore, w.at,
    w.contact.nationalId,
  ];
  const rows = exists
    ? await tx.query(
        `UPDATE enroll_org_registrations SET status=$2, organization_name=$3, org_authority=$4, org_certificate_serial=$5,
           org_identifier=$6, admin_certificate_serial=$7, admin_name=$8, admin_email=$9, admin_phone=$10,
           review_contact_name=COALESCE($11, review_contact_name), review_contact_phone=COALESCE($12, review_contact_phone),
           retry_not_before=$13, updated_at=$14, admin_national_id=$15, version=version+1
         WHERE agency_code=$1 RETURNING *`,
        params,
      )
    : await tx.query(
        `INSERT INTO enroll_org_registrations (agency_code, status, organization_name, org_authority, org_certificate_serial,
           org_identifier, admin_certificate_serial, admin_name, admin_email, admin_phone, review_contact_name,
           review_contact_phone, retry_not_before, created_at, updated_at, admin_national_id)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$14,$15) RETURNING *`,
        params,
      );
  await recordAdministratorCard(tx, w.code, w.adminCard);
  return registrationFromRow(rows[0] ?? {});
}

/** What a review filed at 機關憑證確認 writes: the organization certificate and the 申請人, no administrator yet. */
export interface ReviewRequestWrite {
  /** Agency code. */
  readonly code: string;
  /** The organization certificate to be reviewed. */
  readonly orgCard: CardIdentity;
  /** Identifier compared with the directory (OID or 統一編號). */
  readonly orgIdentifier: string;
  /** The 申請人's 姓名 and 電話. */
  readonly applicant: { name: string; phone: string };
  /** Next business day's start (ISO). */
  readonly retryNotBefore: string;
  /** Instant of the write (ISO). */
  readonly at: string;
}

/**
 * `requestReview`: the agency's row in `manualReview` for this certificate. On a row already there (a rejected
 * review, or one approved for another certificate) the administrator of the earlier attempt is cleared with its
 * card and ID: the review is a new application, and whoever registers after its approval is recorded then.
 */
export async function saveReviewRequest(tx: SqlSession, exists: boolean, w: ReviewRequestWrite): Promise<OrgRegistration> {
  const params = [w.code, w.orgCard.subjectName, w.orgCard.authority, w.orgCard.certificateSerial, w.orgIdentifier, w.applicant.name, w.applicant.phone, w.retryNotBefore, w.at];
  const clearAdmin = ['certificate_serial', 'name', 'email', 'phone', 'national_id', ...CARD_COLUMNS].map((c) => `admin_${c}=NULL`).join(', ');
  const rows = exists
    ? await tx.query(
        `UPDATE enroll_org_registrations SET status='manualReview', organization_name=$2, org_authority=$3, org_certificate_serial=$4,
           org_identifier=$5, review_contact_name=$6, review_contact_phone=$7, retry_not_before=$8, updated_at=$9, ${clearAdmin},
           version=version+1
         WHERE agency_code=$1 RETURNING *`,
        params,
      )
    : await tx.query(
        `INSERT INTO enroll_org_registrations (agency_code, status, organization_name, org_authority, org_certificate_serial,
           org_identifier, review_contact_name, review_contact_phone, retry_not_before, created_at, updated_at)
         VALUES ($1,'manualReview',$2,$3,$4,$5,$6,$7,$8,$9,$9) RETURNING *`,
        params,
      );
  return registrationFromRow(rows[0] ?? {});
}

/** A reviewer's decision: the new state and the note (kept when `null`). */
export async function saveReviewDecision(tx: SqlSession, code: string, status: OrgStatus, note: string | null, at: string): Promise<OrgRegistration> {
  const rows = await tx.query(
    `UPDATE enroll_org_registrations SET status=$2, review_note=COALESCE($3, review_note), updated_at=$4, version=version+1
     WHERE agency_code=$1 RETURNING *`,
    [code, status, note, at],
  );
  return registrationFromRow(rows[0] ?? {});
}

/**
 * 更換憑證: the organization certificate, the administrator card and contact as now presented, with the
 * 授權管理者身分證統一編號 typed at it (the new administrator's; at 更換機關憑證 the same one, already compared
 * with the one on record, or the first one recorded for a registration made before migration 0011).
 */
export async function saveReplacedCards(
  tx: SqlSession,
  code: string,
  w: { orgCard: CardIdentity; orgIdentifier: string; adminCard: CardIdentity; contact: AdministratorContact; at: string },
): Promise<OrgRegistration> {
  const rows = await tx.query(
    `UPDATE enroll_org_registrations SET organization_name=$2, org_authority=$3, org_certificate_serial=$4, org_identifier=$5,
       admin_certificate_serial=$6, admin_name=$7, admin_email=$8, admin_phone=$9, updated_at=$10, admin_national_id=$11, version=version+1
     WHERE agency_code=$1 RETURNING *`,
    [code, w.orgCard.subjectName, w.orgCard.authority, w.orgCard.certificateSerial, w.orgIdentifier, w.adminCard.certificateSerial,
      w.contact.name, w.contact.email, w.contact.phone, w.at, w.contact.nationalId],
  );
  await recordAdministratorCard(tx, code, w.adminCard);
  return registrationFromRow(rows[0] ?? {});
}

/**
 * The registered administrator's 身分證統一編號; `undefined` for a registration made before migration 0011 (none
 * recorded yet). Kept out of {@link OrgRegistration}: that record reaches pages and state documents, and the ID is
 * only ever compared, never shown.
 */
export async function administratorNationalId(tx: SqlSession, code: string): Promise<string | undefined> {
  const row = (await tx.query('SELECT admin_national_id FROM enroll_org_registrations WHERE agency_code=$1', [code]))[0];
  return optionalText(row?.admin_national_id);
}

/** Records the registered administrator card's renewal data. */
async function recordAdministratorCard(tx: SqlSession, code: string, card: CardIdentity): Promise<void> {
  const set = CARD_COLUMNS.map((c, i) => `admin_${c}=$${i + 2}`).join(', ');
  await tx.query(`UPDATE enroll_org_registrations SET ${set} WHERE agency_code=$1`, [code, ...cardValues(card)]);
}

/** The administrator card's columns under the names `boundCardFromRow` reads. */
const ADMIN_CARD = `agency_code, admin_certificate_serial AS certificate_serial,
  ${CARD_COLUMNS.map((c) => `admin_${c} AS ${c}`).join(', ')}`;

/** The administrator card recorded on an agency's (locked) row; `undefined` when none was recorded. */
export async function administratorCard(tx: SqlSession, code: string): Promise<BoundCard | undefined> {
  const row = (await tx.query(`SELECT ${ADMIN_CARD} FROM enroll_org_registrations WHERE agency_code=$1`, [code]))[0];
  return row === undefined || row.card_number == null ? undefined : boundCardFromRow(row);
}

/** Locks the registered agency whose administrator card has this 卡號 and serial. */
export async function lockByAdministratorCard(tx: SqlSession, cardNumber: string, serial: string): Promise<{ code: string; bound: BoundCard } | undefined> {
  const rows = await tx.query(
    `SELECT ${ADMIN_CARD} FROM enroll_org_registrations
      WHERE admin_card_number=$1 AND admin_certificate_serial=$2 AND status='registered' FOR UPDATE`,
    [cardNumber, serial],
  );
  const row = rows[0];
  return row === undefined ? undefined : { code: String(row.agency_code), bound: boundCardFromRow(row) };
}

/** Moves the registration to the administrator card's renewed certificate. */
export async function moveAdministrator(tx: SqlSession, code: string, bound: BoundCard, serial: string, validFrom: string | undefined, at: string): Promise<void> {
  await tx.query(
    `UPDATE enroll_org_registrations SET admin_certificate_serial=$3, admin_valid_from=$4, updated_at=$5, version=version+1
      WHERE agency_code=$1 AND admin_certificate_serial=$2`,
    [code, bound.certificateSerial, serial, validFrom ?? null, at],
  );
}
