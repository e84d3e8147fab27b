/**
 * The GPS card commands made for a card login (`addCard`/`removeCard` with `options.login`): the login is checked
 * in the command's own transaction, so a card 刪除'd (or an account closed) after the host's own per-request check
 * no longer lets one command through. Both stores; on PostgreSQL also with the removal still uncommitted while the
 * command starts, which only a check made after the account lock refuses.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/enroll/domain/actor.js';
import { ForbiddenError } from '../../src/enroll/domain/actor.js';
import type { AccountEnrollmentFlow } from '../../src/enroll/flows/account-enrollment.js';
import type { AccountCardLogin } from '../../src/enroll/flows/account-inputs.js';
import type { CapturingMailer } from '../../src/enroll/mail/capturing-mailer.js';
import { ManualClock } from '../../src/enroll/ports/clock.js';
import { readAuditTrail } from '../../src/enroll/store/audit.js';
import { joinTransaction } from '../../src/enroll/store/joined-store.js';
import type { EnrollStore } from '../../src/enroll/store/store.js';
import { InvalidInputError } from '../../src/enroll/errors.js';
import { cardLoginStatus } from '../../src/integrations/card-login.js';
import { defaultMessages } from '../../src/messages/index.js';
import { basicDataFor, citizenCard, describeEachStore, enrollFailure, gpsAccountFlow, tableCounts, tokenFromMail } from './helpers.js';
import { useRaceStore } from './races-pg.js';

const CN = 'H5600123';
const owner: Actor = { role: 'applicant', id: 'gps-account:owner-of-h5600123' };
const reviewer: Actor = { role: 'reviewer', id: 'staff-007' };
const contact = { phone: '02-2345-6789', email: 'typed@example.com' };
const ENDED = '登入已失效：登入所用之自然人憑證已不再綁定此帳號，請重新以自然人憑證登入';

/** An active account of CN with card 1 (applied by `owner`), and card 2 added. */
async function accountWithTwoCards(flow: AccountEnrollmentFlow, mailer: CapturingMailer, clock: ManualClock, first = 1, second = 2): Promise<string> {
  const app = await flow.apply({ controlNumber: CN }, owner);
  await flow.submitBasicData(app.id, basicDataFor(CN), owner);
  await flow.bindCard(app.id, { holder: citizenCard(first), contact }, owner);
  await flow.approve(app.id, reviewer);
  await flow.activate(tokenFromMail(mailer.last()?.text ?? ''));
  clock.advance(1000);
  await flow.addCard(CN, { holder: citizenCard(second), contact }, owner);
  return app.id;
}

/** What a host keeps at 自然人憑證登入, read as the guide says: the active account and the card's binding. */
async function loginOf(flow: AccountEnrollmentFlow, cardNumber: string): Promise<AccountCardLogin> {
  const active = (await flow.history(CN)).find((a) => a.status === 'active');
  const binding = (await flow.listCards(CN)).find((c) => c.cardNumber === cardNumber && c.status === 'active');
  if (active === undefined || binding === undefined) throw new Error(`card ${cardNumber} is not logged in to ${CN}`);
  return { applicationId: active.id, cardNumber: binding.cardNumber, boundAt: binding.boundAt };
}

/** The host's own check (the reference portal's, per request): still the active account, the card by that binding. */
async function hostCheckPasses(flow: AccountEnrollmentFlow, login: AccountCardLogin): Promise<boolean> {
  const active = (await flow.history(CN)).find((a) => a.status === 'active');
  const binding = (await flow.listCards(CN)).find((c) => c.cardNumber === login.cardNumber);
  return active?.id === login.applicationId && binding?.status === 'active' && binding.boundAt === login.boundAt;
}

async function cardsOf(flow: AccountEnrollmentFlow): Promise<string[]> {
  return (await flow.listCards(CN)).map((c) => c.cardNumber);
}

