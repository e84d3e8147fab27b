/**
 * 啟用自然人憑證或工商憑證登入: a company binds a card with 統一編號 + 管制編號 +
 * 驗證碼 (圖 1-6 → 綁定成功, 圖 1-7), and manages its login record: new codes,
 * 啟用 / 停用 per method, unbinding. Shared by `LoginEnablementFlow` and
 * `WasteSystemFlow`; both keep their bindings in `enroll_login_bindings`.
 */
import { timingSafeEqual } from 'node:crypto';
import { parseActor, type Actor } from '../domain/actor.js';
import { parseCardHolder, type CardIdentity, type VerifiedCardHolder } from '../domain/card-holder.js';
import { parseCertificateSerial, parseRequiredText, type CertificateSerial } from '../domain/identifiers.js';
import { EnrollError, IssueCollector } from '../errors.js';
import { LOGIN_ENABLEMENT_MACHINE, LOGIN_METHOD_MACHINE, type LoginEnablementStatus, type LoginMethodStatus } from '../machine/login-machine.js';
import { assertTransition } from '../machine/machine.js';
import { recordTransition } from '../store/audit.js';
import { isUniqueViolation } from '../store/sql-errors.js';
import type { SqlSession } from '../store/store.js';
import { LOGIN_COMMANDS, authorize } from './authorization.js';
import { rejectPendingRenewalsOf } from './card-renewal.js';
import { LOGIN_METHOD_LABELS, LOGIN_METHOD_REFUSALS, loginAccountFromRow, loginBindingFromRow, type LoginAccount, type LoginBinding, type LoginMethod } from './login-records.js';
import { hashSecret, newVerificationCode } from './secret-token.js';
import { refusalError, requireVerifiedLogin } from '../refusals.js';
import {
  LOGIN_METHODS,
  authorizeOnLogin,
  guardLogin,
  lockLogin,
  loginSubject,
  methodOf,
  noLoginRecord,
  parseCompanyKey,
  takeCompanyKey,
  type CompanyKey,
  type LockedLogin,
  type LoginContext,
} from './waste-shared.js';

/** Input of 啟用憑證 (圖 1-6). */
export interface EnableCertificateLoginInput {
  /** 統一編號 */
  readonly businessId: string;
  /** 管制編號, if the company has one. */
  readonly controlNumber?: string;
  /** 驗證碼 from the application. */
  readonly verificationCode: string;
  /** The verified card login: `cardHolderFromLogin(login)` of the certificate layer's result (the card's PIN was checked there). */
  readonly holder: VerifiedCardHolder;
}

function codesEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && timingSafeEqual(x, y);
}

/** 啟用憑證: binds the card when the code is valid and its method is 啟用. */
export async function enableCertificateLogin(ctx: LoginContext, input: EnableCertificateLoginInput, actor: Actor): Promise<LoginBinding> {
  const issues = new IssueCollector();
  const who = issues.take(() => parseActor(actor));
  const v = (typeof input === 'object' && input !== null ? input : {}) as unknown as Record<string, unknown>;
  const key = takeCompanyKey(v, issues);
  const code = issues.take(() => parseRequiredText(v.verificationCode, 'verificationCode', 64));
  const card = issues.take(() => parseCardHolder(v.holder, 'holder'));
  const method = card === undefined ? undefined : methodOf(card);
  if (card !== undefined && method === undefined) issues.add('holder.authority', 'WRONG_CERTIFICATE', 'a citizen (MOICA) or company (MOEACA) certificate is required');
  issues.throwIfAny();
  requireVerifiedLogin(card as CardIdentity);
  return guardLogin(ctx, () => bind(ctx, key as CompanyKey, code as string, card as CardIdentity, method as LoginMethod, who as Actor));
}

