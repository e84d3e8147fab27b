/**
 * Schema for running the flows for years (issue 12): who owns a record
 * (authorization inside commands), what a renewal is compared with (card
 * lifecycle), review queues, GPS result-page keys, GEPI consents and the
 * official-account attestation.
 */
import type { Migration } from './migration.js';

export const operationsSchema: Migration = {
  id: '0002-operations',
  sql: `
ALTER TABLE enroll_account_applications ADD COLUMN applicant_id text;
ALTER TABLE enroll_login_accounts ADD COLUMN requested_by text;

ALTER TABLE enroll_card_bindings ADD COLUMN authority text;
ALTER TABLE enroll_card_bindings ADD COLUMN subject_name text;
ALTER TABLE enroll_card_bindings ADD COLUMN id_hint text;
ALTER TABLE enroll_card_bindings ADD COLUMN anchor text;
ALTER TABLE enroll_card_bindings ADD COLUMN valid_from timestamptz;
ALTER TABLE enroll_login_bindings ADD COLUMN authority text;
ALTER TABLE enroll_login_bindings ADD COLUMN id_hint text;
ALTER TABLE enroll_login_bindings ADD COLUMN anchor text;
ALTER TABLE enroll_login_bindings ADD COLUMN valid_from timestamptz;

ALTER TABLE enroll_official_applications ADD COLUMN attested_at timestamptz;

-- Single-purpose keys of the rejection mail's result page (AccountApplyResult?key=…); only the hash is kept.
CREATE TABLE enroll_result_keys (
  key_hash text PRIMARY KEY,
  application_id uuid NOT NULL REFERENCES enroll_account_applications (id),
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL
);

-- Consent to the 用戶約定條款, per GEPI sub-function (首次註冊, 更換…).
CREATE TABLE enroll_org_consents (
  id bigserial PRIMARY KEY,
  agency_code text NOT NULL,
  sub_function text NOT NULL,
  terms_version text NOT NULL,
  admin_certificate_serial text NOT NULL,
  accepted_at timestamptz NOT NULL
);

-- Renewals waiting for a reviewer (policy 'review'), for every flow.
CREATE TABLE enroll_card_renewals (
  id uuid PRIMARY KEY,
  flow text NOT NULL,
  card_number text NOT NULL,
  old_serial text NOT NULL,
  new_serial text NOT NULL,
  new_valid_from timestamptz,
  status text NOT NULL CHECK (status IN ('pending','accepted','rejected')),
  requested_at timestamptz NOT NULL,
  decided_at timestamptz,
  decided_by text
);
CREATE UNIQUE INDEX enroll_card_renewals_open_key ON enroll_card_renewals (flow, new_serial) WHERE status = 'pending';
`,
};
