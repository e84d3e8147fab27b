/**
 * Flow 2 (seed waste-system…): a company applies for certificate login and
 * receives a verification code; it then binds a card by 統一編號 + 管制編號 +
 * 驗證碼 + card. Each method (自然人憑證 / 工商憑證) is 啟用 or 停用 on its own.
 */
import { timingSafeEqual } from 'node:crypto';
import { parseActor, type Actor } from '../domain/actor.js';
import { parseCardHolder, type CardAuthority, type CardIdentity, type VerifiedCardHolder } from '../domain/card-holder.js';
import {
  parseBusinessId,
  parseCertificateSerial,
  parseControlNumber,
  parseRequiredText,
  type BusinessId,
  type CardNumber,
  type CertificateSerial,
  type ControlNumber,
} from '../domain/identifiers.js';
import { EnrollError, InvalidInputError, IssueCollector } from '../errors.js';
import { LOGIN_ENABLEMENT_MACHINE, LOGIN_METHOD_MACHINE, type LoginEnablementStatus, type LoginMethodStatus } from '../machine/login-machine.js';
import { assertTransition } from '../machine/machine.js';
import type { Clock } from '../ports/clock.js';
import { recordTransition } from '../store/audit.js';
import { isUniqueViolation } from '../store/sql-errors.js';
import { optionalIsoOf, optionalText } from '../store/rows.js';
import type { EnrollStore, Row, SqlSession } from '../store/store.js';
import { LOGIN_METHOD_LABELS, loginAccountFromRow, loginBindingFromRow, type LoginAccount, type LoginBinding, type LoginMethod } from './login-records.js';
import { LOGIN_COMMANDS, auditRefusals, authorize } from './authorization.js';
import { listQueue, type QueuePage, type QueueQuery } from './review-queue.js';
import {
  acceptPendingRenewal,
  parseRenewalId,
  pendingRenewals,
  resolveRenewal,
  type BoundCard,
  type PendingRenewal,
  type RenewalPolicy,
} from './card-renewal.js';
import { hashSecret, isUuid, newVerificationCode } from './secret-token.js';

/** Dependencies of {@link LoginEnablementFlow}. */
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
}

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

/** Input of {@link LoginEnablementFlow.enableCertificateLogin} (啟用憑證). */
export interface EnableCertificateLoginInput {
  /** 統一編號 */
  readonly businessId: string;
  /** 管制編號, if the company has one. */
  readonly controlNumber?: string;
  /** 驗證碼 from the application. */
  readonly verificationCode: string;
  /** The verified card login: `cardHolderFromLogin(login)` of the certificate layer's result. */
  readonly holder: VerifiedCardHolder;
}

const DAY_MS = 86_400_000;
const METHODS: readonly LoginMethod[] = ['citizenCard', 'companyCard'];

function parseOptionalControlNumber(value: unknown): ControlNumber | '' {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '') ? '' : parseControlNumber(value);
}

function methodOf(card: CardIdentity): LoginMethod | undefined {
  if (card.authority === 'MOICA') return 'citizenCard';
  if (card.authority === 'MOEACA') return 'companyCard';
  return undefined;
}

function codesEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Commands of certificate-login enablement. */
export class LoginEnablementFlow {
  private readonly o: LoginEnablementOptions;
  private readonly ttlMs: number;
  private readonly maxAttempts: number;

  /** Fixes the dependencies once. */
  public constructor(options: LoginEnablementOptions) {
    this.o = options;
    this.ttlMs = options.codeTtlMs ?? 30 * DAY_MS;
    if (!(this.ttlMs > 0)) throw new RangeError('codeTtlMs must be positive');
    this.maxAttempts = options.maxCodeAttempts ?? 5;
    if (!Number.isInteger(this.maxAttempts) || this.maxAttempts < 1) throw new RangeError('maxCodeAttempts must be a positive integer');
  }

