/**
 * 帳號申請 of the account flow: opening an application for a control number,
 * and reading applications (one, by state, a control number's history).
 */
import { randomUUID } from 'node:crypto';
import type { Actor } from '../domain/actor.js';
import type { ControlNumber } from '../domain/identifiers.js';
import { EnrollError, InvalidInputError } from '../errors.js';
import { ACCOUNT_MACHINE, type AccountStatus } from '../machine/account-machine.js';
import { assertEventAllowed } from '../machine/machine.js';
import { recordTransition } from '../store/audit.js';
import type { SqlSession } from '../store/store.js';
import { isUniqueViolation } from '../store/sql-errors.js';
import {
  OPEN_APPLICATION_KEY,
  applicationsIn,
  applicationsOf,
  findApplication,
  insertApplication,
  lockUnfinished,
  saveApplication,
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
      await replaceUnfinished(c, tx, controlNumber, who, at);
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

/**
 * Retires the control number's unfinished application so a new one can start:
 * a `draft` at once, a `basicDataVerified` one once `unfinishedTtlMs` passed
 * since it last changed. Anything further along keeps the number
 * (APPLICATION_IN_PROGRESS from the insert).
 */
async function replaceUnfinished(c: AccountContext, tx: SqlSession, controlNumber: ControlNumber, who: Actor, at: string): Promise<void> {
  const open = await lockUnfinished(tx, controlNumber);
  if (open === undefined) return;
  const idle = new Date(at).getTime() - new Date(open.updatedAt).getTime();
  if (open.status === 'basicDataVerified' && idle < c.unfinishedTtlMs) return;
  assertEventAllowed(ACCOUNT_MACHINE, open.status, 'abandon');
  await saveApplication(tx, open, { status: 'abandoned', at });
  const why = open.status === 'draft' ? '基本資料未送出，由新申請取代' : '自然人憑證未綁定，逾期由新申請取代';
  await recordTransition(tx, { flow: 'account', subject: open.id, actor: who, at, event: 'abandon', from: open.status, to: 'abandoned', reason: why });
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
