/**
 * An activation link clicked while a reviewer sends a new one: the link took
 * the token's row lock and then the application's, the reissue the other way
 * round, and PostgreSQL broke the deadlock by failing one with its own error
 * (40P01). Now both take the application first: one wins, the other gets a
 * typed refusal.
 */
import { expect, it } from 'vitest';
import type { Actor } from '../../src/enroll/domain/actor.js';
import { EnrollError } from '../../src/enroll/errors.js';
import { ManualClock } from '../../src/enroll/ports/clock.js';
import { readAuditTrail } from '../../src/enroll/store/audit.js';
import type { EnrollStore } from '../../src/enroll/store/store.js';
import { basicDataFor, citizenCard, gpsAccountFlow, openPglite, resetTables, tokenFromMail } from './helpers.js';
import { useRaceStore } from './races-pg.js';

const applicant: Actor = { role: 'applicant', id: 'web' };
const reviewer: Actor = { role: 'reviewer', id: 'staff-1' };
const contact = { phone: '02-2345-6789', email: 'typed@example.com' };
const clock = new ManualClock('2026-03-02T01:00:00Z');

const raceStore = useRaceStore('enroll_t_races_activation');

/** An approved application, its flow, mailer and the link's token. */
async function approved(store: EnrollStore) {
  const gps = gpsAccountFlow(store, clock);
  const app = await gps.flow.apply({ controlNumber: 'H5600123' }, applicant);
  await gps.flow.submitBasicData(app.id, basicDataFor('H5600123'), applicant);
  await gps.flow.bindCard(app.id, { holder: citizenCard(1), contact }, applicant);
  await gps.flow.approve(app.id, reviewer);
  const token = tokenFromMail(gps.mailer.last()?.text ?? '');
  return { ...gps, id: app.id, token };
}

it('postgres: a link redeemed while its reissue waits for the same token: one wins, the other is refused (no deadlock)', async (ctx) => {
  const r = raceStore();
  if (r === undefined) return ctx.skip();
  const { flow, id, token, mailer } = await approved(r.store);
  const mailsBefore = mailer.sent.length;
  // Hold the token's row so both commands line up behind it: the link first, then the reissue, which by then
  // holds the application.
  const release = await r.hold((tx) => tx.query('SELECT 1 FROM enroll_activation_tokens FOR UPDATE'));
  const activation = flow.activate(token).then(
    (a) => a,
    (e: unknown) => e,
  );
  await r.waitForBlocked(1);
  const reissue = flow.reissueActivation(id, reviewer).then(
    (a) => a,
    (e: unknown) => e,
  );
  await r.waitForBlocked(2);
  await release();
  const outcomes = await Promise.all([activation, reissue]);

  const failures = outcomes.filter((o) => o instanceof Error);
  expect(failures).toHaveLength(1);
  expect(failures[0]).toBeInstanceOf(EnrollError);
  expect(['INVALID_TRANSITION', 'TOKEN_INVALID']).toContain((failures[0] as EnrollError).code);
  const app = await flow.get(id);
  const events = (await readAuditTrail(r.store, { subject: id })).map((e) => e.event);
  if (outcomes[0] instanceof Error) {
    // The reissue won: the old link is dead, one new mail went out, the application waits for the new link.
    expect(app.status).toBe('approved');
    expect(mailer.sent.length).toBe(mailsBefore + 1);
    expect(events.filter((e) => e === 'activate')).toHaveLength(0);
  } else {
    expect(app.status).toBe('active');
    expect(mailer.sent.length).toBe(mailsBefore);
    expect(events.filter((e) => e === 'reissueActivation')).toHaveLength(0);
  }
});

it('postgres: 10 rounds of a link and a reissue at once: every outcome typed, never both', async (ctx) => {
  const r = raceStore();
  if (r === undefined) return ctx.skip();
  for (let round = 0; round < 10; round++) {
    await resetTables(r.store);
    const { flow, id, token } = await approved(r.store);
    const outcomes = await Promise.allSettled([flow.activate(token), flow.reissueActivation(id, reviewer)]);
    for (const o of outcomes) if (o.status === 'rejected') expect(o.reason).toBeInstanceOf(EnrollError);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
  }
});

it('pglite: a link and a reissue at once: one wins, the other is refused', async () => {
  const store = await openPglite();
  try {
    const { flow, id, token } = await approved(store);
    const outcomes = await Promise.allSettled([flow.activate(token), flow.reissueActivation(id, reviewer)]);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    for (const o of outcomes) if (o.status === 'rejected') expect(o.reason).toBeInstanceOf(EnrollError);
  } finally {
    await store.close();
  }
});
