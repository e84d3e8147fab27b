/**
 * Which login methods a company's current verification code has already
 * enabled a card for (docs/decisions.md, "A 驗證碼 enables one card per
 * method"). A new code clears both; rows from before this migration start
 * with an unused code.
 */
import type { Migration } from './migration.js';

export const loginCodeUseSchema: Migration = {
  id: '0006-login-code-use',
  sql: `
ALTER TABLE enroll_login_accounts
  ADD COLUMN code_used_citizen_card boolean NOT NULL DEFAULT false,
  ADD COLUMN code_used_company_card boolean NOT NULL DEFAULT false;
`,
};
