/**
 * 授權指派 of the organization certificate flow: the administrator assigns,
 * edits, removes and lists operators by certificate serial with function
 * permissions; operators are authorized at login by their card's serial.
 */
import type { CardIdentity } from '../domain/card-holder.js';
import { parseCertificateSerial, parseRequiredText } from '../domain/identifiers.js';
import { EnrollError, IssueCollector } from '../errors.js';
import { ForbiddenError } from '../domain/actor.js';
import { ORG_MACHINE, type OrgEvent } from '../machine/org-machine.js';
import { optionalText } from '../store/rows.js';
import type { Row, SqlSession } from '../store/store.js';
import {
  parseAgencyCode,
  parseCitizenCard,
  parseOperator,
  parseSession,
  type AdministratorSession,
  type OperatorInput,
} from './org-inputs.js';
import { operatorFromRow, type Operator, type OrgRegistration, type RegisteredOrganization } from './org-records.js';
import { auditRefusals } from './authorization.js';
import { applyTransition } from './transition.js';
import { renewAdministratorCard, renewOperatorCard } from './org-cards.js';
import {
  assignedOperator,
  deleteOperator,
  insertOperator,
  lockOperatorCard,
  operatorsOf,
  orgCardStillBound,
  recordOperatorCard,
  updateOperator,
} from './org-operators-table.js';
import { rejectPendingRenewalsOf } from './card-renewal.js';
import { findRegistration, lockRegistration } from './org-registrations-table.js';
import { authenticate, idHintAgrees, isRecordedAgencyCard, requireRegisteredAdministratorId, type OrgRegistrationOptions } from './org-shared.js';
import { refusalError, requireVerifiedLogin } from '../refusals.js';

/** {@link OrgRegistrationFlow.assignOperator}: 授權指派 → 新增. */
export async function assignOperator(
  o: OrgRegistrationOptions,
  agencyCode: string,
  session: AdministratorSession,
  operator: OperatorInput,
): Promise<Operator> {
  const code = parseAgencyCode(agencyCode);
  const op = parseOperator(operator, o.permissions);
  return asAdministrator(o, code, session, 'assignOperator', async (tx, reg, at) => ({
    result: await insertOperator(tx, reg.agencyCode, op, at),
    reason: `經辦人 ${op.certificateSerial}`,
  }));
}

/** {@link OrgRegistrationFlow.editOperator}: 修改授權經辦人資料, e.g. the new serial after a card renewal. */
export async function editOperator(
  o: OrgRegistrationOptions,
  agencyCode: string,
  session: AdministratorSession,
  currentSerial: string,
  operator: OperatorInput,
): Promise<Operator> {
  const code = parseAgencyCode(agencyCode);
  const serial = parseCertificateSerial(currentSerial, 'currentSerial');
  const op = parseOperator(operator, o.permissions);
  return asAdministrator(o, code, session, 'editOperator', async (tx, reg, at) => {
    // The operator's row before its renewal requests (the registration is already held): a login that held
    // the row to queue a request has committed it by now.
    const before = await lockOperatorCard(tx, reg.agencyCode, serial);
    const result = await updateOperator(tx, reg.agencyCode, serial, op, at);
    // Another serial (a reissued card) forgets the recorded card: a renewal of the old serial could only fail.
    if (op.certificateSerial !== serial) await rejectOperatorRenewals(tx, reg, before.cardNumber, serial, at, 'the 經辦人 was given another certificate serial');
    return { result, reason: `經辦人 ${serial} → ${op.certificateSerial}` };
  });
}

/** {@link OrgRegistrationFlow.removeOperator}: 刪除授權經辦人; returns the remaining operators. */
export async function removeOperator(
  o: OrgRegistrationOptions,
  agencyCode: string,
  session: AdministratorSession,
  certificateSerial: string,
): Promise<Operator[]> {
  const code = parseAgencyCode(agencyCode);
  const serial = parseCertificateSerial(certificateSerial);
  return asAdministrator(o, code, session, 'removeOperator', async (tx, reg, at) => {
    // The DELETE locks the operator's row (after the registration) before its renewal requests are rejected.
    const gone = await deleteOperator(tx, reg.agencyCode, serial);
    await rejectOperatorRenewals(tx, reg, gone.cardNumber, serial, at, 'the 經辦人 was removed');
    return { result: await operatorsOf(tx, reg.agencyCode), reason: `經辦人 ${serial}` };
  });
}

