/**
 * An unfinished application can be replaced by a new one instead of keeping
 * its control number (or 統一編號 + 管制編號) for ever: the state `abandoned`
 * (docs/decisions.md, "Unfinished applications do not lock a company out").
 *
 * The old status CHECKs and the GPS open-application index are found in the
 * catalog rather than dropped by name: a DBA or a restore may have renamed
 * them, and a renamed old CHECK left in place would refuse every `abandoned`
 * (an old index would keep counting abandoned applications as open). The
 * index is the unique partial one on `control_number` alone whose condition
 * is `status NOT IN (…)`, as every release wrote it; a DBA's other unique
 * partial indexes on the table (`WHERE status = 'active'` included) stay
 * (until 2026-12-02 every unique partial index there was dropped).
 */
import type { Migration } from './migration.js';
import { dropOpenIndex, dropStatusChecks } from './status-rules-sql.js';

export const unfinishedApplicationsSchema: Migration = {
  id: '0008-unfinished-applications',
  sql: `
${dropStatusChecks('enroll_account_applications')}
${dropStatusChecks('enroll_waste_applications')}
${dropOpenIndex('enroll_account_applications', 'control_number', '(status <> ALL (ARRAY[%')}
ALTER TABLE enroll_account_applications ADD CONSTRAINT enroll_account_applications_status_check
  CHECK (status IN ('draft','basicDataVerified','emsRejected','underReview','approved','rejected','active','abandoned'));
CREATE UNIQUE INDEX enroll_account_applications_open_key
  ON enroll_account_applications (control_number) WHERE status NOT IN ('emsRejected','rejected','abandoned');
ALTER TABLE enroll_waste_applications ADD CONSTRAINT enroll_waste_applications_status_check
  CHECK (status IN ('awaitingDocuments','underReview','approved','rejected','abandoned'));
`,
};
