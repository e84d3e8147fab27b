/**
 * Databases as an earlier twpki release left them, for the upgrade tests: only the migrations up to a schema
 * point are applied (recorded in the ledger as the runner of that release recorded them), and rows are written
 * with the columns and values that release's store code wrote (`git show <rev>:src/enroll/flows/…`). Rows are
 * added era by era, so a database at a later point also holds the rows of every earlier release, as a live
 * database does. The current store then opens it and runs the current migrations. The old migrations run as the
 * tree has them: the one since changed (0004) gives the catalog its released text gave (upgrade-schema.test.ts).
 */
import { createHash } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { CHALLENGE_STORE_MIGRATIONS } from '../../src/challenge-store/migrations.js';
import { hashSecret } from '../../src/enroll/flows/secret-token.js';
import { MIGRATIONS, type Migration } from '../../src/enroll/migrations/index.js';
import { PgliteStore } from '../../src/enroll/store/pglite-store.js';
import { PgStore } from '../../src/enroll/store/pg-store.js';
import { basicDataFor } from './fakes.js';

/** A schema point: the last migration an earlier release had applied. */
export type SchemaPoint = '0001-initial' | '0005-org-cards' | '0006-login-code-use' | '0007-official-person' | '0008-unfinished-applications';

/** The points the tests walk: the first release, and each one after which a migration changed existing tables. */
export const SCHEMA_POINTS: readonly SchemaPoint[] = [
  '0001-initial',
  '0005-org-cards',
  '0006-login-code-use',
  '0007-official-person',
  '0008-unfinished-applications',
];

/** Runs one statement (or, without parameters, a script) on the old database. */
export type Exec = (sql: string, params?: readonly unknown[]) => Promise<void>;

/** When the old rows were written; the tests' clocks run a day later, inside every link's and code's lifetime. */
export const SEEDED_AT = '2026-11-28T01:00:00.000Z';
/** The tests' clock. */
export const UPGRADED_AT = '2026-11-29T01:00:00Z';
const LINK_EXPIRES = '2026-12-05T01:00:00.000Z';
const CODE_EXPIRES = '2026-12-03T01:00:00.000Z';

/** The secrets the old release mailed (only their hashes are in the database). */
export const OLD_SECRETS = {
  /** The activation link key mailed for application `gpsApproved` (43 base64url characters). */
  activationToken: 'OldReleaseActivationToken0123456789abcdefgh',
  /** A link of `gpsApproved` revoked by a reissue, and the used link of `gpsActive`. */
  revokedToken: 'OldReleaseRevokedToken0123456789abcdefghijk',
  usedToken: 'OldReleaseUsedToken0123456789abcdefghijklmn',
  /** The 驗證碼 of the login account awaiting a binding. */
  verificationCode: 'ABCDEFGH23',
  /** The key of the rejection mail's result-page link (AccountApplyResult?key=…) for `gpsRejected`. */
  resultKey: 'OldReleaseResultKey0123456789abcdefghijklmn',
} as const;

/** IDs of the seeded records. */
export const OLD = {
  gpsDraft: '00000000-0000-4000-8000-000000000001',
  gpsVerified: '00000000-0000-4000-8000-000000000002',
  gpsUnderReview: '00000000-0000-4000-8000-000000000003',
  gpsApproved: '00000000-0000-4000-8000-000000000004',
  gpsActive: '00000000-0000-4000-8000-000000000005',
  gpsRejected: '00000000-0000-4000-8000-000000000006',
  gpsEmsRejected: '00000000-0000-4000-8000-000000000007',
  officialUnderReview: '00000000-0000-4000-8000-000000000011',
  officialManual: '00000000-0000-4000-8000-000000000012',
  officialApproved: '00000000-0000-4000-8000-000000000013',
  // 0005 era
  gps5Draft: '00000000-0000-4000-8000-000000000021',
  gps5Active: '00000000-0000-4000-8000-000000000022',
  waste5Awaiting: '00000000-0000-4000-8000-000000000031',
  waste5Review: '00000000-0000-4000-8000-000000000032',
  waste5Approved: '00000000-0000-4000-8000-000000000033',
  official5Review: '00000000-0000-4000-8000-000000000041',
  renewal5Pending: '00000000-0000-4000-8000-000000000051',
  // 0008 era
  gps8Abandoned: '00000000-0000-4000-8000-000000000061',
  waste8Abandoned: '00000000-0000-4000-8000-000000000062',
} as const;

