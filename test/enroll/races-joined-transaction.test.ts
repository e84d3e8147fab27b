/**
 * Two commands run at once on flows joined to one caller transaction
 * (`joinTransaction(tx)`, e.g. `Promise.all` over two flows). Each command
 * runs in a SAVEPOINT of the one connection, and their savepoints nested in
 * the order they started: when the first failed, rolling back to its
 * savepoint also undid the second's writes, which had already answered
 * success (or the second then failed releasing a savepoint that no longer
 * existed, with the driver's error). Now the commands of one joined
 * transaction take turns.
 */
import { expect, it } from 'vitest';
import type { Actor } from '../../src/enroll/domain/actor.js';
import { EnrollError } from '../../src/enroll/errors.js';
import { joinTransaction } from '../../src/enroll/store/joined-store.js';
import { ManualClock } from '../../src/enroll/ports/clock.js';
import { basicDataFor, citizenCard, describeEachStore, gpsAccountFlow, tokenFromMail } from './helpers.js';

const applicant: Actor = { role: 'applicant', id: 'company-a' };
const reviewer: Actor = { role: 'reviewer', id: 'staff-1' };
const contact = { phone: '02-2345-6789', email: 'typed@example.com' };
const clock = new ManualClock('2026-03-02T01:00:00Z');

describeEachStore('enroll_t_races_joined', (db) => {
  it('a failing and a succeeding command at once in one caller transaction: the success is kept, the failure typed', async () => {
    const cns = ['H5600123', 'H5600124'];
    const { flow, mailer } = gpsAccountFlow(db(), clock, { controlNumbers: cns });
    const app = await flow.apply({ controlNumber: 'H5600123' }, applicant);
    await flow.submitBasicData(app.id, basicDataFor('H5600123'), applicant);
    await flow.bindCard(app.id, { holder: citizenCard(1), contact }, applicant);
    await flow.approve(app.id, reviewer);
    await flow.activate(tokenFromMail(mailer.last()?.text ?? ''));

    const outcomes = await db().transaction(async (tx) => {
      const joined = gpsAccountFlow(joinTransaction(tx), clock, { controlNumbers: cns }).flow;
      return Promise.allSettled([
        // Card 1 is bound already: this one fails on the card index.
        joined.addCard('H5600123', { holder: citizenCard(1), contact }, applicant),
        joined.apply({ controlNumber: 'H5600124' }, applicant),
      ]);
    });
    const [failed, opened] = outcomes;
    expect(failed.status).toBe('rejected');
    expect((failed as PromiseRejectedResult).reason).toBeInstanceOf(EnrollError);
    expect(((failed as PromiseRejectedResult).reason as EnrollError).code).toBe('CARD_ALREADY_BOUND');
    expect(opened.status).toBe('fulfilled');
    // What answered success was committed with the caller's transaction.
    expect((await flow.history('H5600124')).map((a) => a.status)).toEqual(['draft']);
  });

  it('calls started together from inside a running command take turns too; a call outliving its command queues', async () => {
    await db().transaction(async (tx) => {
      await tx.query('CREATE TABLE IF NOT EXISTS t_joined_nested (v text)');
      await tx.query('DELETE FROM t_joined_nested');
    });
    const delay = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
    let late: Promise<unknown> = Promise.resolve();
    const outcomes = await db().transaction(async (tx) => {
      const joined = joinTransaction(tx);
      // A port the command calls (a mailer, an EMS adapter on the same transaction) starting two commands at once.
      const nested = await joined.transaction(async () => {
        // Fires after this command has ended: it must queue on the session, not run inside the ended turn.
        late = delay(60).then(() => joined.transaction((s) => s.query(`INSERT INTO t_joined_nested VALUES ('late')`)));
        return Promise.allSettled([
          joined.transaction(async (s) => {
            await s.query(`INSERT INTO t_joined_nested VALUES ('a')`);
            await delay(20);
            throw new Error('A fails');
          }),
          joined.transaction(async (s) => {
            await delay(5);
            await s.query(`INSERT INTO t_joined_nested VALUES ('b')`);
            return 'B ok';
          }),
        ]);
      });
      await late;
      return nested;
    });
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'fulfilled']);
    // What answered success was committed; what failed was undone alone.
    const rows = await db().transaction((tx) => tx.query('SELECT v FROM t_joined_nested ORDER BY v'));
    expect(rows.map((r) => r.v)).toEqual(['b', 'late']);
  });

  it('a call that joins a running command but starts only as it returns runs before the command ends, not in a released savepoint', async () => {
    await db().transaction(async (tx) => {
      await tx.query('CREATE TABLE IF NOT EXISTS t_joined_straggler (v text)');
      await tx.query('DELETE FROM t_joined_straggler');
    });
    let straggler: Promise<unknown> = Promise.resolve();
    await db().transaction(async (tx) => {
      const joined = joinTransaction(tx);
      await joined.transaction(async () => {
        const first = joined.transaction(async (s) => {
          await s.query(`INSERT INTO t_joined_straggler VALUES ('first')`);
          return 'first';
        });
        // Queued behind `first` while the command runs; its turn comes when `first` settles, as the command returns.
        straggler = joined.transaction((s) => s.query(`INSERT INTO t_joined_straggler VALUES ('straggler')`));
        return first;
      });
      await straggler;
    });
    const rows = await db().transaction((tx) => tx.query('SELECT v FROM t_joined_straggler ORDER BY v'));
    expect(rows.map((r) => r.v)).toEqual(['first', 'straggler']);
  });
});
