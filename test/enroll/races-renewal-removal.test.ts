/**
 * A renewed card logging in (policy `review`) while staff close the account,
 * or its owner removes the card. Closing and removal reject the card's pending
 * renewals before they delete the binding, but they read the bindings without
 * a lock: a login that held the binding queued its renewal request after that
 * rejection, and the request outlived the binding, waiting in the reviewer's
 * queue for ever (accepting it only answers NOT_FOUND). Now closing and
 * removal lock the bindings first, so the request is rejected with them.
 */
import { expect, it } from 'vitest';
import type { Actor } from '../../src/enroll/domain/actor.js';
import type { VerifiedCardHolder } from '../../src/enroll/domain/card-holder.js';
import { markVerified } from '../../src/enroll/domain/verified-holder.js';
import { EnrollError } from '../../src/enroll/errors.js';
import { ManualClock } from '../../src/enroll/ports/clock.js';
import { basicDataFor, citizenCard, gpsAccountFlow, tokenFromMail } from './helpers.js';
import { useRaceStore, type RaceStore } from './races-pg.js';

const applicant: Actor = { role: 'applicant', id: 'company-a' };
const reviewer: Actor = { role: 'reviewer', id: 'staff-1' };
const contact = { phone: '02-2345-6789', email: 'typed@example.com' };
const ANCHOR = 'a'.repeat(64);
const verified = (h: VerifiedCardHolder): VerifiedCardHolder => markVerified({ ...h });
const original = verified(citizenCard(1, { anchor: ANCHOR, validFrom: '2024-05-01T00:00:00.000Z' }));
const renewed = verified(citizenCard(1, { anchor: ANCHOR, validFrom: '2026-02-01T00:00:00.000Z', certificateSerial: '5b000000000001' }));
const second = verified(citizenCard(2, { anchor: ANCHOR, validFrom: '2024-05-01T00:00:00.000Z' }));
const clock = new ManualClock('2026-03-02T01:00:00Z');

const raceStore = useRaceStore('enroll_t_races_renewal_removal');

/** An active account H5600123 with card 1 and card 2, renewals under review. */
async function activeAccount(r: RaceStore) {
  const gps = gpsAccountFlow(r.store, clock, { extra: { renewal: 'review' } });
  const app = await gps.flow.apply({ controlNumber: 'H5600123' }, applicant);
  await gps.flow.submitBasicData(app.id, basicDataFor('H5600123'), applicant);
  await gps.flow.bindCard(app.id, { holder: original, contact }, applicant);
  await gps.flow.approve(app.id, reviewer);
  await gps.flow.activate(tokenFromMail(gps.mailer.last()?.text ?? ''));
  await gps.flow.addCard('H5600123', { holder: second, contact }, applicant);
  return gps.flow;
}

/**
 * Lines up the renewed card's login first and `command` second behind a lock
 * on card 1's binding, lets both go, and returns the login's refusal and the
 * command's outcome.
 */
async function loginThen<T>(r: RaceStore, flow: Awaited<ReturnType<typeof activeAccount>>, command: () => Promise<T>) {
  const release = await r.hold((tx) => tx.query(`SELECT 1 FROM enroll_card_bindings WHERE card_number = $1 FOR UPDATE`, [original.cardNumber]));
  const login = flow.resolveLogin(renewed).then(
    () => undefined,
    (e: unknown) => e,
  );
  await r.waitForBlocked(1);
  const done = command();
  await r.waitForBlocked(2);
  await release();
  return { login: await login, done: await done };
}

it('postgres: a renewal queued while the account is closed is rejected with it', async (ctx) => {
  const race = raceStore();
  if (race === undefined) return ctx.skip();
  const flow = await activeAccount(race);
  const { login, done } = await loginThen(race, flow, () => flow.closeAccount('H5600123', reviewer, '卡片遺失'));
  expect(login).toBeInstanceOf(EnrollError);
  expect((login as EnrollError).code).toBe('RENEWAL_PENDING_REVIEW');
  expect(done.status).toBe('closed');
  expect(await flow.pendingRenewals()).toEqual([]);
});

it('postgres: a renewal queued while its card is removed is rejected with it', async (ctx) => {
  const race = raceStore();
  if (race === undefined) return ctx.skip();
  const flow = await activeAccount(race);
  const { login, done } = await loginThen(race, flow, () => flow.removeCard('H5600123', original.cardNumber ?? '', applicant));
  expect((login as EnrollError).code).toBe('RENEWAL_PENDING_REVIEW');
  expect(done.map((b) => b.cardNumber)).toEqual([second.cardNumber]);
  expect(await flow.pendingRenewals()).toEqual([]);
});

it('postgres: a reviewer accepting a renewal while staff close the account: one finishes first, no deadlock', async (ctx) => {
  const r = raceStore();
  if (r === undefined) return ctx.skip();
  const flow = await activeAccount(r);
  await expect(flow.resolveLogin(renewed)).rejects.toMatchObject({ code: 'RENEWAL_PENDING_REVIEW' });
  const [request] = await flow.pendingRenewals();
  // The acceptance queues on the request, the closing behind it once it holds the account and its cards.
  const release = await r.hold((tx) => tx.query('SELECT 1 FROM enroll_card_renewals FOR UPDATE'));
  const accept = flow.acceptRenewal(request?.id ?? '', reviewer).then(
    (b) => b,
    (e: unknown) => e,
  );
  await r.waitForBlocked(1);
  const close = flow.closeAccount('H5600123', reviewer, '卡片遺失').then(
    (a) => a,
    (e: unknown) => e,
  );
  await r.waitForBlocked(2);
  await release();
  const [accepted, closed] = await Promise.all([accept, close]);
  // Whichever runs first, neither fails with the driver's deadlock error, and the account ends closed with
  // nothing left waiting.
  expect(closed).not.toBeInstanceOf(Error);
  // A deadlock is CONCURRENT_UPDATE now (the driver's 40P01 as cause): the lock order must not produce one at all.
  if (accepted instanceof Error) {
    expect(accepted).toBeInstanceOf(EnrollError);
    expect((accepted.cause as { code?: unknown } | undefined)?.code).not.toBe('40P01');
  }
  expect(await flow.pendingRenewals()).toEqual([]);
  expect(await flow.listCards('H5600123')).toEqual([]);
});
