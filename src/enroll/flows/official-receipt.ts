/**
 * 收件: the service desk records that a member's 我的E政府公務帳號申請書 arrived
 * (faxed to the 客服中心 or e-mailed, 注意事項 5). The form's one working day
 * (需計1個工作天內審核完畢) counts from this arrival, and only a received form
 * can be approved: before it nothing the member signed has been checked.
 */
import { parseActor, type Actor } from '../domain/actor.js';
import { InvalidInputError, IssueCollector } from '../errors.js';
import { OFFICIAL_FORM_CHANNEL_LABELS, type OfficialFormChannel } from '../machine/official-machine.js';
import { applicationFromRow, type OfficialAccountApplication } from './official-records.js';
import { parseApplicationId, reviewDueAt, transitionApplication, type OfficialAccountOptions } from './official-shared.js';
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

interface ParsedReceipt {
  readonly who: Actor;
  readonly id: string;
  readonly channel: OfficialFormChannel;
  /** The given arrival (ms), or `undefined` for now. */
  readonly arrived: number | undefined;
}

function parseReceipt(applicationId: unknown, receipt: unknown, reviewer: unknown): ParsedReceipt {
  const issues = new IssueCollector();
  const who = issues.take(() => parseActor(reviewer, 'reviewer'));
  const id = issues.take(() => parseApplicationId(applicationId));
  const r = (typeof receipt === 'object' && receipt !== null ? receipt : {}) as Record<string, unknown>;
  if (r.channel !== 'fax' && r.channel !== 'email') issues.add('channel', 'NOT_AN_OPTION', 'must be fax (傳真) or email (E-mail)');
  let arrived: number | undefined;
  if (r.receivedAt !== undefined) {
    arrived = typeof r.receivedAt === 'string' ? offsetInstantMs(r.receivedAt) : Number.NaN;
    if (Number.isNaN(arrived)) issues.add('receivedAt', 'INVALID_FORMAT', 'must be an ISO instant with its offset (2026-03-02T09:30:00+08:00)');
  }
  issues.throwIfAny();
  return { who: who as Actor, id: id as string, channel: r.channel as OfficialFormChannel, arrived };
}

/** The arrival as an instant: now by default; refused (naming `receivedAt`) in the future or before the application. */
function arrivalOf(p: ParsedReceipt, app: OfficialAccountApplication, at: string): Date {
  const now = Date.parse(at);
  const when = p.arrived ?? now;
  if (when > now) throw new InvalidInputError([{ field: 'receivedAt', code: 'OUT_OF_RANGE', reason: `must not be in the future (now ${at})` }]);
  if (when < Date.parse(app.createdAt)) {
    throw new InvalidInputError([{ field: 'receivedAt', code: 'OUT_OF_RANGE', reason: `must not be before the application was made (${app.createdAt})` }]);
  }
  return new Date(when);
}

/**
 * {@link OfficialAccountFlow.receiveForm}: `manualReview` → `formReceived`, with the arrival, the channel and
 * the reviewer kept on the application and the due time counted from the arrival. Audited as `receiveForm`.
 * Recording it twice is INVALID_TRANSITION (the state says it was received), as is any other state.
 */
export async function receiveForm(
  o: OfficialAccountOptions,
  applicationId: string,
  receipt: OfficialFormReceiptInput,
  reviewer: Actor,
): Promise<OfficialAccountApplication> {
  const p = parseReceipt(applicationId, receipt, reviewer);
  return transitionApplication(
    o,
    p.id,
    'receiveForm',
    'formReceived',
    p.who,
    async (tx, app, at) => {
      const arrived = arrivalOf(p, app, at);
      const rows = await tx.query(
        `UPDATE enroll_official_applications SET status='formReceived', form_received_at=$2, form_received_via=$3, form_received_by=$4,
           review_due_at=$5, updated_at=$6, version=version+1
         WHERE id=$1 RETURNING *`,
        [p.id, arrived.toISOString(), p.channel, p.who.id, reviewDueAt(o, arrived), at],
      );
      return applicationFromRow(rows[0] ?? {});
    },
    (saved) => `收件：${OFFICIAL_FORM_CHANNEL_LABELS[p.channel]} ${saved.formReceipt?.receivedAt ?? ''}，審核期限 ${saved.reviewDueAt ?? ''}`,
  );
}
