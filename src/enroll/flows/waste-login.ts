/**
 * 使用自然人憑證或工商憑證登入系統: a bound card logs in while its method is 啟用;
 * a renewed certificate on a bound card goes through the one card-lifecycle
 * rule (`card-renewal.ts`). Shared by `LoginEnablementFlow` and `WasteSystemFlow`.
 */
import { parseActor, type Actor } from '../domain/actor.js';
import { parseCardHolder, type CardAuthority, type CardIdentity, type VerifiedCardHolder } from '../domain/card-holder.js';
import type { BusinessId, CardNumber, CertificateSerial, ControlNumber } from '../domain/identifiers.js';
import { EnrollError } from '../errors.js';
import { optionalIsoOf, optionalText } from '../store/rows.js';
import { isUniqueViolation } from '../store/sql-errors.js';
import type { Row, SqlSession } from '../store/store.js';
import { LOGIN_COMMANDS, authorize } from './authorization.js';
import { acceptPendingRenewal, parseRenewalId, resolveRenewal, type BoundCard, type PendingRenewal } from './card-renewal.js';
import { LOGIN_METHOD_REFUSALS, loginAccountFromRow, loginBindingFromRow, type LoginAccount, type LoginBinding } from './login-records.js';
import { guardLogin, loginSubject, type LoginContext } from './waste-shared.js';
import { refusalError, requireVerifiedLogin } from '../refusals.js';

const SELECT = `SELECT b.*, a.status AS a_status, a.company_name, a.verification_code_hash, a.code_expires_at, a.citizen_card, a.company_card,
    a.created_at, a.updated_at, a.version
  FROM enroll_login_bindings b JOIN enroll_login_accounts a USING (business_id, control_number)`;

function keyOf(row: Row): { businessId: BusinessId; controlNumber: ControlNumber | '' } {
  return { businessId: String(row.business_id) as BusinessId, controlNumber: String(row.control_number) as ControlNumber | '' };
}

function boundCardOf(row: Row): BoundCard {
  return {
    cardNumber: String(row.card_number) as CardNumber,
    certificateSerial: String(row.certificate_serial) as CertificateSerial,
    authority: optionalText(row.authority) as CardAuthority | undefined,
    subjectName: optionalText(row.holder_name),
    idHint: optionalText(row.id_hint),
    anchor: optionalText(row.anchor),
    validFrom: optionalIsoOf(row.valid_from),
  };
}

/** A company card whose 統一編號 is not the company's (a renewal cannot move a binding to another company). */
function companyMismatch(row: Row, card: CardIdentity): EnrollError | undefined {
  return row.method === 'companyCard' && card.businessId !== String(row.business_id)
    ? refusalError('COMPANY_ID_MISMATCH')
    : undefined;
}

/** The binding row of `card`: by serial, else a renewal of a card bound by 卡號 (applied or refused per the rule). */
async function findBinding(ctx: LoginContext, tx: SqlSession, card: CardIdentity): Promise<Row | EnrollError> {
  const bySerial = await tx.query(`${SELECT} WHERE b.certificate_serial = $1`, [card.certificateSerial]);
  const row = bySerial[0];
  if (row !== undefined) {
    if (card.cardNumber !== undefined && row.card_number != null && row.card_number !== card.cardNumber) return refusalError('LOGIN_NOT_ENABLED');
    return companyMismatch(row, card) ?? row;
  }
  if (card.cardNumber === undefined) return refusalError('LOGIN_NOT_ENABLED');
  const byCard = (await tx.query(`${SELECT} WHERE b.card_number = $1 FOR UPDATE OF b`, [card.cardNumber]))[0];
  if (byCard === undefined) return refusalError('LOGIN_NOT_ENABLED');
  const mismatch = companyMismatch(byCard, card);
  if (mismatch !== undefined) return mismatch;
  const bound = boundCardOf(byCard);
  const result = await resolveRenewal(tx, bound, card, {
    flow: 'loginEnablement',
    subject: loginSubject(keyOf(byCard)),
    state: String(byCard.a_status),
    policy: ctx.renewal,
    at: ctx.clock.now().toISOString(),
    refusal: 'RENEWAL_MISMATCH',
    renew: async () => {
      await tx.query('UPDATE enroll_login_bindings SET certificate_serial=$2, valid_from=$3 WHERE certificate_serial=$1', [
        bound.certificateSerial,
        card.certificateSerial,
        card.validFrom ?? null,
      ]);
    },
  }).catch((err: unknown) => {
    if (isUniqueViolation(err, 'enroll_login_bindings_serial_key')) return refusalError('CERTIFICATE_ENABLED_ELSEWHERE', 'this certificate is already enabled for a company');
    throw err;
  });
  return result instanceof EnrollError ? result : { ...byCard, certificate_serial: card.certificateSerial };
}

/**
 * Certificate login: the card must be bound and its method 啟用; a company
 * card must carry the company's 統一編號 (a renewal cannot move it).
 */
export async function authorizeLogin(ctx: LoginContext, holder: VerifiedCardHolder): Promise<{ account: LoginAccount; binding: LoginBinding }> {
  const card = parseCardHolder(holder, 'holder');
  requireVerifiedLogin(card);
  // Refusals are returned, not thrown, so a renewal's audit entry commits with them.
  const outcome = await ctx.store.transaction((tx) => findBinding(ctx, tx, card));
  if (outcome instanceof EnrollError) throw outcome;
  const binding = loginBindingFromRow(outcome);
  const account = loginAccountFromRow({ ...outcome, status: outcome.a_status });
  if (account.methods[binding.method] !== 'enabled') throw refusalError(LOGIN_METHOD_REFUSALS[binding.method]);
  return { account, binding };
}

/** Reviewer accepts a pending renewal: the login binding takes the new serial (audited `renewCard`). */
export async function acceptRenewal(ctx: LoginContext, renewalId: string, reviewer: Actor): Promise<LoginBinding> {
  const who = parseActor(reviewer, 'reviewer');
  const id = parseRenewalId(renewalId);
  return guardLogin(ctx, () =>
    ctx.store.transaction(async (tx) => {
      authorize(LOGIN_COMMANDS, 'acceptRenewal', who, { subject: id });
      const lock = (request: PendingRenewal) =>
        tx.query('SELECT 1 FROM enroll_login_bindings WHERE card_number=$1 AND certificate_serial=$2 FOR UPDATE', [request.cardNumber, request.oldSerial]);
      return acceptPendingRenewal(tx, 'loginEnablement', id, who, ctx.clock.now().toISOString(), lock, async (request) => {
        const rows = await tx.query(
          'UPDATE enroll_login_bindings SET certificate_serial=$3, valid_from=$4 WHERE card_number=$1 AND certificate_serial=$2 RETURNING *',
          [request.cardNumber, request.oldSerial, request.newSerial, request.newValidFrom ?? null],
        );
        const row = rows[0];
        if (row === undefined) throw new EnrollError('NOT_FOUND', `card ${request.cardNumber} is no longer bound with ${request.oldSerial}`);
        return { result: loginBindingFromRow(row), subject: loginSubject(keyOf(row)), state: 'bound' };
      });
    }),
  );
}
