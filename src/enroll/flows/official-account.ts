/**
 * Flow 4 (seed emic…): 自然人轉公務員. The applicant's agency OID must exist in the
 * directory and the agency name is filled from it, never typed. A first
 * application goes to review; a repeat one to manual review (申請書 route).
 */
import { randomUUID } from 'node:crypto';
import { parseActor, type Actor } from '../domain/actor.js';
import { parseAgencyOid, parseRequiredText, type AgencyOid } from '../domain/identifiers.js';
import { EnrollError, InvalidInputError, IssueCollector } from '../errors.js';
import { assertTransition } from '../machine/machine.js';
import { OFFICIAL_ACCOUNT_MACHINE, type OfficialStatus } from '../machine/official-machine.js';
import type { Agency, AgencyDirectory } from '../ports/agency-directory.js';
import type { Clock } from '../ports/clock.js';
import { recordTransition } from '../store/audit.js';
import { isoOf, optionalText } from '../store/rows.js';
import { isUniqueViolation } from '../store/sql-errors.js';
import type { EnrollStore, Row } from '../store/store.js';
import { OFFICIAL_COMMANDS, auditRefusals, authorize } from './authorization.js';
import { listQueue, type QueuePage, type QueueQuery } from './review-queue.js';
import { isUuid } from './secret-token.js';

/** An official-account application (公務帳號申請). */
export interface OfficialAccountApplication {
  /** Record ID (UUID). */
  readonly id: string;
  /** The applicant's member account (會員帳號). */
  readonly memberId: string;
  /** 新機關OID */
  readonly agencyOid: AgencyOid;
  /** 新機關名稱, filled from the OID. */
  readonly agencyName: string;
  /** 申請原因 */
  readonly reason: string;
  /** Current state. */
  readonly status: OfficialStatus;
  /** 1 for the first application of the member, 2 for the second, … */
  readonly attempt: number;
  /** Reviewer's note. */
  readonly reviewNote?: string;
  /** When the applicant confirmed 「我已確認上述資料與證件相符」 (ISO); absent on applications made before it was recorded. */
  readonly attestedAt?: string;
  /** Creation instant (ISO). */
  readonly createdAt: string;
  /** Last change (ISO). */
  readonly updatedAt: string;
  /** Optimistic-lock counter. */
  readonly version: number;
}

/** The seed's attestation the applicant confirms before sending (送出申請). */
export const OFFICIAL_ATTESTATION = '我已確認上述資料與證件相符';

/** Input of {@link OfficialAccountFlow.apply} (送出資料). */
export interface OfficialAccountInput {
  /** The applicant's member account (會員帳號). */
  readonly memberId: string;
  /** 新機關OID */
  readonly agencyOid: string;
  /** 申請原因 */
  readonly reason: string;
  /** 「我已確認上述資料與證件相符」 was ticked; must be `true`, and the time is recorded. */
  readonly attested: boolean;
}

/** Dependencies of {@link OfficialAccountFlow}. */
export interface OfficialAccountOptions {
  /** Persistence. */
  readonly store: EnrollStore;
  /** Time source. */
  readonly clock: Clock;
  /** Government OID directory. */
  readonly agencies: AgencyDirectory;
  /** Allowed 申請原因 values; default `['公務人員']`. */
  readonly reasons?: readonly string[];
}

function fromRow(r: Row): OfficialAccountApplication {
  const note = optionalText(r.review_note);
  return {
    id: String(r.id),
    memberId: String(r.member_id),
    agencyOid: String(r.agency_oid) as AgencyOid,
    agencyName: String(r.agency_name),
    reason: String(r.reason),
    status: r.status as OfficialStatus,
    attempt: Number(r.attempt),
    ...(note === undefined ? {} : { reviewNote: note }),
    ...(r.attested_at == null ? {} : { attestedAt: isoOf(r.attested_at) }),
    createdAt: isoOf(r.created_at),
    updatedAt: isoOf(r.updated_at),
    version: Number(r.version),
  };
}

/** Commands of the official-account application. */
export class OfficialAccountFlow {
  private readonly o: OfficialAccountOptions;
  private readonly reasons: readonly string[];

  /** Fixes the dependencies once. */
  public constructor(options: OfficialAccountOptions) {
    this.o = options;
    this.reasons = options.reasons ?? ['公務人員'];
  }

  /** 查詢機關OID / 新機關名稱 autofill: the agency for an OID, or AGENCY_OID_UNKNOWN. */
  public async agencyFor(oid: string): Promise<Agency> {
    const parsed = parseAgencyOid(oid);
    const agency = await this.o.agencies.findByOid(parsed);
    if (agency === undefined) throw new EnrollError('AGENCY_OID_UNKNOWN', `no agency with OID ${parsed} (查詢機關OID)`);
    return agency;
  }

