/**
 * 收件: the service desk records that a member's 我的E政府公務帳號申請書 arrived
 * (faxed to the 客服中心 or e-mailed, 注意事項 5). The form's one working day
 * (需計1個工作天內審核完畢) counts from this arrival, and only a received form
 * can be approved: before it nothing the member signed has been checked. A
 * mistyped 收件 is corrected, audited with the old and new values, until the
 * application is decided.
 */
import { parseActor, type Actor } from '../domain/actor.js';
import { parseRequiredText } from '../domain/identifiers.js';
import { EnrollError, InvalidInputError, IssueCollector } from '../errors.js';
import { OFFICIAL_ACCOUNT_MACHINE, OFFICIAL_FORM_CHANNEL_LABELS, type OfficialFormChannel } from '../machine/official-machine.js';
import { lastRecordedAt } from '../store/audit.js';
import type { SqlSession } from '../store/store.js';
import { applicationFromRow, type OfficialAccountApplication, type OfficialFormReceipt } from './official-records.js';
import { parseApplicationId, reviewDueAt, reviewerTransition, type OfficialAccountOptions } from './official-shared.js';
import { offsetInstantMs } from './review-queue.js';

/** Input of {@link OfficialAccountFlow.receiveForm}: the 收件 of the form's office row. */
export interface OfficialFormReceiptInput {
  /** How the 申請書 came: `fax` (傳真至客服中心) or `email` (E-mail). */
  readonly channel: OfficialFormChannel;
  /**
   * When it arrived: an ISO instant with its offset (`2026-03-02T09:30:00+08:00`); default now. A fax that came
   * in overnight is recorded with the time it came, so its working day is not moved by when the desk got to it.
   * Not in the future, and not before the application was made.
   */
  readonly receivedAt?: string;
}

/**
 * Input of {@link OfficialAccountFlow.correctFormReceipt}: the 收件 as it should have been recorded. Both values
 * are stated (the page shows the recorded ones to edit): a correction that left the time out must not move the
 * arrival to now.
 */
export interface OfficialFormReceiptCorrection {
  /** How the 申請書 came: `fax` (傳真至客服中心) or `email` (E-mail). */
  readonly channel: OfficialFormChannel;
  /** When it arrived: an ISO instant with its offset (`2026-03-02T09:30:00+08:00`); the same limits as at 收件. */
  readonly receivedAt: string;
  /**
   * The application's `version` the correction was made from. Given, a write since (another desk's correction,
   * say) is CONCURRENT_UPDATE rather than silently replaced; left out, the correction replaces whatever is there.
   */
  readonly expectedVersion?: number;
}

interface ParsedReceipt {
  readonly who: Actor;
  readonly id: string;
  readonly channel: OfficialFormChannel;
  /** The given arrival (ms), or `undefined` for now. */
  readonly arrived: number | undefined;
}

/** The one rule set of a 收件's fields, for recording it and for correcting it (where `receivedAt` is required). */
function parseReceipt(applicationId: unknown, receipt: unknown, reviewer: unknown, issues: IssueCollector, timeRequired: boolean): ParsedReceipt {
  const who = issues.take(() => parseActor(reviewer, 'reviewer'));
  const id = issues.take(() => parseApplicationId(applicationId));
  const r = (typeof receipt === 'object' && receipt !== null ? receipt : {}) as Record<string, unknown>;
  if (r.channel !== 'fax' && r.channel !== 'email') issues.add('channel', 'NOT_AN_OPTION', 'must be fax (傳真) or email (E-mail)');
  let arrived: number | undefined;
  if (r.receivedAt !== undefined) {
    arrived = typeof r.receivedAt === 'string' ? offsetInstantMs(r.receivedAt) : Number.NaN;
    if (Number.isNaN(arrived)) issues.add('receivedAt', 'INVALID_FORMAT', 'must be an ISO instant with its offset (2026-03-02T09:30:00+08:00)');
  } else if (timeRequired) {
    issues.add('receivedAt', 'REQUIRED', 'a correction states when the 申請書 arrived (an ISO instant with its offset)');
  }
  return { who: who as Actor, id: id as string, channel: r.channel as OfficialFormChannel, arrived };
}

/**
 * The arrival as an instant: now by default; refused (naming `receivedAt`) in the future, or after `recordedAt` (a
 * correction: the 申請書 cannot have arrived after the desk recorded it), or before the application.
 */
function arrivalOf(p: ParsedReceipt, app: OfficialAccountApplication, at: string, recordedAt?: string): Date {
  const now = Date.parse(at);
  const when = p.arrived ?? now;
  if (when > now) throw new InvalidInputError([{ field: 'receivedAt', code: 'OUT_OF_RANGE', reason: `must not be in the future (now ${at})` }]);
  if (recordedAt !== undefined && when > Date.parse(recordedAt)) {
    throw new InvalidInputError([{ field: 'receivedAt', code: 'OUT_OF_RANGE', reason: `must not be after the 收件 was recorded (${recordedAt})` }]);
  }
  if (when < Date.parse(app.createdAt)) {
    throw new InvalidInputError([{ field: 'receivedAt', code: 'OUT_OF_RANGE', reason: `must not be before the application was made (${app.createdAt})` }]);
  }
  return new Date(when);
}

/**
 * Writes the 收件 and its due time; `status` and `version` are those the caller locked (or was told), so a row
 * changed meanwhile is CONCURRENT_UPDATE instead of being overwritten.
 */