/** Control numbers of the seeded GPS applications. */
export const CN = {
  draft: 'H5600101',
  verified: 'H5600102',
  underReview: 'H5600103',
  approved: 'H5600104',
  active: 'H5600105',
  rejected: 'H5600106',
  gps5Draft: 'H5600201',
  gps5Active: 'H5600202',
  gps8: 'H5600301',
} as const;

/** Card `n` as the seeds stored it: the 卡號, serial and holder name of `citizenCard(n)` of the helpers. */
export function seededCard(n: number): { number: string; serial: string; name: string } {
  return { number: `TP03${String(n).padStart(12, '0')}`, serial: `4a${n.toString(16).padStart(14, '0')}`, name: `王小明${n}` };
}
const card = seededCard;

/** The companies of certificate-login enablement and of the waste system in the seeds. */
export const LOGIN = {
  awaiting: { businessId: '04595257', controlNumber: 'E5600001' },
  bound: { businessId: '22099131', controlNumber: 'E5600002' },
  businessOnly: { businessId: '53212539' },
  waste5: { businessId: '04595257', controlNumber: 'E5600005' },
  waste5Review: { businessId: '22099131', controlNumber: 'E5600006' },
} as const;

/** Official members (0004 era on) and the 0001-era applicants. */
export const MEMBERS = {
  old1: { memberId: 'oldmember01', nationalId: 'A123456789' },
  old2: { memberId: 'oldmember02', nationalId: 'A226812638' },
  old3: { memberId: 'oldmember03', nationalId: 'F131104093' },
  new5: { memberId: 'member0005', nationalId: 'B120863158' },
} as const;

/** 機關代號 of the seeded organization registrations. */
export const AGENCIES = { manualReview: 'A01', reviewApproved: 'A02', registered: 'A03' } as const;

const AT = SEEDED_AT;

