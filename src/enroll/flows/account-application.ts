/**
 * 帳號申請 of the account flow: opening an application for a control number,
 * and reading applications (one, by state, a control number's history).
 */
import { randomUUID } from 'node:crypto';
import type { Actor } from '../domain/actor.js';
import type { ControlNumber } from '../domain/identifiers.js';
import { EnrollError, InvalidInputError } from '../errors.js';
import { ACCOUNT_MACHINE, type AccountStatus } from '../machine/account-machine.js';
import { recordTransition } from '../store/audit.js';
import { isUniqueViolation } from '../store/sql-errors.js';
import {
  OPEN_APPLICATION_KEY,
  applicationsIn,
  applicationsOf,
  findApplication,
  insertApplication,
} from './account-applications-table.js';
import type { AccountApplication } from './account-records.js';
import { nowOf, type AccountContext } from './account-shared.js';
import { ACCOUNT_COMMANDS, authorize } from './authorization.js';

/** {@link AccountEnrollmentFlow.apply}: a `draft` application (one open application per control number). */
export async function apply(c: AccountContext, who: Actor, controlNumber: ControlNumber): Promise<AccountApplication> {
  authorize(ACCOUNT_COMMANDS, 'apply', who, { subject: controlNumber });
  const at = nowOf(c);
  const id = randomUUID();
  try {
    return await c.o.store.transaction(async (tx) => {
      const created = await insertApplication(tx, { id, controlNumber, applicantId: who.id, at });
      // Creation is not an edge of the machine table (it starts in `draft`): audited from `none`.
      await recordTransition(tx, { flow: 'account', subject: id, actor: who, at, event: 'apply', from: 'none', to: 'draft', reason: controlNumber });
      return created;
    });
  } catch (err) {
    if (isUniqueViolation(err, OPEN_APPLICATION_KEY)) {
      throw new EnrollError('APPLICATION_IN_PROGRESS', `control number ${controlNumber} already has an open application or account`);
    }
    throw err;
  }
}

/** {@link AccountEnrollmentFlow.get}: NOT_FOUND when there is no such application. */
export async function getApplication(c: AccountContext, id: string): Promise<AccountApplication> {
  const app = await c.o.store.transaction((tx) => findApplication(tx, id));
  if (app === undefined) throw new EnrollError('NOT_FOUND', `no account application ${id}`);
  return app;
}

/** {@link AccountEnrollmentFlow.listByStatus}: applications in `status`, oldest first. */
export async function listByStatus(c: AccountContext, status: AccountStatus): Promise<AccountApplication[]> {
  if (!(ACCOUNT_MACHINE.states as readonly unknown[]).includes(status)) {
    throw new InvalidInputError([{ field: 'status', code: 'NOT_AN_OPTION', reason: `must be one of ${ACCOUNT_MACHINE.states.join(', ')}` }]);
  }
  return c.o.store.transaction((tx) => applicationsIn(tx, status));
}

/** {@link AccountEnrollmentFlow.history}: every application of a control number, newest first. */
export function history(c: AccountContext, controlNumber: ControlNumber): Promise<AccountApplication[]> {
  return c.o.store.transaction((tx) => applicationsOf(tx, controlNumber));
}