  private async requestAs(input: CertificateLoginRequest, actor: Actor): Promise<{
    /** The new application, status `awaitingBinding`. */
    account: LoginAccount;
    /** The 10-character code in plain text; shown only now, so hand it to the company. */
    verificationCode: string;
  }> {
    const who = parseActor(actor);
    const issues = new IssueCollector();
    const v = (typeof input === 'object' && input !== null ? input : {}) as unknown as Record<string, unknown>;
    const businessId = issues.take(() => parseBusinessId(v.businessId));
    const controlNumber = issues.take(() => parseOptionalControlNumber(v.controlNumber));
    const companyName = issues.take(() => parseRequiredText(v.companyName, 'companyName'));
    const m = (typeof v.methods === 'object' && v.methods !== null ? v.methods : {}) as Record<string, unknown>;
    for (const method of METHODS) {
      if (m[method] !== 'enabled' && m[method] !== 'disabled') {
        issues.add(`methods.${method}`, `${LOGIN_METHOD_LABELS[method]}: choose 啟用 (enabled) or 停用 (disabled)`);
      }
    }
    issues.throwIfAny();
    authorize(LOGIN_COMMANDS, 'requestCertificateLogin', who, { subject: this.subject(businessId as BusinessId, controlNumber as ControlNumber | '') });
    const code = newVerificationCode();
    const at = this.o.clock.now();
    const expires = new Date(at.getTime() + this.ttlMs).toISOString();
    try {
      const account = await this.o.store.transaction(async (tx) => {
        const rows = await tx.query(
          `INSERT INTO enroll_login_accounts (business_id, control_number, status, company_name, verification_code_hash, code_expires_at,
             citizen_card, company_card, created_at, updated_at, requested_by)
           VALUES ($1,$2,'awaitingBinding',$3,$4,$5,$6,$7,$8,$8,$9) RETURNING *`,
          [businessId, controlNumber, companyName, hashSecret(code), expires, m.citizenCard, m.companyCard, at.toISOString(), who.id],
        );
        await recordTransition(tx, {
          flow: 'loginEnablement',
          subject: this.subject(businessId as BusinessId, controlNumber as ControlNumber | ''),
          actor: who,
          at: at.toISOString(),
          event: 'requestCertificateLogin',
          from: 'none',
          to: 'awaitingBinding',
          reason: `citizenCard=${String(m.citizenCard)}, companyCard=${String(m.companyCard)}`,
        });
        return loginAccountFromRow(rows[0] ?? {});
      });
      return { account, verificationCode: code };
    } catch (err) {
      if (isUniqueViolation(err, 'enroll_login_accounts_pkey')) {
        throw new EnrollError('APPLICATION_IN_PROGRESS', 'this company has already applied for certificate login');
      }
      throw err;
    }
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
    return this.guarded(() => this.requestAs(input, actor));
  }

  /** 啟用憑證: binds the card when the code is valid and its method is 啟用. */
  public enableCertificateLogin(input: EnableCertificateLoginInput, actor: Actor): Promise<LoginBinding> {
    return this.guarded(() => this.enableAs(input, actor));
  }

