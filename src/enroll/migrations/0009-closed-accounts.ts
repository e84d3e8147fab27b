/**
 * An active account staff closed (`closed`: its cards unbound) frees its
 * control number for a new application (docs/decisions.md, "A company whose
 * last card is gone"). As in 0008, the old status CHECK and the open-application
 * index are found in the catalog rather than dropped by name (the same
 * index only: see 0008).
 */
import type { Migration } from './migration.js';

export const closedAccountsSchema: Migration = {
  id: '0009-closed-accounts',
  sql: `
DO $twpki$
DECLARE
  found record;
BEGIN
  FOR found IN
    SELECT c.conname
      FROM pg_constraint c
     WHERE c.conrelid = 'enroll_account_applications'::regclass
       AND c.contype = 'c'
       AND pg_get_constraintdef(c.oid) LIKE 'CHECK ((status = ANY %'
  LOOP
    EXECUTE format('ALTER TABLE enroll_account_applications DROP CONSTRAINT %I', found.conname);
  END LOOP;
  FOR found IN
    SELECT i.indexrelid::regclass AS idx
      FROM pg_index i
     WHERE i.indrelid = 'enroll_account_applications'::regclass
       AND i.indisunique AND i.indpred IS NOT NULL
       AND i.indnkeyatts = 1 AND i.indexprs IS NULL
       AND i.indkey[0] = (SELECT a.attnum FROM pg_attribute a WHERE a.attrelid = i.indrelid AND a.attname = 'control_number')
       AND pg_get_expr(i.indpred, i.indrelid) LIKE '(status <> ALL (ARRAY[%'
  LOOP
    EXECUTE format('DROP INDEX %s', found.idx);
  END LOOP;
END
$twpki$;
ALTER TABLE enroll_account_applications ADD CONSTRAINT enroll_account_applications_status_check
  CHECK (status IN ('draft','basicDataVerified','emsRejected','underReview','approved','rejected','active','abandoned','closed'));
CREATE UNIQUE INDEX enroll_account_applications_open_key
  ON enroll_account_applications (control_number) WHERE status NOT IN ('emsRejected','rejected','abandoned','closed');
`,
};
