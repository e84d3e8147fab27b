/**
 * What migrations 0008 and 0009 must leave alone: unique partial indexes a DBA added to the applications table
 * beside the open-application index those migrations replace.
 */

/** Unique partial indexes a DBA may have added to the table: not the open-application index, so a migration keeps them. */
export const DBA_INDEXES = [
  // On control_number alone, with a condition on status: not the open-application index all the same.
  `CREATE UNIQUE INDEX dba_one_active_account ON enroll_account_applications (control_number) WHERE status = 'active'`,
  `CREATE UNIQUE INDEX dba_one_review_per_applicant ON enroll_account_applications (applicant_id) WHERE status = 'underReview'`,
  `CREATE UNIQUE INDEX dba_noted_number_once ON enroll_account_applications (control_number) WHERE review_note IS NOT NULL`,
  `CREATE UNIQUE INDEX dba_open_number_folded ON enroll_account_applications (lower(control_number)) WHERE status = 'active'`,
];

/** The unique partial indexes on the applications table, by name. */
export const UNIQUE_PARTIAL = `SELECT i.indexrelid::regclass::text AS name FROM pg_index i
  WHERE i.indrelid = 'enroll_account_applications'::regclass AND i.indisunique AND i.indpred IS NOT NULL ORDER BY 1`;