  private async enableAs(input: EnableCertificateLoginInput, actor: Actor): Promise<LoginBinding> {
    const who = parseActor(actor);
    const issues = new IssueCollector();
    const v = (typeof input === 'object' && input !== null ? input : {}) as unknown as Record<string, unknown>;
    const businessId = issues.take(() => parseBusinessId(v.businessId));
    const controlNumber = issues.take(() => parseOptionalControlNumber(v.controlNumber));
    const code = issues.take(() => parseRequiredText(v.verificationCode, 'verificationCode', 64));
    const card = issues.take(() => parseCardHolder(v.holder, 'holder'));
    const method = card === undefined ? undefined : methodOf(card);
    if (card !== undefined && method === undefined) {
      issues.add('holder.authority', 'a citizen (MOICA) or company (MOEACA) certificate is required');
    }
    issues.throwIfAny();
    const [bid, cn, c, m] = [businessId as BusinessId, controlNumber as ControlNumber | '', card as CardIdentity, method as LoginMethod];
    authorize(LOGIN_COMMANDS, 'enableCertificateLogin', who, { subject: this.subject(bid, cn) });
    // One message for unknown company, wrong code and expired code: no oracle for guessing.
    const invalid = (): EnrollError => new EnrollError('VERIFICATION_CODE_INVALID', '統一編號、管制編號或驗證碼錯誤，或驗證碼已過期');
    let outcome: LoginBinding | EnrollError;
    try {
      // A wrong code is returned, not thrown, so the failed-attempt count commits.
      outcome = await this.o.store.transaction(async (tx): Promise<LoginBinding | EnrollError> => {
        const account = await this.lock(tx, bid, cn);
        const now = this.o.clock.now();
        if (account === undefined) return invalid();
        if (account.failedAttempts >= this.maxAttempts) {
          return new EnrollError('VERIFICATION_CODE_LOCKED', '驗證碼錯誤次數過多，請重新申請驗證碼');
        }
        if (!codesEqual(hashSecret((code as string).toUpperCase()), account.hash)) {
          await tx.query(
            'UPDATE enroll_login_accounts SET failed_code_attempts = failed_code_attempts + 1 WHERE business_id=$1 AND control_number=$2',
            [bid, cn],
          );
          return invalid();
        }
        if (now.getTime() >= new Date(account.record.codeExpiresAt).getTime()) return invalid();
        if (account.record.methods[m] !== 'enabled') {
          throw new EnrollError('LOGIN_METHOD_DISABLED', `${LOGIN_METHOD_LABELS[m]}為停用`);
        }
        if (m === 'companyCard' && c.businessId !== bid) {
          throw new EnrollError('NOT_AUTHORIZED', '工商憑證之統一編號與申請資料不符');
        }
        const from = account.record.status;
        assertTransition(LOGIN_ENABLEMENT_MACHINE, from, 'bindCard', 'bound');
        const at = now.toISOString();
        const rows = await tx.query(
          `INSERT INTO enroll_login_bindings (certificate_serial, card_number, method, business_id, control_number, holder_name, bound_at,
             authority, id_hint, anchor, valid_from)
           VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11) RETURNING *`,
          [c.certificateSerial, c.cardNumber ?? null, m, bid, cn, c.subjectName, at, c.authority, c.idHint ?? null, c.anchor ?? null, c.validFrom ?? null],
        );
        await tx.query(
          `UPDATE enroll_login_accounts SET status='bound', failed_code_attempts=0, updated_at=$3, version=version+1
           WHERE business_id=$1 AND control_number=$2`,
          [bid, cn, at],
        );
        await recordTransition(tx, {
          flow: 'loginEnablement',
          subject: this.subject(bid, cn),
          actor: who,
          at,
          event: 'bindCard',
          from,
          to: 'bound',
          reason: `${m} ${c.certificateSerial}`,
        });
        return loginBindingFromRow(rows[0] ?? {});
      });
    } catch (err) {
      if (isUniqueViolation(err, 'enroll_login_bindings_serial_key') || isUniqueViolation(err, 'enroll_login_bindings_card_key')) {
        throw new EnrollError('CARD_ALREADY_BOUND', 'this certificate is already enabled for a company');
      }
      throw err;
    }
    if (outcome instanceof EnrollError) throw outcome;
    return outcome;
  }

  /**
   * Issues a fresh verification code (the old one expired, was lost, or is
   * locked after too many wrong attempts). The caller must have authenticated
   * the company (e.g. by its password account) before calling this.
   */
  public async reissueVerificationCode(
    target: { businessId: string; controlNumber?: string },
    actor: Actor,
  ): Promise<{
    /** The application with its new `codeExpiresAt`. */
    account: LoginAccount;
    /** The new 10-character code in plain text; the old code stops working and wrong attempts are reset. */
    verificationCode: string;
  }> {
    const who = parseActor(actor);
    const issues = new IssueCollector();
    const bid = issues.take(() => parseBusinessId(target?.businessId));
    const cn = issues.take(() => parseOptionalControlNumber(target?.controlNumber));
    issues.throwIfAny();
    const code = newVerificationCode();
    return this.guarded(() => this.o.store.transaction(async (tx) => {
      const account = await this.lock(tx, bid as BusinessId, cn as ControlNumber | '');
      if (account === undefined) throw new EnrollError('NOT_FOUND', 'no certificate-login application for this company');
      this.authorizeOn('reissueVerificationCode', who, account);
      const from = account.record.status;
      assertTransition(LOGIN_ENABLEMENT_MACHINE, from, 'reissueVerificationCode', from);
      const now = this.o.clock.now();
      const rows = await tx.query(
        `UPDATE enroll_login_accounts SET verification_code_hash=$3, code_expires_at=$4, failed_code_attempts=0, updated_at=$5,
           version=version+1
         WHERE business_id=$1 AND control_number=$2 RETURNING *`,
        [bid, cn, hashSecret(code), new Date(now.getTime() + this.ttlMs).toISOString(), now.toISOString()],
      );
      await recordTransition(tx, {
        flow: 'loginEnablement',
        subject: this.subject(bid as BusinessId, cn as ControlNumber | ''),
        actor: who,
        at: now.toISOString(),
        event: 'reissueVerificationCode',
        from,
        to: from,
      });
      return { account: loginAccountFromRow(rows[0] ?? {}), verificationCode: code };
    }));
  }

