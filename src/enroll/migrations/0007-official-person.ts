/**
 * Looks a person up by 身分證統一編號 across member accounts: an official
 * account is approved automatically only on the person's first application,
 * not each account's (docs/decisions.md, "One person, several accounts").
 */
import type { Migration } from './migration.js';

export const officialPersonSchema: Migration = {
  id: '0007-official-person',
  sql: `
CREATE INDEX IF NOT EXISTS enroll_official_members_national_id ON enroll_official_members (national_id);
CREATE INDEX IF NOT EXISTS enroll_official_applications_national_id ON enroll_official_applications (national_id);
`,
};
