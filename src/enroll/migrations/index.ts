/**
 * The ordered migration list. SQL lives in TypeScript modules (not .sql files)
 * so the bundled package carries it without loader or file-path tricks.
 */
import { initialSchema } from './0001-initial.js';
import { operationsSchema } from './0002-operations.js';
import { wasteSchema } from './0003-waste.js';
import { officialSchema } from './0004-official.js';
import { orgCardsSchema } from './0005-org-cards.js';
import { loginCodeUseSchema } from './0006-login-code-use.js';
import { officialPersonSchema } from './0007-official-person.js';
import { unfinishedApplicationsSchema } from './0008-unfinished-applications.js';
import { closedAccountsSchema } from './0009-closed-accounts.js';
import { officialFormReceiptSchema } from './0010-official-form-receipt.js';
import { orgAdministratorIdSchema } from './0011-org-administrator-id.js';
import { officialMemberActivationSchema } from './0012-official-member-activation.js';
import { orgReviewAtCardCheckSchema } from './0013-org-review-at-card-check.js';
import { officialDeactivationSchema } from './0014-official-deactivation.js';
import { orgReviewConsentSchema } from './0015-org-review-consent.js';
import type { Migration } from './migration.js';

export type { Migration } from './migration.js';

/** Every migration, oldest first. */
export const MIGRATIONS: readonly Migration[] = [initialSchema, operationsSchema, wasteSchema, officialSchema, orgCardsSchema, loginCodeUseSchema, officialPersonSchema, unfinishedApplicationsSchema, closedAccountsSchema, officialFormReceiptSchema, orgAdministratorIdSchema, officialMemberActivationSchema, orgReviewAtCardCheckSchema, officialDeactivationSchema, orgReviewConsentSchema];
