/**
 * Staff review of waste-system applications: approve (the 驗證碼 is created
 * and mailed to the 承辦人, only now), reject with a reason (mailed too), and a
 * new 驗證碼 for an approved company that lost or locked its code.
 */
import { sendNotice } from '../mail/send-notice.js';
import type { Actor } from '../domain/actor.js';
import { parseActor } from '../domain/actor.js';
import { parseRequiredText } from '../domain/identifiers.js';
import { EnrollError, IssueCollector } from '../errors.js';
import { WASTE_BRANDING, approvalWithoutCertificateLoginNotice, verificationCodeNotice, wasteRejectionNotice } from '../mail/waste-notices.js';
import type { SqlSession } from '../store/store.js';
import type { LoginAccount } from './login-records.js';
import { writeLoginCode } from './waste-activation.js';
import { latestApproved, type WasteApplication } from './waste-records.js';
import {
  LOGIN_METHODS,
  guardWaste,
  parseApplicationId,
  takeCompanyKey,
  transition,
  type CompanyKey,
  type LoginContext,
  type WasteSystemOptions,
} from './waste-shared.js';

/** Result of an approval or a new code: the application, the company's login record and where the code went. */
export interface CodeMailed {
  /** The application (`approved`). */
  readonly application: WasteApplication;
  /** The company's login record (`awaitingBinding`, or `bound` when it already has cards). */
  readonly login: LoginAccount;
  /**
   * The 承辦人郵件信箱 the approval went to: with the 驗證碼 (never returned), or, when the login methods are both
   * 停用, without one (see `codeSent`).
   */
  readonly mailedTo: string;
  /**
   * Whether the mail carried a 驗證碼: `false` when the login record has both methods 停用 — on approval, a 申請書 with
   * both 停用; on a resend, also methods switched off since (the code could enable no card, so none is mailed); a
   * page must then not say a code was sent.
   */
  readonly codeSent: boolean;
}

function keyOf(app: WasteApplication): CompanyKey {
  return { businessId: app.businessId, controlNumber: app.controlNumber ?? '' };
}

/**
 * Writes a fresh code for the application's company and mails it inside `tx` (a failed send rolls everything back).
 * A 申請書 with both methods 停用 still gets its login record (both 停用), but its mail carries no code: the code
 * could enable no card, and a 驗證碼 mailed for nothing only invites a 啟用憑證 that must fail.
 *
 * `methods`: an approval writes the 申請書's methods (a new 申請書 is how the manual changes them); a new code for
 * an approved company (`current`) keeps the login record's, as a reviewer or the company last set them
 * (`setLoginMethod`): a resend is not a new 申請書, and writing the old form's methods again switched back on a
 * method the company had switched off. The mail carries a code when the methods written have one 啟用: a company
 * may not switch a method on itself once a reviewed 申請書 granted its record, so a code for a record with both
 * 停用 could enable no card.
 */
async function grantCode(
  o: WasteSystemOptions,
  ctx: LoginContext,
  tx: SqlSession,
  app: WasteApplication,
  owner: string,
  who: Actor,
  methods: 'application' | 'current',
): Promise<{ account: LoginAccount; codeSent: boolean }> {
  const at = o.clock.now();
  const grant = { companyName: app.companyName, methods: app.methods, owner, keepRecordMethods: methods === 'current' };
  const { account, verificationCode } = await writeLoginCode(ctx, tx, keyOf(app), grant, who, at);
  const branding = o.branding ?? WASTE_BRANDING;
  const anyEnabled = LOGIN_METHODS.some((m) => account.methods[m] === 'enabled');
  const formDisabled = LOGIN_METHODS.every((m) => app.methods[m] === 'disabled');
  await sendNotice(
    o.mailer,
    anyEnabled
      ? verificationCodeNotice(app.contactEmail, app, verificationCode, account.codeExpiresAt, branding, o.activationPage)
      : approvalWithoutCertificateLoginNotice(app.contactEmail, app, branding, formDisabled ? 'form' : 'record'),
  );
  return { account, codeSent: anyEnabled };
}

