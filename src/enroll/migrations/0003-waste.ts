/**
 * Schema of the waste system's certificate-login application (issue 13): the
 * 網路帳號密碼申請書 fields, its review, and the uploaded stamped form and
 * business-registration copy. The binding itself stays in
 * `enroll_login_accounts` / `enroll_login_bindings`. No password column: 自訂密碼
 * belongs to the host system.
 */
import type { Migration } from './migration.js';

export const wasteSchema: Migration = {
  id: '0003-waste',
  sql: `
CREATE TABLE enroll_waste_applications (
  id uuid PRIMARY KEY,
  business_id text NOT NULL,
  control_number text NOT NULL DEFAULT '',
  status text NOT NULL CHECK (status IN ('awaitingDocuments','underReview','approved','rejected')),
  company_name text NOT NULL,
  representative_name text NOT NULL,
  representative_id text NOT NULL,
  registered_postal_code text NOT NULL,
  registered_address text NOT NULL,
  mailing_postal_code text NOT NULL,
  mailing_address text NOT NULL,
  contact_name text NOT NULL,
  contact_phone1 text NOT NULL,
  contact_phone1_ext text,
  contact_phone2 text,
  contact_phone2_ext text,
  contact_fax text NOT NULL,
  contact_email text NOT NULL,
  citizen_card text NOT NULL CHECK (citizen_card IN ('enabled','disabled')),
  company_card text NOT NULL CHECK (company_card IN ('enabled','disabled')),
  applicant_id text NOT NULL,
  review_note text,
  reviewed_by text,
  reviewed_at timestamptz,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  version integer NOT NULL DEFAULT 0
);
-- One open application per company (統一編號 + 管制編號); approved and rejected ones stay as history.
CREATE UNIQUE INDEX enroll_waste_applications_open_key
  ON enroll_waste_applications (business_id, control_number) WHERE status IN ('awaitingDocuments','underReview');
CREATE INDEX enroll_waste_applications_queue ON enroll_waste_applications (status, created_at, id);

CREATE TABLE enroll_waste_documents (
  application_id uuid NOT NULL REFERENCES enroll_waste_applications (id),
  kind text NOT NULL CHECK (kind IN ('applicationForm','businessRegistration')),
  media_type text NOT NULL CHECK (media_type IN ('application/pdf','image/jpeg','image/png')),
  byte_size integer NOT NULL CHECK (byte_size > 0),
  sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  file_name text,
  content bytea NOT NULL,
  uploaded_at timestamptz NOT NULL,
  uploaded_by text NOT NULL,
  PRIMARY KEY (application_id, kind)
);
`,
};
