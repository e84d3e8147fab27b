/**
 * The one card-lifecycle rule of every flow (docs/decisions.md, "Enrollment
 * operations"). A MOICA certificate is renewed on the same card: same 卡號,
 * new certificate and serial. A login whose certificate
 * - came from a successful login verification (so it is valid, unexpired and
 *   unrevoked: the verifier refuses anything else),
 * - has the same 卡號 as a bound card,
 * - the same authority, trust anchor, holder name and ID hint as the bound one,
 * - and a later notBefore than the bound certificate (no roll-back to an older one),
 * is that card's renewal: the binding takes the new serial (audited), or with
 * the `review` policy waits for a reviewer. Anything else with a bound 卡號 is
 * refused. A reissued card (new 卡號) re-binds through the flow's own
 * re-binding path (add the new card, remove the old one).
 */
import { randomUUID } from 'node:crypto';
import type { CardAuthority, CardIdentity } from '../domain/card-holder.js';
import type { CardNumber, CertificateSerial } from '../domain/identifiers.js';
import type { Actor } from '../domain/actor.js';
import { EnrollError, InvalidInputError } from '../errors.js';
import { recordTransition } from '../store/audit.js';
import { withSavepoint } from '../store/savepoint.js';
import { isUniqueViolation } from '../store/sql-errors.js';
import { isUuid } from './secret-token.js';
import type { FlowName } from '../machine/machine.js';
import { isoOf, optionalIsoOf, optionalText } from '../store/rows.js';
import type { EnrollStore, Row, SqlSession } from '../store/store.js';
import type { EnrollRefusalReason } from '../errors.js';
import { refusalError } from '../refusals.js';

/**
 * How a renewal that passes {@link judgeRenewal} is applied: `automatic` (the binding takes the new serial at
 * login), `review` (queued for a reviewer's `acceptRenewal`), or `replace` (refused, audited: the flow's own card
 * change re-binds it — the GEPI manual's rule, 「授權管理者自然人憑證更換或展期，皆須進入本項功能變更註冊資料」, and an
 * operator's renewed card waits for the administrator's 修改).
 */
export type RenewalPolicy = 'automatic' | 'review' | 'replace';

/**
 * Checks the `renewal` option of a flow when it is built: a misspelt policy
 * (`'Review'`) would otherwise renew certificates automatically, silently.
 * @throws RangeError naming the option.
 */
export function checkRenewalPolicy(value: unknown): void {
  if (value !== undefined && value !== 'automatic' && value !== 'review' && value !== 'replace') {
    throw new RangeError(`renewal must be 'automatic', 'review' or 'replace', not ${JSON.stringify(value)}`);
  }
}

/** What a flow recorded about a bound card, to compare a renewal with. */
export interface BoundCard {
  /** 卡號 */
  readonly cardNumber: CardNumber;
  /** Serial of the bound certificate. */
  readonly certificateSerial: CertificateSerial;
  /** Issuing authority; `undefined` for bindings made before it was recorded. */
  readonly authority: CardAuthority | undefined;
  /** Certificate subject name; `undefined` when not recorded. */
  readonly subjectName: string | undefined;
  /** ID hint; `undefined` when the certificate had none or it was not recorded. */
  readonly idHint: string | undefined;
  /** Trust anchor SHA-256; `undefined` when not recorded. */
  readonly anchor: string | undefined;
  /** notBefore of the bound certificate (ISO); `undefined` when not recorded. */
  readonly validFrom: string | undefined;
}

/** Outcome of comparing a presented certificate with a bound card. */
export type RenewalVerdict =
  | {
      /** The presented certificate is the bound one. */
      readonly kind: 'same';
    }
  | {
      /** A renewal of the bound card. */
      readonly kind: 'renewal';
    }
  | {
      /** Not the bound card's renewal. */
      readonly kind: 'refused';
      /** Why, for the audit trail and the error message. */
      readonly reason: string;
    };

/**
 * A {@link BoundCard} from a binding row with the columns `card_number`,
 * `certificate_serial`, `authority`, `id_hint`, `anchor`, `valid_from` and the
 * holder name in `nameColumn`.
 */
export function boundCardFromRow(r: Row, nameColumn = 'subject_name'): BoundCard {
  return {
    cardNumber: String(r.card_number) as CardNumber,
    certificateSerial: String(r.certificate_serial) as CertificateSerial,
    authority: optionalText(r.authority) as CardAuthority | undefined,
    subjectName: optionalText(r[nameColumn]),
    idHint: optionalText(r.id_hint),
    anchor: optionalText(r.anchor),
    validFrom: optionalIsoOf(r.valid_from),
  };
}