describeEachStore('enroll_t_gps_card_login', (db) => {
  let clock: ManualClock;
  let flow: AccountEnrollmentFlow;
  let mailer: CapturingMailer;

  beforeEach(() => {
    clock = new ManualClock('2026-03-02T01:00:00Z');
    ({ flow, mailer } = gpsAccountFlow(db(), clock, { controlNumbers: [CN] }));
  });

  it('a card removed after the host checked its login: the command made for that login is refused, audited, and changes nothing', async () => {
    const id = await accountWithTwoCards(flow, mailer, clock);
    const a = await loginOf(flow, 'TP03000000000001');
    const b = await loginOf(flow, 'TP03000000000002');
    // A's request passes the host's check; before its command runs, B 刪除's A's card.
    expect(await hostCheckPasses(flow, a)).toBe(true);
    await flow.removeCard(CN, 'TP03000000000001', owner, { login: b });
    const before = await tableCounts(db());

    const added = await enrollFailure(flow.addCard(CN, { holder: citizenCard(3), contact }, owner, { login: a }));
    // Not a ForbiddenError: the login ended, which is "not authenticated" (401, log in again), not "not allowed" (403).
    expect(added).not.toBeInstanceOf(ForbiddenError);
    expect([added.code, added.refusal]).toEqual(['LOGIN_ENDED', 'LOGIN_CARD_NO_LONGER_BOUND']);
    expect(cardLoginStatus(added)).toBe(401);
    expect(defaultMessages.describe(added).messages.zhTW).toBe(ENDED);
    const removed = await enrollFailure(flow.removeCard(CN, 'TP03000000000002', owner, { login: a }));
    expect([removed.code, removed.refusal]).toEqual(['LOGIN_ENDED', 'LOGIN_CARD_NO_LONGER_BOUND']);

    expect(await cardsOf(flow)).toEqual(['TP03000000000002']);
    // Nothing written but the two refusals' audit entries, which name the account the login was for.
    expect(await tableCounts(db())).toEqual({ ...before, enroll_audit_log: (before.enroll_audit_log ?? 0) + 2 });
    const refused = (await readAuditTrail(db(), { flow: 'account', subject: id })).filter((e) => e.event.startsWith('forbidden:'));
    expect(refused.map((e) => [e.event, e.from, e.actor.id])).toEqual([
      ['forbidden:addCard', 'active', owner.id],
      ['forbidden:removeCard', 'active', owner.id],
    ]);
    expect(refused[0]?.reason).toContain('TP03000000000001 is no longer bound');
  });

  it('the same card removed and bound again is another binding: the old login stays refused, a new one acts', async () => {
    await accountWithTwoCards(flow, mailer, clock);
    const a = await loginOf(flow, 'TP03000000000001');
    const b = await loginOf(flow, 'TP03000000000002');
    await flow.removeCard(CN, 'TP03000000000001', owner, { login: b });
    clock.advance(1000);
    await flow.addCard(CN, { holder: citizenCard(1), contact }, owner, { login: b });
    const stale = await enrollFailure(flow.removeCard(CN, 'TP03000000000002', owner, { login: a }));
    expect(stale.refusal).toBe('LOGIN_CARD_NO_LONGER_BOUND');
    expect(stale.message).toContain('bound again');
    const fresh = await loginOf(flow, 'TP03000000000001');
    expect(await flow.removeCard(CN, 'TP03000000000002', owner, { login: fresh })).toMatchObject([{ cardNumber: 'TP03000000000001' }]);
  });

  it('an account closed since the login is refused as a login that ended, also when the number has a new account the same actor owns', async () => {
    const closedId = await accountWithTwoCards(flow, mailer, clock);
    const a = await loginOf(flow, 'TP03000000000001');
    await flow.closeAccount(CN, reviewer, '憑證遺失');
    // No account now: the login ended (not NOT_FOUND, the answer without a login).
    const none = await enrollFailure(flow.addCard(CN, { holder: citizenCard(3), contact }, owner, { login: a }));
    expect([none.code, none.refusal]).toEqual(['LOGIN_ENDED', 'LOGIN_CARD_NO_LONGER_BOUND']);
    expect((await enrollFailure(flow.addCard(CN, { holder: citizenCard(3), contact }, owner))).code).toBe('NOT_FOUND');

    // A host that used one actor for both accounts passes the owner check; the login still does not reach the new account.
    clock.advance(1000);
    await accountWithTwoCards(flow, mailer, clock, 4, 5);
    const reopened = await enrollFailure(flow.removeCard(CN, 'TP03000000000004', owner, { login: a }));
    expect([reopened.code, reopened.refusal]).toEqual(['LOGIN_ENDED', 'LOGIN_CARD_NO_LONGER_BOUND']);
    expect(await cardsOf(flow)).toEqual(['TP03000000000004', 'TP03000000000005']);
    const trail = await readAuditTrail(db(), { flow: 'account', subject: closedId });
    expect(trail.filter((e) => e.event.startsWith('forbidden:')).map((e) => [e.event, e.from])).toEqual([
      ['forbidden:addCard', 'closed'],
      ['forbidden:removeCard', 'closed'],
    ]);
  });

  it('a login that stands acts, its boundAt compared as an exact instant however spelled; callers without a login are unchanged', async () => {
    await accountWithTwoCards(flow, mailer, clock);
    const a = await loginOf(flow, 'TP03000000000001');
    // The same instant spelled in Taiwan time, and the card number in lower case: the same login.
    const taipei = new Date(Date.parse(a.boundAt) + 8 * 3600_000).toISOString().replace('Z', '+08:00');
    const spelled = { applicationId: a.applicationId.toUpperCase(), cardNumber: a.cardNumber.toLowerCase(), boundAt: taipei };
    expect((await flow.addCard(CN, { holder: citizenCard(3), contact }, owner, { login: spelled })).cardNumber).toBe('TP03000000000003');
    expect(await flow.removeCard(CN, 'TP03000000000003', owner, { login: a })).toHaveLength(2);
    expect(await flow.removeCard(CN, 'TP03000000000002', owner, {})).toHaveLength(1);
    // One millisecond off is another binding's instant.
    const off = { ...a, boundAt: new Date(Date.parse(a.boundAt) + 1).toISOString() };
    expect((await enrollFailure(flow.addCard(CN, { holder: citizenCard(3), contact }, owner, { login: off }))).refusal).toBe('LOGIN_CARD_NO_LONGER_BOUND');
    // The owner check still comes first: another actor with a standing login is FORBIDDEN without the refusal.
    const other = await enrollFailure(flow.addCard(CN, { holder: citizenCard(3), contact }, { role: 'applicant', id: 'someone-else' }, { login: a }));
    expect([other.code, other.refusal]).toEqual(['FORBIDDEN', undefined]);
    expect(cardLoginStatus(other)).toBe(403);
  });

  it('a malformed login is INVALID_INPUT naming the field, before anything is read; a login key left undefined is not a command without the check', async () => {
    await accountWithTwoCards(flow, mailer, clock);
    const a = await loginOf(flow, 'TP03000000000001');
    const before = await tableCounts(db());
    const fields = async (options: unknown): Promise<string[]> => {
      const err = await enrollFailure(flow.removeCard(CN, 'TP03000000000002', owner, options as never));
      expect(err).toBeInstanceOf(InvalidInputError);
      return (err as InvalidInputError).issues.map((i) => `${i.field}:${i.code}`);
    };
    expect(await fields({ login: undefined })).toEqual(['options.login:REQUIRED']);
    expect(await fields({ login: 'TP03000000000001' })).toEqual(['options.login:REQUIRED']);
    expect(await fields('login')).toEqual(['options:INVALID_FORMAT']);
    expect(await fields({ login: { ...a, applicationId: 'not-a-uuid', boundAt: 'yesterday' } })).toEqual([
      'options.login.applicationId:INVALID_FORMAT',
      'options.login.boundAt:INVALID_FORMAT',
    ]);
    expect((await fields({ login: { ...a, cardNumber: '' } }))[0]).toMatch(/^options\.login\.cardNumber:/);
    // The login passed as the options itself, or under a misspelt key: refused, never a command without the check.
    expect(await fields(a)).toEqual(['options.applicationId:NOT_AN_OPTION', 'options.cardNumber:NOT_AN_OPTION', 'options.boundAt:NOT_AN_OPTION']);
    expect(await fields({ Login: a })).toEqual(['options.Login:NOT_AN_OPTION']);
    expect(await fields({ login: a, check: false })).toEqual(['options.check:NOT_AN_OPTION']);
    expect(await tableCounts(db())).toEqual(before);
  });
});