  /** 送出資料: validates the OID, fills the agency name, opens the application. */
  public async apply(input: OfficialAccountInput, actor: Actor): Promise<OfficialAccountApplication> {
    const who = parseActor(actor);
    const issues = new IssueCollector();
    const v = (typeof input === 'object' && input !== null ? input : {}) as Record<string, unknown>;
    const memberId = issues.take(() => parseRequiredText(v.memberId, 'memberId', 100));
    const oid = issues.take(() => parseAgencyOid(v.agencyOid));
    const reason = issues.take(() => parseRequiredText(v.reason, 'reason', 100));
    if (reason !== undefined && !this.reasons.includes(reason)) {
      issues.add('reason', `must be one of ${this.reasons.join(', ')}`);
    }
    if (v.attested !== true) issues.add('attested', `「${OFFICIAL_ATTESTATION}」 must be confirmed (true)`);
    issues.throwIfAny();
    return this.guarded(() => this.applyAs(memberId as string, oid as string, reason as string, who));
  }

  private async applyAs(memberId: string, oid: string, reason: string, who: Actor): Promise<OfficialAccountApplication> {
    authorize(OFFICIAL_COMMANDS, 'apply', who, { subject: memberId, owner: memberId });
    const agency = await this.agencyFor(oid);
    const id = randomUUID();
    try {
      return await this.o.store.transaction(async (tx) => {
        const prior = await tx.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM enroll_official_applications WHERE member_id=$1',
          [memberId],
        );
        const attempt = Number(prior[0]?.n ?? 0) + 1;
        const status: OfficialStatus = attempt === 1 ? 'underReview' : 'manualReview';
        const at = this.o.clock.now().toISOString();
        const rows = await tx.query(
          `INSERT INTO enroll_official_applications (id, member_id, agency_oid, agency_name, reason, status, attempt, created_at, updated_at,
             attested_at)
           VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$8,$8) RETURNING *`,
          [id, memberId, agency.oid, agency.name, reason, status, attempt, at],
        );
        await recordTransition(tx, {
          flow: 'officialAccount',
          subject: id,
          actor: who,
          at,
          event: 'apply',
          from: 'none',
          to: status,
          reason: attempt === 1 ? `${agency.oid} ${agency.name}` : `第 ${attempt} 次申請，人工審核`,
        });
        return fromRow(rows[0] ?? {});
      });
    } catch (err) {
      if (isUniqueViolation(err)) {
        throw new EnrollError('APPLICATION_IN_PROGRESS', 'this member already has an application under review');
      }
      throw err;
    }
  }

  /** Reviewer approves: the member becomes 公務人員 of the agency. */
  public approve(id: string, reviewer: Actor, note?: string): Promise<OfficialAccountApplication> {
    return this.decide(id, reviewer, 'approve', 'approved', note);
  }

  /** Reviewer rejects. */
  public async reject(id: string, reviewer: Actor, reason: string): Promise<OfficialAccountApplication> {
    return this.decide(id, reviewer, 'reject', 'rejected', parseRequiredText(reason, 'reason', 2000));
  }

  /** Reviewer queue: applications in `query.status` (`underReview`, `manualReview`…), oldest first, paged, optionally by creation date. */
  public reviewQueue(query: QueueQuery<OfficialStatus>): Promise<QueuePage<OfficialAccountApplication>> {
    return listQueue(this.o.store, { table: 'enroll_official_applications', key: 'id', states: OFFICIAL_ACCOUNT_MACHINE.states, map: fromRow }, query);
  }

  /** One application. */
  public async get(id: string): Promise<OfficialAccountApplication> {
    if (!isUuid(id)) throw new InvalidInputError([{ field: 'applicationId', reason: 'must be a UUID' }]);
    const rows = await this.o.store.transaction((tx) => tx.query(
      'SELECT * FROM enroll_official_applications WHERE id=$1',
      [id],
    ));
    if (rows[0] === undefined) throw new EnrollError('NOT_FOUND', `no official-account application ${id}`);
    return fromRow(rows[0]);
  }

  private guarded<T>(command: () => Promise<T>): Promise<T> {
    return auditRefusals(this.o.store, this.o.clock, 'officialAccount', command);
  }

  private async decide(id: string, reviewer: Actor, event: 'approve' | 'reject', to: OfficialStatus, note?: string): Promise<OfficialAccountApplication> {
    const who = parseActor(reviewer, 'reviewer');
    if (!isUuid(id)) throw new InvalidInputError([{ field: 'applicationId', reason: 'must be a UUID' }]);
    const reviewNote = note === undefined ? null : parseRequiredText(note, 'note', 2000);
    return this.guarded(() => this.o.store.transaction(async (tx) => {
      authorize(OFFICIAL_COMMANDS, event, who, { subject: id });
      const rows = await tx.query('SELECT * FROM enroll_official_applications WHERE id=$1 FOR UPDATE', [id]);
      if (rows[0] === undefined) throw new EnrollError('NOT_FOUND', `no official-account application ${id}`);
      const app = fromRow(rows[0]);
      assertTransition(OFFICIAL_ACCOUNT_MACHINE, app.status, event, to);
      const at = this.o.clock.now().toISOString();
      const saved = await tx.query(
        `UPDATE enroll_official_applications SET status=$2, review_note=COALESCE($3, review_note), updated_at=$4, version=version+1
         WHERE id=$1 RETURNING *`,
        [id, to, reviewNote, at],
      );
      await recordTransition(tx, {
        flow: 'officialAccount',
        subject: id,
        actor: who,
        at,
        event,
        from: app.status,
        to,
        ...(reviewNote === null ? {} : { reason: reviewNote }),
      });
      return fromRow(saved[0] ?? {});
    }));
  }
}