async function bind(ctx: LoginContext, k: CompanyKey, code: string, c: CardIdentity, m: LoginMethod, who: Actor): Promise<LoginBinding> {
  authorize(LOGIN_COMMANDS, 'enableCertificateLogin', who, { subject: loginSubject(k) });
  // One message for unknown company, wrong code and expired code: no oracle for guessing.
  const invalid = (): EnrollError => new EnrollError('VERIFICATION_CODE_INVALID', '統一編號、管制編號或驗證碼錯誤，或驗證碼已過期');
  let outcome: LoginBinding | EnrollError;
  try {
    // A wrong code is returned, not thrown, so the failed-attempt count commits.
    outcome = await ctx.store.transaction(async (tx): Promise<LoginBinding | EnrollError> => {
      const account = await lockLogin(tx, k);
      const now = ctx.clock.now();
      if (account === undefined) return invalid();
      const locked = (): EnrollError => new EnrollError('VERIFICATION_CODE_LOCKED', '驗證碼錯誤次數過多，請重新申請驗證碼');
      if (account.failedAttempts >= ctx.maxAttempts) return locked();
      if (!codesEqual(hashSecret(code.toUpperCase()), account.hash)) {
        await tx.query('UPDATE enroll_login_accounts SET failed_code_attempts = failed_code_attempts + 1 WHERE business_id=$1 AND control_number=$2', [
          k.businessId,
          k.controlNumber,
        ]);
        // The attempt that locks the code says so, rather than leaving the user to find out with the next one.
        return account.failedAttempts + 1 >= ctx.maxAttempts ? locked() : invalid();
      }
      if (now.getTime() >= new Date(account.record.codeExpiresAt).getTime()) return invalid();
      if (account.record.methods[m] !== 'enabled') throw refusalError(LOGIN_METHOD_REFUSALS[m]);
      // The same card again (a double submit, a user unsure it worked): its binding, not "the code is spent".
      const already = await tx.query('SELECT * FROM enroll_login_bindings WHERE certificate_serial=$1 AND business_id=$2 AND control_number=$3', [
        c.certificateSerial,
        k.businessId,
        k.controlNumber,
      ]);
      if (already[0] !== undefined) return loginBindingFromRow(already[0]);
      // Only the holder of the right code gets here, so saying it is spent reveals nothing to a guesser.
      if (ctx.codeUse === 'oncePerMethod' && account.codeUsed[m]) return refusalError('VERIFICATION_CODE_SPENT', `the code already enabled a ${m}`);
      if (m === 'companyCard' && c.businessId !== k.businessId) throw refusalError('COMPANY_ID_MISMATCH');
      const from = account.record.status;
      assertTransition(LOGIN_ENABLEMENT_MACHINE, from, 'bindCard', 'bound');
      const at = now.toISOString();
      const rows = await tx.query(
        `INSERT INTO enroll_login_bindings (certificate_serial, card_number, method, business_id, control_number, holder_name, bound_at,
           authority, id_hint, anchor, valid_from)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11) RETURNING *`,
        [c.certificateSerial, c.cardNumber ?? null, m, k.businessId, k.controlNumber, c.subjectName, at, c.authority, c.idHint ?? null, c.anchor ?? null, c.validFrom ?? null],
      );
      await tx.query(
        `UPDATE enroll_login_accounts SET status='bound', failed_code_attempts=0, updated_at=$3, version=version+1,
           ${m === 'citizenCard' ? 'code_used_citizen_card' : 'code_used_company_card'}=true
         WHERE business_id=$1 AND control_number=$2`,
        [k.businessId, k.controlNumber, at],
      );
      await recordTransition(tx, { flow: 'loginEnablement', subject: loginSubject(k), actor: who, at, event: 'bindCard', from, to: 'bound', reason: `${m} ${c.certificateSerial}` });
      return loginBindingFromRow(rows[0] ?? {});
    });
  } catch (err) {
    if (isUniqueViolation(err, 'enroll_login_bindings_serial_key') || isUniqueViolation(err, 'enroll_login_bindings_card_key')) {
      throw refusalError('CERTIFICATE_ENABLED_ELSEWHERE', 'this certificate is already enabled for a company');
    }
    throw err;
  }
  if (outcome instanceof EnrollError) throw outcome;
  return outcome;
}

const UPSERT = `ON CONFLICT (business_id, control_number) DO UPDATE SET company_name=EXCLUDED.company_name,
  verification_code_hash=EXCLUDED.verification_code_hash, code_expires_at=EXCLUDED.code_expires_at, failed_code_attempts=0,
  code_used_citizen_card=false, code_used_company_card=false,
  citizen_card=EXCLUDED.citizen_card, company_card=EXCLUDED.company_card, updated_at=EXCLUDED.updated_at,
  requested_by=EXCLUDED.requested_by, version=enroll_login_accounts.version+1`;

/** What {@link writeLoginCode} records with a new code. */
export interface LoginCodeGrant {
  /** 公司名稱 */
  readonly companyName: string;
  /** 啟用 / 停用 per method. */
  readonly methods: Readonly<Record<LoginMethod, LoginMethodStatus>>;
  /** Actor ID that owns the record. */
  readonly owner: string;
  /** When the company already has a record, keep its methods rather than write `methods` (a new code, not a new 申請書). */
  readonly keepRecordMethods?: boolean;
}

/**
 * Gives a company a fresh verification code inside `tx`: creates its login
 * record (`awaitingBinding`) or, when it has one, replaces code, name and
 * methods and clears wrong attempts, keeping its bindings. Returns the code in
 * plain text (only its hash is stored).
 */
