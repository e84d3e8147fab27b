/**
 * The one lock order of the official account's uploaded cards: the member,
 * then the card. The member's own commands (憑證上傳, removal, the host's sync
 * that drops a card proving old data) lock the member and then delete the
 * card; a login or a reviewer's renewal that locked the card first and the
 * member second deadlocked against them, and PostgreSQL failed one with its
 * own error.
 */
import type { Row, SqlSession } from '../store/store.js';
import { lockMember, type OfficialMember } from './official-records.js';

/** An uploaded card's row and its member, both locked. */
export interface LockedCard {
  readonly row: Row;
  readonly member: OfficialMember | undefined;
}

/**
 * Finds the card by `cardNumber` (and `serial`, when given), locks its member,
 * then the card. `undefined` when no member has it uploaded, also when it was
 * removed or replaced while this waited for the member.
 */
export async function lockUploadedCard(tx: SqlSession, cardNumber: string, serial?: string): Promise<LockedCard | undefined> {
  const where = serial === undefined ? 'card_number=$1' : 'card_number=$1 AND certificate_serial=$2';
  const params = serial === undefined ? [cardNumber] : [cardNumber, serial];
  // A plain read names the member; the card is locked (and read again) only once the member is.
  const seen = (await tx.query(`SELECT member_id FROM enroll_official_cards WHERE ${where}`, params))[0];
  if (seen === undefined) return undefined;
  const memberId = String(seen.member_id);
  const member = await lockMember(tx, memberId);
  const row = (await tx.query(`SELECT * FROM enroll_official_cards WHERE ${where} AND member_id=$${params.length + 1} FOR UPDATE`, [...params, memberId]))[0];
  return row === undefined ? undefined : { row, member };
}
