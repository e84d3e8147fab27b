/**
 * A GEPI manual review filed at 機關憑證確認 (`OrgRegistrationFlow.requestReview`, the manual's 首次註冊 step (一),
 * 圖3-6/3-7): the 申請人 gives only 姓名 and 電話, before any 授權管理者 is named, so the row of a review filed
 * that way has no administrator yet. The four administrator columns become nullable; the CHECK keeps them all
 * present or all absent, and present whenever the agency is `registered` (every command of a registered agency
 * authenticates the administrator's card). The full `register` that follows an approved review fills them in.
 *
 * Only NOT NULL is dropped and one constraint added, so every existing row passes. A reader of an earlier release
 * still running during a rolling deploy would read such a row's administrator as the text `null`; it only meets
 * one in the reviewer's queue, and only once this release has filed a review at step (一).
 */
import type { Migration } from './migration.js';

export const orgReviewAtCardCheckSchema: Migration = {
  id: '0013-org-review-at-card-check',
  sql: `
ALTER TABLE enroll_org_registrations
  ALTER COLUMN admin_certificate_serial DROP NOT NULL,
  ALTER COLUMN admin_name DROP NOT NULL,
  ALTER COLUMN admin_email DROP NOT NULL,
  ALTER COLUMN admin_phone DROP NOT NULL,
  ADD CONSTRAINT enroll_org_registrations_administrator_check CHECK (
    (admin_certificate_serial IS NOT NULL AND admin_name IS NOT NULL AND admin_email IS NOT NULL AND admin_phone IS NOT NULL)
    OR (status <> 'registered' AND admin_certificate_serial IS NULL AND admin_name IS NULL AND admin_email IS NULL AND admin_phone IS NULL)
  );
`,
};
