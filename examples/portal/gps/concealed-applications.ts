/**
 * 送出申請 of a 管制編號 that already has an account, or an application in progress: the flow refuses it
 * (APPLICATION_IN_PROGRESS), but the page answers as for any other number and walks the same steps, so an
 * anonymous caller cannot tell which numbers have an account (the seed's page says nothing of one). Each step
 * applies the flow's own rules to what the browser sends (the same parsers, the same state machine, the same EMS
 * comparison) and records no application; 確認送出 answers 審核中 and tells the company at its EMS facility e-mail,
 * which only it reads, that this application was not taken and why.
 *
 * And as the flow's next 送出申請 of a 管制編號 replaces its unfinished application (a draft at once, one with 基本資料
 * verified once idle for a day: APPLICATION_REPLACED at its next step), the same 送出申請 replace concealed ones by
 * the same rule. Each concealed application's state is kept (`portal_gps_concealed`) for that, so what another
 * browser's 送出申請 does to the first tells nothing either. This module is that table and its rules; the session
 * and the pages stay with the GPS system.
 */
import { randomUUID } from 'node:crypto';
import { ENROLL_REFUSALS, InvalidTransitionError, type Clock, type EnrollStore, type NoticeBranding, type SqlSession } from 'twpki/enroll';
import { ACCOUNT_MACHINE, assertEventAllowed } from 'twpki/enroll/advanced';

/** A concealed application, as the browser's session keeps it. */
export interface ConcealedApplication {
  /** 管制編號, as the flow normalizes it. */
  readonly controlNumber: string;
  /** Its row in `portal_gps_concealed`, where its state is kept for the next 送出申請 of the number to judge. */
  readonly token: string;
  /** The state the page was shown, one of the account machine's. */
  readonly status: 'draft' | 'basicDataVerified' | 'emsRejected' | 'underReview';
  /** 公司名稱 as typed, once the basic data matched EMS. */
  readonly companyName?: string;
}

/** A step of a concealed application, as the flow names it. */
export type ConcealedStep = 'submitBasicData' | 'bindCard';

/** Each concealed application's state, for the next 送出申請 of its number to replace (a recorded portal migration). */
export const CONCEALED_TABLE = {
  id: 'portal-gps-0002-concealed-applications',
  sql: `CREATE TABLE IF NOT EXISTS portal_gps_concealed (
  token text PRIMARY KEY, control_number text NOT NULL, status text NOT NULL, updated_at timestamptz NOT NULL, replaced boolean NOT NULL DEFAULT false);
CREATE INDEX IF NOT EXISTS portal_gps_concealed_number ON portal_gps_concealed (control_number)`,
} as const;

/** The flow's own refusal of a replaced draft (`refuseReplaced`: APPLICATION_REPLACED), for a concealed one. */
function replacedError(event: ConcealedStep): InvalidTransitionError {
  return new InvalidTransitionError(ACCOUNT_MACHINE.flow, 'abandoned', event, {
    reason: 'APPLICATION_REPLACED',
    sentence: ENROLL_REFUSALS.APPLICATION_REPLACED.zhTW,
  });
}

/** Whether a later 送出申請 of its number replaced the concealed application `token` (its row locked). */
async function replacedNow(tx: SqlSession, token: string): Promise<boolean> {
  const rows = await tx.query<{ replaced: boolean }>('SELECT replaced FROM portal_gps_concealed WHERE token = $1 FOR UPDATE', [token]);
  return rows[0]?.replaced === true;
}

/** The concealed applications of the GPS system's store, replaced by the flow's rule. */
export class ConcealedApplications {
  /** `unfinishedTtlMs`: the flow's, which the GPS system passes to both. */
  public constructor(
    private readonly store: EnrollStore,
    private readonly clock: Clock,
    private readonly unfinishedTtlMs: number,
  ) {}

