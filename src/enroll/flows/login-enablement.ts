/**
 * Certificate-login enablement without a review step (the first slice of the
 * waste-system seed): a company receives a verification code at once and binds
 * a card by 統一編號 + 管制編號 + 驗證碼 + card. Each method (自然人憑證 / 工商憑證)
 * is 啟用 or 停用 on its own. `WasteSystemFlow` is the complete system
 * (application form, documents, review, then the same activation and login);
 * both share `waste-activation.ts` and `waste-login.ts` and one binding table.
 */
import { parseActor, type Actor } from '../domain/actor.js';
import type { VerifiedCardHolder } from '../domain/card-holder.js';
import { parseRequiredText } from '../domain/identifiers.js';
import { EnrollError, IssueCollector } from '../errors.js';
import { LOGIN_ENABLEMENT_MACHINE, type LoginEnablementStatus, type LoginMethodStatus } from '../machine/login-machine.js';
import { isUniqueViolation } from '../store/sql-errors.js';
import { LOGIN_COMMANDS, authorize } from './authorization.js';
import { pendingRenewals, type PendingRenewal } from './card-renewal.js';
import { LOGIN_METHOD_LABELS, loginAccountFromRow, type LoginAccount, type LoginBinding, type LoginMethod } from './login-records.js';
import { listQueue, type QueuePage, type QueueQuery } from './review-queue.js';
import * as activation from './waste-activation.js';
import type { EnableCertificateLoginInput } from './waste-activation.js';
import * as login from './waste-login.js';
import { LOGIN_METHODS, guardLogin, loginContext, loginSubject, takeCompanyKey, type CompanyKey, type LoginContext, type LoginEnablementOptions } from './waste-shared.js';

export type { EnableCertificateLoginInput } from './waste-activation.js';
export type { LoginEnablementOptions, VerificationCodeUse } from './waste-shared.js';

/** Input of {@link LoginEnablementFlow.requestCertificateLogin}. */
export interface CertificateLoginRequest {
  /** 營利事業統一編號 */
  readonly businessId: string;
  /** 廢棄物管制編號 (有管制編號請輸入, 沒有就請空白). */
  readonly controlNumber?: string;
  /** 公司名稱 */
  readonly companyName: string;
  /** 自然人憑證登入 / 工商憑證登入: 啟用 or 停用. */
  readonly methods: Readonly<Record<LoginMethod, LoginMethodStatus>>;
}

async function request(ctx: LoginContext, input: CertificateLoginRequest, actor: Actor): Promise<{ account: LoginAccount; verificationCode: string }> {
  const issues = new IssueCollector();
  const who = issues.take(() => parseActor(actor));
  const v = (typeof input === 'object' && input !== null ? input : {}) as unknown as Record<string, unknown>;
  const key = takeCompanyKey(v, issues);
  const companyName = issues.take(() => parseRequiredText(v.companyName, 'companyName'));
  const m = (typeof v.methods === 'object' && v.methods !== null ? v.methods : {}) as Record<string, unknown>;
  for (const method of LOGIN_METHODS) {
    if (m[method] !== 'enabled' && m[method] !== 'disabled') issues.add(`methods.${method}`, 'NOT_AN_OPTION', `${LOGIN_METHOD_LABELS[method]}: choose 啟用 (enabled) or 停用 (disabled)`);
  }
  issues.throwIfAny();
  const k = key as CompanyKey;
  const methods = m as Record<LoginMethod, LoginMethodStatus>;
  return guardLogin(ctx, async () => {
    authorize(LOGIN_COMMANDS, 'requestCertificateLogin', who as Actor, { subject: loginSubject(k) });
    try {
      return await ctx.store.transaction((tx) =>
        activation.writeLoginCode(ctx, tx, k, { companyName: companyName as string, methods, owner: (who as Actor).id }, who as Actor, ctx.clock.now(), 'create'),
      );
    } catch (err) {
      if (isUniqueViolation(err, 'enroll_login_accounts_pkey')) throw new EnrollError('APPLICATION_IN_PROGRESS', 'this company has already applied for certificate login');
      throw err;
    }
  });
}

