/**
 * 申請公務帳號 (自然人轉公務員): the agency OID with 查詢機關OID, 申請原因, the
 * attestation and 送出資料. The member's registered name and ID go to the
 * personnel system (行政院人事行政總處) before the transaction; a first
 * application that passes is approved at once, a mismatch or a second
 * application goes to manual review with the printable 申請書.
 */
import { randomUUID } from 'node:crypto';
import { parseActor, type Actor } from '../domain/actor.js';
import { parseAgencyOid, parseRequiredText, type AgencyOid } from '../domain/identifiers.js';
import { EnrollError, InvalidTransitionError, IssueCollector } from '../errors.js';
import { OFFICIAL_DEFAULT_BRANDING, officialApprovalNotice, type OfficialNoticeBranding } from '../mail/official-notices.js';
import type { OfficialStatus } from '../machine/official-machine.js';
import type { Agency } from '../ports/agency-directory.js';
import type { PersonnelCheckResult, PersonnelVerdict } from '../ports/personnel-system.js';
import type { OfficialApplicationForm } from '../print/official-application-form.js';
import { recordTransition } from '../store/audit.js';
import { isUniqueViolation } from '../store/sql-errors.js';
import type { SqlSession } from '../store/store.js';
import { OFFICIAL_COMMANDS, authorize } from './authorization.js';
import { promoteMember } from './official-members.js';
import {
  COUNTS_AS_APPLICATION,
  applicationFromRow,
  approvedAutomatically,
  lockMember,
  type OfficialAccountApplication,
  type OfficialApplicationItem,
  type OfficialMember,
} from './official-records.js';
import {
  guarded,
  parseApplicationId,
  parseMemberId,
  requireActivated,
  reviewDueAt,
  sendNotice,
  transitionApplication,
  writeCancelled,
  writeOnly,
  type OfficialAccountOptions,
} from './official-shared.js';

/** The seed's attestation the applicant confirms before sending (送出申請). */
export const OFFICIAL_ATTESTATION = '我已確認上述資料與證件相符';

/** Input of {@link OfficialAccountFlow.apply} (送出資料, after 「請確認是否要申請？」 → 確定). */
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

const MAX_SEARCH_RESULTS = 50;

/** {@link OfficialAccountFlow.agencyFor}: 新機關名稱 autofill, or AGENCY_OID_UNKNOWN. */
export async function agencyFor(o: OfficialAccountOptions, oid: string): Promise<Agency> {
  const parsed = parseAgencyOid(oid);
  const agency = await o.agencies.findByOid(parsed);
  if (agency === undefined) throw new EnrollError('AGENCY_OID_UNKNOWN', `no agency with OID ${parsed} (查詢機關OID)`);
  return agency;
}

/** {@link OfficialAccountFlow.searchAgencies}: 查詢機關OID by (part of) the agency name. */
export async function searchAgencies(o: OfficialAccountOptions, name: string, limit = 20): Promise<Agency[]> {
  const issues = new IssueCollector();
  const wanted = issues.take(() => parseRequiredText(name, 'name', 100));
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > MAX_SEARCH_RESULTS) {
    issues.add('limit', 'OUT_OF_RANGE', `must be an integer from 1 to ${MAX_SEARCH_RESULTS}`);
  }
  issues.throwIfAny();
  const search = o.agencies.searchByName;
  if (search === undefined) throw new EnrollError('AGENCY_SEARCH_UNAVAILABLE', 'this agency directory cannot be searched by name; enter the 機關OID');
  return (await search.call(o.agencies, wanted as string, limit)).slice(0, limit);
}

/** Validates the personnel system's answer; anything but three verdicts is the system's failure (fail closed). */
function checkedResult(value: unknown): PersonnelCheckResult {
  const v = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const verdict = (x: unknown): x is PersonnelVerdict => x === 'match' || x === 'mismatch';
  if (!verdict(v.name) || !verdict(v.nationalId) || !verdict(v.agency)) {
    throw new EnrollError('PERSONNEL_SYSTEM_FAILURE', 'the personnel system gave no per-item answer');
  }
  return { name: v.name, nationalId: v.nationalId, agency: v.agency };
}