async function writeReceipt(
  o: OfficialAccountOptions,
  tx: SqlSession,
  app: OfficialAccountApplication,
  version: number,
  receipt: { channel: OfficialFormChannel; arrived: Date; by: string },
  at: string,
): Promise<OfficialAccountApplication> {
  const rows = await tx.query(
    `UPDATE enroll_official_applications SET status='formReceived', form_received_at=$3, form_received_via=$4, form_received_by=$5,
       review_due_at=$6, updated_at=$7, version=version+1
     WHERE id=$1 AND version=$2 RETURNING *`,
    [app.id, version, receipt.arrived.toISOString(), receipt.channel, receipt.by, reviewDueAt(o, receipt.arrived), at],
  );
  if (rows[0] === undefined) throw changedSince(app, version);
  return applicationFromRow(rows[0]);
}

/** CONCURRENT_UPDATE: the application was written since the `version` a request was made from. */
function changedSince(app: OfficialAccountApplication, version: number): EnrollError {
  return new EnrollError('CONCURRENT_UPDATE', `official-account application ${app.id} changed since version ${version}; read it again`);
}

/** 傳真 2026-03-09T01:30:00.000Z: a receipt as the audit trail words it. */
function receiptText(r: OfficialFormReceipt | undefined): string {
  return r === undefined ? '' : `${OFFICIAL_FORM_CHANNEL_LABELS[r.channel]} ${r.receivedAt}`;
}

/**
 * {@link OfficialAccountFlow.receiveForm}: `manualReview` → `formReceived`, with the arrival, the channel and
 * the reviewer kept on the application and the due time counted from the arrival. Audited as `receiveForm`.
 * Recording it twice is INVALID_TRANSITION (the state says it was received), as is any other state; an arrival out
 * of range is OUT_OF_RANGE, the application left as it was. Then an applicant whose account is not activated now is
 * refused (`MEMBER_DEACTIVATED`, or `APPLICANT_NOT_ACTIVATED`) and the
 * application cancelled by the system (`refuseInactiveApplicant`, through `reviewerTransition`): its working day would start for a
 * decision that can only be a cancellation.
 */
export async function receiveForm(
  o: OfficialAccountOptions,
  applicationId: string,
  receipt: OfficialFormReceiptInput,
  reviewer: Actor,
): Promise<OfficialAccountApplication> {
  const issues = new IssueCollector();
  const p = parseReceipt(applicationId, receipt, reviewer, issues, false);
  issues.throwIfAny();
  return reviewerTransition(
    o,
    p.id,
    'receiveForm',
    'formReceived',
    p.who,
    // The arrival is checked before the applicant's account is read again: one out of range is refused as such,
    // and leaves the application as it was.
    async (tx, app, at) => {
      const arrived = arrivalOf(p, app, at);
      return () => writeReceipt(o, tx, app, app.version, { channel: p.channel, arrived, by: p.who.id }, at);
    },
    (saved) => `收件：${receiptText(saved.formReceipt)}，審核期限 ${saved.reviewDueAt ?? ''}`,
  );
}

/**
 * {@link OfficialAccountFlow.correctFormReceipt}: replaces the arrival and the channel of a `formReceived`
 * application and counts the due time again from the corrected arrival. The arrival obeys the same rules as at
 * 收件. `receivedBy` stays the reviewer who recorded the 收件; who corrected it, and the old and new values, are
 * in the audit entry `correctFormReceipt`. Before 收件 or after the decision it is INVALID_TRANSITION. A stale
 * `expectedVersion` is CONCURRENT_UPDATE and an arrival out of range OUT_OF_RANGE, each leaving the application as
 * it was. Only then, like every reviewer command, it reads the applicant's account again: one not activated now is
 * refused and the application cancelled by the system (`refuseInactiveApplicant`, through `reviewerTransition`),
 * rather than kept open with a corrected due time.
 */
export async function correctFormReceipt(
  o: OfficialAccountOptions,
  applicationId: string,
  correction: OfficialFormReceiptCorrection,
  reviewer: Actor,
  reason?: string,
): Promise<OfficialAccountApplication> {
  const issues = new IssueCollector();
  const p = parseReceipt(applicationId, correction, reviewer, issues, true);
  const expected = (typeof correction === 'object' && correction !== null ? correction : {}) as Record<string, unknown>;
  const version = expected.expectedVersion;
  if (version !== undefined && (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 0)) {
    issues.add('expectedVersion', 'INVALID_FORMAT', "must be the application's version (a whole number from 0)");
  }
  const why = reason === undefined ? undefined : issues.take(() => parseRequiredText(reason, 'reason', 2000));
  issues.throwIfAny();
  let before: OfficialAccountApplication | undefined;
  return reviewerTransition(
    o,
    p.id,
    'correctFormReceipt',
    'formReceived',
    p.who,
    // The correction's own checks (the version it was made from, then the arrival) come before the applicant's
    // account is read again: a stale or invalid correction is refused as such and cancels nothing.
    async (tx, app, at) => {
      before = app;
      if (version !== undefined && version !== app.version) throw changedSince(app, version as number);
      // When the desk recorded the 收件: its audit entry, written with it and never changed (the row keeps only the
      // arrival, which a correction rewrites).
      const recordedAt = await lastRecordedAt(tx, OFFICIAL_ACCOUNT_MACHINE.flow, app.id, 'receiveForm');
      const arrived = arrivalOf(p, app, at, recordedAt);
      // A `formReceived` row always has its receipt (migration 0010's CHECK); the recorder is kept.
      const by = app.formReceipt?.receivedBy ?? p.who.id;
      return () => writeReceipt(o, tx, app, app.version, { channel: p.channel, arrived, by }, at);
    },
    (saved) =>
      `收件更正：${receiptText(before?.formReceipt)} → ${receiptText(saved.formReceipt)}，審核期限 ${before?.reviewDueAt ?? ''} → ${saved.reviewDueAt ?? ''}` +
      (why === undefined ? '' : `（原因：${why}）`),
  );
}