async function seed0001(x: Exec): Promise<void> {
  // The first release's GPS flow (0857d80 account-enrollment.ts): no owner, no renewal data on bindings.
  const gps = `INSERT INTO enroll_account_applications (id, control_number, status, basic_data, ems_comparison, review_note, created_at, updated_at, version)
    VALUES ($1,$2,$3,$4::jsonb,$5::jsonb,$6,$7,$7,$8)`;
  const data = (cn: string): string => JSON.stringify(basicDataFor(cn));
  const passed = JSON.stringify({ passed: true, fields: { controlNumber: 'match', companyName: 'match' } });
  await x(gps, [OLD.gpsDraft, CN.draft, 'draft', null, null, null, AT, 0]);
  await x(gps, [OLD.gpsVerified, CN.verified, 'basicDataVerified', data(CN.verified), passed, null, AT, 1]);
  await x(gps, [OLD.gpsUnderReview, CN.underReview, 'underReview', data(CN.underReview), passed, null, AT, 2]);
  await x(gps, [OLD.gpsApproved, CN.approved, 'approved', data(CN.approved), passed, '資料相符', AT, 3]);
  await x(gps, [OLD.gpsActive, CN.active, 'active', data(CN.active), passed, '資料相符', AT, 4]);
  await x(gps, [OLD.gpsRejected, CN.rejected, 'rejected', data(CN.rejected), passed, '資料不符', AT, 3]);
  await x(gps, [OLD.gpsEmsRejected, CN.draft, 'emsRejected', data(CN.draft), JSON.stringify({ passed: false, fields: {} }), null, AT, 1]);
  const bind = `INSERT INTO enroll_card_bindings (card_number, certificate_serial, control_number, application_id, holder_name, phone, email, status, bound_at)
    VALUES ($1,$2,$3,$4,$5,'02-2345-6789','typed@example.com',$6,$7)`;
  for (const [n, app, cn, status] of [
    [3, OLD.gpsUnderReview, CN.underReview, 'pending'],
    [4, OLD.gpsApproved, CN.approved, 'pending'],
    [5, OLD.gpsActive, CN.active, 'active'],
    [6, OLD.gpsActive, CN.active, 'active'],
  ] as const) {
    await x(bind, [card(n).number, card(n).serial, cn, app, card(n).name, status, AT]);
  }
  await x(
    `INSERT INTO enroll_activation_tokens (token_hash, application_id, sent_to, created_at, expires_at) VALUES ($1,$2,$3,$4,$5)`,
    [hashSecret(OLD_SECRETS.activationToken), OLD.gpsApproved, `ems-${CN.approved.toLowerCase()}@example.com.tw`, AT, LINK_EXPIRES],
  );
  // A used link of the active account, and a revoked one of the approved application (reissued).
  await x(
    `INSERT INTO enroll_activation_tokens (token_hash, application_id, sent_to, created_at, expires_at, used_at) VALUES ($1,$2,'x@example.com.tw',$3,$4,$3)`,
    [hashSecret(OLD_SECRETS.usedToken), OLD.gpsActive, AT, LINK_EXPIRES],
  );
  await x(
    `INSERT INTO enroll_activation_tokens (token_hash, application_id, sent_to, created_at, expires_at, revoked_at) VALUES ($1,$2,'x@example.com.tw',$3,$4,$3)`,
    [hashSecret(OLD_SECRETS.revokedToken), OLD.gpsApproved, AT, LINK_EXPIRES],
  );

  // Login enablement (0857d80 login-enablement.ts): the code's hash, a company card without a 卡號.
  const account = `INSERT INTO enroll_login_accounts (business_id, control_number, status, company_name, verification_code_hash, code_expires_at,
      failed_code_attempts, citizen_card, company_card, created_at, updated_at, version) VALUES ($1,$2,$3,'測試公司',$4,$5,$6,'enabled','enabled',$7,$7,$8)`;
  await x(account, [LOGIN.awaiting.businessId, LOGIN.awaiting.controlNumber, 'awaitingBinding', hashSecret(OLD_SECRETS.verificationCode), CODE_EXPIRES, 1, AT, 1]);
  await x(account, [LOGIN.bound.businessId, LOGIN.bound.controlNumber, 'bound', hashSecret('SPENTCODE2'), CODE_EXPIRES, 0, AT, 2]);
  // A company known by its 統一編號 alone (the column's default '').
  await x(account, [LOGIN.businessOnly.businessId, '', 'awaitingBinding', hashSecret(OLD_SECRETS.verificationCode), CODE_EXPIRES, 0, AT, 0]);
  const loginBind = `INSERT INTO enroll_login_bindings (certificate_serial, card_number, method, business_id, control_number, holder_name, bound_at)
    VALUES ($1,$2,$3,$4,$5,$6,$7)`;
  await x(loginBind, [card(7).serial, card(7).number, 'citizenCard', LOGIN.bound.businessId, LOGIN.bound.controlNumber, card(7).name, AT]);
  await x(loginBind, ['c0ffee01', null, 'companyCard', LOGIN.bound.businessId, LOGIN.bound.controlNumber, '測試公司', AT]);

  // GEPI (0857d80 org-registration.ts): one registration in each state a reviewer or a later step continues.
  const org = `INSERT INTO enroll_org_registrations (agency_code, status, organization_name, org_authority, org_certificate_serial, org_identifier,
      admin_certificate_serial, admin_name, admin_email, admin_phone, review_contact_name, review_contact_phone, retry_not_before, created_at, updated_at, version)
    VALUES ($1,$2,'測試機關','GCA',$3,'2.16.886.101.20003.20065',$4,'王小明8','admin@example.gov.tw','02-2345-6789',$5,$6,$7,$8,$8,$9)`;
  await x(org, [AGENCIES.manualReview, 'manualReview', 'ab01', card(8).serial, '林承辦', '02-1111-2222', null, AT, 1]);
  await x(org, [AGENCIES.reviewApproved, 'reviewApproved', 'ab02', card(8).serial, '林承辦', '02-1111-2222', '2026-11-29T00:00:00.000Z', AT, 2]);
  await x(org, [AGENCIES.registered, 'registered', 'ab03', card(8).serial, null, null, null, AT, 1]);
  await x(
    `INSERT INTO enroll_org_operators (agency_code, certificate_serial, name, national_id, permissions, created_at, updated_at)
     VALUES ($1,$2,$3,$4,$5::jsonb,$6,$6)`,
    [AGENCIES.registered, card(9).serial, card(9).name, 'A123456789', JSON.stringify(['query']), AT],
  );
  await x(`INSERT INTO enroll_org_registration_records (agency_code, organization_name, item, received_at) VALUES ($1,'測試機關','首次註冊',$2)`, [
    AGENCIES.registered,
    AT,
  ]);

  // Official applications of the first release: no member table, no person columns.
  const official = `INSERT INTO enroll_official_applications (id, member_id, agency_oid, agency_name, reason, status, attempt, review_note, created_at, updated_at, version)
    VALUES ($1,$2,'2.16.886.101.20003.20001.20003','內政部消防署','業務需要',$3,1,$4,$5,$5,$6)`;
  await x(official, [OLD.officialUnderReview, MEMBERS.old1.memberId, 'underReview', null, AT, 0]);
  await x(official, [OLD.officialManual, MEMBERS.old2.memberId, 'manualReview', null, AT, 0]);
  await x(official, [OLD.officialApproved, MEMBERS.old3.memberId, 'approved', '人事查核通過', AT, 1]);

  const audit = `INSERT INTO enroll_audit_log (flow, subject, actor_role, actor_id, at, event, from_state, to_state, reason) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)`;
  await x(audit, ['account', OLD.gpsActive, 'applicant', CN.active, AT, 'apply', 'none', 'draft', null]);
  await x(audit, ['account', OLD.gpsActive, 'applicant', 'anonymous', AT, 'activate', 'approved', 'active', null]);
  await x(audit, ['organization', AGENCIES.registered, 'administrator', card(8).serial, AT, 'register', 'unregistered', 'registered', null]);
}

