/**
 * 基本資料填寫 and 自然人憑證綁定 of the account flow: the basic data compared
 * with EMS, then the applicant's card bound, which sends the application to
 * 審核中.
 */
import type { Actor } from '../domain/actor.js';
import type { BasicData } from '../domain/basic-data.js';
import { InvalidInputError } from '../errors.js';
import { ACCOUNT_MACHINE, type AccountStatus } from '../machine/account-machine.js';
import { assertEventAllowed } from '../machine/machine.js';
import { applicationOwner, saveApplication } from './account-applications-table.js';
import type { ParsedBinding } from './account-inputs.js';
import type { AccountApplication } from './account-records.js';
import { refuseReplaced, transitionApplication, type AccountContext } from './account-shared.js';
import { getApplication } from './account-application.js';
import { ACCOUNT_COMMANDS, authorize } from './authorization.js';
import { cardBoundError, insertBinding, isCardBound } from './card-bindings-table.js';

/** {@link AccountEnrollmentFlow.submitBasicData}: EMS match ⇒ `basicDataVerified`, mismatch ⇒ `emsRejected` with the per-field result. */
export async function submitBasicData(c: AccountContext, id: string, data: BasicData, who: Actor): Promise<AccountApplication> {
  const current = await getApplication(c, id);
  const owner = await c.o.store.transaction((tx) => applicationOwner(tx, id));
  authorize(ACCOUNT_COMMANDS, 'submitBasicData', who, { subject: id, state: current.status, owner });
  refuseReplaced(current, 'submitBasicData');
  if (data.controlNumber !== current.controlNumber) {
    throw new InvalidInputError([{ field: 'basicData.controlNumber', code: 'MISMATCH', reason: 'differs from the application’s control number' }]);
  }
  assertEventAllowed(ACCOUNT_MACHINE, current.status, 'submitBasicData');
  // EMS is remote: ask before opening the transaction, re-check the state inside it.
  const comparison = await c.o.ems.verify(data);
  const to: AccountStatus = comparison.passed ? 'basicDataVerified' : 'emsRejected';
  return transitionApplication(
    c,
    id,
    'submitBasicData',
    to,
    who,
    (tx, app, at) => saveApplication(tx, app, { status: to, basicData: data, emsComparison: comparison, at }),
    comparison.passed ? undefined : 'EMS 比對不符',
  );
}

/** {@link AccountEnrollmentFlow.bindCard}: binds the applicant's card (pending until activation); the application goes to 審核中. */
export function bindCard(c: AccountContext, id: string, b: ParsedBinding, who: Actor): Promise<AccountApplication> {
  return transitionApplication(
    c,
    id,
    'bindCard',
    'underReview',
    who,
    async (tx, app, at) => {
      await insertBinding(tx, app, b, 'pending', at);
      return saveApplication(tx, app, { status: 'underReview', at });
    },
    b.card.cardNumber,
  );
}

/** {@link AccountEnrollmentFlow.refuseBoundCard}: bindCard's CARD_ALREADY_BOUND, judged by a read. */
export async function refuseBoundCard(c: AccountContext, b: ParsedBinding): Promise<void> {
  if (await c.o.store.transaction((tx) => isCardBound(tx, b.card))) throw cardBoundError();
}
