/** The SQL of `enroll_org_operators`: an agency's operators (經辦人), by certificate serial, with their recorded cards. */
import type { CardIdentity } from '../domain/card-holder.js';
import type { CertificateSerial } from '../domain/identifiers.js';
import { EnrollError } from '../errors.js';
import { isUniqueViolation } from '../store/sql-errors.js';
import { optionalText } from '../store/rows.js';
import type { Row, SqlSession } from '../store/store.js';
import { boundCardFromRow, type BoundCard } from './card-renewal.js';
import type { ParsedOperator } from './org-inputs.js';
import { operatorFromRow, type Operator } from './org-records.js';
import { CARD_COLUMNS, cardValues } from './org-registrations-table.js';

/** Runs a write that may assign a serial twice; the key violation becomes OPERATOR_EXISTS. */
async function assigning<T>(code: string, serial: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if (isUniqueViolation(err, 'enroll_org_operators_pkey')) {
      throw new EnrollError('OPERATOR_EXISTS', `certificate ${serial} is already an operator of ${code}`);
    }
    throw err;
  }
}

/** 新增授權經辦人. */
export function insertOperator(tx: SqlSession, code: string, op: ParsedOperator, at: string): Promise<Operator> {
  return assigning(code, op.certificateSerial, async () => {
    const rows = await tx.query(
      `INSERT INTO enroll_org_operators (agency_code, certificate_serial, name, national_id, permissions, created_at, updated_at)
       VALUES ($1,$2,$3,$4,$5::jsonb,$6,$6) RETURNING *`,
      [code, op.certificateSerial, op.name, op.nationalId, JSON.stringify(op.permissions), at],
    );
    return operatorFromRow(rows[0] ?? {});
  });
}

/** 修改授權經辦人資料; a new serial (a reissued card) forgets the recorded card. NOT_FOUND when `serial` is not assigned. */
export function updateOperator(tx: SqlSession, code: string, serial: string, op: ParsedOperator, at: string): Promise<Operator> {
  const forget = CARD_COLUMNS.map((c) => `${c}=CASE WHEN certificate_serial=$3 THEN ${c} END`).join(', ');
  return assigning(code, op.certificateSerial, async () => {
    const rows = await tx.query(
      `UPDATE enroll_org_operators SET ${forget}, certificate_serial=$3, name=$4, national_id=$5, permissions=$6::jsonb, updated_at=$7
       WHERE agency_code=$1 AND certificate_serial=$2 RETURNING *`,
      [code, serial, op.certificateSerial, op.name, op.nationalId, JSON.stringify(op.permissions), at],
    );
    if (rows[0] === undefined) throw new EnrollError('NOT_FOUND', `no operator with certificate ${serial}`);
    return operatorFromRow(rows[0]);
  });
}

/** 刪除授權經辦人, returning its recorded 卡號 (if any); NOT_FOUND when `serial` is not assigned. */
export async function deleteOperator(tx: SqlSession, code: string, serial: string): Promise<{ cardNumber: string | undefined }> {
  const gone = await tx.query('DELETE FROM enroll_org_operators WHERE agency_code=$1 AND certificate_serial=$2 RETURNING card_number', [code, serial]);
  if (gone[0] === undefined) throw new EnrollError('NOT_FOUND', `no operator with certificate ${serial}`);
  return { cardNumber: optionalText(gone[0].card_number) };
}

/** Locks the operator assigned `serial` and returns its recorded 卡號 (if any); NOT_FOUND when none is. */
export async function lockOperatorCard(tx: SqlSession, code: string, serial: string): Promise<{ cardNumber: string | undefined }> {
  const rows = await tx.query('SELECT card_number FROM enroll_org_operators WHERE agency_code=$1 AND certificate_serial=$2 FOR UPDATE', [code, serial]);
  if (rows[0] === undefined) throw new EnrollError('NOT_FOUND', `no operator with certificate ${serial}`);
  return { cardNumber: optionalText(rows[0].card_number) };
}

