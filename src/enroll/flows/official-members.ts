/**
 * The member reference of the official account system: the host's general
 * account (一般帳號) with what the official account needs. The host owns the
 * account itself (password, captcha, confirmation mail); it tells the SDK the
 * member's name, ID, e-mail and whether the account is activated with
 * {@link syncMember}. Only an approved application changes the type
 * 一般民眾 / 公務人員 and the agency.
 */
import { parseActor, type Actor } from '../domain/actor.js';
import { parseEmail, parseNationalId, parseRequiredText } from '../domain/identifiers.js';
import { CLOCK_SKEW_MS } from '../../shared/clock-skew.js';
import { EnrollError, InvalidInputError, IssueCollector, type FieldIssue } from '../errors.js';
import { recordTransition } from '../store/audit.js';
import type { Row, SqlSession } from '../store/store.js';
import { OFFICIAL_COMMANDS, authorize } from './authorization.js';
import { rejectRenewalsOfRemoved } from './official-certificates.js';
import {
  lockMember,
  memberFromRow,
  readMember,
  type OfficialAccountApplication,
  type OfficialCancelledBy,
  type OfficialMember,
} from './official-records.js';
import { cancelApplication, guarded, parseMemberId, type OfficialAccountOptions } from './official-shared.js';
import type { OfficialStatus } from '../machine/official-machine.js';

/** Input of {@link OfficialAccountFlow.syncMember}: the general account's data (會員註冊 Step2–3). */
export interface OfficialMemberInput {
  /** 會員帳號 (the host's account ID). */
  readonly memberId: string;
  /** 中文姓名 */
  readonly name: string;
  /** 身分證統一編號 */
  readonly nationalId: string;
  /** 電子信箱 */
  readonly email: string;
  /**
   * When the account was activated (the 啟動連結 of the 會員確認信 clicked), or `null` while it is not: registered
   * and the link not clicked yet, or deactivated by the host. A member not activated cannot apply (「待該帳號啟用後，
   * 繼續完成公務轉換申請步驟」), upload a card or log in with one; deactivating an activated member cancels its
   * applications still under review. Leave the key out only if your host does not report activation: a new member
   * is then taken as activated when first synchronized (as the guide said to synchronize activated accounts only),
   * and a known one keeps its state. A key present with the value `undefined` counts as `null`. Without this key,
   * another that names the activation (`activated_at`, `activated`) is INVALID_INPUT `NOT_AN_OPTION` naming it,
   * not a host that does not report activation.
   *
   * INVALID_INPUT `OUT_OF_RANGE` naming `activatedAt`, nothing written: later than the SDK's clock by more than five
   * minutes (clocks that disagree), or before 2000-01-01 (Taiwan time), as for `deactivatedAt`. It may be earlier
   * than the member's recorded `deactivatedAt`: a host that reactivates an account may report the instant its link
   * was clicked long ago. Not a valid Date (an Invalid Date included): `INVALID_FORMAT`.
   */
  readonly activatedAt?: Date | null;
  /**
   * When you deactivated the account (停用), if your host records it; only with `activatedAt: null`. The SDK tells
   * 停用 from 尚未啟用 by having seen the account activated: a member you deactivated before its first
   * synchronization reads as never activated, and is told to click the 啟動連結 again, unless you say so here. Then
   * it is `MEMBER_DEACTIVATED` at every step, `member.deactivatedAt` is this instant, and its applications still under
   * review are cancelled as 帳號已停用. `null`, `undefined` or left out: not told, the SDK's own rule stands (a member
   * it saw deactivated stays so). Beside `activatedAt` a Date it is INVALID_INPUT (`MISMATCH`): an account is
   * activated or deactivated, not both; without the `activatedAt` key, `activatedAt` is REQUIRED.
   *
   * Told for a member already deactivated (the SDK saw the edge, or you told it before), it changes nothing and
   * writes no new 帳號已停用 line: the account was deactivated once, and the instant first recorded stays until an
   * activation clears it. So a host may send the instant at every sync, or stamp it with its own now each time.
   * Deactivated again after an activation, the new instant is recorded.
   *
   * INVALID_INPUT `OUT_OF_RANGE` naming `deactivatedAt`, nothing written: later than the SDK's clock by more than
   * five minutes (clocks that disagree), before 2000-01-01 (Taiwan time), or before the member's recorded
   * `activatedAt` (the edge activated → deactivated: an account is deactivated after its activation). Such an
   * instant is the host's bug, not a deactivation. Only an activation the host reported counts: the time of the
   * first sync, which stands in for the activation of a member synchronized without `activatedAt`, does not.
   * Not a valid Date (an Invalid Date included): `INVALID_FORMAT`.
   */
  readonly deactivatedAt?: Date | null;
}

