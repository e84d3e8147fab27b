/**
 * The 授權管理者身分證統一編號 of an organization registration (docs/decisions.md, "GEPI 授權指派: the SDK
 * checks the 授權管理者身分證統一編號" and "GEPI: the registered administrator's 身分證統一編號"): written at 首次註冊
 * and at each 更換憑證 from `administrator.nationalId`, so a session's typed ID can be compared with the
 * registered administrator's and not only with the last digits on the card.
 *
 * One nullable column, added: a registration made before it has none (NULL, compared with nothing until its next
 * 更換憑證 records one), and a writer of an earlier release still running during a rolling deploy leaves it NULL.
 * Nothing is dropped or replaced, so no object has to be found in the catalog (0008–0010 had to). The CHECK is
 * the SDK's own form of the ID (`parseNationalId`: upper-case letter, 1/2/8/9, eight digits), so an exact
 * comparison never misses an ID stored in another case or with spaces.
 */
import type { Migration } from './migration.js';

export const orgAdministratorIdSchema: Migration = {
  id: '0011-org-administrator-id',
  sql: `
ALTER TABLE enroll_org_registrations ADD COLUMN admin_national_id text
  CONSTRAINT enroll_org_registrations_admin_national_id_check CHECK (admin_national_id ~ '^[A-Z][1289][0-9]{8}$');
`,
};
