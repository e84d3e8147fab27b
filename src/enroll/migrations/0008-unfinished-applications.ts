/**
 * An unfinished application can be replaced by a new one instead of keeping
 * its control number (or 統一編號 + 管制編號) for ever: the state `abandoned`
 * (docs/decisions.md, "Unfinished applications do not lock a company out").
 */
import type { Migration } from './migration.js';

export const unfinishedApplicationsSchema: Migration = {
  id: '0008-unfinished-applications',
  sql: `
ALTER TABLE enroll_account_applications DROP CONSTRAINT enroll_account_applications_status_check;
ALTER TABLE enroll_account_applications ADD CONSTRAINT enroll_account_applications_status_check
  CHECK (status IN ('draft','basicDataVerified','emsRejected','underReview','approved','rejected','active','abandoned'));
DROP INDEX enroll_account_applications_open_key;
CREATE UNIQUE INDEX enroll_account_applications_open_key
  ON enroll_account_applications (control_number) WHERE status NOT IN ('emsRejected','rejected','abandoned');
ALTER TABLE enroll_waste_applications DROP CONSTRAINT enroll_waste_applications_status_check;
ALTER TABLE enroll_waste_applications ADD CONSTRAINT enroll_waste_applications_status_check
  CHECK (status IN ('awaitingDocuments','underReview','approved','rejected','abandoned'));
`,
};
