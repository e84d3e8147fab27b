/**
 * Helpers shared by the official account system's modules: its dependencies,
 * identifier parsers, the refusal audit, mail, the review deadline and the
 * transition helper every application command goes through.
 */
import { sendNotice as sendMailNotice } from '../mail/send-notice.js';
import type { Actor } from '../domain/actor.js';
import { nextBusinessDayStart, type BusinessCalendar } from '../domain/business-day.js';
import { parseRequiredText } from '../domain/identifiers.js';
import { TaiwanCalendar } from '../domain/taiwan-calendar.js';
import { EnrollError } from '../errors.js';
import type { OfficialNoticeBranding } from '../mail/official-notices.js';
import { assertTransition } from '../machine/machine.js';
import { OFFICIAL_ACCOUNT_MACHINE, type OfficialEvent, type OfficialStatus } from '../machine/official-machine.js';
import type { AgencyDirectory } from '../ports/agency-directory.js';
import type { Clock } from '../ports/clock.js';
import type { MailMessage, Mailer } from '../ports/mailer.js';
import type { PersonnelSystem } from '../ports/personnel-system.js';
import type { EnrollStore, SqlSession } from '../store/store.js';
import { applyTransition } from './transition.js';
import { OFFICIAL_COMMANDS, auditRefusals, authorize } from './authorization.js';
import type { RenewalPolicy } from './card-renewal.js';
import {
  applicationFromRow,
  lockApplication,
  lockMember,
  memberOfApplication,
  type OfficialAccountApplication,
  type OfficialCancelledBy,
  type OfficialMember,
} from './official-records.js';
import { parseRecordId } from './secret-token.js';
import { refusalError } from '../refusals.js';
import type { EnrollRefusalReason } from '../errors.js';

/** Dependencies and settings of {@link OfficialAccountFlow}. */
export interface OfficialAccountOptions {
  /** Persistence. */
  readonly store: EnrollStore;
  /** Time source. */
  readonly clock: Clock;
  /** Government OID directory (新機關名稱 is filled from it; 查詢機關OID uses its optional `searchByName`). */
  readonly agencies: AgencyDirectory;
  /** Allowed 申請原因 values; default `['公務人員']` (the seed's choice). */
  readonly reasons?: readonly string[];
  /**
   * The personnel system (行政院人事行政總處) every application is checked
   * against. Without it no application is approved automatically: a first
   * application waits in `underReview` for a reviewer.
   */
  readonly personnel?: PersonnelSystem;
  /** Sends the 核可通知信 and the rejection notice to the member's e-mail; without it no notice is sent. */
  readonly mailer?: Mailer;
  /** Wording and contact data of the 申請書 and the notices; default the seed's (我的E政府 客服中心). */
  readonly branding?: OfficialNoticeBranding;
  /** Business days for the one-working-day review; default {@link TaiwanCalendar}. */
  readonly calendar?: BusinessCalendar;
  /** What a renewed certificate on an uploaded card does at 憑證登入: update the card (`automatic`, default) or wait for a reviewer. */
  readonly renewal?: RenewalPolicy;
  /**
   * How the member's 身分證統一編號 is checked against an uploaded card's ID
   * hint. Default `lastFour`; pass a function if your cards behave otherwise. Either way the hint is 4 digits:
   * a card whose hint is not is refused before the rule is asked.
   */
  readonly idHintRule?: 'lastFour' | ((nationalId: string, idHint: string) => boolean);
}

let defaultCalendar: TaiwanCalendar | undefined;

/**
 * The one-working-day review deadline (注意事項 5: 需計1個工作天內審核完畢): the end (24:00 Taipei) of the next
 * business day after `from` — the 申請書's arrival (收件), or applying when there is no form (`underReview`).
 */
export function reviewDueAt(o: OfficialAccountOptions, from: Date): string {
  defaultCalendar ??= new TaiwanCalendar();
  const calendar = o.calendar ?? defaultCalendar;
  return nextBusinessDayStart(nextBusinessDayStart(from, calendar), calendar).toISOString();
}

/** Parses a member account ID (會員帳號 of the host): required text, at most 100 characters. */
export function parseMemberId(value: unknown, field = 'memberId'): string {
  return parseRequiredText(value, field, 100);
}

/** Parses an application ID (UUID). */
export function parseApplicationId(value: unknown): string {
  return parseRecordId(value, 'applicationId');
}

/** The refusal of a member never activated: the application's words, or the card commands'. */
export type NotActivatedRefusal = Extract<EnrollRefusalReason, 'APPLICANT_NOT_ACTIVATED' | 'MEMBER_NOT_ACTIVATED'>;

