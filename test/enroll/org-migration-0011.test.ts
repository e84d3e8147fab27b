/**
 * Migration 0011 (the registered 授權管理者's 身分證統一編號) on a database that was at 0010 with a registered agency,
 * on PGlite and on PostgreSQL, with the table's objects as created and as a DBA may have left them (renamed
 * constraints and indexes, a CHECK and an index of their own): it applies, keeps the row with no ID (NULL), adds
 * the one CHECK, and the flow continues — a session is compared with nothing until 更換機關憑證 records the ID.
 */
import { expect } from 'vitest';
import type { AgencyOid } from '../../src/enroll/domain/identifiers.js';
import { markVerified } from '../../src/enroll/domain/verified-holder.js';
import { InvalidInputError } from '../../src/enroll/errors.js';
import { OrgRegistrationFlow } from '../../src/enroll/flows/org-registration.js';
import { StaticAgencyDirectory } from '../../src/enroll/ports/agency-directory.js';
import { ManualClock } from '../../src/enroll/ports/clock.js';
import type { EnrollStore } from '../../src/enroll/store/store.js';
import { citizenCard, enrollFailure } from './helpers.js';
import { describeMigrationOnExistingDatabases } from './support/migration-on-existing.js';

const ID = '0011-org-administrator-id';
const OID = '2.16.886.101.20003.20065';
const admin = citizenCard(8, { validFrom: '2026-11-01T00:00:00.000Z' });
// As the release at 0010 wrote a registered agency: the administrator's card recorded (0005), no 身分證統一編號.
const SEED = `INSERT INTO enroll_org_registrations (agency_code, status, organization_name, org_authority, org_certificate_serial, org_identifier,
    admin_certificate_serial, admin_name, admin_email, admin_phone, created_at, updated_at, version,
    admin_card_number, admin_authority, admin_subject_name, admin_id_hint, admin_valid_from)
  VALUES ('A03','registered','測試機關','GCA','ab03','${OID}','${admin.certificateSerial}','王小明8','admin@example.gov.tw','02-2345-6789',
    '2026-11-28T01:00:00Z','2026-11-28T01:00:00Z',1,'${admin.cardNumber}','MOICA','${admin.subjectName}','6789','2026-11-01T00:00:00Z')`;

const CASES = [
  ['names as created', []],
  [
    'renamed objects, a DBA CHECK and index beside them',
    [
      'ALTER TABLE enroll_org_registrations RENAME CONSTRAINT enroll_org_registrations_status_check TO org_status_ck',
      'ALTER INDEX enroll_org_registrations_pkey RENAME TO org_registrations_pk',
      `ALTER TABLE enroll_org_registrations ADD CONSTRAINT dba_admin_email_ck CHECK (admin_email LIKE '%@%')`,
      'CREATE INDEX dba_admin_serial ON enroll_org_registrations (admin_certificate_serial)',
    ],
  ],
] as const;

/** The CHECK constraints on the table whose definition names the new column (found by definition, not name). */
const ID_CHECKS = `SELECT conname AS name FROM pg_constraint
  WHERE conrelid = 'enroll_org_registrations'::regclass AND contype = 'c' AND pg_get_constraintdef(oid) LIKE '%admin_national_id%' ORDER BY 1`;


/** What the test checks on either store, once it is open (and so migrated). */
async function checkUpgraded(store: EnrollStore, renames: readonly string[]): Promise<void> {
  const run = (sql: string): Promise<string> => store.transaction((tx) => tx.query(sql)).then(() => 'done', (e: unknown) => String((e as { message?: string }).message));
  const ledger = await store.transaction((tx) => tx.query<{ id: string }>('SELECT id FROM enroll_schema_migrations ORDER BY id'));
  expect(ledger.map((r) => r.id)).toContain(ID);
  // The row as it was, without an ID; the column is nullable text.
  const row = await store.transaction((tx) => tx.query(`SELECT status, admin_name, admin_certificate_serial, admin_national_id FROM enroll_org_registrations`));
  expect(row).toEqual([{ status: 'registered', admin_name: '王小明8', admin_certificate_serial: admin.certificateSerial, admin_national_id: null }]);
  const column = await store.transaction((tx) =>
    tx.query(`SELECT data_type, is_nullable FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'enroll_org_registrations' AND column_name = 'admin_national_id'`),
  );
  expect(column).toEqual([{ data_type: 'text', is_nullable: 'YES' }]);
  expect((await store.transaction((tx) => tx.query<{ name: string }>(ID_CHECKS))).map((r) => r.name)).toEqual(['enroll_org_registrations_admin_national_id_check']);
  // Only the SDK's form of an ID is stored; the DBA's own objects stay.
  for (const bad of ['a123456789', 'A12345678', ' A123456789', 'A323456789']) {
    expect(await run(`UPDATE enroll_org_registrations SET admin_national_id='${bad}'`)).toMatch(/enroll_org_registrations_admin_national_id_check/);
  }
  if (renames.length > 0) {
    expect(await run(`UPDATE enroll_org_registrations SET admin_email='none'`)).toMatch(/dba_admin_email_ck/);
    const indexes = await store.transaction((tx) => tx.query<{ name: string }>(`SELECT indexname AS name FROM pg_indexes WHERE tablename = 'enroll_org_registrations' AND schemaname = current_schema() ORDER BY 1`));
    expect(indexes.map((r) => r.name)).toEqual(['dba_admin_serial', 'org_registrations_pk']);
  }

  // The flow continues: no ID on record, so any ID agreeing with the card opens a session, until 更換機關憑證
  // (the same administrator) records the one typed there.
  const flow = new OrgRegistrationFlow({
    store,
    clock: new ManualClock('2026-11-29T01:00:00Z'),
    agencies: new StaticAgencyDirectory([{ oid: OID as AgencyOid, name: '測試機關', agencyCode: 'A03' }]),
    requireAdministratorNationalId: true,
  });
  const orgCard = (serial: string) => markVerified({ authority: 'GCA' as const, subjectName: '測試機關', certificateSerial: serial, organizationOid: OID });
  expect(await flow.listOperators('A03', { organizationCard: orgCard('ab03'), administratorCard: admin, administratorNationalId: 'A100036789' })).toEqual([]);
  const contact = { name: '王小明8', email: 'admin@example.gov.tw', phone: '02-2345-6789', nationalId: 'A123456789' };
  await flow.replaceOrganizationCertificate('A03', { organizationCard: orgCard('ab04'), administratorCard: admin, administrator: contact });
  expect(await store.transaction((tx) => tx.query('SELECT admin_national_id FROM enroll_org_registrations'))).toEqual([{ admin_national_id: 'A123456789' }]);
  const err = await enrollFailure(flow.listOperators('A03', { organizationCard: orgCard('ab04'), administratorCard: admin, administratorNationalId: 'A100036789' }));
  expect((err as InvalidInputError).issues.map((i) => [i.field, i.code])).toEqual([['session.administratorNationalId', 'NOT_ON_RECORD']]);
  expect(await flow.listOperators('A03', { organizationCard: orgCard('ab04'), administratorCard: admin, administratorNationalId: 'A123456789' })).toEqual([]);
}

describeMigrationOnExistingDatabases({
  migrationId: ID,
  seed: SEED,
  cases: CASES,
  shows: 'applies, keeps the row without an ID, and the flow records one at 更換機關憑證',
  check: checkUpgraded,
});