async function seed0005(x: Exec): Promise<void> {
  // The 2026-11-30 release: owners, renewal data, the waste system, official members, renewals, result keys.
  const gps = `INSERT INTO enroll_account_applications (id, control_number, status, basic_data, ems_comparison, created_at, updated_at, version, applicant_id)
    VALUES ($1,$2,$3,$4::jsonb,$5::jsonb,$6,$6,$7,$8)`;
  await x(gps, [OLD.gps5Draft, CN.gps5Draft, 'draft', null, null, AT, 0, CN.gps5Draft]);
  await x(gps, [OLD.gps5Active, CN.gps5Active, 'active', JSON.stringify(basicDataFor(CN.gps5Active)), JSON.stringify({ passed: true, fields: {} }), AT, 4, CN.gps5Active]);
  await x(
    `INSERT INTO enroll_card_bindings (card_number, certificate_serial, control_number, application_id, holder_name, phone, email, status, bound_at,
       authority, subject_name, id_hint, anchor, valid_from)
     VALUES ($1,$2,$3,$4,$5,'02-2345-6789','typed@example.com','active',$6,'MOICA',$5,'6789',NULL,$6)`,
    [card(21).number, card(21).serial, CN.gps5Active, OLD.gps5Active, card(21).name, AT],
  );
  await x(
    `INSERT INTO enroll_card_renewals (id, flow, card_number, old_serial, new_serial, new_valid_from, status, requested_at)
     VALUES ($1,'account',$2,$3,'4a99000000000021','2026-11-28T00:00:00.000Z','pending',$4)`,
    [OLD.renewal5Pending, card(21).number, card(21).serial, AT],
  );
  await x(`INSERT INTO enroll_result_keys (key_hash, application_id, created_at, expires_at) VALUES ($1,$2,$3,$4)`, [
    hashSecret(OLD_SECRETS.resultKey),
    OLD.gpsRejected,
    AT,
    LINK_EXPIRES,
  ]);

  // The waste system (ca0a40a waste-application.ts), one application per open state and an approved company.
  const waste = `INSERT INTO enroll_waste_applications (id, business_id, control_number, status, company_name, representative_name, representative_id,
      registered_postal_code, registered_address, mailing_postal_code, mailing_address, contact_name, contact_phone1, contact_fax, contact_email,
      citizen_card, company_card, applicant_id, created_at, updated_at, version)
    VALUES ($1,$2,$3,$4,'測試環保股份有限公司','王大明','A123456789','100','臺北市中正區重慶南路一段122號','100','臺北市中正區重慶南路一段122號',
      '林小華','02-2345-6789','02-2345-6790','contact@example.com.tw','enabled','enabled',$5,$6,$6,$7)`;
  await x(waste, [OLD.waste5Awaiting, LOGIN.waste5.businessId, LOGIN.waste5.controlNumber, 'awaitingDocuments', 'portal-session-1', AT, 0]);
  await x(waste, [OLD.waste5Review, LOGIN.waste5Review.businessId, LOGIN.waste5Review.controlNumber, 'underReview', 'portal-session-2', AT, 3]);
  await x(waste, [OLD.waste5Approved, LOGIN.bound.businessId, LOGIN.bound.controlNumber, 'approved', 'portal-session-3', AT, 4]);
  for (const [app, kind] of [
    [OLD.waste5Review, 'applicationForm'],
    [OLD.waste5Review, 'businessRegistration'],
  ] as const) {
    const content = Buffer.from(`%PDF-1.4 ${kind}`);
    await x(
      `INSERT INTO enroll_waste_documents (application_id, kind, media_type, byte_size, sha256, file_name, content, uploaded_at, uploaded_by)
       VALUES ($1,$2,'application/pdf',$3,$4,$5,$6,$7,'portal-session-2')`,
      [app, kind, content.length, hashHex(content), `${kind}.pdf`, content, AT],
    );
  }

  // Official members and a 0004-era application with the person's columns.
  const member = `INSERT INTO enroll_official_members (member_id, name, national_id, email, member_type, agency_oid, agency_name, created_at, updated_at)
    VALUES ($1,$2,$3,$4,'citizen',NULL,NULL,$5,$5)`;
  await x(member, [MEMBERS.new5.memberId, '李四', MEMBERS.new5.nationalId, 'member5@example.com', AT]);
  await x(
    `INSERT INTO enroll_official_applications (id, member_id, agency_oid, agency_name, reason, status, attempt, created_at, updated_at, version,
       attested_at, applicant_name, national_id, application_item, personnel_check, review_due_at)
     VALUES ($1,$2,'2.16.886.101.20003.20001.20003','內政部消防署','業務需要','manualReview',1,$3,$3,0,$3,'李四',$4,'自然人轉公務員',$5::jsonb,$6)`,
    [OLD.official5Review, MEMBERS.new5.memberId, AT, MEMBERS.new5.nationalId, JSON.stringify({ nationalId: 'match', name: 'mismatch', agency: 'match' }), LINK_EXPIRES],
  );

  // 憑證上傳 (c874176 official-certificates.ts): the member's citizen card, with its renewal data.
  await x(
    `INSERT INTO enroll_official_cards (member_id, card_number, certificate_serial, authority, subject_name, id_hint, anchor, valid_from, bound_at)
     VALUES ($1,$2,$3,'MOICA',$4,'6789',NULL,$5,$5)`,
    [MEMBERS.new5.memberId, card(19).number, card(19).serial, card(19).name, AT],
  );

  // GEPI: the administrator's card now recorded; a consent.
  await x(
    `UPDATE enroll_org_registrations SET admin_card_number=$2, admin_authority='MOICA', admin_subject_name=$3, admin_id_hint='6789', admin_valid_from=$4
     WHERE agency_code=$1`,
    [AGENCIES.registered, card(8).number, card(8).name, AT],
  );
  await x(
    `INSERT INTO enroll_org_consents (agency_code, sub_function, terms_version, admin_certificate_serial, accepted_at) VALUES ($1,'首次註冊','2026-11',$2,$3)`,
    [AGENCIES.registered, card(8).serial, AT],
  );
  // A challenge issued before the upgrade (challenge store, b013307).
  await x(`INSERT INTO twpki_login_challenges (value, session_id, issued_at, expires_at) VALUES ($1,$2,$3,$4)`, [
    'old-challenge-value',
    'old-session',
    AT,
    '2026-11-28T01:05:00.000Z',
  ]);
}