/** What `activatedAt` says: not reported (key left out), not activated (`null`), or activated at an instant. */
type Activation = { readonly reported: false } | { readonly reported: true; readonly at: string | null };

function parseActivation(v: Record<string, unknown>): Activation {
  if (!('activatedAt' in v)) {
    // "Not reported" activates a new member: a host that reports activation under another name (its row spread as
    // it is, `activated_at`, or `activated: false`) would have its members activated without a word. So would one
    // that reports the deactivation and forgot the activation beside it.
    const misnamed = Object.keys(v).filter((key) => /activat/i.test(key) && key !== 'deactivatedAt');
    throwIfAny([
      ...misnamed.map((key) => ({ field: key, code: 'NOT_AN_OPTION' as const, reason: 'not a field of the member: report the activation as activatedAt (a Date, or null while not activated)' })),
      ...('deactivatedAt' in v ? [{ field: 'activatedAt', code: 'REQUIRED' as const, reason: 'a member reported with deactivatedAt is reported with activatedAt too (null while not activated)' }] : []),
    ]);
    return { reported: false };
  }
  // A key given as undefined is a host forwarding a field it does not have: not activated, never "not reported".
  return { reported: true, at: instantOf(v.activatedAt, 'activatedAt', 'must be a Date (when the 啟動連結 was clicked), or null while the account is not activated') };
}

/**
 * The 停用 instant the host told (`deactivatedAt`), or `null` when it told none; `activation` is the parsed
 * `activatedAt` (a deactivation beside an activation is refused), `undefined` when that was refused.
 */
function parseDeactivation(v: Record<string, unknown>, activation: Activation | undefined): string | null {
  const at = instantOf(v.deactivatedAt, 'deactivatedAt', 'must be a Date (when the account was deactivated), or null when not told');
  if (at !== null && activation?.reported === true && activation.at !== null) {
    throw new InvalidInputError([{ field: 'deactivatedAt', code: 'MISMATCH', reason: 'activatedAt is a Date: an account is activated or deactivated, not both (report a deactivated one with activatedAt: null)' }]);
  }
  // Without activatedAt, parseActivation has named it REQUIRED.
  return activation?.reported === true ? at : null;
}

/**
 * A floor, not a history: a round date well before any activation or deactivation a host of this system can have
 * recorded, and late enough to catch the usual ways a host builds a wrong Date: from 0 or a null column (1970-01-01),
 * from seconds taken as milliseconds (January 1970), from a two-digit year (19xx).
 */
const EARLIEST_TOLD_INSTANT = '2000-01-01T00:00:00+08:00';

/**
 * Refuses an instant the host told (`field`: `activatedAt` or `deactivatedAt`) that cannot be one (OUT_OF_RANGE
 * naming the field): ahead of the SDK's clock `now` by more than the clock skew (the host's clock stamped it; a
 * little ahead is clocks that disagree, hours or years ahead a bug), before {@link EARLIEST_TOLD_INSTANT}, or before
 * `after.at`, an instant of the member's record it must follow (`after.why` says which and why). One rule for both
 * fields: the two are the same kind of fact, stamped by the same host clock.
 */
