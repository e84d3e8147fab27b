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
import { resolveRenewal, type PendingRenewal } from './card-renewal.js';
import { lockOperatorByCard, lockOperatorWithCard, moveOperator } from './org-operators-table.js';
import { administratorCard, lockByAdministratorCard, moveAdministrator } from './org-registrations-table.js';
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
  if (reg?.status !== 'registered' || admin.certificateSerial === reg.administrator?.certificateSerial || admin.cardNumber === undefined) return 'none';
  const bound = await administratorCard(tx, reg.agencyCode);
  if (bound === undefined || bound.cardNumber !== admin.cardNumber) return 'none';
  const result = await resolveRenewal(tx, bound, admin, {
    flow: 'organization',
    subject: reg.agencyCode,
    state: reg.status,
    policy: o.renewal,
    at,
    refusal: 'ADMINISTRATOR_CARD_MISMATCH',
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
  const bound = await lockOperatorByCard(tx, code, card.cardNumber);
  if (bound === undefined) return undefined;
  const result = await resolveRenewal(tx, bound, card, {
    flow: 'organization',
    subject: code,
    state: 'registered',
    policy: o.renewal,
    at,
    refusal: 'OPERATOR_NOT_AUTHORIZED',
    renew: async () => {
      await moveOperator(tx, code, bound, card.certificateSerial, card.validFrom, at);
    },
  });
  return result === 'same' ? undefined : result;
}

/**
 * Locks the bindings of the organization flow that hold `cardNumber` with
 * `serial` (the administrator's registration, then operators), the locks
 * {@link applyAcceptedRenewal} takes, so an acceptance can take them before
 * the request itself.
 */
export async function lockOrgBindings(tx: SqlSession, cardNumber: string, serial: string): Promise<void> {
  if ((await lockByAdministratorCard(tx, cardNumber, serial)) === undefined) await lockOperatorWithCard(tx, cardNumber, serial);
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
  const admin = await lockByAdministratorCard(tx, request.cardNumber, request.oldSerial);
  if (admin !== undefined) {
    await moveAdministrator(tx, admin.code, admin.bound, request.newSerial, request.newValidFrom, at);
    return { result: renewalResult(admin.code, 'administrator', request), subject: admin.code, state: 'registered' };
  }
  const op = await lockOperatorWithCard(tx, request.cardNumber, request.oldSerial);
  if (op === undefined) throw new EnrollError('NOT_FOUND', `card ${request.cardNumber} is no longer bound with ${request.oldSerial}`);
  await moveOperator(tx, op.code, op.bound, request.newSerial, request.newValidFrom, at);
  return { result: renewalResult(op.code, 'operator', request), subject: op.code, state: 'registered' };
}

function renewalResult(agencyCode: string, holder: OrgCardHolder, request: PendingRenewal): OrgCardRenewal {
  return { agencyCode, holder, cardNumber: request.cardNumber, certificateSerial: request.newSerial };
}