/** Applies the renewal rule to a certificate presented with a bound 卡號. */
export function judgeRenewal(bound: BoundCard, presented: CardIdentity): RenewalVerdict {
  if (presented.certificateSerial === bound.certificateSerial) return { kind: 'same' };
  const refuse = (reason: string): RenewalVerdict => ({ kind: 'refused', reason });
  if (!presented.verified) return refuse('the certificate did not come from a successful login verification');
  if (presented.cardNumber !== bound.cardNumber) return refuse('the 卡號 differs');
  if (bound.authority === undefined || bound.subjectName === undefined) {
    return refuse('the binding predates renewal data; re-bind the card');
  }
  if (presented.authority !== bound.authority) return refuse(`another authority (${presented.authority}, bound ${bound.authority})`);
  if (bound.anchor !== undefined && presented.anchor !== bound.anchor) return refuse('the certificate chains to another trust anchor');
  if (presented.subjectName !== bound.subjectName) return refuse('another holder name');
  if (presented.idHint !== bound.idHint) return refuse('another ID hint');
  // A renewal is newer: an older certificate of the same card never takes the binding back.
  if (bound.validFrom === undefined || presented.validFrom === undefined) return refuse('the certificate dates are unknown');
  if (Date.parse(presented.validFrom) <= Date.parse(bound.validFrom)) return refuse('not newer than the bound certificate');
  return { kind: 'renewal' };
}

/** A renewal waiting for a reviewer. */
export interface PendingRenewal {
  /** Request ID (UUID), for {@link AccountEnrollmentFlow.acceptRenewal} and its siblings. */
  readonly id: string;
  /** Flow whose binding it renews. */
  readonly flow: FlowName;
  /** 卡號 */
  readonly cardNumber: CardNumber;
  /** Serial bound now. */
  readonly oldSerial: CertificateSerial;
  /** Serial of the renewed certificate. */
  readonly newSerial: CertificateSerial;
  /** notBefore of the renewed certificate (ISO), when known. */
  readonly newValidFrom?: string;
  /** When the renewed card first logged in (ISO). */
  readonly requestedAt: string;
}

function renewalFromRow(r: Row): PendingRenewal {
  return {
    id: String(r.id),
    flow: r.flow as FlowName,
    cardNumber: String(r.card_number) as CardNumber,
    oldSerial: String(r.old_serial) as CertificateSerial,
    newSerial: String(r.new_serial) as CertificateSerial,
    ...(r.new_valid_from == null ? {} : { newValidFrom: isoOf(r.new_valid_from) }),
    requestedAt: isoOf(r.requested_at),
  };
}

/** Records a renewal for review (once per new serial) and returns the open request. */
export async function requestRenewalReview(
  tx: SqlSession,
  flow: FlowName,
  bound: BoundCard,
  presented: CardIdentity,
  at: string,
): Promise<{ request: PendingRenewal; created: boolean }> {
  const openRequest = async (): Promise<Row | undefined> =>
    (await tx.query(`SELECT * FROM enroll_card_renewals WHERE flow=$1 AND new_serial=$2 AND status='pending'`, [flow, presented.certificateSerial]))[0];
  const open = await openRequest();
  if (open !== undefined) return { request: renewalFromRow(open), created: false };
  // Two logins holding different bindings of one card (an operator of two agencies) can both find no request
  // and insert one: the second waits on the open-request index for the first to commit and then inserts
  // nothing (a plain insert failed there with the driver's unique violation), and answers with the first's.
  const rows = await tx.query(
    `INSERT INTO enroll_card_renewals (id, flow, card_number, old_serial, new_serial, new_valid_from, status, requested_at)
     VALUES ($1,$2,$3,$4,$5,$6,'pending',$7)
     ON CONFLICT (flow, new_serial) WHERE status = 'pending' DO NOTHING RETURNING *`,
    [randomUUID(), flow, bound.cardNumber, bound.certificateSerial, presented.certificateSerial, presented.validFrom ?? null, at],
  );
  if (rows[0] !== undefined) return { request: renewalFromRow(rows[0]), created: true };
  const theirs = await openRequest();
  if (theirs === undefined) throw new EnrollError('CONCURRENT_UPDATE', `the renewal request of ${presented.certificateSerial} changed concurrently; log in again`);
  return { request: renewalFromRow(theirs), created: false };
}

/** A pending renewal of `flow`, read without a lock (see {@link acceptPendingRenewal} for why). */
async function findPendingRenewal(tx: SqlSession, flow: FlowName, id: string): Promise<PendingRenewal | undefined> {
  const rows = await tx.query(`SELECT * FROM enroll_card_renewals WHERE id=$1 AND flow=$2 AND status='pending'`, [id, flow]);
  return rows[0] === undefined ? undefined : renewalFromRow(rows[0]);
}