/** What the audit trail says was mailed: a code, or an approval without one. */
function mailedReason(app: WasteApplication, codeSent: boolean): string {
  return codeSent ? `驗證碼 mailed to ${app.contactEmail}` : `approval mailed to ${app.contactEmail} without a 驗證碼 (both login methods 停用)`;
}

/** Reviewer approves: creates the 驗證碼 and mails it to the 承辦人郵件信箱 (not when both methods are 停用: `codeSent`). */
export async function approve(o: WasteSystemOptions, ctx: LoginContext, applicationId: string, reviewer: Actor, note?: string): Promise<CodeMailed> {
  const issues = new IssueCollector();
  const who = issues.take(() => parseActor(reviewer, 'reviewer'));
  const id = issues.take(() => parseApplicationId(applicationId));
  const reviewNote = note === undefined ? null : (issues.take(() => parseRequiredText(note, 'note', 2000)) ?? null);
  issues.throwIfAny();
  return guardWaste(o, () =>
    o.store.transaction(async (tx) => {
      let granted: { account: LoginAccount; codeSent: boolean } | undefined;
      const application = await transition(o, tx, id as string, {
        command: 'approve',
        event: 'approve',
        to: 'approved',
        who: who as Actor,
        decision: { note: reviewNote },
        apply: async (app, _at, owner) => {
          granted = await grantCode(o, ctx, tx, app, owner, who as Actor, 'application');
          return mailedReason(app, granted.codeSent);
        },
      });
      const { account, codeSent } = granted as { account: LoginAccount; codeSent: boolean };
      return { application, login: account, mailedTo: application.contactEmail, codeSent };
    }),
  );
}

/** Reviewer rejects with a reason, mailed to the 承辦人郵件信箱. */
export async function reject(o: WasteSystemOptions, applicationId: string, reviewer: Actor, reason: string): Promise<WasteApplication> {
  const issues = new IssueCollector();
  const who = issues.take(() => parseActor(reviewer, 'reviewer'));
  const id = issues.take(() => parseApplicationId(applicationId));
  const why = issues.take(() => parseRequiredText(reason, 'reason', 2000));
  issues.throwIfAny();
  return guardWaste(o, () =>
    o.store.transaction((tx) =>
      transition(o, tx, id as string, {
        command: 'reject',
        event: 'reject',
        to: 'rejected',
        who: who as Actor,
        decision: { note: why as string },
        apply: async (app) => {
          await sendNotice(o.mailer, wasteRejectionNotice(app.contactEmail, app, why as string, o.branding ?? WASTE_BRANDING));
          return why;
        },
      }),
    ),
  );
}

/**
 * A new 驗證碼 for a company with an approved application (old code dead, wrong attempts reset), mailed to its 承辦人.
 * The login methods stay as the record has them (a reviewer's or the company's `setLoginMethod` is kept). When the
 * record has no method 啟用, the approval mail again, without a code (`codeSent: false`).
 */
export async function resendVerificationCode(
  o: WasteSystemOptions,
  ctx: LoginContext,
  target: { businessId: string; controlNumber?: string },
  actor: Actor,
): Promise<CodeMailed> {
  const issues = new IssueCollector();
  const who = issues.take(() => parseActor(actor));
  const key = takeCompanyKey(target, issues);
  issues.throwIfAny();
  return guardWaste(o, () =>
    o.store.transaction(async (tx) => {
      const approved = await latestApproved(tx, (key as CompanyKey).businessId, (key as CompanyKey).controlNumber);
      if (approved === undefined) throw new EnrollError('NOT_FOUND', 'this company has no approved certificate-login application');
      let granted: { account: LoginAccount; codeSent: boolean } | undefined;
      const application = await transition(o, tx, approved.record.id, {
        command: 'resendVerificationCode',
        event: 'resendVerificationCode',
        to: 'approved',
        who: who as Actor,
        apply: async (app, _at, owner) => {
          granted = await grantCode(o, ctx, tx, app, owner, who as Actor, 'current');
          return mailedReason(app, granted.codeSent);
        },
      });
      const { account, codeSent } = granted as { account: LoginAccount; codeSent: boolean };
      return { application, login: account, mailedTo: application.contactEmail, codeSent };
    }),
  );
}

