/** The SQL of `enroll_card_bindings`: citizen cards bound to a control number (account flow). */
import type { ControlNumber } from '../domain/identifiers.js';
import { EnrollError } from '../errors.js';
import { isUniqueViolation } from '../store/sql-errors.js';
import type { Row, SqlSession } from '../store/store.js';
import type { ParsedBinding } from './account-inputs.js';
import { bindingFromRow, type AccountApplication, type CardBinding } from './account-records.js';
import { boundCardFromRow, type BoundCard } from './card-renewal.js';

const CARD_KEY = 'enroll_card_bindings_card_key';
const SERIAL_KEY = 'enroll_card_bindings_serial_key';

/** The seed's refusal of a card or certificate bound elsewhere. */
export function cardBoundError(): EnrollError {
  return new EnrollError('CARD_ALREADY_BOUND', '相同自然人憑證僅限對應乙組管制編號: this card is already bound to a control number');
}

/** Runs a write that may bind a card or serial twice; the unique violation becomes CARD_ALREADY_BOUND. */
async function binding<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if (isUniqueViolation(err, CARD_KEY) || isUniqueViolation(err, SERIAL_KEY)) throw cardBoundError();
    throw err;
  }
}

/** Binds a card (with its renewal data) to an application's control number. */
export function insertBinding(tx: SqlSession, app: AccountApplication, b: ParsedBinding, status: 'pending' | 'active', at: string): Promise<CardBinding> {
  return binding(async () => {
    const rows = await tx.query(
      `INSERT INTO enroll_card_bindings
         (card_number, certificate_serial, control_number, application_id, holder_name, phone, email, status, bound_at,
          authority, subject_name, id_hint, anchor, valid_from)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14) RETURNING *`,
      [b.card.cardNumber, b.card.certificateSerial, app.controlNumber, app.id, b.name, b.phone, b.email, status, at,
        b.card.authority, b.card.subjectName, b.card.idHint ?? null, b.card.anchor ?? null, b.card.validFrom ?? null],
    );
    return bindingFromRow(rows[0] ?? {});
  });
}

/** Releases an application's bindings (rejection). */
export async function deleteBindingsOf(tx: SqlSession, applicationId: string): Promise<void> {
  await tx.query('DELETE FROM enroll_card_bindings WHERE application_id = $1', [applicationId]);
}

/** Activates an application's bindings (activation). */
export async function activateBindingsOf(tx: SqlSession, applicationId: string): Promise<void> {
  await tx.query(`UPDATE enroll_card_bindings SET status = 'active' WHERE application_id = $1`, [applicationId]);
}

/** The cards an application bound (the ones its activation makes active), oldest first. */
export async function bindingsOfApplication(tx: SqlSession, applicationId: string): Promise<CardBinding[]> {
  const rows = await tx.query('SELECT * FROM enroll_card_bindings WHERE application_id = $1 ORDER BY bound_at, card_number', [applicationId]);
  return rows.map(bindingFromRow);
}

/** The cards bound to a control number, oldest first. */
export async function bindingsOf(tx: SqlSession, controlNumber: ControlNumber): Promise<CardBinding[]> {
  const rows = await tx.query('SELECT * FROM enroll_card_bindings WHERE control_number = $1 ORDER BY bound_at, card_number', [controlNumber]);
  return rows.map(bindingFromRow);
}

/**
 * The cards bound to a control number, row-locked, for a command that unbinds
 * them: a login holding one of them (a renewal, or a renewal request) finishes
 * first, so what the command then rejects and deletes is what was bound.
 */
export async function lockBindingsOf(tx: SqlSession, controlNumber: ControlNumber): Promise<CardBinding[]> {
  const rows = await tx.query('SELECT * FROM enroll_card_bindings WHERE control_number = $1 ORDER BY bound_at, card_number FOR UPDATE', [controlNumber]);
  return rows.map(bindingFromRow);
}

/** Unbinds one card of a control number. */
export async function deleteBinding(tx: SqlSession, cardNumber: string, controlNumber: ControlNumber): Promise<void> {
  await tx.query('DELETE FROM enroll_card_bindings WHERE card_number = $1 AND control_number = $2', [cardNumber, controlNumber]);
}

/** A locked binding with what the renewal rule compares. */
export interface LockedBinding {
  /** The binding. */
  readonly binding: CardBinding;
  /** Its renewal data. */
  readonly bound: BoundCard;
  /** The application (account) it belongs to. */
  readonly applicationId: string;
}

function locked(row: Row | undefined): LockedBinding | undefined {
  if (row === undefined) return undefined;
  return { binding: bindingFromRow(row), bound: boundCardFromRow(row), applicationId: String(row.application_id) };
}

/** Locks the active binding of a 卡號 (login). */
export async function lockActiveBinding(tx: SqlSession, cardNumber: string): Promise<LockedBinding | undefined> {
  return locked((await tx.query(`SELECT * FROM enroll_card_bindings WHERE card_number = $1 AND status = 'active' FOR UPDATE`, [cardNumber]))[0]);
}

/**
 * Whether the card's 卡號 or its certificate's serial is bound to any control number, pending or active: what the
 * unique keys make `insertBinding` refuse (CARD_ALREADY_BOUND), read without writing.
 */
export async function isCardBound(tx: SqlSession, card: ParsedBinding['card']): Promise<boolean> {
  const rows = await tx.query('SELECT 1 FROM enroll_card_bindings WHERE card_number = $1 OR certificate_serial = $2 LIMIT 1', [
    card.cardNumber,
    card.certificateSerial,
  ]);
  return rows.length > 0;
}

/** Whether a 卡號 is bound, pending, by an application not yet activated. */
export async function hasPendingBinding(tx: SqlSession, cardNumber: string): Promise<boolean> {
  return (await tx.query(`SELECT 1 FROM enroll_card_bindings WHERE card_number = $1 AND status = 'pending'`, [cardNumber])).length > 0;
}

/** Locks the binding of a 卡號 with a given serial (a reviewer's acceptance of a renewal). */
export async function lockBindingWithSerial(tx: SqlSession, cardNumber: string, serial: string): Promise<LockedBinding | undefined> {
  return locked((await tx.query('SELECT * FROM enroll_card_bindings WHERE card_number = $1 AND certificate_serial = $2 FOR UPDATE', [cardNumber, serial]))[0]);
}

/** Moves a binding to a renewed certificate. */
export function renewBinding(tx: SqlSession, bound: BoundCard, newSerial: string, validFrom: string | undefined): Promise<CardBinding> {
  return binding(async () => {
    const rows = await tx.query(
      'UPDATE enroll_card_bindings SET certificate_serial = $3, valid_from = $4 WHERE card_number = $1 AND certificate_serial = $2 RETURNING *',
      [bound.cardNumber, bound.certificateSerial, newSerial, validFrom ?? null],
    );
    return bindingFromRow(rows[0] ?? {});
  });
}
