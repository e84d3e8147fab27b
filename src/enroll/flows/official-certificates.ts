/**
 * Certificate use by members: 憑證上傳 binds the member's citizen card (from a
 * verified login whose holder name and ID hint agree with the member's data),
 * 憑證登入 logs in with it. The card lifecycle follows the one rule of every
 * flow (`judgeRenewal`): a renewed certificate of the uploaded card takes over
 * at login (or waits for review), anything else on that 卡號 is refused and
 * audited; a reissued card (new 卡號) is uploaded again, replacing the old one.
 */
import { parseActor, type Actor } from '../domain/actor.js';
import { parseCardHolder, type CardIdentity, type VerifiedCardHolder } from '../domain/card-holder.js';
import { EnrollError, IssueCollector } from '../errors.js';
import { recordTransition } from '../store/audit.js';
import { isUniqueViolation } from '../store/sql-errors.js';
import type { Row, SqlSession } from '../store/store.js';
import { OFFICIAL_COMMANDS, authorize } from './authorization.js';
import {
  acceptPendingRenewal,
  boundCardFromRow,
  parseRenewalId,
  pendingRenewals,
  rejectPendingRenewalsOf,
  resolveRenewal,
  type PendingRenewal,
  type RenewalRejection,
} from './card-renewal.js';
import { idHintAgrees } from './org-shared.js';
import { lockUploadedCard } from './official-card-lock.js';
import { cardFromRow, lockMember, memberFromRow, type OfficialCard, type OfficialMember } from './official-records.js';
import { guarded, notActivated, parseMemberId, requireActivated, type OfficialAccountOptions } from './official-shared.js';
import { refusalError, requireVerifiedLogin } from '../refusals.js';

function cardBound(): EnrollError {
  return refusalError('CARD_UPLOADED_BY_OTHER_MEMBER', 'this card belongs to another member');
}

/** A citizen card from a verified login, with its 卡號. */
function parseUploadCard(holder: unknown, issues: IssueCollector): CardIdentity | undefined {
  const card = issues.take(() => parseCardHolder(holder, 'holder', { requireCardNumber: true }));
  if (card !== undefined && card.authority !== 'MOICA') issues.add('holder.authority', 'WRONG_CERTIFICATE', 'a citizen certificate (自然人憑證, MOICA) is required');
  return card;
}

/** {@link OfficialAccountFlow.uploadCertificate}: 憑證上傳 (replaces the member's earlier card: reissue). */
export async function uploadCertificate(o: OfficialAccountOptions, memberId: string, holder: VerifiedCardHolder, actor: Actor): Promise<OfficialCard> {
  const issues = new IssueCollector();
  const who = issues.take(() => parseActor(actor));
  const id = issues.take(() => parseMemberId(memberId));
  const card = parseUploadCard(holder, issues);
  issues.throwIfAny();
  const [m, c, w] = [id as string, card as CardIdentity, who as Actor];
  try {
    return await guarded(o, () =>
      o.store.transaction(async (tx) => {
        const member = await lockMember(tx, m);
        authorize(OFFICIAL_COMMANDS, 'uploadCertificate', w, { subject: m, state: member?.memberType ?? 'none', owner: m });
        if (member === undefined) throw new EnrollError('NOT_FOUND', `no member ${m}`);
        requireActivated(member, 'MEMBER_NOT_ACTIVATED');
        requireVerifiedLogin(c);
        if (c.subjectName !== member.name) throw refusalError('MEMBER_NAME_MISMATCH');
        if (!idHintAgrees(o, member.nationalId, c.idHint)) {
          throw refusalError('MEMBER_ID_MISMATCH');
        }
        const at = o.clock.now().toISOString();
        const old = await tx.query('DELETE FROM enroll_official_cards WHERE member_id=$1 RETURNING card_number, certificate_serial', [m]);
        // The replaced certificate's renewal requests could only fail now (also one of the same card: the request
        // names the serial that was uploaded).
        await rejectRenewalsOfRemoved(tx, old, w, at, { subject: m, state: member.memberType, why: 'another certificate was uploaded in its place' });
        const rows = await tx.query(
          `INSERT INTO enroll_official_cards (member_id, card_number, certificate_serial, authority, subject_name, id_hint, anchor, valid_from, bound_at)
           VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9) RETURNING *`,
          [m, c.cardNumber, c.certificateSerial, c.authority, c.subjectName, c.idHint ?? null, c.anchor ?? null, c.validFrom ?? null, at],
        );
        const previous = old[0] === undefined ? '' : `${String(old[0].card_number)} → `;
        await recordTransition(tx, {
          flow: 'officialAccount',
          subject: m,
          actor: w,
          at,
          event: 'uploadCertificate',
          from: member.memberType,
          to: member.memberType,
          reason: `卡號 ${previous}${String(c.cardNumber)}`,
        });
        return cardFromRow(rows[0] ?? {});
      }),
    );
  } catch (err) {
    if (isUniqueViolation(err, 'enroll_official_cards_card_key') || isUniqueViolation(err, 'enroll_official_cards_serial_key')) throw cardBound();
    throw err;
  }
}

