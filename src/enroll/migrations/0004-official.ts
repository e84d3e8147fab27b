/**
 * The My E-Government official account system (issue 13, seed emic…): the
 * member reference (the host's general account with its type 一般民眾 /
 * 公務人員 and agency), what the automatic personnel check and the printable
 * 申請書 need on each application, the 取消申請 state, and the citizen card a
 * member uploaded (憑證上傳) for 憑證登入. Existing applications stay readable:
 * every new application column is nullable.
 */
import type { Migration } from './migration.js';
import { dropStatusChecks } from './status-rules-sql.js';

export const officialSchema: Migration = {
  id: '0004-official',
  sql: `
CREATE TABLE enroll_official_members (
  member_id text PRIMARY KEY,
  name text NOT NULL,
  national_id text NOT NULL,
  email text NOT NULL,
  member_type text NOT NULL DEFAULT 'citizen' CHECK (member_type IN ('citizen','official')),
  agency_oid text,
  agency_name text,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  version integer NOT NULL DEFAULT 0,
  CONSTRAINT enroll_official_members_agency_check CHECK ((member_type = 'official') = (agency_oid IS NOT NULL))
);

ALTER TABLE enroll_official_applications ADD COLUMN form_number bigserial;
ALTER TABLE enroll_official_applications ADD COLUMN applicant_name text;
ALTER TABLE enroll_official_applications ADD COLUMN national_id text;
ALTER TABLE enroll_official_applications ADD COLUMN application_item text;
ALTER TABLE enroll_official_applications ADD COLUMN personnel_check jsonb;
ALTER TABLE enroll_official_applications ADD COLUMN review_due_at timestamptz;
ALTER TABLE enroll_official_applications ADD COLUMN decided_at timestamptz;
-- The old status CHECK is found in the catalog, not dropped by name (as 0008 does): a DBA or a restore may have
-- renamed it, and then the by-name DROP failed the upgrade from 0001 (the ledger has ids only, so databases that
-- already ran this migration are not touched by the change; the resulting schema is the same).
${dropStatusChecks('enroll_official_applications')}
ALTER TABLE enroll_official_applications ADD CONSTRAINT enroll_official_applications_status_check
  CHECK (status IN ('underReview','manualReview','approved','rejected','cancelled'));
CREATE INDEX enroll_official_applications_member ON enroll_official_applications (member_id, attempt);

-- 憑證上傳: one citizen card per member; a 卡號 and a certificate serial belong to one member.
CREATE TABLE enroll_official_cards (
  member_id text PRIMARY KEY REFERENCES enroll_official_members (member_id),
  card_number text NOT NULL CONSTRAINT enroll_official_cards_card_key UNIQUE,
  certificate_serial text NOT NULL CONSTRAINT enroll_official_cards_serial_key UNIQUE,
  authority text NOT NULL,
  subject_name text NOT NULL,
  id_hint text,
  anchor text,
  valid_from timestamptz,
  bound_at timestamptz NOT NULL
);
`,
};
