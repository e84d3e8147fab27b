/**
 * What every module of the account flow shares: its settings with defaults
 * applied, and the one command shape — lock the application, check who may
 * run the command, take the machine edge, apply, audit — plus the mail and
 * EMS look-ups around it.
 */
import type { Actor } from '../domain/actor.js';
import { parseEmail, type ControlNumber } from '../domain/identifiers.js';
import { EnrollError } from '../errors.js';
import { DEFAULT_BRANDING, type NoticeBranding } from '../mail/account-notices.js';
import { ACCOUNT_MACHINE, type AccountEvent, type AccountStatus } from '../machine/account-machine.js';
import type { SqlSession } from '../store/store.js';
import { applicationOwner, lockApplication } from './account-applications-table.js';
import type { AccountEnrollmentOptions } from './account-inputs.js';
import type { AccountApplication } from './account-records.js';
import { ACCOUNT_COMMANDS, auditRefusals, authorize } from './authorization.js';
import { applyTransition } from './transition.js';
import { MAILER_RULE, checkFlowOptions, durationOption } from './flow-options.js';
import { refusedTransition } from '../refusals.js';
import { LoginEndedError, auditLoginEnded } from './account-login-ended.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/** The account flow's settings with defaults applied. */
export interface AccountContext {
  /** The options as given. */
  readonly o: AccountEnrollmentOptions;
  /** Activation link lifetime. */
  readonly ttlMs: number;
  /** Result key lifetime. */
  readonly resultTtlMs: number;
  /** How long a verified application without a card keeps its control number. */
  readonly unfinishedTtlMs: number;
  /** Wording of the notices. */
  readonly branding: NoticeBranding;
}

/** Applies the defaults; RangeError for a non-positive link lifetime or an unknown renewal policy. */
export function accountContext(options: AccountEnrollmentOptions): AccountContext {
  const flow = 'AccountEnrollmentFlow';
  checkFlowOptions(flow, options, {
    mailer: MAILER_RULE,
    ems: { kind: 'port', methods: ['verify'], what: 'an EmsVerifier such as EmsLayerAdapter', required: true },
    emsRecords: { kind: 'port', methods: ['facilityEmail'], what: 'an EmsRecordSource (a control number’s facility e-mail)', required: true },
    activationLink: { kind: 'function', what: 'a function (token) => the activation link the mail carries', required: true },
    activationTtlMs: { kind: 'other' },
    branding: { kind: 'other' },
    resultLink: { kind: 'function', what: 'a function (key) => the 帳號申請結果 link' },
    resultTtlMs: { kind: 'other' },
    unfinishedTtlMs: { kind: 'other' },
  });
  const ttlMs = durationOption(flow, 'activationTtlMs', options.activationTtlMs, 7 * DAY_MS);
  const resultTtlMs = durationOption(flow, 'resultTtlMs', options.resultTtlMs, 30 * DAY_MS);
  const unfinishedTtlMs = durationOption(flow, 'unfinishedTtlMs', options.unfinishedTtlMs, DAY_MS);
  return { o: options, ttlMs, resultTtlMs, unfinishedTtlMs, branding: options.branding ?? DEFAULT_BRANDING };
}

/** The injected clock's now (ISO). */
export function nowOf(c: AccountContext): string {
  return c.o.clock.now().toISOString();
}

/** Runs a command, auditing a `ForbiddenError` or a {@link LoginEndedError} before it propagates. */
export async function guarded<T>(c: AccountContext, command: () => Promise<T>): Promise<T> {
  try {
    return await auditRefusals(c.o.store, c.o.clock, 'account', command);
  } catch (err) {
    if (err instanceof LoginEndedError) await auditLoginEnded(c.o.store, nowOf(c), err);
    throw err;
  }
}

/** The command-rule name of `event`, when the event is a command with a rule (activation is not). */
function ruleOf(event: AccountEvent): keyof typeof ACCOUNT_COMMANDS | undefined {
  return event in ACCOUNT_COMMANDS ? (event as keyof typeof ACCOUNT_COMMANDS) : undefined;
}

/**
 * Refuses any step of an application a newer one replaced (`abandoned`: the
 * only way there is a new `apply` for its 管制編號) with the refusal
 * APPLICATION_REPLACED, still INVALID_TRANSITION to a program: the company
 * that filled it in is told why it cannot go on, not only that the state does
 * not allow it.
 */
export function refuseReplaced(app: AccountApplication, event: AccountEvent): void {
  if (app.status === 'abandoned') throw refusedTransition(ACCOUNT_MACHINE.flow, app.status, event, 'APPLICATION_REPLACED');
}

/**
 * One transaction: lock application `id`, authorize `actor` for `event` on
 * it, then take `event` to `to` with `apply`, audited with `reason`.
 */
export function transitionApplication(
  c: AccountContext,
  id: string,
  event: AccountEvent,
  to: AccountStatus,
  actor: Actor,
  apply: (tx: SqlSession, app: AccountApplication, at: string) => Promise<AccountApplication>,
  reason?: string,
): Promise<AccountApplication> {
  return c.o.store.transaction(async (tx) => {
    const app = await lockApplication(tx, id);
    const rule = ruleOf(event);
    if (rule !== undefined) authorize(ACCOUNT_COMMANDS, rule, actor, { subject: id, state: app.status, owner: await applicationOwner(tx, id) });
    refuseReplaced(app, event);
    const at = nowOf(c);
    return applyTransition(tx, ACCOUNT_MACHINE, { subject: id, from: app.status, event, to, actor, at }, () => apply(tx, app, at), reason);
  });
}

/** The EMS facility e-mail of a control number; EMS_RECORD_MISSING when absent or not an address. */
export async function facilityEmail(c: AccountContext, controlNumber: ControlNumber): Promise<string> {
  const raw = await c.o.emsRecords.facilityEmail(controlNumber);
  if (raw === undefined) throw new EnrollError('EMS_RECORD_MISSING', `EMS has no facility e-mail for ${controlNumber}`);
  try {
    return parseEmail(raw, 'ems.facilityEmail');
  } catch {
    throw new EnrollError('EMS_RECORD_MISSING', `EMS facility e-mail of ${controlNumber} is not a valid address`);
  }
}
