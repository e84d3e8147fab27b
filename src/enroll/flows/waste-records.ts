/**
 * Records of the waste system's application (`enroll_waste_applications`) and
 * its uploaded documents (`enroll_waste_documents`): domain types, row mappers
 * and the repository queries. The login binding's records are in
 * `login-records.ts`.
 */
import type { BusinessId, ControlNumber, EmailAddress, NationalId } from '../domain/identifiers.js';
import type { LoginMethodStatus } from '../machine/login-machine.js';
import type { WasteApplicationStatus } from '../machine/waste-machine.js';
import type { PostalAddress } from '../ports/company-registry.js';
import { isoOf, optionalIsoOf, optionalText } from '../store/rows.js';
import type { Row, SqlSession } from '../store/store.js';
import type { LoginMethod } from './login-records.js';

/** A phone number with an optional extension (分機). */
export interface PhoneNumber {
  /** The number as typed, e.g. `02-2311-7722`. */
  readonly number: string;
  /** 分機, digits only, when there is one. */
  readonly extension?: string;
}

/** The fields of the 網路帳號密碼申請書 (圖 1-1), validated. 自訂密碼 is not among them: the host system keeps it. */
export interface WasteApplicationForm {
  /** 營利事業統一編號 */
  readonly businessId: BusinessId;
  /** 廢棄物管制編號, absent when the company has none (沒有就請空白). */
  readonly controlNumber?: ControlNumber;
  /** 公司名稱 */
  readonly companyName: string;
  /** 負責人名稱 */
  readonly representativeName: string;
  /** 負責人身分證字號 */
  readonly representativeId: NationalId;
  /** 營利事業登記地址 with 郵遞區號. */
  readonly registeredAddress: PostalAddress;
  /** 營利事業通訊地址 with 郵遞區號. */
  readonly mailingAddress: PostalAddress;
  /** 承辦人名稱 */
  readonly contactName: string;
  /** 承辦人電話1 (含分機). */
  readonly contactPhone1: PhoneNumber;
  /** 承辦人電話2, when given. */
  readonly contactPhone2?: PhoneNumber;
  /** 承辦人傳真號碼 */
  readonly contactFax: string;
  /** 承辦人郵件信箱: the 驗證碼 and the review result are mailed here. */
  readonly contactEmail: EmailAddress;
  /** 自然人憑證登入 / 工商憑證登入: 啟用 or 停用. */
  readonly methods: Readonly<Record<LoginMethod, LoginMethodStatus>>;
}

/** A submitted application with its review state. */
export interface WasteApplication extends WasteApplicationForm {
  /** Application ID (UUID). */
  readonly id: string;
  /** Where the application stands. */
  readonly status: WasteApplicationStatus;
  /** The reviewer's note, or the rejection reason. */
  readonly reviewNote?: string;
  /** When it was decided (ISO). */
  readonly reviewedAt?: string;
  /** Creation instant (ISO). */
  readonly createdAt: string;
  /** Last change (ISO). */
  readonly updatedAt: string;
  /** Optimistic-lock counter. */
  readonly version: number;
}

/** Which uploaded document: the stamped 申請書 or the 營利事業登記証影本. */
export type WasteDocumentKind = 'applicationForm' | 'businessRegistration';

/** Media types an upload may have, told by its first bytes. */
export type WasteDocumentMediaType = 'application/pdf' | 'image/jpeg' | 'image/png';

/** An uploaded document without its content (lists, audit). */
export interface WasteDocumentInfo {
  /** Which document. */
  readonly kind: WasteDocumentKind;
  /** Media type found in the content. */
  readonly mediaType: WasteDocumentMediaType;
  /** Size in bytes. */
  readonly size: number;
  /** SHA-256 of the content, lower-case hex. */
  readonly sha256: string;
  /** The file name the uploader gave, when any (shown only; never used to decide the type). */
  readonly fileName?: string;
  /** When uploaded (ISO). */
  readonly uploadedAt: string;
}

/** An uploaded document with its bytes, for the reviewer. */
export interface WasteDocument extends WasteDocumentInfo {
  /** The file as uploaded. */
  readonly content: Uint8Array;
}

/** Seed labels of the two documents. */
export const WASTE_DOCUMENT_LABELS: Readonly<Record<WasteDocumentKind, string>> = {
  applicationForm: '用印申請書',
  businessRegistration: '公司營利事業登記証影本',
};

