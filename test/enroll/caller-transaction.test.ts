/**
 * Every command can run inside a transaction the caller opened on the same
 * store (joinTransaction) and commits or rolls back with it.
 */
import { beforeEach, expect, it } from 'vitest';
import type { AgencyOid } from '../../src/enroll/domain/identifiers.js';
import { AccountEnrollmentFlow } from '../../src/enroll/flows/account-enrollment.js';
import { LoginEnablementFlow } from '../../src/enroll/flows/login-enablement.js';
import { OfficialAccountFlow } from '../../src/enroll/flows/official-account.js';
import { OrgRegistrationFlow } from '../../src/enroll/flows/org-registration.js';
import { CapturingMailer } from '../../src/enroll/mail/capturing-mailer.js';
import { StaticAgencyDirectory } from '../../src/enroll/ports/agency-directory.js';
import { ManualClock } from '../../src/enroll/ports/clock.js';
import { joinTransaction } from '../../src/enroll/store/joined-store.js';
import type { EnrollStore, SqlSession } from '../../src/enroll/store/store.js';
import { FakeEms, basicDataFor, citizenCard, describeEachStore, tableCounts } from './helpers.js';
import { markVerified } from '../../src/enroll/domain/verified-holder.js';

const applicant = { role: 'applicant', id: 'company-a' } as const;
const OID = '2.16.886.101.20003.20001.20003';
const agencies = new StaticAgencyDirectory([{ oid: OID as AgencyOid, name: '內政部消防署', agencyCode: 'A1234' }]);

