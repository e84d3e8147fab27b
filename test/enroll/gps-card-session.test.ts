/**
 * The GPS card session (`openCardSession` at 自然人憑證登入, `checkCardSession` on every later request): the account
 * and the binding that logged in, answered from one transaction. Before them a host read `resolveLogin`, then
 * `history`, then `listCards` at login, and `history` and `listCards` per request: a 刪除 or a closure landing
 * between those reads left it an account without the card it had just seen. Both stores; the store is wrapped to
 * count the transactions a call takes and to land a removal right after its first one commits.
 */
import { beforeEach, expect, it } from 'vitest';
import type { Actor } from '../../src/enroll/domain/actor.js';
import type { VerifiedCardHolder } from '../../src/enroll/domain/card-holder.js';
import { EnrollError, InvalidInputError } from '../../src/enroll/errors.js';
import type { AccountEnrollmentFlow } from '../../src/enroll/flows/account-enrollment.js';
import type { AccountCardLogin } from '../../src/enroll/flows/account-inputs.js';
import type { CapturingMailer } from '../../src/enroll/mail/capturing-mailer.js';
import { ManualClock } from '../../src/enroll/ports/clock.js';
import { readAuditTrail } from '../../src/enroll/store/audit.js';
import type { EnrollStore, SqlSession } from '../../src/enroll/store/store.js';
import { cardLoginStatus } from '../../src/integrations/card-login.js';
import { defaultMessages } from '../../src/messages/index.js';
import { basicDataFor, citizenCard, describeEachStore, enrollFailure, gpsAccountFlow, tableCounts, tokenFromMail } from './helpers.js';

const CN = 'H5600123';
const CARD_1 = 'TP03000000000001';
const CARD_2 = 'TP03000000000002';
const owner: Actor = { role: 'applicant', id: 'gps-account:owner-of-h5600123' };
const reviewer: Actor = { role: 'reviewer', id: 'staff-007' };
const contact = { phone: '02-2345-6789', email: 'typed@example.com' };
const ENDED = '登入已失效：登入所用之自然人憑證已不再綁定此帳號，請重新以自然人憑證登入';
const ANCHOR = 'a'.repeat(64);
const first = (n: number): VerifiedCardHolder => citizenCard(n, { anchor: ANCHOR, validFrom: '2025-01-01T00:00:00.000Z' });

/**
 * The flow's store, counting transactions; `after(fn)` runs `fn` once the next transaction has committed, before
 * the caller sees its result: another browser's 刪除 landing between two reads a call makes in two transactions.
 */
class Counting implements EnrollStore {
  public transactions = 0;
  private pending: (() => Promise<unknown>) | undefined;

  public constructor(private readonly inner: EnrollStore) {}

  public after(fn: () => Promise<unknown>): void {
    this.pending = fn;
  }

  public async transaction<T>(fn: (tx: SqlSession) => Promise<T>): Promise<T> {
    this.transactions += 1;
    const result = await this.inner.transaction(fn);
    const pending = this.pending;
    this.pending = undefined;
    if (pending !== undefined) await pending();
    return result;
  }

  public migrate(): Promise<void> {
    return this.inner.migrate();
  }

  public close(): Promise<void> {
    return this.inner.close();
  }
}