function checkToldInstant(field: 'activatedAt' | 'deactivatedAt', told: string, now: string, after?: { readonly at: string; readonly why: string }): void {
  const when = Date.parse(told);
  const refuse = (reason: string): never => {
    throw new InvalidInputError([{ field, code: 'OUT_OF_RANGE', reason }]);
  };
  if (when > Date.parse(now) + CLOCK_SKEW_MS) {
    refuse(`must not be in the future (now ${now}; a host clock up to ${CLOCK_SKEW_MS / 60_000} minutes ahead is allowed)`);
  }
  if (when < Date.parse(EARLIEST_TOLD_INSTANT)) {
    refuse(`must not be before ${EARLIEST_TOLD_INSTANT}: an earlier one is a wrong Date, not an instant of the account (made from 0, from seconds taken as milliseconds, or from a two-digit year?)`);
  }
  if (after !== undefined && when < Date.parse(after.at)) refuse(after.why);
}

/**
 * Checks the instants this sync tells against the SDK's clock `now` and the member's record `before`. A told
 * activation is not checked against a recorded deactivation: `activatedAt` is when the 啟動連結 was clicked, which a
 * host that reactivates an account may well keep reporting (earlier than the 停用 it ends).
 */
function checkToldInstants(activation: Activation, deactivation: string | null, now: string, before: OfficialMember | undefined): void {
  if (activation.reported && activation.at !== null) checkToldInstant('activatedAt', activation.at, now);
  if (deactivation === null) return;
  const activatedAt = reportedActivation(before);
  if (activatedAt === undefined) {
    checkToldInstant('deactivatedAt', deactivation, now);
    return;
  }
  const why = `must not be before the account's recorded activation (activatedAt ${activatedAt}): an account is deactivated after it was activated`;
  checkToldInstant('deactivatedAt', deactivation, now, { at: activatedAt, why });
}

/**
 * The member's recorded activation when the host reported it, else `undefined`: none, or the stand-in the SDK
 * recorded for a host that did not report it (the first sync's own time, as 0012 gave the members it found). A
 * stand-in is not when the account was activated, so it cannot show a 停用 the host tells to be too early: such a
 * host may well have synchronized an account it had deactivated before. A stand-in is the member's `createdAt`
 * exactly (both are written from one instant); a reported activation equal to it to the millisecond is taken for
 * one, which only checks less.
 */
function reportedActivation(member: OfficialMember | undefined): string | undefined {
  if (member?.activatedAt === undefined) return undefined;
  return Date.parse(member.activatedAt) === Date.parse(member.createdAt) ? undefined : member.activatedAt;
}

function throwIfAny(issues: readonly FieldIssue[]): void {
  if (issues.length > 0) throw new InvalidInputError(issues);
}

/** A Date as an ISO instant; `null` or `undefined` as `null`; anything else INVALID_FORMAT naming `field`. */
function instantOf(value: unknown, field: string, reason: string): string | null {
  if (value === null || value === undefined) return null;
  // Tag and getTime of Date itself: a Date of another realm passes, an object merely calling itself Date does not
  // (Symbol.toStringTag gives it the tag, and getTime throws a TypeError on it: INVALID_INPUT here, as for any other).
  const time = Object.prototype.toString.call(value) === '[object Date]' ? timeOfDate(value) : Number.NaN;
  if (!Number.isFinite(time)) throw new InvalidInputError([{ field, code: 'INVALID_FORMAT', reason }]);
  return new Date(time).toISOString();
}

/** The time of a Date of any realm; NaN for anything else (an object only tagged `Date`). */
function timeOfDate(value: unknown): number {
  try {
    return Date.prototype.getTime.call(value as Date);
  } catch {
    return Number.NaN;
  }
}

/** A first sync's row: `$6` the activation (the sync's own time when not reported), `$7` a 停用 told. */
const INSERT_MEMBER = `INSERT INTO enroll_official_members (member_id, name, national_id, email, created_at, updated_at, activated_at, deactivated_at)
  VALUES ($1,$2,$3,$4,$5,$5,$6,$7) ON CONFLICT (member_id) DO NOTHING RETURNING *`;