/**
 * Rejects the pending renewals of an operator binding that went away (its
 * recorded card with `serial`), audited on the agency by its administrator,
 * unless another binding of the flow still holds that card and serial.
 */
async function rejectOperatorRenewals(tx: SqlSession, reg: RegisteredOrganization, cardNumber: string | undefined, serial: string, at: string, why: string): Promise<void> {
  if (cardNumber === undefined || (await orgCardStillBound(tx, cardNumber, serial))) return;
  const who = { role: 'administrator' as const, id: reg.administrator.certificateSerial };
  await rejectPendingRenewalsOf(tx, 'organization', [{ cardNumber, certificateSerial: serial }], who, at, { subject: reg.agencyCode, state: reg.status, why });
}

/** {@link OrgRegistrationFlow.listOperators}: 授權經辦人清單 (administrator session required). */
export async function listOperators(o: OrgRegistrationOptions, agencyCode: string, session: AdministratorSession): Promise<Operator[]> {
  const code = parseAgencyCode(agencyCode);
  return inAdministratorSession(o, code, session, 'listOperators', (tx) => operatorsOf(tx, code));
}

/**
 * {@link OrgRegistrationFlow.authorizeOperator}: the card's serial must be
 * assigned and hold `permission`. A renewed certificate on an operator's
 * recorded card takes over the assignment by the renewal rule.
 */
export async function authorizeOperator(o: OrgRegistrationOptions, agencyCode: string, holder: unknown, permission: string): Promise<Operator> {
  const code = parseAgencyCode(agencyCode);
  const issues = new IssueCollector();
  const parsed = parseCitizenCard(holder, 'holder', issues);
  const perm = issues.take(() => parseRequiredText(permission, 'permission'));
  issues.throwIfAny();
  const card = parsed as CardIdentity;
  requireVerifiedLogin(card);
  const refused = refusalError('OPERATOR_NOT_AUTHORIZED');
  const outcome = await o.store.transaction(async (tx): Promise<Row | EnrollError> => {
    // Said as such: "not an authorised operator" would send the user to an administrator the agency does not have yet.
    const reg = await findRegistration(tx, code);
    if (reg?.status !== 'registered') return refusalError('ORGANIZATION_NOT_REGISTERED', `agency ${code} is ${reg?.status ?? 'unregistered'}`);
    const assigned = await assignedOperator(tx, code, card.certificateSerial);
    if (assigned !== undefined) {
      const recorded = optionalText(assigned.card_number);
      if (recorded === undefined) {
        // First verified login with this serial: what a later renewal is compared with.
        if (card.verified && card.cardNumber !== undefined) await recordOperatorCard(tx, code, card.certificateSerial, card);
      } else if (card.cardNumber !== undefined && card.cardNumber !== recorded) {
        return refused;
      }
      return assigned;
    }
    const renewal = await renewOperatorCard(o, tx, code, card, o.clock.now().toISOString());
    if (renewal === undefined) return refused;
    if (renewal instanceof EnrollError) return renewal;
    return (await assignedOperator(tx, code, card.certificateSerial)) ?? refused;
  });
  if (outcome instanceof EnrollError) throw outcome;
  const op = operatorFromRow(outcome);
  if (!idHintAgrees(o, op.nationalId, card.idHint)) {
    throw refusalError('OPERATOR_ID_MISMATCH');
  }
  if (!op.permissions.includes(perm as string)) {
    throw refusalError('OPERATOR_PERMISSION_MISSING', `operator lacks permission ${perm}`);
  }
  return op;
}

