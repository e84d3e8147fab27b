/**
 * Two facts about the official account system that 0012 could not keep apart.
 *
 * `enroll_official_members.deactivated_at`: when the host reported an activated account not activated any more
 * (停用). 0012's NULL `activated_at` meant both "the 啟動連結 never clicked" and "deactivated", and the refusal
 * told a deactivated member to click a link it clicked long ago. The column is read only while `activated_at` is
 * NULL (a writer of 0012's release that reactivates a member leaves it behind, harmlessly). Backfill: a member not
 * activated now whose trail has a sync that deactivated it (audited `帳號已停用`, written only on that edge) was
 * deactivated at the last such entry; an account once activated never becomes "never activated" again.
 *
 * `enroll_official_applications.cancelled_by`: who ended a cancelled application, `member` (its 取消申請, or its
 * own sync) or `system` (the host's sync that deactivated the account or changed its name or ID, or an approval
 * refused because the account is not activated). A system cancellation does not count toward the manual's
 * 「第二次申請」 (the 申請書 route): the applicant never had a decision and did not withdraw. Backfill from the
 * cancel's audit entry: its actor was the member (role `applicant`) or not. A cancelled row with no such entry stays
 * NULL (unknown) and keeps counting, as it did; so does every other status.
 */
import type { Migration } from './migration.js';

export const officialDeactivationSchema: Migration = {
  id: '0014-official-deactivation',
  sql: `
ALTER TABLE enroll_official_members ADD COLUMN deactivated_at timestamptz;
UPDATE enroll_official_members m SET deactivated_at = d.at
  FROM (SELECT subject, max(at) AS at FROM enroll_audit_log
        WHERE flow = 'officialAccount' AND event = 'syncMember' AND reason LIKE '%帳號已停用%' GROUP BY subject) d
  WHERE d.subject = m.member_id AND m.activated_at IS NULL;

ALTER TABLE enroll_official_applications ADD COLUMN cancelled_by text
  CONSTRAINT enroll_official_applications_cancelled_by_check CHECK (cancelled_by IN ('member', 'system'));
UPDATE enroll_official_applications a
  SET cancelled_by = CASE WHEN c.actor_role = 'applicant' THEN 'member' ELSE 'system' END
  FROM (SELECT DISTINCT ON (subject) subject, actor_role FROM enroll_audit_log
        WHERE flow = 'officialAccount' AND event = 'cancel' ORDER BY subject, id DESC) c
  WHERE c.subject = a.id::text AND a.status = 'cancelled';
`,
};