describe('PostgreSQL: the login is checked after the account lock', () => {
  const race = useRaceStore('enroll_t_gps_card_login_race');

  it('a removal not yet committed when the command starts: the command waits for it and is refused', async (ctx) => {
    const r = race();
    if (r === undefined) return ctx.skip();
    const clock = new ManualClock('2026-03-02T01:00:00Z');
    const { flow, mailer } = gpsAccountFlow(r.store as EnrollStore, clock, { controlNumbers: [CN] });
    await accountWithTwoCards(flow, mailer, clock);
    const a = await loginOf(flow, 'TP03000000000001');
    const b = await loginOf(flow, 'TP03000000000002');
    // B's 刪除 of card 1 in a transaction held open; A's check before it (the host's) still sees the card.
    const release = await r.hold((tx) => gpsAccountFlow(joinTransaction(tx), clock, { controlNumbers: [CN] }).flow.removeCard(CN, 'TP03000000000001', owner, { login: b }));
    expect(await hostCheckPasses(flow, a)).toBe(true);
    const command = enrollFailure(flow.addCard(CN, { holder: citizenCard(3), contact }, owner, { login: a }));
    await r.waitForBlocked(1);
    await release();
    const refused = await command;
    expect([refused.code, refused.refusal]).toEqual(['LOGIN_ENDED', 'LOGIN_CARD_NO_LONGER_BOUND']);
    expect(await cardsOf(flow)).toEqual(['TP03000000000002']);
  });
});