async function seed0008(x: Exec): Promise<void> {
  // The 2026-12-01 release before `closed`: abandoned applications exist (c8f2845: a new apply replaced them).
  await x(
    `INSERT INTO enroll_waste_applications (id, business_id, control_number, status, company_name, representative_name, representative_id,
       registered_postal_code, registered_address, mailing_postal_code, mailing_address, contact_name, contact_phone1, contact_fax, contact_email,
       citizen_card, company_card, applicant_id, created_at, updated_at, version)
     VALUES ($1,$2,$3,'abandoned','測試環保股份有限公司','王大明','A123456789','100','臺北市中正區重慶南路一段122號','100','臺北市中正區重慶南路一段122號',
       '林小華','02-2345-6789','02-2345-6790','contact@example.com.tw','enabled','disabled','portal-session-0',$4,$4,1)`,
    [OLD.waste8Abandoned, LOGIN.waste5.businessId, LOGIN.waste5.controlNumber, AT],
  );
  await x(
    `INSERT INTO enroll_account_applications (id, control_number, status, created_at, updated_at, version, applicant_id) VALUES ($1,$2,'abandoned',$3,$3,1,$2)`,
    [OLD.gps8Abandoned, CN.gps8, AT],
  );
  await x(
    `INSERT INTO enroll_account_applications (id, control_number, status, created_at, updated_at, version, applicant_id) VALUES (gen_random_uuid(),$1,'draft',$2,$2,0,$1)`,
    [CN.gps8, AT],
  );
}