/**
 * The refusal of a member whose general account is not activated, or `undefined` when it is: `MEMBER_DEACTIVATED`
 * for an account the host deactivated (停用: the 啟動連結 was clicked long ago, telling the member to click it helps
 * nobody), otherwise `refusal` (「待該帳號啟用後」). `detail` is added for logs.
 */
export function notActivated(member: OfficialMember, refusal: NotActivatedRefusal, detail?: string): EnrollError | undefined {
  if (member.activatedAt !== undefined) return undefined;
  const deactivated = member.deactivatedAt !== undefined;
  const state = deactivated ? `deactivated by the host at ${member.deactivatedAt as string}` : 'not activated';
  return refusalError(deactivated ? 'MEMBER_DEACTIVATED' : refusal, `member ${member.memberId}: the account is ${state}${detail === undefined ? '' : `; ${detail}`}`);
}

/** Throws {@link notActivated}'s refusal (NOT_AUTHORIZED) for a member whose account is not activated. */
export function requireActivated(member: OfficialMember, refusal: NotActivatedRefusal): void {
  const refused = notActivated(member, refusal);
  if (refused !== undefined) throw refused;
}

/**
 * Cancels one open application in the caller's transaction (the member and the application locked): `cancelled`,
 * no due time, `cancelled_by` recorded, audited as `cancel` by `who` with `reason`. A `system` cancellation does
 * not count toward 「第二次申請」.
 */
export async function cancelApplication(
  tx: SqlSession,
  app: { readonly id: string; readonly status: OfficialStatus },
  who: Actor,
  at: string,
  by: OfficialCancelledBy,
  reason: string,
): Promise<OfficialAccountApplication> {
  return applyTransition(
    tx,
    OFFICIAL_ACCOUNT_MACHINE,
    { subject: app.id, from: app.status, event: 'cancel', to: 'cancelled', actor: who, at },
    () => writeCancelled(tx, app.id, at, by),
    reason,
  );
}

/**
 * The row of a cancelled application: `cancelled`, decided now, no due time, `cancelled_by` recorded. One writer for
 * the member's 取消申請 and the system's cancellations, which the 「第二次申請」 count tells apart by `by`.
 */
export async function writeCancelled(tx: SqlSession, id: string, at: string, by: OfficialCancelledBy): Promise<OfficialAccountApplication> {
  const rows = await tx.query(
    `UPDATE enroll_official_applications SET status='cancelled', cancelled_by=$3, decided_at=$2, review_due_at=NULL, updated_at=$2, version=version+1
     WHERE id=$1 RETURNING *`,
    [id, at, by],
  );
  return applicationFromRow(rows[0] ?? {});
}

/** Runs a command, auditing a refusal (FORBIDDEN) before it propagates. */
export function guarded<T>(o: OfficialAccountOptions, command: () => Promise<T>): Promise<T> {
  return auditRefusals(o.store, o.clock, 'officialAccount', command);
}

/** Sends a notice when a mailer is configured; a failure is MAIL_FAILED, rolling the caller's transaction back. */
export async function sendNotice(o: OfficialAccountOptions, message: MailMessage | undefined): Promise<void> {
  if (o.mailer !== undefined && message !== undefined) await sendMailNotice(o.mailer, message);
}

/**
 * A command's work on the locked application, in two steps. First its own checks: the request against the
 * application (the version it was made from, its values against the application's dates); a check that fails throws
 * the request's own error and nothing is written. Then the write, which it returns and which runs only once every
 * refusal of the application's state ({@link ApplicationRefusal}) has let the command go on.
 */
export type ApplicationCommand = (
  tx: SqlSession,
  app: OfficialAccountApplication,
  at: string,
) => Promise<() => Promise<OfficialAccountApplication>>;

/** An {@link ApplicationCommand} with no checks of its own: `write` is the whole command. */
export function writeOnly(write: (tx: SqlSession, app: OfficialAccountApplication, at: string) => Promise<OfficialAccountApplication>): ApplicationCommand {
  return async (tx, app, at) => () => write(tx, app, at);
}

/**
 * Lets a command on an existing application refuse after the machine allows it and after the command's own checks
 * passed, with the member and the application locked: the error it returns is thrown after the transaction commits,
 * so whatever it wrote (a cancellation, say) stays. `undefined` lets the command go on.
 */
export type ApplicationRefusal = (
  tx: SqlSession,
  app: OfficialAccountApplication,
  member: OfficialMember | undefined,
  at: string,
) => Promise<EnrollError | undefined>;

/** A reviewer's command on an open application, which reads the applicant's account again. */
export type ReviewerEvent = Exclude<OfficialEvent, 'cancel'>;

