/**
 * The activation of an official-account member's general account (docs/decisions.md, "An official-account member
 * has an activation state"): when the host reported the 啟動連結 of its 會員確認信 clicked, or NULL while the
 * account is not activated (never clicked, or deactivated by the host). The manual lets only an activated account
 * apply (「待該帳號啟用後，繼續完成公務轉換申請步驟」).
 *
 * One nullable column, added. The members already stored were synchronized by hosts that reported no activation
 * (the guide said to synchronize an account once it is activated): they are taken as activated when they were
 * first synchronized (`created_at`), so a host that upgrades keeps working. The DEFAULT does the same for a row a
 * writer of an earlier release inserts during a rolling deploy, which names no such column; this release always
 * writes it (NULL for a member not activated). Nothing is dropped or replaced, so no object has to be found in the
 * catalog.
 */
import type { Migration } from './migration.js';

export const officialMemberActivationSchema: Migration = {
  id: '0012-official-member-activation',
  sql: `
ALTER TABLE enroll_official_members ADD COLUMN activated_at timestamptz;
UPDATE enroll_official_members SET activated_at = created_at;
ALTER TABLE enroll_official_members ALTER COLUMN activated_at SET DEFAULT now();
`,
};