function hashHex(content: Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}

/** The rows a release wrote, after the migration it shipped with. */
const ERAS: ReadonlyArray<{ after: string; seed: (x: Exec) => Promise<void> }> = [
  { after: '0001-initial', seed: seed0001 },
  { after: '0005-org-cards', seed: seed0005 },
  { after: '0008-unfinished-applications', seed: seed0008 },
];

/** Migrations of the release at `point`: the enrollment ones up to it, the challenge store's from 0005 on. */
function migrationsAt(point: SchemaPoint): Migration[] {
  const upTo = MIGRATIONS.findIndex((m) => m.id === point);
  if (upTo < 0) throw new Error(`no migration ${point}`);
  return MIGRATIONS.slice(0, upTo + 1);
}

/** Builds the old database through `x`: ledger, migrations, and each era's rows after its migration. */
export async function buildOldDatabase(point: SchemaPoint, x: Exec): Promise<void> {
  // The ledger as every release's runner creates it.
  await x('CREATE TABLE IF NOT EXISTS enroll_schema_migrations (id text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())');
  for (const m of migrationsAt(point)) {
    await x(m.sql);
    await x('INSERT INTO enroll_schema_migrations (id) VALUES ($1)', [m.id]);
    if (m.id === '0005-org-cards') {
      // The challenge store shipped in the same release (b013307).
      for (const c of CHALLENGE_STORE_MIGRATIONS) {
        await x(c.sql);
        await x('INSERT INTO enroll_schema_migrations (id) VALUES ($1)', [c.id]);
      }
    }
    for (const era of ERAS) if (era.after === m.id) await era.seed(x);
  }
}

/**
 * Writes every era's rows with that era's SQL into an up-to-date schema: what old instances still running beside
 * upgraded ones during a rolling deploy write after the migrations ran.
 */
export async function writeAsOldReleases(x: Exec): Promise<void> {
  for (const era of ERAS) await era.seed(x);
}

/** True when the database at `point` holds the rows of the era seeded after migration `era`. */
export function hasEra(point: SchemaPoint, era: string): boolean {
  return MIGRATIONS.findIndex((m) => m.id === era) <= MIGRATIONS.findIndex((m) => m.id === point);
}

/** An in-memory PGlite at `point`, not yet opened by a store. */
export async function oldPglite(point: SchemaPoint): Promise<PGlite> {
  const db = await PGlite.create();
  await buildOldDatabase(point, pgliteExec(db));
  return db;
}

/**
 * Schema `schema` of a shared in-memory PGlite, built at `point` and made the session's search path (PGlite has
 * one session): one PGlite per test file instead of one per point, since starting one costs seconds.
 */
export async function oldPgliteSchema(db: PGlite, schema: string, point: SchemaPoint): Promise<void> {
  await db.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE; CREATE SCHEMA ${schema}; SET search_path TO ${schema}`);
  await buildOldDatabase(point, pgliteExec(db));
}

function pgliteExec(db: PGlite): Exec {
  return async (sql, params) => {
    if (params === undefined) await db.exec(sql);
    else await db.query(sql, [...params]);
  };
}

/** The current store on an old PGlite database (migrations not yet run). */
export function storeOnPglite(db: PGlite): PgliteStore {
  return new PgliteStore(db);
}

/** A PostgreSQL schema `schema` at `point` (dropped and built anew); returns a pool whose connections use it. */
export async function oldPgSchema(url: string, schema: string, point: SchemaPoint): Promise<pg.Pool> {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.query(`CREATE SCHEMA ${schema}`);
    await admin.query(`SET search_path = ${schema}`);
    await buildOldDatabase(point, async (sql, params) => {
      await admin.query(sql, params === undefined ? undefined : [...params]);
    });
  } finally {
    await admin.end();
  }
  return new pg.Pool({ connectionString: url, max: 10, options: `-c search_path=${schema}` });
}

/** The current PgStore on a pool (migrations not yet run). */
export function storeOnPg(pool: pg.Pool): PgStore {
  return new PgStore({ pool });
}