function passed(c: PersonnelCheckResult | undefined): boolean {
  return c !== undefined && c.name === 'match' && c.nationalId === 'match' && c.agency === 'match';
}

/** Asks the personnel system (outside any transaction: it is remote). */
async function personnelCheck(o: OfficialAccountOptions, member: OfficialMember, agency: Agency): Promise<PersonnelCheckResult> {
  const system = o.personnel;
  if (system === undefined) throw new EnrollError('PERSONNEL_SYSTEM_FAILURE', 'no personnel system configured');
  let answer: unknown;
  try {
    answer = await system.check({ name: member.name, nationalId: member.nationalId, agencyOid: agency.oid, agencyName: agency.name });
  } catch (err) {
    throw new EnrollError('PERSONNEL_SYSTEM_FAILURE', '行政院人事行政總處 could not be asked; send the application again later', { cause: err });
  }
  return checkedResult(answer);
}

/** The confirmation dialog after 送出資料 (seed: 申請公務帳號步驟 6). */
export const OFFICIAL_CONFIRM_QUESTION = '請確認是否要申請？';

/** The seed's 請注意 text above 送出資料: the member's data goes to the personnel system; sending is agreeing. */
export function officialSubmitNotice(branding: OfficialNoticeBranding = OFFICIAL_DEFAULT_BRANDING): string {
  return (
    '請注意：當您按下 [送出資料]，系統會自動進行審核作業，並將您在本服務註冊的個人資料送 [行政院人事行政總處] 系統核對，' +
    '若審核通過，您的所屬機關資訊將隨 [行政院人事行政總處] 登載資料自動更新，' +
    `若未審核通過請參照${branding.systemName}公務帳號申請書之注意事項完成後續申請作業。同意請按 [送出資料]，不同意請退出申請作業。`
  );
}

/** What the member confirms in 「請確認是否要申請？」 before {@link OfficialAccountFlow.apply}. */
export interface OfficialApplicationPreview {
  /** 會員帳號 */
  readonly memberId: string;
  /** 新機關OID */
  readonly agencyOid: AgencyOid;
  /** 新機關名稱, filled from the OID. */
  readonly agencyName: string;
  /** 申請原因 */
  readonly reason: string;
  /** 申請項目 for this member now. */
  readonly item: OfficialApplicationItem;
  /** The 請注意 text (sending the data to 行政院人事行政總處). */
  readonly notice: string;
  /** 「請確認是否要申請？」 */
  readonly question: string;
}

interface ParsedApply {
  readonly who: Actor;
  readonly memberId: string;
  readonly oid: AgencyOid;
  readonly reason: string;
}

function parseApply(o: OfficialAccountOptions, input: unknown, actor: unknown): ParsedApply {
  const reasons = o.reasons ?? ['公務人員'];
  const issues = new IssueCollector();
  const who = issues.take(() => parseActor(actor));
  const v = (typeof input === 'object' && input !== null ? input : {}) as Record<string, unknown>;
  const memberId = issues.take(() => parseMemberId(v.memberId));
  const oid = issues.take(() => parseAgencyOid(v.agencyOid));
  const reason = issues.take(() => parseRequiredText(v.reason, 'reason', 100));
  if (reason !== undefined && !reasons.includes(reason)) issues.add('reason', 'NOT_AN_OPTION', `must be one of ${reasons.join(', ')}`);
  if (v.attested !== true) issues.add('attested', 'NOT_CONFIRMED', `「${OFFICIAL_ATTESTATION}」 must be confirmed (true)`);
  issues.throwIfAny();
  return { who: who as Actor, memberId: memberId as string, oid: oid as AgencyOid, reason: reason as string };
}