/** {@link OfficialAccountFlow.removeCertificate}: removes the member's uploaded card. */
export async function removeCertificate(o: OfficialAccountOptions, memberId: string, actor: Actor): Promise<void> {
  const issues = new IssueCollector();
  const who = issues.take(() => parseActor(actor));
  const id = issues.take(() => parseMemberId(memberId));
  issues.throwIfAny();
  const [m, w] = [id as string, who as Actor];
  await guarded(o, () =>
    o.store.transaction(async (tx) => {
      const member = await lockMember(tx, m);
      authorize(OFFICIAL_COMMANDS, 'removeCertificate', w, { subject: m, state: member?.memberType ?? 'none', owner: m });
      // After the member, the card (the DELETE locks it), then its renewal requests: the order of 憑證登入.
      const gone = await tx.query('DELETE FROM enroll_official_cards WHERE member_id=$1 RETURNING card_number, certificate_serial', [m]);
      if (member === undefined || gone[0] === undefined) throw new EnrollError('NOT_FOUND', `member ${m} has no uploaded card`);
      const at = o.clock.now().toISOString();
      await rejectRenewalsOfRemoved(tx, gone, w, at, { subject: m, state: member.memberType, why: 'the uploaded card was removed' });
      await recordTransition(tx, {
        flow: 'officialAccount',
        subject: m,
        actor: w,
        at,
        event: 'removeCertificate',
        from: member.memberType,
        to: member.memberType,
        reason: `卡號 ${String(gone[0].card_number)}`,
      });
    }),
  );
}

/**
 * Rejects the pending renewals of uploaded cards just deleted (`removed`: the
 * DELETE's rows, with `card_number` and `certificate_serial`), audited on the
 * member. The caller holds the member and deleted the card first.
 */
export async function rejectRenewalsOfRemoved(tx: SqlSession, removed: readonly Row[], who: Actor, at: string, audit: RenewalRejection): Promise<void> {
  const cards = removed.map((r) => ({ cardNumber: String(r.card_number), certificateSerial: String(r.certificate_serial) }));
  await rejectPendingRenewalsOf(tx, 'officialAccount', cards, who, at, audit);
}

/** {@link OfficialAccountFlow.certificate}: the member's uploaded card, or `undefined`. */
export async function memberCard(o: OfficialAccountOptions, memberId: string): Promise<OfficialCard | undefined> {
  const id = parseMemberId(memberId);
  const rows = await o.store.transaction((tx) => tx.query('SELECT * FROM enroll_official_cards WHERE member_id=$1', [id]));
  return rows[0] === undefined ? undefined : cardFromRow(rows[0]);
}

async function renewCard(tx: SqlSession, memberId: string, oldSerial: string, newSerial: string, validFrom: string | undefined): Promise<OfficialCard> {
  try {
    const rows = await tx.query(
      'UPDATE enroll_official_cards SET certificate_serial=$3, valid_from=$4 WHERE member_id=$1 AND certificate_serial=$2 RETURNING *',
      [memberId, oldSerial, newSerial, validFrom ?? null],
    );
    if (rows[0] === undefined) throw new EnrollError('NOT_FOUND', `member ${memberId} no longer has certificate ${oldSerial}`);
    return cardFromRow(rows[0]);
  } catch (err) {
    if (isUniqueViolation(err, 'enroll_official_cards_serial_key')) throw cardBound();
    throw err;
  }
}

