/**
 * The consent to the 用戶約定條款 given before a GEPI review filed at 機關憑證確認 (`requestReview`, 首次註冊 step
 * (一)): no 授權管理者 is named yet, so the row cannot carry the administrator card's serial. It carries what there is:
 * the agency card that asked (`org_certificate_serial`) and the 申請人's 姓名 and 電話 given with it.
 *
 * Only NOT NULL is dropped, three nullable columns added and one constraint added, so every existing row passes and
 * reads as before (an administrator's consent). The CHECK keeps each row someone's: the administrator card's serial,
 * or the agency card with the 申請人. A writer of an earlier release still running during a rolling deploy writes
 * administrator consents as before; a reader of one would read a review consent's serial as the text `null`.
 */
import type { Migration } from './migration.js';

export const orgReviewConsentSchema: Migration = {
  id: '0015-org-review-consent',
  sql: `
ALTER TABLE enroll_org_consents
  ALTER COLUMN admin_certificate_serial DROP NOT NULL,
  ADD COLUMN org_certificate_serial text,
  ADD COLUMN applicant_name text,
  ADD COLUMN applicant_phone text,
  ADD CONSTRAINT enroll_org_consents_who_check CHECK (
    admin_certificate_serial IS NOT NULL
    OR (org_certificate_serial IS NOT NULL AND applicant_name IS NOT NULL AND applicant_phone IS NOT NULL)
  );
`,
};