/** Commands of certificate-login enablement. */
export class LoginEnablementFlow {
  private readonly ctx: LoginContext;

  /** Fixes the dependencies once. */
  public constructor(options: LoginEnablementOptions) {
    this.ctx = loginContext(options);
  }

  /**
   * 申請使用自然人憑證或工商憑證登入: records the chosen methods and returns the
   * verification code once (only its hash is stored).
   */
  public requestCertificateLogin(input: CertificateLoginRequest, actor: Actor): Promise<{
    /** The new application, status `awaitingBinding`. */
    account: LoginAccount;
    /** The 10-character code in plain text; shown only now, so hand it to the company. */
    verificationCode: string;
  }> {
    return request(this.ctx, input, actor);
  }

  /** 啟用憑證: binds the card when the code is valid and its method is 啟用. */
  public enableCertificateLogin(input: EnableCertificateLoginInput, actor: Actor): Promise<LoginBinding> {
    return activation.enableCertificateLogin(this.ctx, input, actor);
  }

  /**
   * Issues a fresh verification code (the old one expired, was lost, or is
   * locked after too many wrong attempts). The caller must have authenticated
   * the company (e.g. by its password account) before calling this.
   */
  public reissueVerificationCode(
    target: { businessId: string; controlNumber?: string },
    actor: Actor,
  ): Promise<{
    /** The application with its new `codeExpiresAt`. */
    account: LoginAccount;
    /** The new 10-character code in plain text; the old code stops working and wrong attempts are reset. */
    verificationCode: string;
  }> {
    return activation.reissueVerificationCode(this.ctx, target, actor);
  }

  /** Switches one login method to 啟用 (`enabled`) or 停用 (`disabled`). */
  public setLoginMethod(target: { businessId: string; controlNumber?: string }, method: LoginMethod, status: LoginMethodStatus, actor: Actor): Promise<LoginAccount> {
    return activation.setLoginMethod(this.ctx, target, method, status, actor);
  }

  /** Removes a card's login binding. */
  public unbindCard(target: { businessId: string; controlNumber?: string }, certificateSerial: string, actor: Actor): Promise<LoginAccount> {
    return activation.unbindCard(this.ctx, target, certificateSerial, actor);
  }

  /** Certificate login: the card must be bound and its method 啟用. */
  public authorizeLogin(holder: VerifiedCardHolder): Promise<{
    /** The company the card logs in for. */
    account: LoginAccount;
    /** The binding that matched the certificate, giving the login method. */
    binding: LoginBinding;
  }> {
    return login.authorizeLogin(this.ctx, holder);
  }

  /** Renewals waiting for a reviewer (policy `review`), oldest first. */
  public pendingRenewals(): Promise<PendingRenewal[]> {
    return pendingRenewals(this.ctx.store, 'loginEnablement');
  }

  /** Reviewer accepts a pending renewal: the login binding takes the new serial (audited `renewCard`). */
  public acceptRenewal(renewalId: string, reviewer: Actor): Promise<LoginBinding> {
    return login.acceptRenewal(this.ctx, renewalId, reviewer);
  }

  /** Reviewer queue: enablement applications in `query.status`, oldest first, paged, optionally by creation date. */
  public reviewQueue(query: QueueQuery<LoginEnablementStatus>): Promise<QueuePage<LoginAccount>> {
    return listQueue(
      this.ctx.store,
      { table: 'enroll_login_accounts', key: 'business_id', states: LOGIN_ENABLEMENT_MACHINE.states, map: loginAccountFromRow },
      query,
    );
  }

  /** A company's enablement and its bound cards. */
  public get(target: { businessId: string; controlNumber?: string }): Promise<{
    /** The company's enablement record. */
    account: LoginAccount;
    /** Its bound cards, oldest first. */
    bindings: LoginBinding[];
  }> {
    return activation.getLogin(this.ctx, target);
  }
}