describeEachStore('enroll_t_gps_card_session', (db) => {
  let clock: ManualClock;
  let store: Counting;
  let flow: AccountEnrollmentFlow;
  /** The same flow on the bare store: what another browser or 客服 does, outside the counted calls. */
  let other: AccountEnrollmentFlow;
  let mailer: CapturingMailer;
  let otherMailer: CapturingMailer;
  let accountId: string;

  /** Transactions `call` took, and its outcome. */
  async function counted<T>(call: () => Promise<T>): Promise<{ transactions: number; outcome: T }> {
    const before = store.transactions;
    const outcome = await call();
    return { transactions: store.transactions - before, outcome };
  }

  beforeEach(async () => {
    clock = new ManualClock('2026-03-02T01:00:00Z');
    store = new Counting(db());
    ({ flow, mailer } = gpsAccountFlow(store, clock, { controlNumbers: [CN] }));
    ({ flow: other, mailer: otherMailer } = gpsAccountFlow(db(), clock, { controlNumbers: [CN] }));
    // An active account of CN with card 1 (applied by `owner`), and card 2 added a second later.
    const app = await flow.apply({ controlNumber: CN }, owner);
    await flow.submitBasicData(app.id, basicDataFor(CN), owner);
    await flow.bindCard(app.id, { holder: first(1), contact }, owner);
    await flow.approve(app.id, reviewer);
    await flow.activate(tokenFromMail(mailer.last()?.text ?? ''));
    clock.advance(1000);
    await flow.addCard(CN, { holder: first(2), contact }, owner);
    accountId = app.id;
  });

  it('openCardSession answers, in one transaction, the account (ID, 管制編號, status, owner) and the binding that logged in, and the login the commands take', async () => {
    const bound = (await flow.listCards(CN)).find((c) => c.cardNumber === CARD_1);
    const { transactions, outcome: session } = await counted(() => flow.openCardSession(first(1)));
    expect(transactions).toBe(1);
    expect(session.account).toMatchObject({ id: accountId, controlNumber: CN, status: 'active', ownerId: owner.id });
    expect(session.binding).toEqual(bound);
    expect(session.binding).toMatchObject({ cardNumber: CARD_1, status: 'active', controlNumber: CN });
    expect(session.login).toEqual({ applicationId: accountId, cardNumber: CARD_1, boundAt: bound?.boundAt });

    // The login is what checkCardSession and the card commands take, as it is.
    const checked = await counted(() => flow.checkCardSession(session.login));
    expect(checked.transactions).toBe(1);
    expect(checked.outcome).toEqual(session);
    expect((await flow.addCard(CN, { holder: first(3), contact }, owner, { login: session.login })).cardNumber).toBe('TP03000000000003');
    // resolveLogin answers as before: the 管制編號.
    expect(await flow.resolveLogin(first(1))).toBe(CN);
  });

  it('a card removed right after the login\'s reads: the session holds the card it logged in with, and its first check ends it', async () => {
    // The reads a host made before, in three transactions: the removal lands between them.
    store.after(() => other.removeCard(CN, CARD_1, owner));
    const cn = await flow.resolveLogin(first(1));
    const active = (await flow.history(cn)).find((a) => a.status === 'active');
    expect((await flow.listCards(cn)).map((c) => c.cardNumber)).toEqual([CARD_2]);
    expect(active?.id).toBe(accountId);

    // Bound again, then logged in: the removal can only land after the one transaction that answered.
    clock.advance(1000);
    await other.addCard(CN, { holder: first(1), contact }, owner);
    store.after(() => other.removeCard(CN, CARD_1, owner));
    const { transactions, outcome: session } = await counted(() => flow.openCardSession(first(1)));
    expect(transactions).toBe(1);
    expect(session.account.id).toBe(accountId);
    expect(session.binding).toMatchObject({ cardNumber: CARD_1, status: 'active', boundAt: '2026-03-02T01:00:02.000Z' });
    expect((await other.listCards(CN)).map((c) => c.cardNumber)).toEqual([CARD_2]);

    const ended = await enrollFailure(flow.checkCardSession(session.login));
    expect(ended).not.toBeInstanceOf(InvalidInputError);
    expect([ended.code, ended.refusal]).toEqual(['LOGIN_ENDED', 'LOGIN_CARD_NO_LONGER_BOUND']);
    // A login that ended is "not authenticated": a host that lets the error reach twpki/fastify answers 401, not 403.
    expect(cardLoginStatus(ended)).toBe(401);
    expect(ended.message).toContain(`card ${CARD_1} is no longer bound to the account`);
    expect(defaultMessages.describe(ended).messages.zhTW).toBe(ENDED);
  });

  it('an account closed right after the login\'s reads: the session is of the account the card logged into, and its check ends it', async () => {
    store.after(() => other.closeAccount(CN, reviewer, '憑證遺失'));
    const session = await flow.openCardSession(first(2));
    expect(session.account).toMatchObject({ id: accountId, status: 'active' });
    expect(session.binding).toMatchObject({ cardNumber: CARD_2, status: 'active' });
    const ended = await enrollFailure(flow.checkCardSession(session.login));
    expect([ended.code, ended.refusal]).toEqual(['LOGIN_ENDED', 'LOGIN_CARD_NO_LONGER_BOUND']);
    expect(ended.message).toContain(`application ${accountId} is not the active account of ${CN}`);

    // The number's next account, with the same card bound again: the old login does not reach it.
    clock.advance(1000);
    const next = await other.apply({ controlNumber: CN }, owner);
    await other.submitBasicData(next.id, basicDataFor(CN), owner);
    await other.bindCard(next.id, { holder: first(2), contact }, owner);
    await other.approve(next.id, reviewer);
    await other.activate(tokenFromMail(otherMailer.last()?.text ?? ''));
    expect((await enrollFailure(flow.checkCardSession(session.login))).refusal).toBe('LOGIN_CARD_NO_LONGER_BOUND');
    expect((await flow.openCardSession(first(2))).account.id).toBe(next.id);
  });

  it('checkCardSession stands while the binding does, whatever the spelling; refuses one bound again; reads only', async () => {
    const login = (await flow.openCardSession(first(1))).login;
    // The same instant in Taiwan time, the card number in lower case, the ID in upper case: the same login.
    const taipei = new Date(Date.parse(login.boundAt) + 8 * 3600_000).toISOString().replace('Z', '+08:00');
    const spelled = { applicationId: login.applicationId.toUpperCase(), cardNumber: login.cardNumber.toLowerCase(), boundAt: taipei };
    expect((await flow.checkCardSession(spelled)).login).toEqual(login);
    const off = { ...login, boundAt: new Date(Date.parse(login.boundAt) + 1).toISOString() };
    expect((await enrollFailure(flow.checkCardSession(off))).message).toContain('bound again');

    await other.removeCard(CN, CARD_1, owner);
    clock.advance(1000);
    await other.addCard(CN, { holder: first(1), contact }, owner);
    const before = await tableCounts(db());
    const again = await enrollFailure(flow.checkCardSession(login));
    expect([again.code, again.refusal]).toEqual(['LOGIN_ENDED', 'LOGIN_CARD_NO_LONGER_BOUND']);
    expect(again.message).toContain('bound again (2026-03-02T01:00:02.000Z) after the login');
    // Not audited, nothing written: a check is a read.
    expect(await tableCounts(db())).toEqual(before);
    expect((await readAuditTrail(db(), { flow: 'account', subject: accountId })).filter((e) => e.event.startsWith('forbidden:'))).toEqual([]);
    // A login the flow never made: refused the same, not told apart.
    const unknown = await enrollFailure(flow.checkCardSession({ ...login, applicationId: '00000000-0000-4000-8000-000000000000' }));
    expect(unknown.refusal).toBe('LOGIN_CARD_NO_LONGER_BOUND');
  });

  it('listCards made for a login answers the list with the login\'s check in one transaction, and refuses a login that ended as checkCardSession does', async () => {
    const login = (await flow.openCardSession(first(1))).login;
    const listed = await counted(() => flow.listCards(CN, { login }));
    expect(listed.transactions).toBe(1);
    expect(listed.outcome).toEqual(await flow.listCards(CN));
    expect(listed.outcome.map((c) => c.cardNumber)).toEqual([CARD_1, CARD_2]);
    // The login is to this 管制編號's account: another number's list is not its to read.
    const elsewhere = await enrollFailure(flow.listCards('H5600999', { login }));
    expect([elsewhere.code, elsewhere.refusal]).toEqual(['LOGIN_ENDED', 'LOGIN_CARD_NO_LONGER_BOUND']);

    await other.removeCard(CN, CARD_1, owner);
    const before = await tableCounts(db());
    const ended = await counted(() => enrollFailure(flow.listCards(CN, { login })));
    expect(ended.transactions).toBe(1);
    expect([ended.outcome.code, ended.outcome.refusal]).toEqual(['LOGIN_ENDED', 'LOGIN_CARD_NO_LONGER_BOUND']);
    expect(ended.outcome.message).toContain(`card ${CARD_1} is no longer bound to the account`);
    expect(cardLoginStatus(ended.outcome)).toBe(401);
    // A read: nothing written, nothing audited.
    expect(await tableCounts(db())).toEqual(before);
    // Without a login, the list as before; a malformed one is INVALID_INPUT naming options.login.*.
    expect((await flow.listCards(CN)).map((c) => c.cardNumber)).toEqual([CARD_2]);
    const malformed = await enrollFailure(flow.listCards(CN, { login: { ...login, boundAt: 'yesterday' } }));
    expect((malformed as InvalidInputError).issues.map((i) => `${i.field}:${i.code}`)).toEqual(['options.login.boundAt:INVALID_FORMAT']);
  });

  it('a malformed login is INVALID_INPUT naming login.*, before anything is read', async () => {
    const login = (await flow.openCardSession(first(1))).login;
    const fields = async (value: unknown): Promise<string[]> => {
      const { transactions, outcome: err } = await counted(() => enrollFailure(flow.checkCardSession(value as AccountCardLogin)));
      expect(transactions).toBe(0);
      expect(err).toBeInstanceOf(InvalidInputError);
      return (err as InvalidInputError).issues.map((i) => `${i.field}:${i.code}`);
    };
    expect(await fields(undefined)).toEqual(['login:REQUIRED']);
    expect(await fields(CARD_1)).toEqual(['login:REQUIRED']);
    expect(await fields({ ...login, applicationId: 'not-a-uuid', boundAt: 'yesterday' })).toEqual(['login.applicationId:INVALID_FORMAT', 'login.boundAt:INVALID_FORMAT']);
    expect((await fields({ ...login, cardNumber: '' }))[0]).toMatch(/^login\.cardNumber:/);
  });

  it('openCardSession refuses as resolveLogin does, and a renewed certificate keeps the binding (and the sessions it backs)', async () => {
    const before = await flow.openCardSession(first(1));
    const renewed = citizenCard(1, { anchor: ANCHOR, validFrom: '2026-02-01T00:00:00.000Z', certificateSerial: '5b000000000001' });
    const session = await flow.openCardSession(renewed);
    expect(session.binding.certificateSerial).toBe('5b000000000001');
    expect(session.login).toEqual(before.login);
    expect((await flow.checkCardSession(before.login)).binding.certificateSerial).toBe('5b000000000001');
    expect((await readAuditTrail(db(), { flow: 'account', subject: accountId })).filter((e) => e.event === 'renewCard')).toHaveLength(1);

    const refusal = async (holder: VerifiedCardHolder): Promise<[string, string | undefined]> => {
      const err = await enrollFailure(flow.openCardSession(holder));
      expect(err).toBeInstanceOf(EnrollError);
      return [err.code, err.refusal];
    };
    expect(await refusal(first(1))).toEqual(['NOT_AUTHORIZED', 'RENEWAL_MISMATCH']); // the old certificate, after its renewal
    expect(await refusal(citizenCard(9))).toEqual(['NOT_AUTHORIZED', 'CARD_NOT_BOUND']);
    expect(await refusal(citizenCard(8, { authority: 'MOEACA', subjectName: '台灣化學運輸股份有限公司', cardNumber: undefined, idHint: undefined, businessId: '04595257' }))).toEqual(['WRONG_CARD_TYPE', 'CITIZEN_CARD_REQUIRED']);
    expect(await refusal({ ...first(2) })).toEqual(['NOT_AUTHORIZED', 'VERIFIED_LOGIN_REQUIRED']);
  });
});