/**
 * Runs `apply` in one transaction after authenticating both of the
 * administrator's cards against the locked registration, then audits `event`
 * (registered → registered) with the reason `apply` returns.
 */
async function asAdministrator<T>(
  o: OrgRegistrationOptions,
  code: string,
  session: AdministratorSession,
  event: OrgEvent,
  apply: (tx: SqlSession, reg: RegisteredOrganization, at: string) => Promise<{ result: T; reason: string }>,
): Promise<T> {
  return inAdministratorSession(o, code, session, event, async (tx, registered, admin) => {
    const at = o.clock.now().toISOString();
    const actor = { role: 'administrator' as const, id: admin.certificateSerial };
    const step = { subject: code, from: registered.status, event, to: 'registered' as const, actor, at };
    const { result } = await applyTransition(tx, ORG_MACHINE, step, () => apply(tx, registered, at), (r) => r.reason);
    return result;
  });
}

/**
 * Runs `body` in one transaction once the session's organization certificate
 * and administrator card are the registered ones, and its typed
 * 授權管理者身分證統一編號 (when given) is the registered one. A renewed administrator
 * certificate (same 卡號 on record) presented with the registered
 * organization certificate is judged by the renewal rule first; a refused
 * renewal commits its audit entry and ends as FORBIDDEN, a queued one as
 * RENEWAL_PENDING_REVIEW.
 */
async function inAdministratorSession<T>(
  o: OrgRegistrationOptions,
  code: string,
  session: AdministratorSession,
  command: string,
  body: (tx: SqlSession, reg: RegisteredOrganization, admin: CardIdentity) => Promise<T>,
): Promise<T> {
  const { org, admin, nationalId } = parseSession(session, (id, hint) => idHintAgrees(o, id, hint), o.requireAdministratorNationalId !== false);
  return auditRefusals(o.store, o.clock, 'organization', async () => {
    const outcome = await o.store.transaction(async (tx): Promise<{ ok: T } | EnrollError> => {
      let reg = await lockRegistration(tx, code);
      // The renewal rule is asked only beside the registered agency card (authenticate's rule): another organization's
      // certificate does not get a renewal of the administrator's card judged, queued or audited.
      if (reg !== undefined && isRecordedAgencyCard(reg, org)) {
        const renewal = await renewAdministratorCard(o, tx, reg, admin, o.clock.now().toISOString());
        if (renewal instanceof EnrollError) return renewal;
        if (renewal === 'renewed') reg = await lockRegistration(tx, code);
      }
      authenticateAdministrator(reg, org, admin, code, command);
      // Thrown, not returned: a renewal the session's card just took over is rolled back with it, so a session
      // whose 身分證統一編號 is not the registered administrator's changes nothing.
      if (nationalId !== undefined) await requireRegisteredAdministratorId(tx, code, nationalId, 'session.administratorNationalId');
      return { ok: await body(tx, reg as RegisteredOrganization, admin) };
    });
    if (!(outcome instanceof EnrollError)) return outcome.ok;
    if (outcome.code === 'NOT_AUTHORIZED') {
      throw new ForbiddenError(command, { role: 'administrator', id: admin.certificateSerial }, code, 'registered', outcome.message, outcome.refusal);
    }
    throw outcome;
  });
}

/**
 * An organization's administrator manages only that organization's operators:
 * both cards of the session must be the ones registered for `code`, else
 * FORBIDDEN (audited by the caller's {@link auditRefusals}).
 */
function authenticateAdministrator(
  reg: OrgRegistration | undefined,
  org: CardIdentity,
  admin: CardIdentity,
  code: string,
  command: string,
): asserts reg is RegisteredOrganization {
  try {
    authenticate(reg, org, admin, 'both');
  } catch (err) {
    if (err instanceof EnrollError && err.code === 'NOT_AUTHORIZED') {
      throw new ForbiddenError(command, { role: 'administrator', id: admin.certificateSerial }, code, reg?.status ?? 'unregistered', err.message, err.refusal);
    }
    throw err;
  }
}