/**
 * A known member's sync, the row locked: `$6` whether activation is reported, `$7` the activation reported (`null`:
 * not activated), `$8` a 停用 told. Not reported, the state stays. Activated, the 停用 is cleared. Reported not
 * activated: a member already deactivated keeps the instant first recorded, whatever is told now (it is the same 停用,
 * and a host that stamps each sync with its own now would otherwise move it, with a 帳號已停用 line, at every sync);
 * else the 停用 told; else the edge activated → not activated the SDK sees now. One never activated, not told
 * deactivated, has not been deactivated as far as the SDK can know (the link is still to click).
 */
const UPDATE_MEMBER = `UPDATE enroll_official_members SET name=$2, national_id=$3, email=$4,
  activated_at=CASE WHEN $6::boolean THEN $7::timestamptz ELSE activated_at END,
  deactivated_at=CASE
    WHEN NOT $6::boolean THEN deactivated_at
    WHEN $7::timestamptz IS NOT NULL THEN NULL
    WHEN activated_at IS NULL AND deactivated_at IS NOT NULL THEN deactivated_at
    WHEN $8::timestamptz IS NOT NULL THEN $8::timestamptz
    WHEN activated_at IS NOT NULL THEN $5::timestamptz
    ELSE deactivated_at END,
  updated_at=$5, version=version+1
WHERE member_id=$1 RETURNING *`;

/**
 * {@link OfficialAccountFlow.syncMember}: creates or updates the member
 * reference (name, ID, e-mail, activation). The type stays, unless the name or ID of a
 * 公務人員 changes: the personnel check covered the old ones, so the member is
 * 自然人 (a general account) again until a new application passes. Such a change, or the
 * deactivation of an activated account, also cancels the member's applications still under review.
 */