  /** Switches one login method to 啟用 (`enabled`) or 停用 (`disabled`). */
  public async setLoginMethod(
    target: { businessId: string; controlNumber?: string },
    method: LoginMethod,
    status: LoginMethodStatus,
    actor: Actor,
  ): Promise<LoginAccount> {
    const who = parseActor(actor);
    const issues = new IssueCollector();
    const bid = issues.take(() => parseBusinessId(target?.businessId));
    const cn = issues.take(() => parseOptionalControlNumber(target?.controlNumber));
    if (!METHODS.includes(method)) issues.add('method', 'must be citizenCard or companyCard');
    if (status !== 'enabled' && status !== 'disabled') issues.add('status', 'must be enabled or disabled');
    issues.throwIfAny();
    return this.guarded(() => this.o.store.transaction(async (tx) => {
      const account = await this.lock(tx, bid as BusinessId, cn as ControlNumber | '');
      if (account === undefined) {
        throw new EnrollError('NOT_FOUND', 'no certificate-login application for this company');
      }
      this.authorizeOn('setLoginMethod', who, account);
      const from = account.record.methods[method];
      assertTransition(LOGIN_METHOD_MACHINE, from, status === 'enabled' ? 'enable' : 'disable', status);
      const at = this.o.clock.now().toISOString();
      const column = method === 'citizenCard' ? 'citizen_card' : 'company_card';
      const rows = await tx.query(
        `UPDATE enroll_login_accounts SET ${column}=$3, updated_at=$4, version=version+1 WHERE business_id=$1 AND control_number=$2 RETURNING *`,
        [bid, cn, status, at],
      );
      await recordTransition(tx, {
        flow: 'loginMethod',
        subject: `${this.subject(bid as BusinessId, cn as ControlNumber | '')}#${method}`,
        actor: who,
        at,
        event: status === 'enabled' ? 'enable' : 'disable',
        from,
        to: status,
      });
      return loginAccountFromRow(rows[0] ?? {});
    }));
  }

  /** Removes a card's login binding. */
  public async unbindCard(target: { businessId: string; controlNumber?: string }, certificateSerial: string, actor: Actor): Promise<LoginAccount> {
    const who = parseActor(actor);
    const issues = new IssueCollector();
    const bid = issues.take(() => parseBusinessId(target?.businessId));
    const cn = issues.take(() => parseOptionalControlNumber(target?.controlNumber));
    const serial = issues.take(() => parseCertificateSerial(certificateSerial));
    issues.throwIfAny();
    return this.guarded(() => this.o.store.transaction(async (tx) => {
      const account = await this.lock(tx, bid as BusinessId, cn as ControlNumber | '');
      if (account === undefined) {
        throw new EnrollError('NOT_FOUND', 'no certificate-login application for this company');
      }
      this.authorizeOn('unbindCard', who, account);
      const gone = await tx.query(
        'DELETE FROM enroll_login_bindings WHERE business_id=$1 AND control_number=$2 AND certificate_serial=$3 RETURNING 1',
        [bid, cn, serial],
      );
      if (gone.length === 0) {
        throw new EnrollError('NOT_FOUND', `certificate ${String(serial)} is not bound to this company`);
      }
      const left = await tx.query(
        'SELECT 1 FROM enroll_login_bindings WHERE business_id=$1 AND control_number=$2',
        [bid, cn],
      );
      const to = left.length === 0 ? 'awaitingBinding' : 'bound';
      assertTransition(LOGIN_ENABLEMENT_MACHINE, account.record.status, 'unbindCard', to);
      const at = this.o.clock.now().toISOString();
      const rows = await tx.query(
        `UPDATE enroll_login_accounts SET status=$3, updated_at=$4, version=version+1 WHERE business_id=$1 AND control_number=$2 RETURNING *`,
        [bid, cn, to, at],
      );
      await recordTransition(tx, {
        flow: 'loginEnablement',
        subject: this.subject(bid as BusinessId, cn as ControlNumber | ''),
        actor: who,
        at,
        event: 'unbindCard',
        from: account.record.status,
        to,
        reason: String(serial),
      });
      return loginAccountFromRow(rows[0] ?? {});
    }));
  }

