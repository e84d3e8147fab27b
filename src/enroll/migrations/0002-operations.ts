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
`,
};