export async function syncMember(o: OfficialAccountOptions, input: OfficialMemberInput, actor: Actor): Promise<OfficialMember> {
  const issues = new IssueCollector();
  const who = issues.take(() => parseActor(actor));
  const v = (typeof input === 'object' && input !== null ? input : {}) as unknown as Record<string, unknown>;
  const memberId = issues.take(() => parseMemberId(v.memberId));
  const name = issues.take(() => parseRequiredText(v.name, 'name', 50));
  const nationalId = issues.take(() => parseNationalId(v.nationalId));
  const email = issues.take(() => parseEmail(v.email));
  const activation = issues.take(() => parseActivation(v));
  const deactivation = issues.take(() => parseDeactivation(v, activation)) ?? null;
  issues.throwIfAny();
  const id = memberId as string;
  return guarded(o, () =>
    o.store.transaction(async (tx) => {
      // Authorized, and the instants told checked, against the member as it is before this sync changes it.
      const admit = (before: OfficialMember | undefined): string => {
        authorize(OFFICIAL_COMMANDS, 'syncMember', who as Actor, { subject: id, state: before?.memberType ?? 'none', owner: id });
        const now = o.clock.now().toISOString();
        // Checked whether or not they will be stored (a member already deactivated keeps its first instant): a host
        // sending impossible instants has a bug worth hearing about at once.
        checkToldInstants(activation as Activation, deactivation, now, before);
        return now;
      };
      const told = activation as Activation;
      let before = await lockMember(tx, id);
      let at = admit(before);
      let row: Row | undefined;
      if (before === undefined) {
        // Not reported: a new member is activated as of now.
        const activatedAt = told.reported ? told.at : at;
        row = (await tx.query(INSERT_MEMBER, [id, name, nationalId, email, at, activatedAt, deactivation]))[0];
        // Nothing inserted: a first sync of the same member beside this one inserted it after this one found no row,
        // and has committed (the INSERT waited for it). This sync then changes that row, checked and audited against
        // it as a later sync would be: else a 停用 both told would have two 帳號已停用 lines, and one told before the
        // other's activation would be stored.
        if (row === undefined) {
          before = await lockMember(tx, id);
          at = admit(before);
        }
      }
      if (row === undefined) {
        row = (await tx.query(UPDATE_MEMBER, [id, name, nationalId, email, at, told.reported, told.reported ? told.at : null, deactivation]))[0];
        // The member is locked and never deleted: no row is a member gone from under the lock.
        if (row === undefined) throw new EnrollError('CONCURRENT_UPDATE', `member ${id} changed while it was synchronized; synchronize it again`);
      }
      let member = memberFromRow(row);
      // The personnel check vouched for the name and ID it was given: other ones are not 公務人員 until checked again.
      const changed = before !== undefined && (before.name !== member.name || before.nationalId !== member.nationalId);
      if (changed && member.memberType === 'official') member = await demoteMember(tx, id, at);
      // An application is made by an activated account (「待該帳號啟用後」): one whose account the host deactivated
      // has nobody behind it who may use it, and its approval would mail a 核可通知信 to an account that cannot log in.
      // Not only on the edge activated → not: an account first synchronized (or still) not activated can have open
      // applications too, made before the SDK had a member reference or by a release that did not check activation
      // (a rolling deploy across 0012); they are cancelled the same way.
      const notActivated = member.activatedAt === undefined;
      const reasons = [
        ...(before?.memberType === 'official' && member.memberType === 'citizen' ? [`${NEW_DATA}: 公務人員 → 自然人`] : []),
        ...activationReasons(before, member, told.reported),
      ];
      await recordTransition(tx, {
        flow: 'officialAccount',
        subject: id,
        actor: who as Actor,
        at,
        event: 'syncMember',
        from: before?.memberType ?? 'none',
        to: member.memberType,
        ...(reasons.length > 0 ? { reason: reasons.join('; ') } : {}),
      });
      if (changed || notActivated) {
        const inactive = member.deactivatedAt !== undefined ? [DEACTIVATED] : notActivated ? [NOT_ACTIVATED] : [];
        // The member's own sync is the member's doing (its attempt counts); the host's is not.
        const by = (who as Actor).role === 'applicant' ? 'member' : 'system';
        await cancelOpenApplications(tx, id, who as Actor, at, by, [...(changed ? [NEW_DATA] : []), ...inactive].join('; '));
      }
      if (changed) await dropUploadedCard(tx, member, who as Actor, at);
      return member;
    }),
  );
}

const NEW_DATA = '中文姓名或身分證統一編號已變更，須重新申請公務帳號並經人事行政總處核對';
const DEACTIVATED = '帳號已停用，待該帳號啟用後須重新申請公務帳號';
const NOT_ACTIVATED = '帳號尚未啟用，待該帳號啟用後須重新申請公務帳號';

/** The audit's words for what the sync did to the activation (nothing when it did nothing). */
function activationReasons(before: OfficialMember | undefined, after: OfficialMember, reported: boolean): string[] {
  if (after.activatedAt === undefined) {
    // 停用 whenever the deactivation is new: the edge the SDK saw, or one the host told (also of a member never seen
    // activated). Migration 0014 read this text back as the deactivation's time.
    if (after.deactivatedAt !== undefined) return before?.activatedAt === undefined && before?.deactivatedAt === after.deactivatedAt ? [] : ['帳號已停用'];
    return before === undefined ? ['帳號尚未啟用'] : [];
  }
  if (before !== undefined && before.activatedAt === after.activatedAt) return [];
  // The first sync of a host that does not report activation: the guide had it synchronize activated accounts only.
  if (!reported) return [`帳號啟用未告知，視為已啟用 (activatedAt not reported) ${after.activatedAt}`];
  return [`帳號已啟用 ${after.activatedAt}`];
}

/** Back to 自然人 (a general account), without agency. */
export async function demoteMember(tx: SqlSession, memberId: string, at: string): Promise<OfficialMember> {
  const rows = await tx.query(
    `UPDATE enroll_official_members SET member_type='citizen', agency_oid=NULL, agency_name=NULL, updated_at=$2, version=version+1
     WHERE member_id=$1 RETURNING *`,
    [memberId, at],
  );
  return memberFromRow(rows[0] ?? {});
}