/**
 * {@link OfficialAccountFlow.prepareApplication}: the confirmation step. Runs
 * every check of {@link apply} that needs no write (input, authorization,
 * agency, member) and returns what the dialog shows; nothing is stored and the
 * personnel system is not asked.
 */
export async function prepareApplication(o: OfficialAccountOptions, input: OfficialAccountInput, actor: Actor): Promise<OfficialApplicationPreview> {
  const p = parseApply(o, input, actor);
  return guarded(o, async () => {
    authorize(OFFICIAL_COMMANDS, 'apply', p.who, { subject: p.memberId, owner: p.memberId });
    const agency = await agencyFor(o, p.oid);
    const member = await memberBeforeApplying(o, p.memberId);
    return {
      memberId: p.memberId,
      agencyOid: agency.oid,
      agencyName: agency.name,
      reason: p.reason,
      item: member?.memberType === 'official' ? '公務人員轉換機關' : '自然人轉公務員',
      notice: officialSubmitNotice(o.branding),
      question: OFFICIAL_CONFIRM_QUESTION,
    };
  });
}

/** {@link OfficialAccountFlow.apply}: 送出資料 → 確定. */
export async function apply(o: OfficialAccountOptions, input: OfficialAccountInput, actor: Actor): Promise<OfficialAccountApplication> {
  const p = parseApply(o, input, actor);
  return guarded(o, () => applyAs(o, p.memberId, p.oid, p.reason, p.who));
}

/**
 * The member reference, required (NOT_FOUND) with or without a personnel system: the 申請書 prints the member's
 * name, approval makes the member 公務人員 and mails the 核可通知信 to the member's e-mail. 欲申請「公務帳號」，須先申請
 * 「一般帳號」: an account the host never synchronized has none of that. And activated (APPLICANT_NOT_ACTIVATED):
 * 「待該帳號啟用後，繼續完成公務轉換申請步驟」, checked before the member's data goes to the personnel system.
 */
async function memberBeforeApplying(o: OfficialAccountOptions, memberId: string): Promise<OfficialMember> {
  const member = await o.store.transaction((tx) => lockMember(tx, memberId));
  if (member === undefined) {
    throw new EnrollError('NOT_FOUND', `no member ${memberId}: the host registers members with syncMember before they apply (須先申請「一般帳號」)`);
  }
  requireActivated(member, 'APPLICANT_NOT_ACTIVATED');
  return member;
}