export async function writeLoginCode(
  ctx: LoginContext,
  tx: SqlSession,
  k: CompanyKey,
  grant: LoginCodeGrant,
  who: Actor,
  at: Date,
  mode: 'create' | 'upsert' = 'upsert',
): Promise<{ account: LoginAccount; verificationCode: string }> {
  const code = newVerificationCode();
  const expires = new Date(at.getTime() + ctx.ttlMs).toISOString();
  // `create` relies on the primary key: a second request for the company is refused, also under a race.
  const existing = mode === 'create' ? undefined : await lockLogin(tx, k);
  const from: LoginEnablementStatus | 'none' = existing?.record.status ?? 'none';
  if (existing !== undefined) assertTransition(LOGIN_ENABLEMENT_MACHINE, existing.record.status, 'reissueVerificationCode', existing.record.status);
  const methods = grant.keepRecordMethods === true && existing !== undefined ? existing.record.methods : grant.methods;
  const rows = await tx.query(
    `INSERT INTO enroll_login_accounts (business_id, control_number, status, company_name, verification_code_hash, code_expires_at,
       citizen_card, company_card, created_at, updated_at, requested_by)
     VALUES ($1,$2,'awaitingBinding',$3,$4,$5,$6,$7,$8,$8,$9)
     ${mode === 'create' ? '' : UPSERT}
     RETURNING *`,
    [k.businessId, k.controlNumber, grant.companyName, hashSecret(code), expires, methods.citizenCard, methods.companyCard, at.toISOString(), grant.owner],
  );
  const account = loginAccountFromRow(rows[0] ?? {});
  await recordTransition(tx, {
    flow: 'loginEnablement',
    subject: loginSubject(k),
    actor: who,
    at: at.toISOString(),
    event: existing === undefined ? 'requestCertificateLogin' : 'reissueVerificationCode',
    from,
    to: account.status,
    reason: `citizenCard=${methods.citizenCard}, companyCard=${methods.companyCard}`,
  });
  return { account, verificationCode: code };
}

/** Runs `fn` on a company's locked login record after checking `who` may run `command` on it (refusals audited). */
function onLockedLogin<T>(
  ctx: LoginContext,
  key: CompanyKey,
  who: Actor,
  command: 'reissueVerificationCode' | 'setLoginMethod' | 'unbindCard',
  fn: (tx: SqlSession, account: LockedLogin) => Promise<T>,
): Promise<T> {
  return guardLogin(ctx, () =>
    ctx.store.transaction(async (tx) => {
      const account = await lockLogin(tx, key);
      if (account === undefined) throw noLoginRecord();
      authorizeOnLogin(command, who, key, account);
      return fn(tx, account);
    }),
  );
}

/** A fresh verification code for a company's existing login record (old code dead, wrong attempts reset). */
export async function reissueVerificationCode(
  ctx: LoginContext,
  target: { businessId: string; controlNumber?: string },
  actor: Actor,
): Promise<{ account: LoginAccount; verificationCode: string }> {
  const issues = new IssueCollector();
  const who = issues.take(() => parseActor(actor));
  const k = takeCompanyKey(target, issues);
  issues.throwIfAny();
  return onLockedLogin(ctx, k as CompanyKey, who as Actor, 'reissueVerificationCode', (tx, account) => {
    const { record } = account;
    return writeLoginCode(ctx, tx, k as CompanyKey, { companyName: record.companyName, methods: record.methods, owner: account.owner ?? (who as Actor).id }, who as Actor, ctx.clock.now());
  });
}

/**
 * Switches one login method to 啟用 (`enabled`) or 停用 (`disabled`). A company whose login record a reviewed waste
 * application granted (its methods ticked on the stamped 申請書) may only switch a method off itself, through
 * either flow: switching one on is a reviewer's, or a new application's.
 */
export async function setLoginMethod(
  ctx: LoginContext,
  target: { businessId: string; controlNumber?: string },
  method: LoginMethod,
  status: LoginMethodStatus,
  actor: Actor,
): Promise<LoginAccount> {
  const issues = new IssueCollector();
  const who = issues.take(() => parseActor(actor));
  const k = takeCompanyKey(target, issues);
  if (!LOGIN_METHODS.includes(method)) issues.add('method', 'NOT_AN_OPTION', 'must be citizenCard or companyCard');
  if (status !== 'enabled' && status !== 'disabled') issues.add('status', 'NOT_AN_OPTION', 'must be enabled or disabled');
  issues.throwIfAny();
  const key = k as CompanyKey;
  return onLockedLogin(ctx, key, who as Actor, 'setLoginMethod', async (tx, account) => {
    const from = account.record.methods[method];
    if (status === 'enabled' && from !== 'enabled' && (who as Actor).role === 'applicant' && (await grantedByWasteReview(tx, key))) {
      throw new EnrollError(
        'FORBIDDEN',
        `${LOGIN_METHOD_LABELS[method]}為停用: the reviewed application decides which methods are 啟用; apply again, or ask a reviewer`,
      );
    }
    const event = status === 'enabled' ? 'enable' : 'disable';
    assertTransition(LOGIN_METHOD_MACHINE, from, event, status);
    const at = ctx.clock.now().toISOString();
    const column = method === 'citizenCard' ? 'citizen_card' : 'company_card';
    const rows = await tx.query(
      `UPDATE enroll_login_accounts SET ${column}=$3, updated_at=$4, version=version+1 WHERE business_id=$1 AND control_number=$2 RETURNING *`,
      [key.businessId, key.controlNumber, status, at],
    );
    await recordTransition(tx, { flow: 'loginMethod', subject: `${loginSubject(key)}#${method}`, actor: who as Actor, at, event, from, to: status });
    return loginAccountFromRow(rows[0] ?? {});
  });
}

