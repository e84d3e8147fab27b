/**
 * The organization flow's side of the card-renewal rule (`card-renewal.ts`):
 * what it records about the administrator's and the operators' citizen cards,
 * and the renewal of either inside a command's transaction.
 *
 * The administrator's card is recorded at 首次註冊 and each 更換憑證. An
 * operator is assigned by certificate serial alone (the seed's 新增授權經辦人),
 * so an operator's card is recorded at the first verified login with that
 * serial; a hand-built holder never records anything, since serials are not
 * secret and the record is what a later renewal is compared with.
 */
import type { CardIdentity } from '../domain/card-holder.js';
import type { CertificateSerial } from '../domain/identifiers.js';
import { EnrollError } from '../errors.js';
import type { SqlSession } from '../store/store.js';
import { boundCardFromRow, resolveRenewal, type BoundCard, type PendingRenewal } from './card-renewal.js';
import type { OrgRegistration } from './org-records.js';
import type { OrgRegistrationOptions } from './org-shared.js';

/** Whose card a renewal of the organization flow moves. */
export type OrgCardHolder = 'administrator' | 'operator';

/** Outcome of a reviewer's acceptance of an organization card renewal. */
export interface OrgCardRenewal {
  /** Agency whose binding moved. */
  readonly agencyCode: string;
  /** The administrator's card or an operator's. */
  readonly holder: OrgCardHolder;
  /** 卡號 */
  readonly cardNumber: string;
  /** The serial now bound. */
  readonly certificateSerial: CertificateSerial;
}

/** Columns a card is recorded in (operators: as named; the administrator: prefixed `admin_`). */
const CARD_COLUMNS = ['card_number', 'authority', 'subject_name', 'id_hint', 'anchor', 'valid_from'] as const;

function cardValues(card: CardIdentity): unknown[] {
  return [card.cardNumber ?? null, card.authority, card.subjectName, card.idHint ?? null, card.anchor ?? null, card.validFrom ?? null];
}

