/**
 * Authorization inside commands. Every command declares the roles that may
 * run it and what an actor of each role must own; {@link authorize} enforces
 * the declaration and {@link auditRefusals} writes every refusal to the audit
 * trail (in its own transaction, since the refused command's rolls back).
 */
import type { Actor, ActorRole } from '../domain/actor.js';
import { ForbiddenError } from '../domain/actor.js';
import type { FlowName } from '../machine/machine.js';
import type { Clock } from '../ports/clock.js';
import { recordTransition } from '../store/audit.js';
import type { EnrollStore } from '../store/store.js';

/** Who may run one command. */
export interface CommandRule {
  /** Roles allowed to run it. */
  readonly roles: readonly ActorRole[];
  /** For roles listed here, what the actor must own (checked against the record); other allowed roles need only the role. */
  readonly owns?: Partial<Readonly<Record<ActorRole, string>>>;
}

/** The declared rules of a flow's commands. */
export type CommandRules<C extends string> = Readonly<Record<C, CommandRule>>;

const ANY_OWN_APPLICATION = 'the application: the actor ID that applied';

/** `AccountEnrollmentFlow`'s commands. */
export const ACCOUNT_COMMANDS: CommandRules<
  'apply' | 'submitBasicData' | 'bindCard' | 'approve' | 'reject' | 'reissueActivation' | 'addCard' | 'removeCard' | 'acceptRenewal' | 'close'
> = {
  apply: { roles: ['applicant'] },
  submitBasicData: { roles: ['applicant'], owns: { applicant: ANY_OWN_APPLICATION } },
  bindCard: { roles: ['applicant'], owns: { applicant: ANY_OWN_APPLICATION } },
  approve: { roles: ['reviewer'] },
  reject: { roles: ['reviewer'] },
  reissueActivation: { roles: ['reviewer'] },
  addCard: { roles: ['applicant'], owns: { applicant: 'the active account: the actor ID that applied for it' } },
  removeCard: { roles: ['applicant'], owns: { applicant: 'the active account: the actor ID that applied for it' } },
  acceptRenewal: { roles: ['reviewer'] },
  close: { roles: ['reviewer'] },
};

/** `LoginEnablementFlow`'s commands. */
export const LOGIN_COMMANDS: CommandRules<
  'requestCertificateLogin' | 'enableCertificateLogin' | 'reissueVerificationCode' | 'setLoginMethod' | 'unbindCard' | 'acceptRenewal'
> = {
  requestCertificateLogin: { roles: ['applicant'] },
  // The verification code is what proves the company here.
  enableCertificateLogin: { roles: ['applicant'] },
  reissueVerificationCode: { roles: ['applicant', 'reviewer'], owns: { applicant: "the company's application: the actor ID that requested it" } },
  setLoginMethod: { roles: ['applicant', 'reviewer'], owns: { applicant: "the company's application: the actor ID that requested it" } },
  unbindCard: { roles: ['applicant', 'reviewer'], owns: { applicant: "the company's application: the actor ID that requested it" } },
  acceptRenewal: { roles: ['reviewer'] },
};

/** `WasteSystemFlow`'s commands (application, documents, review); activation and login use {@link LOGIN_COMMANDS}. */
export const WASTE_COMMANDS: CommandRules<
  'apply' | 'uploadDocument' | 'submitForReview' | 'readApplication' | 'approve' | 'reject' | 'resendVerificationCode'
> = {
  apply: { roles: ['applicant'] },
  uploadDocument: { roles: ['applicant'], owns: { applicant: 'the application: the actor ID that applied' } },
  submitForReview: { roles: ['applicant'], owns: { applicant: 'the application: the actor ID that applied' } },
  readApplication: { roles: ['applicant', 'reviewer'], owns: { applicant: 'the application: the actor ID that applied' } },
  approve: { roles: ['reviewer'] },
  reject: { roles: ['reviewer'] },
  resendVerificationCode: { roles: ['applicant', 'reviewer'], owns: { applicant: "the company's approved application: the actor ID that applied" } },
};

