/**
 * An active account staff closed (`closed`: its cards unbound) frees its
 * control number for a new application (docs/decisions.md, "A company whose
 * last card is gone"). As in 0008, the old status CHECK and the open-application
 * index are found in the catalog rather than dropped by name (the same
 * index only: see 0008).
 */
import type { Migration } from './migration.js';
import { dropOpenIndex, dropStatusChecks } from './status-rules-sql.js';

export const closedAccountsSchema: Migration = {
  id: '0009-closed-accounts',
  sql: `
${dropStatusChecks('enroll_account_applications')}
${dropOpenIndex('enroll_account_applications', 'control_number', '(status <> ALL (ARRAY[%')}
ALTER TABLE enroll_account_applications ADD CONSTRAINT enroll_account_applications_status_check
  CHECK (status IN ('draft','basicDataVerified','emsRejected','underReview','approved','rejected','active','abandoned','closed'));
CREATE UNIQUE INDEX enroll_account_applications_open_key
  ON enroll_account_applications (control_number) WHERE status NOT IN ('emsRejected','rejected','abandoned','closed');
`,
};