function phone(number: unknown, ext: unknown): PhoneNumber {
  const extension = optionalText(ext);
  return { number: String(number), ...(extension === undefined ? {} : { extension }) };
}

/** Maps an `enroll_waste_applications` row. */
export function wasteApplicationFromRow(r: Row): WasteApplication {
  const cn = String(r.control_number);
  const note = optionalText(r.review_note);
  const reviewedAt = optionalIsoOf(r.reviewed_at);
  return {
    id: String(r.id),
    status: r.status as WasteApplicationStatus,
    businessId: String(r.business_id) as BusinessId,
    ...(cn === '' ? {} : { controlNumber: cn as ControlNumber }),
    companyName: String(r.company_name),
    representativeName: String(r.representative_name),
    representativeId: String(r.representative_id) as NationalId,
    registeredAddress: { postalCode: String(r.registered_postal_code), address: String(r.registered_address) },
    mailingAddress: { postalCode: String(r.mailing_postal_code), address: String(r.mailing_address) },
    contactName: String(r.contact_name),
    contactPhone1: phone(r.contact_phone1, r.contact_phone1_ext),
    ...(r.contact_phone2 == null ? {} : { contactPhone2: phone(r.contact_phone2, r.contact_phone2_ext) }),
    contactFax: String(r.contact_fax),
    contactEmail: String(r.contact_email) as EmailAddress,
    methods: { citizenCard: r.citizen_card as LoginMethodStatus, companyCard: r.company_card as LoginMethodStatus },
    ...(note === undefined ? {} : { reviewNote: note }),
    ...(reviewedAt === undefined ? {} : { reviewedAt }),
    createdAt: isoOf(r.created_at),
    updatedAt: isoOf(r.updated_at),
    version: Number(r.version),
  };
}

function documentInfoFromRow(r: Row): WasteDocumentInfo {
  const fileName = optionalText(r.file_name);
  return {
    kind: r.kind as WasteDocumentKind,
    mediaType: r.media_type as WasteDocumentMediaType,
    size: Number(r.byte_size),
    sha256: String(r.sha256),
    ...(fileName === undefined ? {} : { fileName }),
    uploadedAt: isoOf(r.uploaded_at),
  };
}

/** An application with the actor ID that applied. */
export interface OwnedApplication {
  /** The application. */
  readonly record: WasteApplication;
  /** Actor ID that applied. */
  readonly owner: string;
}

function owned(row: Row | undefined): OwnedApplication | undefined {
  return row === undefined ? undefined : { record: wasteApplicationFromRow(row), owner: String(row.applicant_id) };
}

/** Inserts a new application (status `awaitingDocuments`). */
export async function insertApplication(tx: SqlSession, id: string, f: WasteApplicationForm, applicant: string, at: string): Promise<WasteApplication> {
  const rows = await tx.query(
    `INSERT INTO enroll_waste_applications (id, business_id, control_number, status, company_name, representative_name, representative_id,
       registered_postal_code, registered_address, mailing_postal_code, mailing_address, contact_name, contact_phone1, contact_phone1_ext,
       contact_phone2, contact_phone2_ext, contact_fax, contact_email, citizen_card, company_card, applicant_id, created_at, updated_at)
     VALUES ($1,$2,$3,'awaitingDocuments',$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$21) RETURNING *`,
    [
      id, f.businessId, f.controlNumber ?? '', f.companyName, f.representativeName, f.representativeId,
      f.registeredAddress.postalCode, f.registeredAddress.address, f.mailingAddress.postalCode, f.mailingAddress.address,
      f.contactName, f.contactPhone1.number, f.contactPhone1.extension ?? null, f.contactPhone2?.number ?? null,
      f.contactPhone2?.extension ?? null, f.contactFax, f.contactEmail, f.methods.citizenCard, f.methods.companyCard, applicant, at,
    ],
  );
  return wasteApplicationFromRow(rows[0] ?? {});
}

/** Reads an application `FOR UPDATE` with its owner; `undefined` when there is none. */
export async function lockApplication(tx: SqlSession, id: string): Promise<OwnedApplication | undefined> {
  const rows = await tx.query('SELECT * FROM enroll_waste_applications WHERE id=$1 FOR UPDATE', [id]);
  return owned(rows[0]);
}