/** {@link OfficialAccountFlow.certificateLogin}: 憑證登入; the member the card belongs to. */
export async function certificateLogin(o: OfficialAccountOptions, holder: VerifiedCardHolder): Promise<OfficialMember> {
  // Any authority is parsed: a certificate of another authority on an uploaded 卡號 is judged (and audited) as an attack.
  const c = parseCardHolder(holder, 'holder', { requireCardNumber: true });
  requireVerifiedLogin(c);
  const outcome = await o.store.transaction(async (tx): Promise<OfficialMember | EnrollError> => {
    const held = await lockUploadedCard(tx, c.cardNumber as string);
    if (held === undefined) return refusalError('CERTIFICATE_NOT_UPLOADED');
    const { row, member } = held;
    const memberId = String(row.member_id);
    // An account not (or no longer) activated logs in with nothing, and its card is not renewed meanwhile.
    const inactive = member === undefined ? undefined : notActivated(member, 'MEMBER_NOT_ACTIVATED');
    if (inactive !== undefined) return inactive;
    const bound = boundCardFromRow(row);
    const result = await resolveRenewal(tx, bound, c, {
      flow: 'officialAccount',
      subject: memberId,
      state: member?.memberType ?? 'citizen',
      policy: o.renewal,
      at: o.clock.now().toISOString(),
      refusal: 'RENEWAL_MISMATCH',
      renew: async () => {
        await renewCard(tx, memberId, bound.certificateSerial, c.certificateSerial, c.validFrom);
      },
    });
    if (result instanceof EnrollError) return result;
    const fresh = await tx.query('SELECT * FROM enroll_official_members WHERE member_id=$1', [memberId]);
    return memberFromRow(fresh[0] ?? {});
  });
  if (outcome instanceof EnrollError) throw outcome;
  return outcome;
}

/** {@link OfficialAccountFlow.pendingRenewals}: renewals waiting for a reviewer, oldest first. */
export function officialPendingRenewals(o: OfficialAccountOptions): Promise<PendingRenewal[]> {
  return pendingRenewals(o.store, 'officialAccount');
}

/**
 * {@link OfficialAccountFlow.acceptRenewal}: the uploaded card takes the renewed serial (audited `renewCard`). The
 * card of a member not activated is NOT_AUTHORIZED (`MEMBER_NOT_ACTIVATED` / `MEMBER_DEACTIVATED`), the request kept.
 */
export async function acceptRenewal(o: OfficialAccountOptions, renewalId: string, reviewer: Actor): Promise<OfficialCard> {
  const issues = new IssueCollector();
  const who = issues.take(() => parseActor(reviewer, 'reviewer'));
  const id = issues.take(() => parseRenewalId(renewalId));
  issues.throwIfAny();
  const w = who as Actor;
  return guarded(o, () =>
    o.store.transaction(async (tx) => {
      authorize(OFFICIAL_COMMANDS, 'acceptRenewal', w, { subject: id as string });
      // The member and the card (the login's order), then the request.
      const lock = (request: PendingRenewal) => lockUploadedCard(tx, request.cardNumber, request.oldSerial);
      return acceptPendingRenewal(tx, 'officialAccount', id as string, w, o.clock.now().toISOString(), lock, async (request, held) => {
        if (held === undefined) throw new EnrollError('NOT_FOUND', `card ${request.cardNumber} is no longer uploaded with ${request.oldSerial}`);
        const { row, member } = held;
        // As at 憑證登入: the card of an account not (or no longer) activated is not renewed meanwhile. The request
        // stays pending (nothing is written) for a reviewer to accept once the host reactivates the account.
        const inactive = member === undefined ? undefined : notActivated(member, 'MEMBER_NOT_ACTIVATED', 'the renewal stays pending');
        if (inactive !== undefined) throw inactive;
        const memberId = String(row.member_id);
        const result = await renewCard(tx, memberId, request.oldSerial, request.newSerial, request.newValidFrom);
        return { result, subject: memberId, state: member?.memberType ?? 'citizen' };
      });
    }),
  );
}
