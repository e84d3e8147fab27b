/**
 * The database-level guarantees, on both stores: the card-binding race, single-use
 * tokens under concurrency, and crashes at every statement of a transition.
 */
import { beforeEach, expect, it } from 'vitest';
import { AccountEnrollmentFlow } from '../../src/enroll/flows/account-enrollment.js';
import { CapturingMailer } from '../../src/enroll/mail/capturing-mailer.js';
import { ManualClock } from '../../src/enroll/ports/clock.js';
import { readAuditTrail } from '../../src/enroll/store/audit.js';
import { runMigrations } from '../../src/enroll/store/migrate.js';
import type { EnrollStore } from '../../src/enroll/store/store.js';
import { EnrollError } from '../../src/enroll/errors.js';
import type { Actor } from '../../src/enroll/domain/actor.js';
import { FaultyStore, SimulatedCrash } from './faulty-store.js';
import { FakeEms, basicDataFor, citizenCard, describeEachStore, tableCounts, tokenFromMail } from './helpers.js';

const applicant: Actor = { role: 'applicant', id: 'web' };
const reviewer: Actor = { role: 'reviewer', id: 'staff-1' };
const contact = { phone: '02-2345-6789', email: 'typed@example.com' };

describeEachStore('enroll_store_test', (db) => {
  let mailer: CapturingMailer;
  let ems: FakeEms;
  const clock = new ManualClock('2026-03-02T01:00:00Z');

  const flowOn = (s: EnrollStore): AccountEnrollmentFlow =>
    new AccountEnrollmentFlow({ store: s, clock, mailer, ems, emsRecords: ems, activationLink: (t) => `https://x.gov.tw/a?key=${t}` });

  beforeEach(() => {
    mailer = new CapturingMailer();
    ems = new FakeEms();
  });

  async function verifiedApplications(s: EnrollStore, count: number): Promise<string[]> {
    const flow = flowOn(s);
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const cn = `H56${String(i).padStart(5, '0')}`;
      ems.put(basicDataFor(cn));
      const app = await flow.apply({ controlNumber: cn }, applicant);
      await flow.submitBasicData(app.id, basicDataFor(cn), applicant);
      ids.push(app.id);
    }
    return ids;
  }

  it('migrations are idempotent, also when run concurrently', async () => {
    const s = db();
    const again = await Promise.all([runMigrations(s), runMigrations(s), runMigrations(s)]);
    expect(again).toEqual([[], [], []]);
  });

  it('50 concurrent binds of one card to 50 control numbers: exactly one wins', async () => {
    const s = db();
    const ids = await verifiedApplications(s, 50);
    const flow = flowOn(s);
    const results = await Promise.allSettled(ids.map((id) => flow.bindCard(id, { holder: citizenCard(7), contact }, applicant)));

    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(49);
    for (const r of lost) {
      expect(r.reason).toBeInstanceOf(EnrollError);
      expect((r.reason as EnrollError).code).toBe('CARD_ALREADY_BOUND');
    }
    // Nothing half-written: one binding, one application moved, one audit entry.
    const counts = await tableCounts(s);
    expect(counts.enroll_card_bindings).toBe(1);
    const statuses = await s.transaction((tx) =>
      tx.query<{ status: string; n: number }>('SELECT status, count(*)::int AS n FROM enroll_account_applications GROUP BY status ORDER BY status'),
    );
    expect(statuses).toEqual([
      { status: 'basicDataVerified', n: 49 },
      { status: 'underReview', n: 1 },
    ]);
    const binds = (await readAuditTrail(s, { flow: 'account' })).filter((e) => e.event === 'bindCard');
    expect(binds).toHaveLength(1);
    const winner = won[0]?.status === 'fulfilled' ? won[0].value : undefined;
    expect(binds[0]?.subject).toBe(winner?.id);
  });

  it('concurrent applications for one control number: exactly one is open afterwards, the others replaced or refused', async () => {
    const s = db();
    const flow = flowOn(s);
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => flow.apply({ controlNumber: 'H5600123' }, applicant)));
    for (const r of results) {
      if (r.status === 'rejected') expect((r.reason as EnrollError).code).toBe('APPLICATION_IN_PROGRESS');
    }
    // A draft never keeps the number, so a later one may replace an earlier (PGlite runs them one after another);
    // on PostgreSQL the racing inserts meet the open-application index instead.
    const apps = await flow.history('H5600123');
    expect(apps).toHaveLength(results.filter((r) => r.status === 'fulfilled').length);
    expect(apps.filter((a) => a.status === 'draft')).toHaveLength(1);
    expect(apps.every((a) => a.status === 'draft' || a.status === 'abandoned')).toBe(true);
  });

  it('concurrent applications while one past the EMS comparison holds the number: every one refused', async () => {
    const s = db();
    ems.put(basicDataFor('H5600123'));
    const flow = flowOn(s);
    const held = await flow.apply({ controlNumber: 'H5600123' }, applicant);
    await flow.submitBasicData(held.id, basicDataFor('H5600123'), applicant);
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => flow.apply({ controlNumber: 'H5600123' }, applicant)));
    expect(results.map((r) => (r.status === 'rejected' ? (r.reason as EnrollError).code : 'opened'))).toEqual(Array(20).fill('APPLICATION_IN_PROGRESS'));
    expect((await tableCounts(s)).enroll_account_applications).toBe(1);
  });

  it('two concurrent basic-data submissions: one transition, the other INVALID_TRANSITION', async () => {
    const s = db();
    ems.put(basicDataFor('H5600123'));
    const flow = flowOn(s);
    const app = await flow.apply({ controlNumber: 'H5600123' }, applicant);
    const results = await Promise.allSettled([
      flow.submitBasicData(app.id, basicDataFor('H5600123'), applicant),
      flow.submitBasicData(app.id, basicDataFor('H5600123'), applicant),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const lost = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect((lost?.reason as EnrollError).code).toBe('INVALID_TRANSITION');
    expect((await readAuditTrail(s, { subject: app.id })).map((e) => e.event)).toEqual(['apply', 'submitBasicData']);
  });

  it('the schema refuses states no machine knows', async () => {
    const s = db();
    const err = await s
      .transaction((tx) =>
        tx.query(
          `INSERT INTO enroll_account_applications (id, control_number, status, created_at, updated_at)
           VALUES ('00000000-0000-4000-8000-000000000001', 'H5600123', 'hacked', now(), now())`,
        ),
      )
      .catch((e: unknown) => e);
    expect((err as { code?: string }).code).toBe('23514');
  });

  it('an activation link clicked 10 times at once activates exactly once', async () => {
    const s = db();
    const [id] = await verifiedApplications(s, 1);
    const flow = flowOn(s);
    await flow.bindCard(id ?? '', { holder: citizenCard(1), contact }, applicant);
    await flow.approve(id ?? '', reviewer);
    const token = tokenFromMail(mailer.last()?.text ?? '');
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => flow.activate(token)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) {
      if (r.status === 'rejected') expect((r.reason as EnrollError).code).toBe('TOKEN_USED');
    }
    expect((await readAuditTrail(s, { subject: id })).filter((e) => e.event === 'activate')).toHaveLength(1);
  });

  it('the database itself refuses a second binding of a card (not only the code)', async () => {
    const s = db();
    const ids = await verifiedApplications(s, 2);
    await flowOn(s).bindCard(ids[0] ?? '', { holder: citizenCard(1), contact }, applicant);
    const err = await s
      .transaction((tx) =>
        tx.query(
          `INSERT INTO enroll_card_bindings (card_number, certificate_serial, control_number, application_id, holder_name, phone, email, status, bound_at)
           VALUES ('TP03000000000001', 'ffff', 'H5600001', $1, 'x', 'x', 'x', 'pending', now())`,
          [ids[1]],
        ),
      )
      .catch((e: unknown) => e);
    expect((err as { code?: string }).code).toBe('23505');
    const used = await s
      .transaction(async (tx) => {
        const app = ids[0];
        await tx.query(`INSERT INTO enroll_activation_tokens VALUES ('h1', $1, 'a@b.tw', now(), now(), now(), NULL)`, [app]);
        await tx.query(`INSERT INTO enroll_activation_tokens VALUES ('h2', $1, 'a@b.tw', now(), now(), now(), NULL)`, [app]);
      })
      .catch((e: unknown) => e);
    expect((used as { code?: string }).code).toBe('23505');
  });

  it('a crash at any statement of bindCard, approve or activate leaves the previous state intact', async () => {
    const s = db();
    const [id = ''] = await verifiedApplications(s, 1);
    const steps: Array<{ name: string; run: (f: AccountEnrollmentFlow) => Promise<unknown> }> = [
      { name: 'bindCard', run: (f) => f.bindCard(id, { holder: citizenCard(1), contact }, applicant) },
      { name: 'approve', run: (f) => f.approve(id, reviewer) },
      { name: 'activate', run: (f) => f.activate(tokenFromMail(mailer.last()?.text ?? '')) },
    ];
    for (const step of steps) {
      let crashes = 0;
      for (let failAfter = 0; ; failAfter++) {
        const before = await tableCounts(s);
        const statusBefore = (await flowOn(s).get(id)).status;
        const faulty = new FaultyStore(s, failAfter);
        const mailsBefore = mailer.sent.length;
        const outcome = await step.run(flowOn(faulty)).then(
          () => 'done',
          (e: unknown) => e,
        );
        if (outcome === 'done') break;
        expect(outcome).toBeInstanceOf(SimulatedCrash);
        crashes++;
        expect(await tableCounts(s)).toEqual(before);
        expect((await flowOn(s).get(id)).status).toBe(statusBefore);
        // A crashed approval may have mailed a link whose token never committed: it must be dead.
        if (step.name === 'approve' && mailer.sent.length > mailsBefore) {
          const ghost = tokenFromMail(mailer.last()?.text ?? '');
          await expect(flowOn(s).activate(ghost)).rejects.toMatchObject({ code: 'TOKEN_INVALID' });
          mailer.sent.splice(mailsBefore);
        }
      }
      expect(crashes).toBeGreaterThan(1);
    }
    expect((await flowOn(s).get(id)).status).toBe('active');
  });
});