/** Locks a pending renewal of `flow`; NOT_FOUND when there is none with that ID. */
export async function lockPendingRenewal(tx: SqlSession, flow: FlowName, id: string): Promise<PendingRenewal> {
  const rows = await tx.query(`SELECT * FROM enroll_card_renewals WHERE id=$1 AND flow=$2 AND status='pending' FOR UPDATE`, [id, flow]);
  if (rows[0] === undefined) throw new EnrollError('NOT_FOUND', `no pending card renewal ${id}`);
  return renewalFromRow(rows[0]);
}

/** Closes a renewal request. */
export async function closeRenewal(tx: SqlSession, id: string, status: 'accepted' | 'rejected', by: string, at: string): Promise<void> {
  await tx.query('UPDATE enroll_card_renewals SET status=$2, decided_by=$3, decided_at=$4 WHERE id=$1', [id, status, by, at]);
}

/** Where {@link rejectPendingRenewalsOf} audits each request it rejects. */
export interface RenewalRejection {
  /** Audit subject of the binding's record: the one its `renewalRequested` entry has. */
  readonly subject: string;
  /** The record's state (audited unchanged). */
  readonly state: string;
  /** Why the binding went away, for the audit entry's reason. */
  readonly why: string;
}

/**
 * Rejects the pending renewals of bindings that are going away (a removed
 * card, a closed account, an unbound login card, a removed or replaced
 * uploaded card, a removed or re-serialled operator): accepting one later
 * could only fail (NOT_FOUND), and a reviewer's queue should not keep them
 * for ever. Each is closed `rejected` by `who` and audited `renewalRejected`
 * on `audit.subject` with the request and `audit.why`, so the trail that shows
 * the request (`renewalRequested`) also shows its end.
 *
 * Lock order: the caller holds the binding's row (locked, updated or deleted)
 * before this touches its requests, the order of a login (binding, then its
 * request) and of an acceptance (binding, then request): a login that held
 * the binding has committed its request by the time this reads them.
 */
export async function rejectPendingRenewalsOf(
  tx: SqlSession,
  flow: FlowName,
  bindings: readonly { readonly cardNumber: string; readonly certificateSerial: string }[],
  who: Actor,
  at: string,
  audit: RenewalRejection,
): Promise<PendingRenewal[]> {
  const rejected: PendingRenewal[] = [];
  for (const b of bindings) {
    const rows = await tx.query(
      `UPDATE enroll_card_renewals SET status='rejected', decided_by=$4, decided_at=$5
       WHERE flow=$1 AND status='pending' AND card_number=$2 AND old_serial=$3 RETURNING *`,
      [flow, b.cardNumber, b.certificateSerial, who.id, at],
    );
    for (const row of rows) {
      const request = renewalFromRow(row);
      rejected.push(request);
      await recordTransition(tx, {
        flow,
        subject: audit.subject,
        actor: who,
        at,
        event: 'renewalRejected',
        from: audit.state,
        to: audit.state,
        reason: `卡號 ${request.cardNumber}: ${request.oldSerial} → ${request.newSerial} (request ${request.id}): ${audit.why}`,
      });
    }
  }
  return rejected;
}

/** Pending renewals of `flow`, oldest first. */
export async function pendingRenewals(store: EnrollStore, flow: FlowName): Promise<PendingRenewal[]> {
  const rows = await store.transaction((tx) =>
    tx.query(`SELECT * FROM enroll_card_renewals WHERE flow=$1 AND status='pending' ORDER BY requested_at, id`, [flow]),
  );
  return rows.map(renewalFromRow);
}

const RENEWAL_ACTOR: Actor = { role: 'system', id: 'card-renewal' };

/** What {@link resolveRenewal} needs from a flow. */
export interface RenewalContext {
  /** The flow whose binding is compared. */
  readonly flow: FlowName;
  /** Audit subject of the binding's record. */
  readonly subject: string;
  /** The record's state (audited unchanged). */
  readonly state: string;
  /** The flow's renewal policy. */
  readonly policy: RenewalPolicy | undefined;
  /** Instant of the login (ISO). */
  readonly at: string;
  /** The flow's refusal (its usual NOT_AUTHORIZED cause). */
  readonly refusal: EnrollRefusalReason;
  /** Writes the new serial (and notBefore) into the flow's binding. */
  readonly renew: () => Promise<void>;
}