  /** Certificate login: the card must be bound and its method 啟用. */
  public async authorizeLogin(holder: VerifiedCardHolder): Promise<{
    /** The company the card logs in for. */
    account: LoginAccount;
    /** The binding that matched the certificate, giving the login method. */
    binding: LoginBinding;
  }> {
    const card = parseCardHolder(holder, 'holder');
    const select = `SELECT b.*, a.status AS a_status, a.company_name, a.verification_code_hash, a.code_expires_at, a.citizen_card, a.company_card,
                a.created_at, a.updated_at, a.version
           FROM enroll_login_bindings b JOIN enroll_login_accounts a USING (business_id, control_number)`;
    const outcome = await this.o.store.transaction(async (tx): Promise<Row | EnrollError> => {
      const bySerial = await tx.query(`${select} WHERE b.certificate_serial = $1`, [card.certificateSerial]);
      if (bySerial[0] !== undefined) {
        const row = bySerial[0];
        if (card.cardNumber !== undefined && row.card_number != null && row.card_number !== card.cardNumber) {
          return new EnrollError('NOT_AUTHORIZED', '此憑證尚未啟用登入');
        }
        return row;
      }
      if (card.cardNumber === undefined) return new EnrollError('NOT_AUTHORIZED', '此憑證尚未啟用登入');
      // Not bound by serial: a renewal of a card bound by 卡號?
      const byCard = await tx.query(`${select} WHERE b.card_number = $1 FOR UPDATE OF b`, [card.cardNumber]);
      const row = byCard[0];
      if (row === undefined) return new EnrollError('NOT_AUTHORIZED', '此憑證尚未啟用登入');
      const bound: BoundCard = {
        cardNumber: String(row.card_number) as CardNumber,
        certificateSerial: String(row.certificate_serial) as CertificateSerial,
        authority: optionalText(row.authority) as CardAuthority | undefined,
        subjectName: optionalText(row.holder_name),
        idHint: optionalText(row.id_hint),
        anchor: optionalText(row.anchor),
        validFrom: optionalIsoOf(row.valid_from),
      };
      const result = await resolveRenewal(tx, bound, card, {
        flow: 'loginEnablement',
        subject: this.subject(String(row.business_id) as BusinessId, String(row.control_number) as ControlNumber | ''),
        state: String(row.a_status),
        policy: this.o.renewal,
        at: this.o.clock.now().toISOString(),
        refusal: '此憑證尚未啟用登入',
        renew: async () => {
          await tx.query('UPDATE enroll_login_bindings SET certificate_serial=$2, valid_from=$3 WHERE certificate_serial=$1', [
            bound.certificateSerial,
            card.certificateSerial,
            card.validFrom ?? null,
          ]);
        },
      }).catch((err: unknown) => {
        if (isUniqueViolation(err, 'enroll_login_bindings_serial_key')) return new EnrollError('CARD_ALREADY_BOUND', 'this certificate is already enabled for a company');
        throw err;
      });
      return result instanceof EnrollError ? result : { ...row, certificate_serial: card.certificateSerial };
    });
    if (outcome instanceof EnrollError) throw outcome;
    const binding = loginBindingFromRow(outcome);
    const account = loginAccountFromRow({ ...outcome, status: outcome.a_status });
    if (account.methods[binding.method] !== 'enabled') {
      throw new EnrollError('LOGIN_METHOD_DISABLED', `${LOGIN_METHOD_LABELS[binding.method]}為停用`);
    }
    return { account, binding };
  }

  /** Renewals waiting for a reviewer (policy `review`), oldest first. */
  public pendingRenewals(): Promise<PendingRenewal[]> {
    return pendingRenewals(this.o.store, 'loginEnablement');
  }