describeEachStore('enroll_t_callertx', (db) => {
  let clock: ManualClock;
  let ems: FakeEms;
  beforeEach(async () => {
    clock = new ManualClock('2026-03-02T01:00:00Z');
    ems = new FakeEms();
    ems.put(basicDataFor());
    await db().transaction((tx) => tx.query('CREATE TABLE IF NOT EXISTS team_notes (control_number text PRIMARY KEY, note text NOT NULL)'));
    await db().transaction((tx) => tx.query('DELETE FROM team_notes'));
    // 須先申請「一般帳號」: the official-account command applies for a member the host has synchronized.
    await new OfficialAccountFlow({ store: db(), clock, agencies }).syncMember({ memberId: 'company-a', name: '王小明', nationalId: 'A123456789', email: 'a@example.com' }, applicant);
  });

  const accounts = (store: EnrollStore): AccountEnrollmentFlow =>
    new AccountEnrollmentFlow({ store, clock, mailer: new CapturingMailer(), ems, emsRecords: ems, activationLink: (t) => `https://x.example/a?key=${t}` });

  /** Every flow's first command, run on `store`. */
  const commands = (store: EnrollStore): Array<() => Promise<unknown>> => [
    () => accounts(store).apply({ controlNumber: 'H5600123' }, applicant),
    () =>
      new LoginEnablementFlow({ store, clock }).requestCertificateLogin(
        { businessId: '04595257', companyName: '公司', methods: { citizenCard: 'enabled', companyCard: 'enabled' } },
        applicant,
      ),
    () =>
      new OrgRegistrationFlow({ store, clock, agencies }).register({
        agencyCode: 'A1234',
        organizationCard: markVerified({ authority: 'GCA', subjectName: '內政部消防署', certificateSerial: 'a1', organizationOid: OID }),
        administratorCard: citizenCard(1),
        administrator: { name: '張管理', email: 'admin@nfa.gov.tw', phone: '02-8195-9119', nationalId: 'A123456789' },
      }),
    () => new OfficialAccountFlow({ store, clock, agencies }).apply({ memberId: 'company-a', agencyOid: OID, reason: '公務人員', attested: true }, applicant),
  ];

  it("the caller's own insert fails after the command → nothing of the command remains (every flow)", async () => {
    const before = await tableCounts(db());
    for (const make of [0, 1, 2, 3]) {
      const outcome = await db()
        .transaction(async (tx) => {
          await (commands(joinTransaction(tx))[make] as () => Promise<unknown>)();
          await tx.query('INSERT INTO team_notes (control_number, note) VALUES ($1, $2)', ['H5600123', 'a']);
          await tx.query('INSERT INTO team_notes (control_number, note) VALUES ($1, $2)', ['H5600123', 'duplicate']);
        })
        .then(
          () => 'committed',
          (e: unknown) => (e as { code?: string }).code,
        );
      expect(outcome).toBe('23505');
    }
    expect(await tableCounts(db())).toEqual(before);
  });

  it('a command and the caller’s insert commit together', async () => {
    const app = await db().transaction(async (tx) => {
      const a = await accounts(joinTransaction(tx)).apply({ controlNumber: 'H5600123' }, applicant);
      await tx.query('INSERT INTO team_notes (control_number, note) VALUES ($1, $2)', [a.controlNumber, '電話 02-1234-5678']);
      return a;
    });
    expect((await accounts(db()).get(app.id)).status).toBe('draft');
    const notes = await db().transaction((tx) => tx.query('SELECT note FROM team_notes'));
    expect(notes).toEqual([{ note: '電話 02-1234-5678' }]);
  });

  it("a failed command undoes only its own writes and leaves the caller's transaction usable", async () => {
    // An application past the EMS comparison holds the number, so a second one fails at its insert.
    const held = await accounts(db()).apply({ controlNumber: 'H5600123' }, applicant);
    await accounts(db()).submitBasicData(held.id, basicDataFor(), applicant);
    const code = await db().transaction(async (tx) => {
      const c = await accounts(joinTransaction(tx))
        .apply({ controlNumber: 'H5600123' }, applicant)
        .then(
          () => 'ok',
          (e: unknown) => (e as { code: string }).code,
        );
      await tx.query('INSERT INTO team_notes (control_number, note) VALUES ($1, $2)', ['H5600123', 'still usable']);
      return c;
    });
    expect(code).toBe('APPLICATION_IN_PROGRESS');
    expect(await db().transaction((tx) => tx.query('SELECT note FROM team_notes'))).toEqual([{ note: 'still usable' }]);
  });

  it('a session kept past its transaction is refused (TRANSACTION_ENDED), its SQL never runs', async () => {
    const before = await tableCounts(db());
    let kept: SqlSession | undefined;
    await db().transaction(async (tx) => {
      kept = tx;
      await tx.query('SELECT 1');
    });
    const session = kept as SqlSession;
    const codeOf = (p: Promise<unknown>): Promise<unknown> => p.then(() => 'ran', (e: unknown) => (e as { code?: unknown }).code);
    // On PostgreSQL the client went back to the pool: the insert would have run outside any transaction.
    expect(await codeOf(session.query('INSERT INTO team_notes (control_number, note) VALUES ($1, $2)', ['H5600123', 'late']))).toBe('TRANSACTION_ENDED');
    expect(await codeOf(session.runScript('DELETE FROM team_notes'))).toBe('TRANSACTION_ENDED');
    expect(await codeOf(accounts(joinTransaction(session)).apply({ controlNumber: 'H5600123' }, applicant))).toBe('TRANSACTION_ENDED');
    expect(await db().transaction((tx) => tx.query('SELECT note FROM team_notes'))).toEqual([]);
    expect(await tableCounts(db())).toEqual(before);
  });

  it('a query the callback left behind is refused even while the store commits (it never runs after the transaction)', async () => {
    let stray: Promise<unknown> | undefined;
    await db().transaction(async (tx) => {
      await tx.query('SELECT 1');
      // Scheduled by the callback, reached while the store sends COMMIT.
      setImmediate(() => {
        stray = tx.query('INSERT INTO team_notes (control_number, note) VALUES ($1, $2)', ['H5600123', 'after commit']);
        stray.catch(() => undefined);
      });
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await (stray as Promise<unknown>).then(() => 'ran', (e: unknown) => (e as { code?: unknown }).code)).toBe('TRANSACTION_ENDED');
    expect(await db().transaction((tx) => tx.query('SELECT note FROM team_notes'))).toEqual([]);
  });
});
