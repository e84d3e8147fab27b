import type { Actor, ActorRole } from '../domain/actor.js';
import type { FlowName } from '../machine/machine.js';
import { ENROLL_MACHINES } from '../machine/all-machines.js';
import { InvalidInputError, type FieldIssue } from '../errors.js';
import { isoOf, optionalText } from './rows.js';
import type { EnrollStore, SqlSession } from './store.js';

/** One audited transition: who, when, from, to, why. */
export interface AuditEntry {
  /** Flow the record belongs to. */
  readonly flow: FlowName;
  /** Record key (application ID, agency code, control number…). */
  readonly subject: string;
  /** Who caused it. */
  readonly actor: Actor;
  /** When (ISO instant from the injected clock). */
  readonly at: string;
  /** Command or event name. */
  readonly event: string;
  /** State before. */
  readonly from: string;
  /** State after (equal to `from` for self-transitions such as adding a card). */
  readonly to: string;
  /** Free-text reason or detail (review note, card number…); never a secret. */
  readonly reason?: string;
}

/** Appends an entry in the caller's transaction, so it commits or rolls back with the change. */
export async function recordTransition(tx: SqlSession, e: AuditEntry): Promise<void> {
  await tx.query(
    `INSERT INTO enroll_audit_log (flow, subject, actor_role, actor_id, at, event, from_state, to_state, reason)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)`,
    [e.flow, e.subject, e.actor.role, e.actor.id, e.at, e.event, e.from, e.to, e.reason ?? null],
  );
}

/** When `event` was last recorded for `subject` of `flow`, in the caller's transaction; `undefined` if never. */
export async function lastRecordedAt(tx: SqlSession, flow: FlowName, subject: string, event: string): Promise<string | undefined> {
  const rows = await tx.query(`SELECT at FROM enroll_audit_log WHERE flow = $1 AND subject = $2 AND event = $3 ORDER BY id DESC LIMIT 1`, [
    flow,
    subject,
    event,
  ]);
  const at = rows[0]?.at;
  return at === undefined ? undefined : isoOf(at);
}

const FLOWS: readonly FlowName[] = ENROLL_MACHINES.map((m) => m.flow);

/**
 * The audit trail, oldest first, optionally narrowed to one flow and subject.
 * @throws InvalidInputError naming `filter.flow` (not a flow: it would match nothing) or `filter.subject` (not text).
 */
export async function readAuditTrail(
  store: EnrollStore,
  filter: { flow?: FlowName; subject?: string } = {},
): Promise<AuditEntry[]> {
  const f = (typeof filter === 'object' && filter !== null ? filter : {}) as { flow?: unknown; subject?: unknown };
  const issues: FieldIssue[] = [];
  if (f.flow !== undefined && !FLOWS.includes(f.flow as FlowName)) {
    issues.push({ field: 'filter.flow', code: 'NOT_AN_OPTION', reason: `must be one of ${FLOWS.join(', ')}` });
  }
  if (f.subject !== undefined && typeof f.subject !== 'string') issues.push({ field: 'filter.subject', code: 'INVALID_FORMAT', reason: 'must be text' });
  if (issues.length > 0) throw new InvalidInputError(issues);
  return store.transaction(async (tx) => {
    const rows = await tx.query(
      `SELECT * FROM enroll_audit_log
       WHERE ($1::text IS NULL OR flow = $1) AND ($2::text IS NULL OR subject = $2)
       ORDER BY id`,
      [filter.flow ?? null, filter.subject ?? null],
    );
    return rows.map((r) => {
      const reason = optionalText(r.reason);
      return {
        flow: r.flow as FlowName,
        subject: String(r.subject),
        actor: { role: r.actor_role as ActorRole, id: String(r.actor_id) },
        at: isoOf(r.at),
        event: String(r.event),
        from: String(r.from_state),
        to: String(r.to_state),
        ...(reason === undefined ? {} : { reason }),
      };
    });
  });
}