  /**
   * A 送出申請 of `controlNumber`: replaces its unfinished concealed applications by the flow's rule
   * (`replaceUnfinished`: a draft at once, one with 基本資料 verified once idle for `unfinishedTtlMs`) and, when the
   * flow refused it (`concealed`), records a new one, returned. The same rule when the flow took a real draft: a
   * concealed application is judged by its own state whatever held the number, so what a real 送出申請 does to it is
   * what a concealed one would have done (ending every concealed one made a fresh 基本資料 answer 409 on a free
   * number, 200 on a taken one).
   */
  public async applied(controlNumber: string, concealed: true): Promise<ConcealedApplication>;
  public async applied(controlNumber: string, concealed: false): Promise<undefined>;
  public async applied(controlNumber: string, concealed: boolean): Promise<ConcealedApplication | undefined> {
    const now = this.clock.now();
    const made: ConcealedApplication | undefined = concealed ? { controlNumber, token: randomUUID(), status: 'draft' } : undefined;
    await this.store.transaction(async (tx) => {
      await tx.query(
        `UPDATE portal_gps_concealed SET replaced = true WHERE control_number = $1 AND NOT replaced
           AND (status = 'draft' OR (status = 'basicDataVerified' AND updated_at <= $2))`,
        [controlNumber, new Date(now.getTime() - this.unfinishedTtlMs).toISOString()],
      );
      if (made !== undefined) {
        await tx.query('INSERT INTO portal_gps_concealed (token, control_number, status, updated_at) VALUES ($1, $2, $3, $4)', [
          made.token,
          controlNumber,
          made.status,
          now.toISOString(),
        ]);
      }
    });
    return made;
  }

  /**
   * Refuses `event` of a concealed application as the flow refuses it of a real one, at the same point: replaced
   * by a later 送出申請 (APPLICATION_REPLACED), then not allowed from its state (the machine's INVALID_TRANSITION).
   */
  public async refuseReplaced(concealed: ConcealedApplication, event: ConcealedStep): Promise<void> {
    if (await this.store.transaction((tx) => replacedNow(tx, concealed.token))) throw replacedError(event);
  }

  /** Refuses `event` from the concealed application's state exactly as the flow refuses it from an application's. */
  public refuseFromState(concealed: ConcealedApplication, event: ConcealedStep): void {
    assertEventAllowed(ACCOUNT_MACHINE, concealed.status, event);
  }

  /**
   * Keeps the concealed application's new state for the next 送出申請 of its number. A 送出申請 that replaced it
   * meanwhile (while EMS was asked, say) refuses the step, as the flow's transition checks a real application again
   * after the EMS call: otherwise 基本資料 answered 200 on a taken number where a free one's answers 409.
   */
  public async advanced(next: ConcealedApplication, event: ConcealedStep): Promise<ConcealedApplication> {
    await this.store.transaction(async (tx) => {
      if (await replacedNow(tx, next.token)) throw replacedError(event);
      await tx.query('UPDATE portal_gps_concealed SET status = $2, updated_at = $3 WHERE token = $1', [next.token, next.status, this.clock.now().toISOString()]);
    });
    return next;
  }
}

/**
 * The mail to the EMS facility e-mail of a 管制編號 whose account (or application in progress) made the page conceal
 * a new application: what happened, that nothing was opened, and what to do, in the seed's mail style.
 */
export function concealedOwnerMail(branding: NoticeBranding, controlNumber: string, holderName: string, cardNumberEnding: string): string {
  return `您好

${branding.systemName}通知：本系統收到以貴公司管制編號 ${controlNumber} 提出之帳號申請，並已綁定自然人憑證（${holderName}，卡號末四碼 ${cardNumberEnding}）。
因此管制編號已有帳號或申請審核中，本次申請不予受理，系統未建立新帳號，亦未綁定上述憑證。

若為貴公司同仁提出：帳號已開通者，請以已綁定之自然人憑證登入後，於「設定自然人憑證」新增憑證；申請審核中者，請待審核結果通知信件。
若貴公司未於本系統提送帳號申請需求，請忽略此信件；如有疑慮，請洽本系統客服。

敬祝 順心
${branding.signature}
`;
}