/**
 * True when a binding of the organization flow still holds this card and
 * serial (an operator of another agency, or an administrator): a renewal
 * request of the card is shared by them (`requestRenewalReview`) and can
 * still be accepted for it. The bindings are read without locks: locking
 * another agency's rows would take them out of that agency's order
 * (registration, then operator). The card's pending requests are locked
 * first instead, the order every path keeps (binding, then request): two
 * agencies dropping the card at once then decide one after the other, and
 * the second reads the bindings after the first committed (each statement
 * sees what committed before it). Unlocked, each saw the other's binding and
 * neither rejected the shared request.
 */
export async function orgCardStillBound(tx: SqlSession, cardNumber: string, serial: string): Promise<boolean> {
  await tx.query(
    `SELECT id FROM enroll_card_renewals WHERE flow='organization' AND status='pending' AND card_number=$1 AND old_serial=$2 FOR UPDATE`,
    [cardNumber, serial],
  );
  const rows = await tx.query(
    `SELECT 1 FROM enroll_org_operators WHERE card_number=$1 AND certificate_serial=$2
     UNION ALL
     SELECT 1 FROM enroll_org_registrations WHERE admin_card_number=$1 AND admin_certificate_serial=$2 AND status='registered'
     LIMIT 1`,
    [cardNumber, serial],
  );
  return rows.length > 0;
}

/** An agency's operators, oldest first. */
export async function operatorsOf(tx: SqlSession, code: string): Promise<Operator[]> {
  return (await tx.query('SELECT * FROM enroll_org_operators WHERE agency_code=$1 ORDER BY created_at, certificate_serial', [code])).map(operatorFromRow);
}

/** The operator row assigned `serial` in a registered agency. */
export async function assignedOperator(tx: SqlSession, code: string, serial: string): Promise<Row | undefined> {
  const rows = await tx.query(
    `SELECT o.* FROM enroll_org_operators o JOIN enroll_org_registrations r USING (agency_code)
      WHERE o.agency_code=$1 AND o.certificate_serial=$2 AND r.status='registered'`,
    [code, serial],
  );
  return rows[0];
}

/** Records an operator's card at its first verified login with the assigned serial (the first login wins). */
export async function recordOperatorCard(tx: SqlSession, code: string, serial: CertificateSerial, card: CardIdentity): Promise<void> {
  const set = CARD_COLUMNS.map((c, i) => `${c}=$${i + 3}`).join(', ');
  await tx.query(`UPDATE enroll_org_operators SET ${set} WHERE agency_code=$1 AND certificate_serial=$2 AND card_number IS NULL`, [
    code,
    serial,
    ...cardValues(card),
  ]);
}

/** Locks the operator of a registered agency whose recorded card has this 卡號. */
export async function lockOperatorByCard(tx: SqlSession, code: string, cardNumber: string): Promise<BoundCard | undefined> {
  const rows = await tx.query(
    `SELECT o.* FROM enroll_org_operators o JOIN enroll_org_registrations r USING (agency_code)
      WHERE o.agency_code=$1 AND o.card_number=$2 AND r.status='registered' ORDER BY o.updated_at DESC LIMIT 1 FOR UPDATE OF o`,
    [code, cardNumber],
  );
  return rows[0] === undefined ? undefined : boundCardFromRow(rows[0]);
}

/** Locks the operator (of any agency) whose recorded card has this 卡號 and serial. */
export async function lockOperatorWithCard(tx: SqlSession, cardNumber: string, serial: string): Promise<{ code: string; bound: BoundCard } | undefined> {
  const rows = await tx.query('SELECT * FROM enroll_org_operators WHERE card_number=$1 AND certificate_serial=$2 FOR UPDATE', [cardNumber, serial]);
  const row = rows[0];
  return row === undefined ? undefined : { code: String(row.agency_code), bound: boundCardFromRow(row) };
}

/** Moves an operator to the card's renewed certificate. */
export async function moveOperator(tx: SqlSession, code: string, bound: BoundCard, serial: string, validFrom: string | undefined, at: string): Promise<void> {
  await tx.query(
    'UPDATE enroll_org_operators SET certificate_serial=$3, valid_from=$4, updated_at=$5 WHERE agency_code=$1 AND certificate_serial=$2',
    [code, bound.certificateSerial, serial, validFrom ?? null, at],
  );
}