async function applyAs(o: OfficialAccountOptions, memberId: string, oid: AgencyOid, reason: string, who: Actor): Promise<OfficialAccountApplication> {
  authorize(OFFICIAL_COMMANDS, 'apply', who, { subject: memberId, owner: memberId });
  const agency = await agencyFor(o, oid);
  const known = await memberBeforeApplying(o, memberId);
  const check = o.personnel !== undefined ? await personnelCheck(o, known, agency) : undefined;
  try {
    return await o.store.transaction(async (tx) => {
      // The member's row serializes its applications: the attempt count cannot race.
      const member = await lockMember(tx, memberId);
      if (member === undefined) throw new EnrollError('NOT_FOUND', `no member ${memberId}`);
      // Deactivated while the personnel system was asked: nothing is written.
      requireActivated(member, 'APPLICANT_NOT_ACTIVATED');
      // The personnel system vouched for the name and 身分證 it was asked about: a syncMember that changed either
      // while it was asked leaves no check for the member as it now is. Nothing is written; applying again checks
      // the member as it is.
      if (check !== undefined && (member.name !== known.name || member.nationalId !== known.nationalId)) {
        throw new EnrollError('CONCURRENT_UPDATE', `member ${memberId}: the name or 身分證統一編號 changed while the personnel system was asked; apply again`);
      }
      // `attempt` numbers every application (unique per member); 「第二次申請」 counts the ones the member used up:
      // an application the system cancelled (the host deactivated the account or changed its data) had no decision
      // and was not withdrawn, so the next one is still the first.
      const prior = await tx.query<{ n: number; counted: number }>(
        `SELECT count(*)::int AS n, (count(*) FILTER (WHERE ${COUNTS_AS_APPLICATION}))::int AS counted
         FROM enroll_official_applications WHERE member_id=$1`,
        [memberId],
      );
      const attempt = Number(prior[0]?.n ?? 0) + 1;
      const counted = Number(prior[0]?.counted ?? 0) + 1;
      // First for the person, not only for this account: another account with the same 身分證統一編號 would
      // otherwise get its own "first" application approved by a personnel check that vouches for the person.
      const others = member === undefined ? 0 : await otherAccountsOf(tx, memberId, member.nationalId);
      const first = counted === 1 && others === 0;
      const now = o.clock.now();
      const at = now.toISOString();
      const status: OfficialStatus = o.personnel === undefined ? (first ? 'underReview' : 'manualReview') : first && passed(check) ? 'approved' : 'manualReview';
      const item: OfficialApplicationItem = member?.memberType === 'official' ? '公務人員轉換機關' : '自然人轉公務員';
      const rows = await tx.query(
        `INSERT INTO enroll_official_applications (id, member_id, agency_oid, agency_name, reason, status, attempt, created_at, updated_at,
           attested_at, applicant_name, national_id, application_item, personnel_check, review_due_at, decided_at)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$8,$8,$9,$10,$11,$12::jsonb,$13,$14) RETURNING *`,
        [
          randomUUID(), memberId, agency.oid, agency.name, reason, status, attempt, at,
          member?.name ?? null, member?.nationalId ?? null, item,
          check === undefined ? null : JSON.stringify(check),
          // The 申請書 route's working day starts at 收件 (receiveForm), not here: the form has not even been printed.
          status === 'underReview' ? reviewDueAt(o, now) : null,
          status === 'approved' ? at : null,
        ],
      );
      const app = applicationFromRow(rows[0] ?? {});
      await recordTransition(tx, { flow: 'officialAccount', subject: app.id, actor: who, at, event: 'apply', from: 'none', to: status, reason: applyReason(app, counted, check, others) });
      if (status === 'approved') await approveAutomatically(o, tx, app, member as OfficialMember, at);
      return app;
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw new EnrollError('APPLICATION_IN_PROGRESS', 'this member already has an application under review');
    throw err;
  }
}

/**
 * Other member accounts of the same person (same 身分證統一編號): synchronized
 * members, or the ones that applied with that ID before (a member whose ID
 * changed since keeps its applications' ID). An application counts by the one rule of the member's own
 * ({@link COUNTS_AS_APPLICATION}): one the system cancelled (the host corrected the other account's ID, say) was
 * never a decision about this person.
 */
async function otherAccountsOf(tx: SqlSession, memberId: string, nationalId: string): Promise<number> {
  const rows = await tx.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM (
       SELECT member_id FROM enroll_official_members WHERE national_id=$1 AND member_id<>$2
       UNION SELECT member_id FROM enroll_official_applications WHERE national_id=$1 AND member_id<>$2 AND ${COUNTS_AS_APPLICATION}) AS others`,
    [nationalId, memberId],
  );
  return Number(rows[0]?.n ?? 0);
}

function applyReason(app: OfficialAccountApplication, counted: number, check: PersonnelCheckResult | undefined, others: number): string {
  const route =
    others > 0
      ? `同一身分證統一編號另有 ${others} 個帳號，人工審核`
      : counted === 1
        ? `${app.agencyOid} ${app.agencyName}`
        : `第 ${counted} 次申請，人工審核`;
  const uncounted = app.attempt - counted;
  const withUncounted = uncounted > 0 ? `${route} (另 ${uncounted} 件申請由系統取消，不計申請次數)` : route;
  if (check === undefined) return withUncounted;
  return `${withUncounted}; 人事行政總處核對 姓名 ${check.name}, 身分證 ${check.nationalId}, 機關 ${check.agency}`;
}

const PERSONNEL_ACTOR: Actor = { role: 'system', id: 'personnel-check' };

/** The personnel system confirmed a first application: the member becomes 公務人員 and gets the 核可通知信. */
async function approveAutomatically(o: OfficialAccountOptions, tx: SqlSession, app: OfficialAccountApplication, member: OfficialMember, at: string): Promise<void> {
  await promoteMember(tx, app, PERSONNEL_ACTOR, at);
  await sendNotice(
    o,
    officialApprovalNotice({ to: member.email, name: member.name, memberId: member.memberId, appliedAt: app.createdAt, agencyName: app.agencyName, agencyOid: app.agencyOid }, o.branding),
  );
}

/** {@link OfficialAccountFlow.cancel}: 取消申請 by the member while the application waits for review. */
export async function cancel(o: OfficialAccountOptions, applicationId: string, actor: Actor): Promise<OfficialAccountApplication> {
  const issues = new IssueCollector();
  const who = issues.take(() => parseActor(actor));
  const id = issues.take(() => parseApplicationId(applicationId));
  issues.throwIfAny();
  return transitionApplication(o, id as string, 'cancel', 'cancelled', who as Actor, writeOnly((tx, app, at) => writeCancelled(tx, app.id, at, 'member')), '取消申請');
}

/** {@link OfficialAccountFlow.get}: one application. */
export async function getApplication(o: OfficialAccountOptions, applicationId: string): Promise<OfficialAccountApplication> {
  const id = parseApplicationId(applicationId);
  const rows = await o.store.transaction((tx) => tx.query('SELECT * FROM enroll_official_applications WHERE id=$1', [id]));
  if (rows[0] === undefined) throw new EnrollError('NOT_FOUND', `no official-account application ${id}`);
  return applicationFromRow(rows[0]);
}

/** {@link OfficialAccountFlow.applications}: every application of a member, newest first. */
export async function memberApplications(o: OfficialAccountOptions, memberId: string): Promise<OfficialAccountApplication[]> {
  const id = parseMemberId(memberId);
  const rows = await o.store.transaction((tx) =>
    tx.query('SELECT * FROM enroll_official_applications WHERE member_id=$1 ORDER BY attempt DESC', [id]),
  );
  return rows.map(applicationFromRow);
}

/** {@link OfficialAccountFlow.applicationForm}: the 申請書 data of an application on the manual route. */
export async function applicationForm(o: OfficialAccountOptions, applicationId: string): Promise<OfficialApplicationForm> {
  const app = await getApplication(o, applicationId);
  // Approved by the personnel check on apply (no review was ever due): there is no 申請書 to print. An `underReview`
  // application (reviewed without a personnel system) still prints one: every application made before the 申請書
  // route existed is `underReview` and was sent in on paper. A page should not offer it for a new one (its 收件 is
  // refused: the reviewer decides without it).
  if (approvedAutomatically(app)) {
    throw new InvalidTransitionError('officialAccount', app.status, 'printApplicationForm');
  }
  return {
    memberId: app.memberId,
    appliedAt: app.createdAt,
    name: app.applicantName ?? '',
    item: app.item ?? '自然人轉公務員',
    agencyOid: app.agencyOid,
    agencyName: app.agencyName,
    reason: app.reason,
    formNumber: app.formNumber === undefined ? '' : String(app.formNumber),
    office: {
      ...(app.formReceipt === undefined ? {} : { received: { at: app.formReceipt.receivedAt, channel: app.formReceipt.channel } }),
      ...(app.decidedAt === undefined ? {} : { decidedAt: app.decidedAt }),
      ...(app.reviewNote === undefined ? {} : { note: app.reviewNote }),
    },
  };
}
