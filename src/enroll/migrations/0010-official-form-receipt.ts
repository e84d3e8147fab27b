/**
 * 收件 of the 我的E政府公務帳號申請書 (docs/decisions.md, "The 申請書's arrival
 * starts the one working day"): when the form arrived, by fax or e-mail, and
 * who at the service desk recorded it; the state `formReceived`, which counts
 * as an open application; and an index for the overdue-review query.
 *
 * As in 0004 and 0008, the old status CHECK and the open-application index are
 * found in the catalog rather than dropped by name (a DBA or a restore may have
 * renamed them). The index is the unique partial one on `member_id` alone whose
 * condition is `status = ANY (…)`, as 0001 wrote it; a DBA's other unique
 * partial indexes on the table stay. Rows are not changed: an application that
 * waits for its 申請書 keeps the due time it was given at apply, which
 * `receiveForm` replaces (the overdue query skips `manualReview`).
 */
import type { Migration } from './migration.js';
import { dropOpenIndex, dropStatusChecks } from './status-rules-sql.js';

export const officialFormReceiptSchema: Migration = {
  id: '0010-official-form-receipt',
  sql: `
ALTER TABLE enroll_official_applications ADD COLUMN form_received_at timestamptz;
ALTER TABLE enroll_official_applications ADD COLUMN form_received_via text
  CONSTRAINT enroll_official_applications_received_via_check CHECK (form_received_via IN ('fax','email'));
ALTER TABLE enroll_official_applications ADD COLUMN form_received_by text;
ALTER TABLE enroll_official_applications ADD CONSTRAINT enroll_official_applications_receipt_check
  CHECK ((form_received_at IS NULL) = (form_received_via IS NULL) AND (form_received_at IS NULL) = (form_received_by IS NULL));
${dropStatusChecks('enroll_official_applications')}
${dropOpenIndex('enroll_official_applications', 'member_id', '(status = ANY (ARRAY[%')}
ALTER TABLE enroll_official_applications ADD CONSTRAINT enroll_official_applications_status_check
  CHECK (status IN ('underReview','manualReview','formReceived','approved','rejected','cancelled'));
CREATE UNIQUE INDEX enroll_official_applications_open_key
  ON enroll_official_applications (member_id) WHERE status IN ('underReview','manualReview','formReceived');
CREATE INDEX enroll_official_applications_due
  ON enroll_official_applications (review_due_at) WHERE status IN ('underReview','formReceived');
`,
};
