/**
 * Manual review of official-account applications (申請書 received by fax or
 * e-mail, 1 個工作天 from 收件): the reviewer queue, the overdue list, approval
 * with the 核可通知信 (the member becomes 公務人員 of the agency) and rejection
 * with its notice.
 */
import { parseActor, type Actor } from '../domain/actor.js';
import { parseRequiredText } from '../domain/identifiers.js';
import { IssueCollector } from '../errors.js';
import { officialApprovalNotice, officialRejectionNotice, type OfficialNoticeFacts } from '../mail/official-notices.js';
import { OFFICIAL_ACCOUNT_MACHINE, type OfficialStatus } from '../machine/official-machine.js';
import type { SqlSession } from '../store/store.js';
import { promoteMember } from './official-members.js';
import { applicationFromRow, lockMember, type OfficialAccountApplication } from './official-records.js';
import { parseApplicationId, reviewerTransition, sendNotice, writeOnly, type OfficialAccountOptions } from './official-shared.js';
import { listQueue, pageOf, type QueuePage, type QueueQuery } from './review-queue.js';

/** The notice facts of `app`, or `undefined` when the SDK has no member reference (no e-mail to write to). */
async function noticeFacts(tx: SqlSession, app: OfficialAccountApplication): Promise<OfficialNoticeFacts | undefined> {
  const member = await lockMember(tx, app.memberId);
  if (member === undefined) return undefined;
  return { to: member.email, name: member.name, memberId: member.memberId, appliedAt: app.createdAt, agencyName: app.agencyName, agencyOid: app.agencyOid };
}

function parseDecision(reviewer: unknown, applicationId: unknown, note: unknown, required: boolean): { who: Actor; id: string; note: string | null } {
  const issues = new IssueCollector();
  const who = issues.take(() => parseActor(reviewer, 'reviewer'));
  const id = issues.take(() => parseApplicationId(applicationId));
  const field = required ? 'reason' : 'note';
  const text = note === undefined && !required ? null : (issues.take(() => parseRequiredText(note, field, 2000)) ?? null);
  issues.throwIfAny();
  return { who: who as Actor, id: id as string, note: text };
}

async function decide(tx: SqlSession, id: string, to: OfficialStatus, note: string | null, at: string): Promise<OfficialAccountApplication> {
  const rows = await tx.query(
    `UPDATE enroll_official_applications SET status=$2, review_note=COALESCE($3, review_note), decided_at=$4, updated_at=$4, version=version+1
     WHERE id=$1 RETURNING *`,
    [id, to, note, at],
  );
  return applicationFromRow(rows[0] ?? {});
}

/**
 * {@link OfficialAccountFlow.approve}: the member becomes 公務人員 of the agency; the 核可通知信 goes to its e-mail.
 * An applicant whose account is not activated now is refused and the application cancelled by the system
 * (`refuseInactiveApplicant`, through `reviewerTransition`).
 */
export async function approve(o: OfficialAccountOptions, applicationId: string, reviewer: Actor, note?: string): Promise<OfficialAccountApplication> {
  const d = parseDecision(reviewer, applicationId, note, false);
  return reviewerTransition(
    o,
    d.id,
    'approve',
    'approved',
    d.who,
    // Its own checks (reviewer, ID, note) ran before the transaction: nothing of the request is left to refuse.
    writeOnly(async (tx, app, at) => {
      const saved = await decide(tx, d.id, 'approved', d.note, at);
      const facts = await noticeFacts(tx, app);
      await promoteMember(tx, app, d.who, at);
      // Inside the transaction: a notice that cannot be sent rolls the approval back.
      await sendNotice(o, facts === undefined ? undefined : officialApprovalNotice(facts, o.branding));
      return saved;
    }),
    d.note ?? undefined,
  );
}

/**
 * {@link OfficialAccountFlow.reject}: the member stays as it was; the rejection notice (with `reason`) goes to its
 * e-mail. An applicant whose account is not activated now is refused as at approval and the application cancelled
 * by the system instead (`refuseInactiveApplicant`, through `reviewerTransition`): a rejection would use up an attempt the member never
 * caused, and mail a notice to an account that cannot log in.
 */
export async function reject(o: OfficialAccountOptions, applicationId: string, reviewer: Actor, reason: string): Promise<OfficialAccountApplication> {
  const d = parseDecision(reviewer, applicationId, reason, true);
  return reviewerTransition(
    o,
    d.id,
    'reject',
    'rejected',
    d.who,
    writeOnly(async (tx, app, at) => {
      const saved = await decide(tx, d.id, 'rejected', d.note, at);
      const facts = await noticeFacts(tx, app);
      await sendNotice(o, facts === undefined ? undefined : officialRejectionNotice(facts, d.note as string, o.branding));
      return saved;
    }),
    d.note ?? undefined,
  );
}

/** {@link OfficialAccountFlow.reviewQueue}: applications in `query.status`, oldest first, paged, optionally by creation date. */
export function reviewQueue(o: OfficialAccountOptions, query: QueueQuery<OfficialStatus>): Promise<QueuePage<OfficialAccountApplication>> {
  return listQueue(
    o.store,
    { table: 'enroll_official_applications', key: 'id', states: OFFICIAL_ACCOUNT_MACHINE.states, map: applicationFromRow },
    query,
  );
}

/** Page of {@link OfficialAccountFlow.overdueReviews}. */
export interface OverdueQuery {
  /** Page size, 1–500; default 50. */
  readonly limit?: number;
  /** Records to skip, default 0. */
  readonly offset?: number;
}

/**
 * {@link OfficialAccountFlow.overdueReviews}: applications a reviewer still has to decide (`formReceived`,
 * `underReview`) whose one working day has ended by the clock's now, the longest overdue first. An application
 * waiting for its 申請書 (`manualReview`) is not overdue: its day has not started.
 */
export async function overdueReviews(o: OfficialAccountOptions, query: OverdueQuery = {}): Promise<QueuePage<OfficialAccountApplication>> {
  const issues = new IssueCollector();
  // Something that is not a query (a string, null, an array) is named, never read as "no query".
  if (typeof query !== 'object' || query === null || Array.isArray(query)) issues.add('query', 'INVALID_FORMAT', 'must be an object such as { limit: 50, offset: 0 }');
  const { limit, offset } = pageOf((typeof query === 'object' && query !== null ? query : {}) as Record<string, unknown>, issues);
  issues.throwIfAny();
  const now = o.clock.now().toISOString();
  const where = `status IN ('underReview','formReceived') AND review_due_at <= $1`;
  return o.store.transaction(async (tx) => {
    const count = await tx.query(`SELECT count(*)::int AS n FROM enroll_official_applications WHERE ${where}`, [now]);
    const rows = await tx.query(`SELECT * FROM enroll_official_applications WHERE ${where} ORDER BY review_due_at, id LIMIT $2 OFFSET $3`, [now, limit, offset]);
    return { items: rows.map(applicationFromRow), total: Number(count[0]?.n ?? 0) };
  });
}