/** Each reviewer command's words: the step in the audit reason, and what did not happen in the error's detail. */
const REVIEWER_STEPS: Readonly<Record<ReviewerEvent, { readonly step: string; readonly undone: string }>> = {
  approve: { step: '核可', undone: 'approved' },
  reject: { step: '駁回', undone: 'rejected' },
  receiveForm: { step: '收件', undone: 'received' },
  correctFormReceipt: { step: '收件更正', undone: 'corrected' },
};

/**
 * The {@link ApplicationRefusal} of every reviewer command: the applicant's account, read again with the member
 * locked, is not activated now (deactivated by the host, or never activated: an application made before the SDK
 * knew the member, by a release that did not check activation, or for a host that reports the state only when
 * asked) → the command is refused (`MEMBER_DEACTIVATED`, or `APPLICANT_NOT_ACTIVATED`) and the application
 * cancelled by the system in the same transaction. Cancelled, not left open: nobody can act on it until the
 * account is activated, and then the member applies again. By the system, not rejected: the member caused
 * nothing, so it does not use up an attempt (a rejection would send the next application to the 申請書 route).
 * Without a member reference there is nothing to check (an application made before issue 13).
 */
function refuseInactiveApplicant(who: Actor, event: ReviewerEvent): ApplicationRefusal {
  const { step, undone } = REVIEWER_STEPS[event];
  return async (tx, app, member, at) => {
    if (member === undefined) return undefined;
    const refused = notActivated(member, 'APPLICANT_NOT_ACTIVATED', `application ${app.id} was cancelled, not ${undone}`);
    if (refused === undefined) return undefined;
    const why = member.deactivatedAt !== undefined ? '帳號已停用' : '帳號尚未啟用';
    await cancelApplication(tx, app, who, at, 'system', `${step}時${why}，申請取消（不計申請次數），待該帳號啟用後須重新申請公務帳號`);
    return refused;
  };
}

/**
 * {@link transitionApplication} for a reviewer's command: always with {@link refuseInactiveApplicant}, so no reviewer
 * command can leave out the applicant's account read again (approve, reject, 收件, 收件更正 alike). The command's own
 * checks run first: a request refused for its own reason (a stale `expectedVersion`, an arrival out of range) gets
 * its own error and cancels nothing; only a request that would otherwise be carried out is refused for the account.
 */
export function reviewerTransition(
  o: OfficialAccountOptions,
  id: string,
  event: ReviewerEvent,
  to: OfficialStatus,
  who: Actor,
  command: ApplicationCommand,
  reason?: string | ((saved: OfficialAccountApplication) => string),
): Promise<OfficialAccountApplication> {
  return transitionApplication(o, id, event, to, who, command, reason, refuseInactiveApplicant(who, event));
}

/**
 * The transition helper of every command on an existing application: in one transaction it locks the application,
 * checks who may run `event` (the member owns its applications) and the machine table, runs the command's own checks,
 * asks `refuse` (when given), lets the command write the change, and audits it. That order makes each refusal the
 * one a person can act on first (a decided application is INVALID_TRANSITION whatever its member's state), and keeps
 * a refusal's side effect (`refuse` cancelling the application) to a request that was otherwise sound.
 */
export async function transitionApplication(
  o: OfficialAccountOptions,
  id: string,
  event: OfficialEvent,
  to: OfficialStatus,
  who: Actor,
  command: ApplicationCommand,
  reason?: string | ((saved: OfficialAccountApplication) => string),
  refuse?: ApplicationRefusal,
): Promise<OfficialAccountApplication> {
  const outcome = await guarded(o, () =>
    o.store.transaction(async (tx): Promise<OfficialAccountApplication | EnrollError> => {
      // The member before the application, as syncMember (which cancels open applications) and apply take
      // them: the other order deadlocked a reviewer's decision against the host's sync of a changed name.
      const memberId = await memberOfApplication(tx, id);
      const member = memberId === undefined ? undefined : await lockMember(tx, memberId);
      const app = await lockApplication(tx, id);
      authorize(OFFICIAL_COMMANDS, event, who, { subject: id, state: app.status, owner: app.memberId });
      const at = o.clock.now().toISOString();
      assertTransition(OFFICIAL_ACCOUNT_MACHINE, app.status, event, to);
      // Throws the request's own error, in a transaction that has written nothing yet.
      const write = await command(tx, app, at);
      if (refuse !== undefined) {
        const refused = await refuse(tx, app, member, at);
        if (refused !== undefined) return refused;
      }
      return applyTransition(tx, OFFICIAL_ACCOUNT_MACHINE, { subject: id, from: app.status, event, to, actor: who, at }, write, reason);
    }),
  );
  if (outcome instanceof EnrollError) throw outcome;
  return outcome;
}
