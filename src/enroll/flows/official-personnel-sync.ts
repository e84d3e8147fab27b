/**
 * 「若審核通過，您的所屬機關資訊將隨 [行政院人事行政總處] 登載資料自動更新」: after
 * approval a 公務人員's agency follows the personnel record. The SDK cannot be
 * told when the record changes, so the host asks, per member, with
 * {@link OfficialAccountFlow.followPersonnelRecord} (a scheduled job, or a reviewer on request):
 * the record's agency replaces the member's, audited. A person the record does
 * not list is 自然人 again only when the host says so (`notListed: 'demote'`):
 * members approved on the 申請書 route were approved by a reviewer because the
 * record did not match them, and a literal follow would undo every such
 * decision on its first run. By default they keep their agency and the result
 * says `notListed`, for the host to put before a reviewer. For the same reason
 * an agency a reviewer approved by hand is not replaced by another one the
 * record names (the record lags a transfer, which is why the 申請書 route
 * exists): the result says `differs`, unless the host asks to move regardless.
 */
import { parseActor, type Actor } from '../domain/actor.js';
import { parseAgencyOid, type AgencyOid } from '../domain/identifiers.js';
import { EnrollError, IssueCollector } from '../errors.js';
import { recordTransition } from '../store/audit.js';
import { OFFICIAL_COMMANDS, authorize } from './authorization.js';
import { agencyFor } from './official-application.js';
import { demoteMember, makeOfficial } from './official-members.js';
import { applicationFromRow, approvedAutomatically, lockMember, readMember, type OfficialMember } from './official-records.js';
import type { SqlSession } from '../store/store.js';
import { guarded, parseMemberId, type OfficialAccountOptions } from './official-shared.js';

const FROM_RECORD = '人事行政總處登載資料';

/** What to do with a 公務人員 the personnel record does not list as serving anywhere. */
export type NotListedPolicy = 'keep' | 'demote';

/**
 * What to do when the record names another agency than the member's:
 * - `auto` (default): move the member, unless their agency was approved by a reviewer (the 申請書 route): then
 *   outcome `differs`, nothing written, for a reviewer to confirm (with `move`);
 * - `move`: move the member whoever approved the agency;
 * - `report`: never move; outcome `differs` (a dry run).
 */
export type RecordDiffersPolicy = 'auto' | 'move' | 'report';

/** Options of {@link OfficialAccountFlow.followPersonnelRecord}. */
export interface FollowPersonnelRecordOptions {
  /** When the record names another agency; see {@link RecordDiffersPolicy}. Default `auto`. */
  readonly recordDiffers?: RecordDiffersPolicy;
  /**
   * `keep` (default): nothing changes, the outcome is `notListed`; `demote`: the member is 自然人 again, audited.
   * Choose `demote` only where the record lists everyone this service approved (see the module comment).
   */
  readonly notListed?: NotListedPolicy;
}

/**
 * What {@link OfficialAccountFlow.followPersonnelRecord} did:
 * - `moved`: the record's other agency replaced the member's;
 * - `demoted`: the record lists the member nowhere and `notListed` was `demote`;
 * - `notListed`: the record lists the member nowhere; kept as they were (`notListed: 'keep'`);
 * - `differs`: the record names another agency, and the member kept theirs (a hand-approved agency under
 *   `recordDiffers: 'auto'`, or `recordDiffers: 'report'`);
 * - `unchanged`: the record names the member's agency, or an approval or sync changed the member while the record
 *   was asked (it was asked about the member as they were);
 * - `notOfficial`: the member is not 公務人員; the record was not asked.
 */
export type PersonnelRecordOutcome = 'moved' | 'demoted' | 'notListed' | 'differs' | 'unchanged' | 'notOfficial';

/** The member after {@link OfficialAccountFlow.followPersonnelRecord}, and what it did. */
export interface PersonnelRecordFollowed {
  /** The member as stored now. */
  readonly member: OfficialMember;
  /** What happened. */
  readonly outcome: PersonnelRecordOutcome;
  /** The agency the record names, when it was asked and names one (what a reviewer compares under `differs`). */
  readonly recordAgencyOid?: AgencyOid;
}

interface FollowPolicies {
  readonly notListed: NotListedPolicy;
  readonly recordDiffers: RecordDiffersPolicy;
}

function choice<T extends string>(value: unknown, allowed: readonly T[], fallback: T, field: string, issues: IssueCollector): T | undefined {
  if (value === undefined) return fallback;
  if ((allowed as readonly unknown[]).includes(value)) return value as T;
  issues.add(field, 'NOT_AN_OPTION', `must be ${allowed.map((a) => `'${a}'`).join(' or ')}`);
  return undefined;
}

function parseFollowOptions(value: unknown, issues: IssueCollector): FollowPolicies | undefined {
  if (value === undefined) return { notListed: 'keep', recordDiffers: 'auto' };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    issues.add('options', 'INVALID_FORMAT', "must be an object such as { notListed: 'demote' }");
    return undefined;
  }
  const o = value as { notListed?: unknown; recordDiffers?: unknown };
  const notListed = choice<NotListedPolicy>(o.notListed, ['keep', 'demote'], 'keep', 'options.notListed', issues);
  const recordDiffers = choice<RecordDiffersPolicy>(o.recordDiffers, ['auto', 'move', 'report'], 'auto', 'options.recordDiffers', issues);
  return notListed === undefined || recordDiffers === undefined ? undefined : { notListed, recordDiffers };
}