/** Records the registered administrator card's renewal data (首次註冊, 更換憑證). */
export async function recordAdministratorCard(tx: SqlSession, code: string, card: CardIdentity): Promise<void> {
  const set = CARD_COLUMNS.map((c, i) => `admin_${c}=$${i + 2}`).join(', ');
  await tx.query(`UPDATE enroll_org_registrations SET ${set} WHERE agency_code=$1`, [code, ...cardValues(card)]);
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

/** SET clause that forgets an operator's recorded card when its serial changes to `$param` (修改授權經辦人資料). */
export function forgetCardOnNewSerial(param: string): string {
  return CARD_COLUMNS.map((c) => `${c}=CASE WHEN certificate_serial=${param} THEN ${c} END`).join(', ');
}

/** The administrator card recorded on a (locked) registration row. */
async function administratorCard(tx: SqlSession, code: string): Promise<BoundCard | undefined> {
  const rows = await tx.query('SELECT * FROM enroll_org_registrations WHERE agency_code=$1', [code]);
  return rows[0] === undefined ? undefined : boundCardFromRow(rows[0], 'admin_');
}

/**
 * Before a command authenticates the administrator card: when the presented
 * card is not the registered certificate but carries the registered 卡號,
 * applies the renewal rule (as the system, audited on `code`). `none` when
 * there is nothing to judge; `renewed` when the registration now holds the
 * presented serial; otherwise the error to throw after the transaction
 * committed its audit entry.
 */
export async function renewAdministratorCard(
  o: OrgRegistrationOptions,
  tx: SqlSession,
  reg: OrgRegistration | undefined,
  admin: CardIdentity,
  at: string,
): Promise<'none' | 'renewed' | EnrollError> {
  if (reg?.status !== 'registered' || admin.certificateSerial === reg.administrator.certificateSerial || admin.cardNumber === undefined) return 'none';
  const bound = await administratorCard(tx, reg.agencyCode);
  if (bound === undefined || bound.cardNumber !== admin.cardNumber) return 'none';
  const result = await resolveRenewal(tx, bound, admin, {
    flow: 'organization',
    subject: reg.agencyCode,
    state: reg.status,
    policy: o.renewal,
    at,
    refusal: '授權管理者自然人憑證與註冊資料不符',
    renew: async () => {
      await moveAdministrator(tx, reg.agencyCode, bound, admin.certificateSerial, admin.validFrom, at);
    },
  });
  return result === 'same' ? 'none' : result;
}

/**
 * An operator login whose serial is not assigned: when an operator of `code`
 * has the presented 卡號 on record, applies the renewal rule. `undefined` when
 * no operator has that 卡號; `renewed` with the operator's serial moved;
 * otherwise the error to throw after the transaction committed its audit.
 */
export async function renewOperatorCard(
  o: OrgRegistrationOptions,
  tx: SqlSession,
  code: string,
  card: CardIdentity,
  at: string,
): Promise<'renewed' | EnrollError | undefined> {
  if (card.cardNumber === undefined) return undefined;
  const rows = await tx.query(
    `SELECT o.* FROM enroll_org_operators o JOIN enroll_org_registrations r USING (agency_code)
      WHERE o.agency_code=$1 AND o.card_number=$2 AND r.status='registered' ORDER BY o.updated_at DESC LIMIT 1 FOR UPDATE OF o`,
    [code, card.cardNumber],
  );
  const bound = rows[0] === undefined ? undefined : boundCardFromRow(rows[0]);
  if (bound === undefined) return undefined;
  const result = await resolveRenewal(tx, bound, card, {
    flow: 'organization',
    subject: code,
    state: 'registered',
    policy: o.renewal,
    at,
    refusal: '此自然人憑證序號未經授權 (若憑證已展期或換卡，請授權管理者修改憑證序號)',
    renew: async () => {
      await moveOperator(tx, code, bound, card.certificateSerial, card.validFrom, at);
    },
  });
  return result === 'same' ? undefined : result;
}

/**
 * A reviewer's acceptance of a pending renewal: moves whichever binding of
 * the organization flow holds the request's 卡號 and old serial (the
 * administrator's card first, then operators'); NOT_FOUND when none does.
 */
export async function applyAcceptedRenewal(
  tx: SqlSession,
  request: PendingRenewal,
  at: string,
): Promise<{ result: OrgCardRenewal; subject: string; state: string }> {
  const admin = await tx.query(
    `SELECT * FROM enroll_org_registrations WHERE admin_card_number=$1 AND admin_certificate_serial=$2 AND status='registered' FOR UPDATE`,
    [request.cardNumber, request.oldSerial],
  );
  const adminRow = admin[0];
  if (adminRow !== undefined) {
    const code = String(adminRow.agency_code);
    await moveAdministrator(tx, code, boundCardFromRow(adminRow, 'admin_') as BoundCard, request.newSerial, request.newValidFrom, at);
    return { result: renewalResult(code, 'administrator', request), subject: code, state: 'registered' };
  }
  const ops = await tx.query('SELECT * FROM enroll_org_operators WHERE card_number=$1 AND certificate_serial=$2 FOR UPDATE', [
    request.cardNumber,
    request.oldSerial,
  ]);
  const opRow = ops[0];
  if (opRow === undefined) throw new EnrollError('NOT_FOUND', `card ${request.cardNumber} is no longer bound with ${request.oldSerial}`);
  const code = String(opRow.agency_code);
  await moveOperator(tx, code, boundCardFromRow(opRow) as BoundCard, request.newSerial, request.newValidFrom, at);
  return { result: renewalResult(code, 'operator', request), subject: code, state: 'registered' };
}

function renewalResult(agencyCode: string, holder: OrgCardHolder, request: PendingRenewal): OrgCardRenewal {
  return { agencyCode, holder, cardNumber: request.cardNumber, certificateSerial: request.newSerial };
}

async function moveAdministrator(tx: SqlSession, code: string, bound: BoundCard, serial: string, validFrom: string | undefined, at: string): Promise<void> {
  await tx.query(
    `UPDATE enroll_org_registrations SET admin_certificate_serial=$3, admin_valid_from=$4, updated_at=$5, version=version+1
      WHERE agency_code=$1 AND admin_certificate_serial=$2`,
    [code, bound.certificateSerial, serial, validFrom ?? null, at],
  );
}

async function moveOperator(tx: SqlSession, code: string, bound: BoundCard, serial: string, validFrom: string | undefined, at: string): Promise<void> {
  await tx.query(
    'UPDATE enroll_org_operators SET certificate_serial=$3, valid_from=$4, updated_at=$5 WHERE agency_code=$1 AND certificate_serial=$2',
    [code, bound.certificateSerial, serial, validFrom ?? null, at],
  );
}