/**
 * Applies {@link judgeRenewal} inside the login's transaction: `same`, or
 * `renewed` after `renew` ran (audited `renewCard`); otherwise the error to
 * throw once the transaction committed its audit entry (`renewalRefused` →
 * NOT_AUTHORIZED, or CARD_ALREADY_BOUND when `renew` hit a serial bound
 * elsewhere; `renewalRequested` → RENEWAL_PENDING_REVIEW). `renew` runs in a
 * savepoint, so its failure leaves the transaction able to commit the audit.
 */
export async function resolveRenewal(tx: SqlSession, bound: BoundCard, card: CardIdentity, c: RenewalContext): Promise<'same' | 'renewed' | EnrollError> {
  const verdict = judgeRenewal(bound, card);
  if (verdict.kind === 'same') return 'same';
  const audit = (event: string, reason: string): Promise<void> =>
    recordTransition(tx, { flow: c.flow, subject: c.subject, actor: RENEWAL_ACTOR, at: c.at, event, from: c.state, to: c.state, reason });
  const detail = `卡號 ${bound.cardNumber}: ${bound.certificateSerial} → ${card.certificateSerial}`;
  if (verdict.kind === 'refused') {
    // Returned, not thrown, so the refusal's audit entry commits: it is evidence worth keeping.
    await audit('renewalRefused', `${detail}: ${verdict.reason}`);
    return refusalError(c.refusal, verdict.reason);
  }
  if (c.policy === 'replace') {
    // A renewal like any other, but this deployment re-binds renewed cards through its own card change only.
    await audit('renewalRefused', `${detail}: renewal: 'replace' (the card change re-binds a renewed card)`);
    return refusalError(c.refusal, 'the certificate was renewed: re-bind it through the card change');
  }
  if ((c.policy ?? 'automatic') === 'review') {
    const { request, created } = await requestRenewalReview(tx, c.flow, bound, card, c.at);
    if (created) await audit('renewalRequested', `${detail} (request ${request.id})`);
    return new EnrollError('RENEWAL_PENDING_REVIEW', '憑證已展期，待審核後即可登入 (the renewed certificate waits for review)');
  }
  try {
    // In a savepoint: when the new serial is bound elsewhere the UPDATE fails, and
    // PostgreSQL would abort the whole transaction, refusal audit entry included.
    await withSavepoint(tx, c.renew);
  } catch (err) {
    if (!isBoundElsewhere(err)) throw err;
    await audit('renewalRefused', `${detail}: the new certificate is already bound elsewhere`);
    return refusalError('RENEWED_CERTIFICATE_BOUND_ELSEWHERE', 'the renewed certificate is already bound to another card or account');
  }
  await audit('renewCard', detail);
  return 'renewed';
}

/** A unique violation, or a flow's own translation of one, from a renewal's write. */
function isBoundElsewhere(err: unknown): boolean {
  return isUniqueViolation(err) || (err instanceof EnrollError && err.code === 'CARD_ALREADY_BOUND');
}

/**
 * A reviewer's acceptance of a pending renewal: locks the binding it renews
 * (`lockBinding`, given the request as read without a lock), then the
 * request; lets `apply` move the binding to the new serial (returning its
 * audit subject and state), closes the request and audits `renewCard`.
 *
 * The binding before the request is the order of a login (binding, then its
 * request) and of every command that unbinds (bindings, then their requests):
 * locking the request first deadlocked against them on PostgreSQL.
 */
export async function acceptPendingRenewal<T, B>(
  tx: SqlSession,
  flow: FlowName,
  renewalId: string,
  who: Actor,
  at: string,
  lockBinding: (request: PendingRenewal) => Promise<B>,
  apply: (request: PendingRenewal, held: B | undefined) => Promise<{ result: T; subject: string; state: string }>,
): Promise<T> {
  const peek = await findPendingRenewal(tx, flow, renewalId);
  const held = peek === undefined ? undefined : await lockBinding(peek);
  const request = await lockPendingRenewal(tx, flow, renewalId);
  const { result, subject, state } = await apply(request, held);
  await closeRenewal(tx, renewalId, 'accepted', who.id, at);
  await recordTransition(tx, {
    flow,
    subject,
    actor: who,
    at,
    event: 'renewCard',
    from: state,
    to: state,
    reason: `卡號 ${request.cardNumber}: ${request.oldSerial} → ${request.newSerial} (request ${renewalId})`,
  });
  return result;
}

/** Parses a renewal request ID. */
export function parseRenewalId(value: unknown): string {
  if (!isUuid(value)) throw new InvalidInputError([{ field: 'renewalId', code: 'INVALID_FORMAT', reason: 'must be a UUID' }]);
  return value.toLowerCase();
}