/** Asks the record (outside any transaction: it is remote); the OID it names, or `null` for "not serving". */
async function recordedAgency(o: OfficialAccountOptions, member: OfficialMember): Promise<AgencyOid | null> {
  const lookup = o.personnel?.currentAgency;
  if (lookup === undefined) {
    throw new EnrollError('PERSONNEL_SYSTEM_FAILURE', 'the personnel system cannot look a person up (PersonnelSystem.currentAgency is not implemented)');
  }
  let answer: unknown;
  try {
    answer = await lookup.call(o.personnel, { name: member.name, nationalId: member.nationalId });
  } catch (err) {
    throw new EnrollError('PERSONNEL_SYSTEM_FAILURE', '行政院人事行政總處 could not be asked; try again later', { cause: err });
  }
  if (answer === undefined) return null;
  try {
    return parseAgencyOid(answer, 'currentAgency');
  } catch (err) {
    // A broken integration, not a reason to take anyone's agency away (fail closed: nothing changes).
    throw new EnrollError('PERSONNEL_SYSTEM_FAILURE', 'the personnel system answered something that is not an agency OID', { cause: err });
  }
}

/**
 * Whether the member's agency is the one a reviewer approved by hand: the member's latest approval is for this
 * agency and did not come from the personnel check on apply. A later move by the record (another agency) or an
 * automatic approval makes it the record's again.
 */
async function approvedByHand(tx: SqlSession, member: OfficialMember): Promise<boolean> {
  const rows = await tx.query(
    `SELECT * FROM enroll_official_applications WHERE member_id=$1 AND status='approved' ORDER BY decided_at DESC NULLS LAST, attempt DESC LIMIT 1`,
    [member.memberId],
  );
  if (rows[0] === undefined) return false;
  const latest = applicationFromRow(rows[0]);
  return latest.agencyOid === member.agencyOid && !approvedAutomatically(latest);
}

/**
 * {@link OfficialAccountFlow.followPersonnelRecord}: for a 公務人員, the agency the personnel record lists now.
 * Another agency (its name from the directory; AGENCY_OID_UNKNOWN when the directory lacks it, nothing changed)
 * replaces the member's, audited `followPersonnelRecord`; none makes the member 自然人 again (audited likewise)
 * only under `notListed: 'demote'`. Otherwise nothing is written. A name or ID synchronized while the record was
 * asked is CONCURRENT_UPDATE, as in `apply`.
 */
export async function followPersonnelRecord(
  o: OfficialAccountOptions,
  memberId: string,
  actor: Actor,
  options?: FollowPersonnelRecordOptions,
): Promise<PersonnelRecordFollowed> {
  const issues = new IssueCollector();
  const who = issues.take(() => parseActor(actor));
  const id = issues.take(() => parseMemberId(memberId));
  const policies = parseFollowOptions(options, issues);
  issues.throwIfAny();
  const { notListed, recordDiffers } = policies as FollowPolicies;
  return guarded(o, async () => {
    authorize(OFFICIAL_COMMANDS, 'followPersonnelRecord', who as Actor, { subject: id as string });
    const known = await o.store.transaction((tx) => readMember(tx, id as string));
    if (known.memberType !== 'official') return { member: known, outcome: 'notOfficial' };
    const oid = await recordedAgency(o, known);
    const listed = oid === null ? {} : { recordAgencyOid: oid };
    if (oid === known.agencyOid) return { member: known, outcome: 'unchanged', ...listed };
    if (oid === null && notListed === 'keep') return { member: known, outcome: 'notListed' };
    if (oid !== null && recordDiffers === 'report') return { member: known, outcome: 'differs', ...listed };
    const agency = oid === null ? undefined : await agencyFor(o, oid);
    return o.store.transaction(async (tx) => {
      const member = await lockMember(tx, known.memberId);
      if (member === undefined) throw new EnrollError('NOT_FOUND', `no member ${known.memberId}`);
      if (member.name !== known.name || member.nationalId !== known.nationalId) {
        throw new EnrollError('CONCURRENT_UPDATE', `member ${member.memberId}: the name or 身分證統一編號 changed while the personnel record was asked; try again`);
      }
      // An approval or a sync since the question decides instead: the record was asked about the member as it was.
      if (member.memberType !== 'official' || member.agencyOid !== known.agencyOid) return { member, outcome: 'unchanged', ...listed };
      if (agency !== undefined && recordDiffers === 'auto' && (await approvedByHand(tx, member))) return { member, outcome: 'differs', ...listed };
      const at = o.clock.now().toISOString();
      const after = agency === undefined ? await demoteMember(tx, member.memberId, at) : await makeOfficial(tx, member.memberId, agency, at);
      await recordTransition(tx, {
        flow: 'officialAccount',
        subject: member.memberId,
        actor: who as Actor,
        at,
        event: 'followPersonnelRecord',
        from: member.memberType,
        to: after.memberType,
        reason:
          agency === undefined
            ? `${FROM_RECORD}查無在職紀錄：${member.agencyOid ?? ''} ${member.agencyName ?? ''} → 自然人`
            : `${FROM_RECORD}：${member.agencyOid ?? ''} ${member.agencyName ?? ''} → ${agency.oid} ${agency.name}`,
      });
      return { member: after, outcome: agency === undefined ? 'demoted' : 'moved', ...listed };
    });
  });
}