/** Reads an application and its owner without locking. */
export async function readApplication(tx: SqlSession, id: string): Promise<OwnedApplication | undefined> {
  const rows = await tx.query('SELECT * FROM enroll_waste_applications WHERE id=$1', [id]);
  return owned(rows[0]);
}

/** Writes a new status (and, on a decision, the note and reviewer). */
export async function updateStatus(
  tx: SqlSession,
  id: string,
  status: WasteApplicationStatus,
  at: string,
  decision?: { note: string | null; reviewer: string },
): Promise<WasteApplication> {
  const rows = await tx.query(
    `UPDATE enroll_waste_applications SET status=$2, updated_at=$3, version=version+1,
       review_note=COALESCE($4, review_note), reviewed_by=COALESCE($5, reviewed_by), reviewed_at=CASE WHEN $5::text IS NULL THEN reviewed_at ELSE $3 END
     WHERE id=$1 RETURNING *`,
    [id, status, at, decision?.note ?? null, decision?.reviewer ?? null],
  );
  return wasteApplicationFromRow(rows[0] ?? {});
}

/** The company's application waiting for its documents, row-locked; `undefined` when there is none. */
export async function lockAwaitingDocuments(tx: SqlSession, businessId: BusinessId, controlNumber: ControlNumber | ''): Promise<WasteApplication | undefined> {
  const rows = await tx.query(
    `SELECT * FROM enroll_waste_applications WHERE business_id=$1 AND control_number=$2 AND status='awaitingDocuments' FOR UPDATE`,
    [businessId, controlNumber],
  );
  return rows[0] === undefined ? undefined : wasteApplicationFromRow(rows[0]);
}

/** The latest approved application of a company, if any. */
export async function latestApproved(tx: SqlSession, businessId: BusinessId, controlNumber: ControlNumber | ''): Promise<OwnedApplication | undefined> {
  const rows = await tx.query(
    `SELECT * FROM enroll_waste_applications WHERE business_id=$1 AND control_number=$2 AND status='approved'
     ORDER BY reviewed_at DESC, created_at DESC LIMIT 1 FOR UPDATE`,
    [businessId, controlNumber],
  );
  return owned(rows[0]);
}

/** Stores (or replaces) one document of an application. */
export async function putDocument(
  tx: SqlSession,
  applicationId: string,
  doc: WasteDocument,
  uploadedBy: string,
): Promise<WasteDocumentInfo> {
  const rows = await tx.query(
    `INSERT INTO enroll_waste_documents (application_id, kind, media_type, byte_size, sha256, file_name, content, uploaded_at, uploaded_by)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)
     ON CONFLICT (application_id, kind) DO UPDATE SET media_type=EXCLUDED.media_type, byte_size=EXCLUDED.byte_size, sha256=EXCLUDED.sha256,
       file_name=EXCLUDED.file_name, content=EXCLUDED.content, uploaded_at=EXCLUDED.uploaded_at, uploaded_by=EXCLUDED.uploaded_by
     RETURNING application_id, kind, media_type, byte_size, sha256, file_name, uploaded_at`,
    [applicationId, doc.kind, doc.mediaType, doc.size, doc.sha256, doc.fileName ?? null, Buffer.from(doc.content), doc.uploadedAt, uploadedBy],
  );
  return documentInfoFromRow(rows[0] ?? {});
}

/** The documents of an application without content, by kind. */
export async function documentInfos(tx: SqlSession, applicationId: string): Promise<WasteDocumentInfo[]> {
  const rows = await tx.query(
    'SELECT kind, media_type, byte_size, sha256, file_name, uploaded_at FROM enroll_waste_documents WHERE application_id=$1 ORDER BY kind',
    [applicationId],
  );
  return rows.map(documentInfoFromRow);
}

/** One document with its content, or `undefined`. */
export async function documentContent(tx: SqlSession, applicationId: string, kind: WasteDocumentKind): Promise<WasteDocument | undefined> {
  const rows = await tx.query('SELECT * FROM enroll_waste_documents WHERE application_id=$1 AND kind=$2', [applicationId, kind]);
  const row = rows[0];
  if (row === undefined) return undefined;
  const bytes = row.content as Uint8Array;
  // pg returns a Buffer, PGlite a Uint8Array: hand out a plain copy either way.
  return { ...documentInfoFromRow(row), content: new Uint8Array(bytes) };
}
