/**
 * The waste system's certificate login, whole (seed: 使用自然人憑證或工商憑證登入):
 * 帳號申請 with 載入 → 列印申請表 → upload the stamped form and the business
 * registration copy → staff review → the 驗證碼 mailed to the 承辦人 → 啟用憑證
 * with 統一編號 + 管制編號 + 驗證碼 + card → 綁定成功 → card login. Each concern
 * lives in its own module; this class fixes the dependencies and delegates.
 */
import type { Actor } from '../domain/actor.js';
import type { VerifiedCardHolder } from '../domain/card-holder.js';
import { WASTE_APPLICATION_MACHINE, type WasteApplicationStatus } from '../machine/waste-machine.js';
import type { LoginMethodStatus } from '../machine/login-machine.js';
import type { PostalCounty } from '../ports/postal-code-directory.js';
import { pendingRenewals, type PendingRenewal } from './card-renewal.js';
import type { LoginAccount, LoginBinding, LoginMethod } from './login-records.js';
import { listQueue, type QueuePage, type QueueQuery } from './review-queue.js';
import * as activation from './waste-activation.js';
import type { EnableCertificateLoginInput } from './waste-activation.js';
import * as application from './waste-application.js';
import type { CompanyPrefill, WasteApplicationInput } from './waste-application.js';
import * as documents from './waste-documents.js';
import type { DocumentUpload, ResolvedLimits } from './waste-documents.js';
import { renderWasteApplicationForm, type WasteFormOptions } from './waste-form.js';
import * as login from './waste-login.js';
import { wasteApplicationFromRow, type WasteApplication, type WasteDocument, type WasteDocumentInfo, type WasteDocumentKind } from './waste-records.js';
import * as review from './waste-review.js';
import type { CodeMailed } from './waste-review.js';
import { checkedCounties } from './waste-areas.js';
import { guardWaste, loginContext, parseActorAndId, wastePostalCodes, wasteUnfinishedTtlMs, type LoginContext, type WasteSystemOptions } from './waste-shared.js';
import { MAILER_RULE } from './flow-options.js';

/** The 綁定成功 prompt of 圖 1-7. */
export const WASTE_BOUND_NOTICE = '綁定成功';

/** Commands and queries of the waste system's certificate-login application. */
export class WasteSystemFlow {
  private readonly o: WasteSystemOptions;
  private readonly ctx: LoginContext;
  private readonly limits: ResolvedLimits;
  private readonly unfinishedTtlMs: number;

  /** Fixes the dependencies once; RangeError for impossible limits. */
  public constructor(options: WasteSystemOptions) {
    this.o = options;
    this.ctx = loginContext(options, 'WasteSystemFlow', {
      mailer: MAILER_RULE,
      companies: { kind: 'port', methods: ['findByBusinessId'], what: 'a CompanyRegistry such as StaticCompanyRegistry (the 載入 source)', required: true },
      postalCodes: { kind: 'port', methods: ['find', 'counties'], what: 'a PostalCodeDirectory such as StaticPostalCodeDirectory (default twzipcodeDirectory)' },
      documents: { kind: 'other' },
      branding: { kind: 'other' },
      activationPage: { kind: 'other' },
      unfinishedTtlMs: { kind: 'other' },
    });
    this.unfinishedTtlMs = wasteUnfinishedTtlMs(options);
    this.limits = documents.resolveLimits(options.documents);
  }

  /**
   * 載入: the registry's company name, 負責人 and 營利事業登記地址 for `businessId` (empty: 請輸入統一編號). An
   * unreadable 郵遞區號 directory does not stop it: the address comes as stored, `postalCodesUnavailable`.
   */
  public loadCompany(businessId: string): Promise<CompanyPrefill> {
    return application.loadCompany(this.o, businessId);
  }

  /**
   * 縣市別及郵遞區號輔助填寫: every 縣市 with its 鄉鎮市區 and their 郵遞區號, for the form's selects (the directory
   * `apply` generates the 郵遞區號 from), checked as `apply` checks it.
   * @throws EnrollError POSTAL_CODES_UNAVAILABLE when the directory cannot be read or answers a list of another
   * shape (a host's directory that throws its own error included), as 載入 and `apply` say it.
   */
  public postalCounties(): readonly PostalCounty[] {
    return checkedCounties(wastePostalCodes(this.o));
  }

  /** 帳號申請 → 送出: validates every field at once and records the application (`awaitingDocuments`). */
  public apply(input: WasteApplicationInput, actor: Actor): Promise<WasteApplication> {
    return application.apply(this.o, input, actor, this.unfinishedTtlMs);
  }

  /** The application, for its applicant or a reviewer. */
  public async get(applicationId: string, actor: Actor): Promise<WasteApplication> {
    const { who, id } = parseActorAndId(actor, applicationId);
    return guardWaste(this.o, () => this.o.store.transaction((tx) => documents.readFor(tx, id, who)));
  }

  /** 列印申請表: the 網路帳號密碼申請書 (圖 1-1) as an HTML print layout. */
  public async printableForm(applicationId: string, actor: Actor, options?: WasteFormOptions): Promise<string> {
    return renderWasteApplicationForm(await this.get(applicationId, actor), options);
  }

