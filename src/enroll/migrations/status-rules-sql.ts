/**
 * SQL for migrations that widen a table's set of states: the old status CHECK and the open-application index are
 * found in the catalog by what they say, not dropped by name (a DBA or a restore may have renamed them, and a
 * renamed old CHECK left in place would refuse every new state; an old index would keep counting the new state
 * as open). The migration then adds the new CHECK and index under their own names.
 */

/** A `DO` block dropping every status CHECK (`CHECK ((status = ANY …`) of `table`. */
export function dropStatusChecks(table: string): string {
  return `DO $twpki$
DECLARE
  found record;
BEGIN
  FOR found IN
    SELECT c.conname
      FROM pg_constraint c
     WHERE c.conrelid = '${table}'::regclass
       AND c.contype = 'c'
       AND pg_get_constraintdef(c.oid) LIKE 'CHECK ((status = ANY %'
  LOOP
    EXECUTE format('ALTER TABLE ${table} DROP CONSTRAINT %I', found.conname);
  END LOOP;
END
$twpki$;`;
}

/**
 * A `DO` block dropping `table`'s open-application index: the unique partial one on `keyColumn` alone whose
 * condition starts as `predicateStart` says, as every release wrote it; a DBA's other unique partial indexes on
 * the table stay.
 * @param predicateStart how the index condition's text begins in `pg_get_expr` (a LIKE pattern), e.g.
 *   `(status = ANY (ARRAY[%` for `status IN (…)`, `(status <> ALL (ARRAY[%` for `status NOT IN (…)`.
 */
export function dropOpenIndex(table: string, keyColumn: string, predicateStart: string): string {
  return `DO $twpki$
DECLARE
  found record;
BEGIN
  FOR found IN
    SELECT i.indexrelid::regclass AS idx
      FROM pg_index i
     WHERE i.indrelid = '${table}'::regclass
       AND i.indisunique AND i.indpred IS NOT NULL
       AND i.indnkeyatts = 1 AND i.indexprs IS NULL
       AND i.indkey[0] = (SELECT a.attnum FROM pg_attribute a WHERE a.attrelid = i.indrelid AND a.attname = '${keyColumn}')
       AND pg_get_expr(i.indpred, i.indrelid) LIKE '${predicateStart}'
  LOOP
    EXECUTE format('DROP INDEX %s', found.idx);
  END LOOP;
END
$twpki$;`;
}