/** `OrgRegistrationFlow`'s commands; the administrator's ownership is proven by the registered cards. */
export const ORG_COMMANDS: CommandRules<'register' | 'requestReview' | 'approveReview' | 'rejectReview' | 'acceptRenewal'> = {
  register: { roles: ['administrator', 'system'] },
  // The 申請人 of 機關憑證確認 (圖3-6), before any administrator is named.
  requestReview: { roles: ['applicant', 'system'] },
  approveReview: { roles: ['reviewer'] },
  rejectReview: { roles: ['reviewer'] },
  acceptRenewal: { roles: ['reviewer'] },
};

const OWN_MEMBER = 'the member account: actor ID equals memberId';

/** `OfficialAccountFlow`'s commands: the host (`system`) or the member itself keeps the member reference; a member acts on its own account, applications and card; a reviewer records 收件 and decides. */
export const OFFICIAL_COMMANDS: CommandRules<
  | 'syncMember'
  | 'apply'
  | 'receiveForm'
  | 'correctFormReceipt'
  | 'approve'
  | 'reject'
  | 'cancel'
  | 'uploadCertificate'
  | 'removeCertificate'
  | 'acceptRenewal'
  | 'followPersonnelRecord'
> = {
  syncMember: { roles: ['system', 'applicant'], owns: { applicant: OWN_MEMBER } },
  apply: { roles: ['applicant'], owns: { applicant: OWN_MEMBER } },
  // 收件 is the service desk's: the member says nothing by claiming its own form arrived.
  receiveForm: { roles: ['reviewer'] },
  correctFormReceipt: { roles: ['reviewer'] },
  approve: { roles: ['reviewer'] },
  reject: { roles: ['reviewer'] },
  cancel: { roles: ['applicant'], owns: { applicant: "the member's own application: actor ID equals its memberId" } },
  uploadCertificate: { roles: ['applicant'], owns: { applicant: OWN_MEMBER } },
  removeCertificate: { roles: ['applicant', 'reviewer'], owns: { applicant: OWN_MEMBER } },
  acceptRenewal: { roles: ['reviewer'] },
  // The host's scheduled job, or a reviewer asked about one member; never the member, whose agency is the record's.
  followPersonnelRecord: { roles: ['system', 'reviewer'] },
};

/** Where a command was aimed, for the refusal's audit entry. */
export interface Target {
  /** Record key, or `none` before the record exists. */
  readonly subject: string;
  /** The record's state, or `none`. */
  readonly state?: string;
  /**
   * The owner on record (actor ID that applied, member ID…); `null` for
   * records made before owners were recorded, which any actor of an allowed
   * role may act on.
   */
  readonly owner?: string | null;
}

/** Throws {@link ForbiddenError} unless `who` may run `command` on `target` under `rules`. */
export function authorize<C extends string>(rules: CommandRules<C>, command: C, who: Actor, target: Target = { subject: 'none' }): void {
  const rule = rules[command];
  const refuse = (why: string): never => {
    throw new ForbiddenError(command, who, target.subject, target.state ?? 'none', `${command}: ${why}`);
  };
  if (!rule.roles.includes(who.role)) refuse(`role "${who.role}" may not run it (allowed: ${rule.roles.join(', ')})`);
  const owns = rule.owns?.[who.role];
  if (owns !== undefined && target.owner !== undefined && target.owner !== null && target.owner !== who.id) {
    refuse(`${/^[aeiou]/.test(who.role) ? 'an' : 'a'} ${who.role} acts only on its own record (${owns})`);
  }
}

/**
 * Runs `command`; a {@link ForbiddenError} is written to the audit trail as
 * event `forbidden:<command>` (from = to = the record's state) and rethrown.
 */
export async function auditRefusals<T>(store: EnrollStore, clock: Clock, flow: FlowName, command: () => Promise<T>): Promise<T> {
  try {
    return await command();
  } catch (err) {
    if (err instanceof ForbiddenError) {
      await store.transaction((tx) =>
        recordTransition(tx, {
          flow,
          subject: err.subject,
          actor: err.actor,
          at: clock.now().toISOString(),
          event: `forbidden:${err.command}`,
          from: err.state,
          to: err.state,
          reason: err.message.slice(0, 500),
        }),
      );
    }
    throw err;
  }
}