  /** 掃描上傳: one document (the stamped form or the business registration copy); replaces an earlier upload of the same kind. */
  public uploadDocument(applicationId: string, upload: DocumentUpload, actor: Actor): Promise<WasteDocumentInfo> {
    return documents.uploadDocument(this.o, this.limits, applicationId, upload, actor);
  }

  /** Sends the application to review once both documents are uploaded (else DOCUMENTS_MISSING). */
  public submitForReview(applicationId: string, actor: Actor): Promise<WasteApplication> {
    return documents.submitForReview(this.o, applicationId, actor);
  }

  /** The uploaded documents without content (kind, type, size, SHA-256). */
  public listDocuments(applicationId: string, actor: Actor): Promise<WasteDocumentInfo[]> {
    return documents.listDocuments(this.o, applicationId, actor);
  }

  /** One uploaded document with its bytes, for the reviewer. */
  public getDocument(applicationId: string, kind: WasteDocumentKind, actor: Actor): Promise<WasteDocument> {
    return documents.getDocument(this.o, applicationId, kind, actor);
  }

  /** Reviewer queue: applications in `query.status` (`underReview` to decide), oldest first, paged, optionally by creation date. */
  public reviewQueue(query: QueueQuery<WasteApplicationStatus>): Promise<QueuePage<WasteApplication>> {
    return listQueue(
      this.o.store,
      { table: 'enroll_waste_applications', key: 'id', states: WASTE_APPLICATION_MACHINE.states, map: wasteApplicationFromRow },
      query,
    );
  }

  /**
   * Reviewer approves: the 驗證碼 is created now and mailed to the 承辦人郵件信箱 (never returned); a 申請書 with
   * both login methods 停用 is told it is approved without one.
   */
  public approve(applicationId: string, reviewer: Actor, note?: string): Promise<CodeMailed> {
    return review.approve(this.o, this.ctx, applicationId, reviewer, note);
  }

  /** Reviewer rejects with a reason, mailed to the 承辦人郵件信箱. */
  public reject(applicationId: string, reviewer: Actor, reason: string): Promise<WasteApplication> {
    return review.reject(this.o, applicationId, reviewer, reason);
  }

  /**
   * A new 驗證碼 (expired, lost or locked), mailed to the approved application's 承辦人; a 申請書 with both login
   * methods 停用 gets its approval mail again, without a code (`codeSent: false`).
   */
  public resendVerificationCode(target: { businessId: string; controlNumber?: string }, actor: Actor): Promise<CodeMailed> {
    return review.resendVerificationCode(this.o, this.ctx, target, actor);
  }

  /** 啟用憑證 (圖 1-6): 統一編號 + 管制編號 + 驗證碼 + the verified card → 綁定成功 (圖 1-7). */
  public async activate(input: EnableCertificateLoginInput, actor: Actor): Promise<{
    /** The new binding. */
    binding: LoginBinding;
    /** 綁定成功 */
    notice: typeof WASTE_BOUND_NOTICE;
  }> {
    return { binding: await activation.enableCertificateLogin(this.ctx, input, actor), notice: WASTE_BOUND_NOTICE };
  }

  /** 憑證登入: a bound card whose method is 啟用; a company card must carry the company's 統一編號. */
  public login(holder: VerifiedCardHolder): Promise<{
    /** The company the card logs in for. */
    account: LoginAccount;
    /** The binding that matched, giving the login method. */
    binding: LoginBinding;
  }> {
    return login.authorizeLogin(this.ctx, holder);
  }

  /**
   * Switches 自然人憑證登入 or 工商憑證登入 to 啟用 or 停用. The company (an applicant) may switch a method off; switching
   * one on that is 停用 is a reviewer's (`FORBIDDEN` for the applicant): the methods were ticked on the 申請書 that
   * was stamped and reviewed, and a new application changes them.
   */
  public setLoginMethod(target: { businessId: string; controlNumber?: string }, method: LoginMethod, status: LoginMethodStatus, actor: Actor): Promise<LoginAccount> {
    return activation.setLoginMethod(this.ctx, target, method, status, actor);
  }

  /** Removes a card's binding (e.g. before re-binding a reissued card). */
  public unbindCard(target: { businessId: string; controlNumber?: string }, certificateSerial: string, actor: Actor): Promise<LoginAccount> {
    return activation.unbindCard(this.ctx, target, certificateSerial, actor);
  }

  /** The company's login record and bound cards. */
  public loginRecord(target: { businessId: string; controlNumber?: string }): Promise<{
    /** The company's login record. */
    account: LoginAccount;
    /** Its bound cards, oldest first. */
    bindings: LoginBinding[];
  }> {
    return activation.getLogin(this.ctx, target);
  }

  /** Renewals waiting for a reviewer (policy `review`), oldest first. */
  public pendingRenewals(): Promise<PendingRenewal[]> {
    return pendingRenewals(this.o.store, 'loginEnablement');
  }

  /** Reviewer accepts a pending renewal: the binding takes the new serial (audited `renewCard`). */
  public acceptRenewal(renewalId: string, reviewer: Actor): Promise<LoginBinding> {
    return login.acceptRenewal(this.ctx, renewalId, reviewer);
  }
}