/**
 * Cancels the member's applications still waiting (審核中, 人工審核, 已收件): after a new name or ID they were
 * checked, and their 申請書 printed, with the old ones, so an approval would make 公務人員 a person nobody
 * checked; an account not activated may not apply. Each is audited as a `cancel` by the actor of the change,
 * with the reason; `by` says whose doing it was (a `system` one does not use up an attempt).
 */
async function cancelOpenApplications(tx: SqlSession, memberId: string, who: Actor, at: string, by: OfficialCancelledBy, reason: string): Promise<void> {
  const open = await tx.query(
    `SELECT id, status FROM enroll_official_applications WHERE member_id=$1 AND status IN ('underReview','manualReview','formReceived') ORDER BY created_at FOR UPDATE`,
    [memberId],
  );
  for (const row of open) {
    await cancelApplication(tx, { id: String(row.id), status: row.status as OfficialStatus }, who, at, by, reason);
  }
}

/**
 * Removes the member's uploaded card: 憑證上傳 checked its holder name and ID
 * hint against the old data, so 憑證登入 with it would log in a person the
 * member no longer is. Audited as `removeCertificate` with the reason.
 */
async function dropUploadedCard(tx: SqlSession, member: OfficialMember, who: Actor, at: string): Promise<void> {
  // The member is locked (syncMember), the DELETE locks the card, then its renewal requests: the login's order.
  const gone = await tx.query('DELETE FROM enroll_official_cards WHERE member_id=$1 RETURNING card_number, certificate_serial', [member.memberId]);
  if (gone[0] === undefined) return;
  await rejectRenewalsOfRemoved(tx, gone, who, at, {
    subject: member.memberId,
    state: member.memberType,
    why: 'the member\'s name or ID changed, so the uploaded card was removed',
  });
  await recordTransition(tx, {
    flow: 'officialAccount',
    subject: member.memberId,
    actor: who,
    at,
    event: 'removeCertificate',
    from: member.memberType,
    to: member.memberType,
    reason: `卡號 ${String(gone[0].card_number)}: 中文姓名或身分證統一編號已變更，請重新上傳憑證`,
  });
}

/** {@link OfficialAccountFlow.member}: 個人資料 (type 一般民眾 / 公務人員 and agency). */
export async function getMember(o: OfficialAccountOptions, memberId: string): Promise<OfficialMember> {
  const id = parseMemberId(memberId);
  return o.store.transaction((tx) => readMember(tx, id));
}

/** 公務人員 of `agency` (an approval, or the personnel record naming another agency). */
export async function makeOfficial(tx: SqlSession, memberId: string, agency: { readonly oid: string; readonly name: string }, at: string): Promise<OfficialMember> {
  const rows = await tx.query(
    `UPDATE enroll_official_members SET member_type='official', agency_oid=$2, agency_name=$3, updated_at=$4, version=version+1
     WHERE member_id=$1 RETURNING *`,
    [memberId, agency.oid, agency.name, at],
  );
  return memberFromRow(rows[0] ?? {});
}

/**
 * Makes the member 公務人員 of the application's agency (approval), audited
 * as `becomeOfficial` on the member. Applications of members the SDK has no
 * reference for (made before issue 13) change nothing.
 */
export async function promoteMember(
  tx: SqlSession,
  app: OfficialAccountApplication,
  who: Actor,
  at: string,
): Promise<OfficialMember | undefined> {
  const member = await lockMember(tx, app.memberId);
  if (member === undefined) return undefined;
  const promoted = await makeOfficial(tx, app.memberId, { oid: app.agencyOid, name: app.agencyName }, at);
  await recordTransition(tx, {
    flow: 'officialAccount',
    subject: app.memberId,
    actor: who,
    at,
    event: 'becomeOfficial',
    from: member.memberType,
    to: 'official',
    reason: `${app.agencyOid} ${app.agencyName} (application ${app.id})`,
  });
  return promoted;
}