  /** Reviewer accepts a pending renewal: the login binding takes the new serial (audited `renewCard`). */
  public async acceptRenewal(renewalId: string, reviewer: Actor): Promise<LoginBinding> {
    const who = parseActor(reviewer, 'reviewer');
    const id = parseRenewalId(renewalId);
    return this.guarded(() =>
      this.o.store.transaction(async (tx) => {
        authorize(LOGIN_COMMANDS, 'acceptRenewal', who, { subject: id });
        return acceptPendingRenewal(tx, 'loginEnablement', id, who, this.o.clock.now().toISOString(), async (request) => {
          const rows = await tx.query(
            'UPDATE enroll_login_bindings SET certificate_serial=$3, valid_from=$4 WHERE card_number=$1 AND certificate_serial=$2 RETURNING *',
            [request.cardNumber, request.oldSerial, request.newSerial, request.newValidFrom ?? null],
          );
          const row = rows[0];
          if (row === undefined) throw new EnrollError('NOT_FOUND', `card ${request.cardNumber} is no longer bound with ${request.oldSerial}`);
          const subject = this.subject(String(row.business_id) as BusinessId, String(row.control_number) as ControlNumber | '');
          return { result: loginBindingFromRow(row), subject, state: 'bound' };
        });
      }),
    );
  }

  /** Reviewer queue: enablement applications in `query.status`, oldest first, paged, optionally by creation date. */
  public reviewQueue(query: QueueQuery<LoginEnablementStatus>): Promise<QueuePage<LoginAccount>> {
    return listQueue(
      this.o.store,
      { table: 'enroll_login_accounts', key: 'business_id', states: LOGIN_ENABLEMENT_MACHINE.states, map: loginAccountFromRow },
      query,
    );
  }

  /** A company's enablement and its bound cards. */
  public async get(target: { businessId: string; controlNumber?: string }): Promise<{
    /** The company's enablement record. */
    account: LoginAccount;
    /** Its bound cards, oldest first. */
    bindings: LoginBinding[];
  }> {
    const issues = new IssueCollector();
    const bid = issues.take(() => parseBusinessId(target?.businessId));
    const cn = issues.take(() => parseOptionalControlNumber(target?.controlNumber));
    issues.throwIfAny();
    return this.o.store.transaction(async (tx) => {
      const a = await tx.query(
        'SELECT * FROM enroll_login_accounts WHERE business_id=$1 AND control_number=$2',
        [bid, cn],
      );
      if (a[0] === undefined) throw new EnrollError('NOT_FOUND', 'no certificate-login application for this company');
      const b = await tx.query(
        'SELECT * FROM enroll_login_bindings WHERE business_id=$1 AND control_number=$2 ORDER BY bound_at, certificate_serial',
        [bid, cn],
      );
      return { account: loginAccountFromRow(a[0]), bindings: b.map(loginBindingFromRow) };
    });
  }

  private guarded<T>(command: () => Promise<T>): Promise<T> {
    return auditRefusals(this.o.store, this.o.clock, 'loginEnablement', command);
  }

  private authorizeOn(command: keyof typeof LOGIN_COMMANDS, who: Actor, account: { record: LoginAccount; owner: string | null }): void {
    const { record } = account;
    authorize(LOGIN_COMMANDS, command, who, {
      subject: this.subject(record.businessId, record.controlNumber ?? ''),
      state: record.status,
      owner: account.owner,
    });
  }

  private subject(businessId: BusinessId, controlNumber: ControlNumber | ''): string {
    return controlNumber === '' ? businessId : `${businessId}/${controlNumber}`;
  }

  private async lock(
    tx: SqlSession,
    bid: BusinessId,
    cn: ControlNumber | '',
  ): Promise<{ record: LoginAccount; hash: string; failedAttempts: number; owner: string | null } | undefined> {
    const rows = await tx.query(
      'SELECT * FROM enroll_login_accounts WHERE business_id=$1 AND control_number=$2 FOR UPDATE',
      [bid, cn],
    );
    const row = rows[0];
    if (row === undefined) return undefined;
    return {
      record: loginAccountFromRow(row),
      hash: String(row.verification_code_hash),
      failedAttempts: Number(row.failed_code_attempts),
      owner: typeof row.requested_by === 'string' ? row.requested_by : null,
    };
  }
}

