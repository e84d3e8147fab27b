/**
 * Initial schema. Business invariants live here as constraints so they hold even
 * when two backends race or a process dies mid-command:
 * - a card number and a certificate serial bind to one control number (UNIQUE);
 * - one open application per control number (partial UNIQUE index);
 * - an activation token is consumed by a conditional UPDATE and at most one token
 *   per application is ever used (partial UNIQUE index).
 */
import type { Migration } from './migration.js';

export const initialSchema: Migration = {
  id: '0001-initial',
  sql: `
CREATE TABLE enroll_account_applications (
  id uuid PRIMARY KEY,
  control_number text NOT NULL,
  status text NOT NULL CHECK (status IN ('draft','basicDataVerified','emsRejected','underReview','approved','rejected','active')),
  basic_data jsonb,
  ems_comparison jsonb,
  review_note text,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  version integer NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX enroll_account_applications_open_key
  ON enroll_account_applications (control_number) WHERE status NOT IN ('emsRejected','rejected');

CREATE TABLE enroll_card_bindings (
  card_number text NOT NULL CONSTRAINT enroll_card_bindings_card_key UNIQUE,
  certificate_serial text NOT NULL CONSTRAINT enroll_card_bindings_serial_key UNIQUE,
  control_number text NOT NULL,
  application_id uuid NOT NULL REFERENCES enroll_account_applications (id),
  holder_name text NOT NULL,
  phone text NOT NULL,
  email text NOT NULL,
  status text NOT NULL CHECK (status IN ('pending','active')),
  bound_at timestamptz NOT NULL
);
CREATE INDEX enroll_card_bindings_control_number ON enroll_card_bindings (control_number);

CREATE TABLE enroll_activation_tokens (
  token_hash text PRIMARY KEY,
  application_id uuid NOT NULL REFERENCES enroll_account_applications (id),
  sent_to text NOT NULL,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  used_at timestamptz,
  revoked_at timestamptz,
  CHECK (used_at IS NULL OR revoked_at IS NULL)
);
CREATE UNIQUE INDEX enroll_activation_tokens_used_once
  ON enroll_activation_tokens (application_id) WHERE used_at IS NOT NULL;

CREATE TABLE enroll_login_accounts (
  business_id text NOT NULL,
  control_number text NOT NULL DEFAULT '',
  status text NOT NULL CHECK (status IN ('awaitingBinding','bound')),
  company_name text NOT NULL,
  verification_code_hash text NOT NULL,
  code_expires_at timestamptz NOT NULL,
  failed_code_attempts integer NOT NULL DEFAULT 0,
  citizen_card text NOT NULL CHECK (citizen_card IN ('enabled','disabled')),
  company_card text NOT NULL CHECK (company_card IN ('enabled','disabled')),
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  version integer NOT NULL DEFAULT 0,
  PRIMARY KEY (business_id, control_number)
);

CREATE TABLE enroll_login_bindings (
  certificate_serial text NOT NULL CONSTRAINT enroll_login_bindings_serial_key UNIQUE,
  card_number text CONSTRAINT enroll_login_bindings_card_key UNIQUE,
  method text NOT NULL CHECK (method IN ('citizenCard','companyCard')),
  business_id text NOT NULL,
  control_number text NOT NULL,
  holder_name text NOT NULL,
  bound_at timestamptz NOT NULL,
  FOREIGN KEY (business_id, control_number) REFERENCES enroll_login_accounts (business_id, control_number)
);

CREATE TABLE enroll_org_registrations (
  agency_code text PRIMARY KEY,
  status text NOT NULL CHECK (status IN ('unregistered','manualReview','reviewApproved','reviewRejected','registered')),
  organization_name text NOT NULL,
  org_authority text NOT NULL,
  org_certificate_serial text NOT NULL,
  org_identifier text NOT NULL,
  admin_certificate_serial text NOT NULL,
  admin_name text NOT NULL,
  admin_email text NOT NULL,
  admin_phone text NOT NULL,
  review_contact_name text,
  review_contact_phone text,
  retry_not_before timestamptz,
  review_note text,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  version integer NOT NULL DEFAULT 0
);

CREATE TABLE enroll_org_operators (
  agency_code text NOT NULL REFERENCES enroll_org_registrations (agency_code),
  certificate_serial text NOT NULL,
  name text NOT NULL,
  national_id text NOT NULL,
  permissions jsonb NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  CONSTRAINT enroll_org_operators_pkey PRIMARY KEY (agency_code, certificate_serial)
);

CREATE TABLE enroll_org_registration_records (
  id bigserial PRIMARY KEY,
  agency_code text NOT NULL,
  organization_name text NOT NULL,
  item text NOT NULL,
  received_at timestamptz NOT NULL
);

CREATE TABLE enroll_official_applications (
  id uuid PRIMARY KEY,
  member_id text NOT NULL,
  agency_oid text NOT NULL,
  agency_name text NOT NULL,
  reason text NOT NULL,
  status text NOT NULL CHECK (status IN ('underReview','manualReview','approved','rejected')),
  attempt integer NOT NULL,
  review_note text,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  version integer NOT NULL DEFAULT 0,
  CONSTRAINT enroll_official_applications_attempt_key UNIQUE (member_id, attempt)
);
CREATE UNIQUE INDEX enroll_official_applications_open_key
  ON enroll_official_applications (member_id) WHERE status IN ('underReview','manualReview');

CREATE TABLE enroll_audit_log (
  id bigserial PRIMARY KEY,
  flow text NOT NULL,
  subject text NOT NULL,
  actor_role text NOT NULL,
  actor_id text NOT NULL,
  at timestamptz NOT NULL,
  event text NOT NULL,
  from_state text NOT NULL,
  to_state text NOT NULL,
  reason text
);
CREATE INDEX enroll_audit_log_subject ON enroll_audit_log (flow, subject, id);
`,
};