/**
 * Whether a reviewed waste application granted the company's login methods: the record is then the stamped form's,
 * whichever flow is asked to change it (the two flows share the login record).
 */
async function grantedByWasteReview(tx: SqlSession, key: CompanyKey): Promise<boolean> {
  const rows = await tx.query(
    "SELECT 1 FROM enroll_waste_applications WHERE business_id=$1 AND control_number=$2 AND status='approved' LIMIT 1",
    [key.businessId, key.controlNumber],
  );
  return rows.length > 0;
}

/** Removes a card's login binding; the last one returns the record to `awaitingBinding`. */
export async function unbindCard(
  ctx: LoginContext,
  target: { businessId: string; controlNumber?: string },
  certificateSerial: string,
  actor: Actor,
): Promise<LoginAccount> {
  const issues = new IssueCollector();
  const who = issues.take(() => parseActor(actor));
  const k = takeCompanyKey(target, issues);
  const serial = issues.take(() => parseCertificateSerial(certificateSerial));
  issues.throwIfAny();
  const key = k as CompanyKey;
  return onLockedLogin(ctx, key, who as Actor, 'unbindCard', async (tx, account) => {
    // The DELETE takes the binding's row lock (after the company's record): a login that held the binding to
    // queue a renewal request has committed it by now, so the rejection below finds it.
    const gone = await tx.query(
      'DELETE FROM enroll_login_bindings WHERE business_id=$1 AND control_number=$2 AND certificate_serial=$3 RETURNING card_number, certificate_serial',
      [key.businessId, key.controlNumber, serial],
    );
    const unbound = gone[0];
    if (unbound === undefined) throw new EnrollError('NOT_FOUND', `certificate ${String(serial as CertificateSerial)} is not bound to this company`);
    const left = await tx.query('SELECT 1 FROM enroll_login_bindings WHERE business_id=$1 AND control_number=$2', [key.businessId, key.controlNumber]);
    const to = left.length === 0 ? 'awaitingBinding' : 'bound';
    assertTransition(LOGIN_ENABLEMENT_MACHINE, account.record.status, 'unbindCard', to);
    const at = ctx.clock.now().toISOString();
    // A binding without a recorded 卡號 cannot have had a renewal request (renewals are found by 卡號).
    if (unbound.card_number != null) {
      await rejectPendingRenewalsOf(tx, 'loginEnablement', [{ cardNumber: String(unbound.card_number), certificateSerial: String(unbound.certificate_serial) }], who as Actor, at, {
        subject: loginSubject(key),
        state: account.record.status,
        why: 'the card was unbound from certificate login',
      });
    }
    const rows = await tx.query(
      'UPDATE enroll_login_accounts SET status=$3, updated_at=$4, version=version+1 WHERE business_id=$1 AND control_number=$2 RETURNING *',
      [key.businessId, key.controlNumber, to, at],
    );
    await recordTransition(tx, { flow: 'loginEnablement', subject: loginSubject(key), actor: who as Actor, at, event: 'unbindCard', from: account.record.status, to, reason: String(serial) });
    return loginAccountFromRow(rows[0] ?? {});
  });
}

/** A company's login record and its bound cards. */
export async function getLogin(ctx: LoginContext, target: { businessId: string; controlNumber?: string }): Promise<{ account: LoginAccount; bindings: LoginBinding[] }> {
  const k = parseCompanyKey(target);
  return ctx.store.transaction(async (tx) => {
    const a = await tx.query('SELECT * FROM enroll_login_accounts WHERE business_id=$1 AND control_number=$2', [k.businessId, k.controlNumber]);
    if (a[0] === undefined) throw noLoginRecord();
    const b = await tx.query('SELECT * FROM enroll_login_bindings WHERE business_id=$1 AND control_number=$2 ORDER BY bound_at, certificate_serial', [
      k.businessId,
      k.controlNumber,
    ]);
    return { account: loginAccountFromRow(a[0]), bindings: b.map(loginBindingFromRow) };
  });
}
