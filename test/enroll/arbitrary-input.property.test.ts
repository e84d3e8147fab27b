/**
 * Every public command fed arbitrary input finds only typed errors: each call
 * either resolves or rejects with an EnrollError (never a TypeError, a driver
 * error or a crash), an INVALID_INPUT names each field with a known issue code
 * (which the message catalogue words), and a rejected call writes nothing.
 */
import fc from 'fast-check';
import { expect, it } from 'vitest';
import type { AgencyOid } from '../../src/enroll/domain/identifiers.js';
import { EnrollError, FIELD_ISSUE_CODES, InvalidInputError } from '../../src/enroll/errors.js';
import { AccountEnrollmentFlow } from '../../src/enroll/flows/account-enrollment.js';
import { LoginEnablementFlow } from '../../src/enroll/flows/login-enablement.js';
import { OfficialAccountFlow } from '../../src/enroll/flows/official-account.js';
import { OrgRegistrationFlow } from '../../src/enroll/flows/org-registration.js';
import { CapturingMailer } from '../../src/enroll/mail/capturing-mailer.js';
import { StaticAgencyDirectory } from '../../src/enroll/ports/agency-directory.js';
import { StaticCompanyRegistry } from '../../src/enroll/ports/company-registry.js';
import { WasteSystemFlow } from '../../src/enroll/flows/waste-system.js';
import { ManualClock } from '../../src/enroll/ports/clock.js';
import type { EnrollStore } from '../../src/enroll/store/store.js';
import { FakeEms, basicDataFor, describeEachStore, tableCounts } from './helpers.js';
import { FakePersonnelSystem } from './official-fixtures.js';

type Call = (args: unknown[]) => Promise<unknown> | unknown;

/** TypeScript-private helpers are still on the prototype at run time; the property covers the public commands. */
const PRIVATE = new Set(
  'addCardAs applyAs approveAs authorizeOn bindCardAs decide enableAs facilityEmail guarded insertBinding issueToken lock mail now ownerOf reissueAs rejectAs renewBinding requestAs subject submitAs tokenFailure transition'.split(' '),
);

// Values that look almost right reach deeper than pure noise.
const nasty = fc.oneof(
  fc.anything(),
  fc.string(),
  fc.constantFrom('a\u0000b', '\uD800', 'H5600123', 'TP03000000000001', '04595257', '00000000-0000-4000-8000-000000000000', 'A1234'),
  fc.record({ role: fc.constantFrom('applicant', 'reviewer', 'administrator', 'superuser', 42), id: fc.oneof(fc.string(), fc.constant('x'.repeat(300))) }),
  fc.record({ authority: fc.constantFrom('MOICA', 'GCA', 'MOEACA', 'HCA', 'X'), subjectName: fc.string(), certificateSerial: fc.string(), cardNumber: fc.string() }),
  fc.constant(basicDataFor()),
  fc.constantFrom({ kind: 'applicationForm', content: new Uint8Array([0x25, 0x50, 0x44, 0x46, 0x2d]) }, { kind: 'businessRegistration', content: new Uint8Array([1, 2]) }),
  fc.constantFrom('2.16.886.101.20003', 'clairesu1234', '公務人員', 'A226812638'),
  fc.record({ memberId: fc.constantFrom('m1', 'x'), name: fc.string(), nationalId: fc.constantFrom('A226812638', 'bad'), email: fc.constantFrom('a@b.tw', '\u0000') }),
  fc.record({ memberId: fc.constantFrom('m1', 'x'), agencyOid: fc.constantFrom('2.16.886.101.20003', 'x'), reason: fc.constantFrom('公務人員', ''), attested: fc.boolean() }),
);

/**
 * Row counts of every enroll table, as `tableCounts` gives them, in one statement: the property reads them twice
 * per run, and `tableCounts`' seventeen statements per read were most of the file's time. The tables are the
 * catalog's (every `enroll_` table of the store's schema but the ledger); the test checks they include every
 * table `tableCounts` counts.
 */
async function countRows(store: EnrollStore, tables: readonly string[]): Promise<Record<string, number>> {
  const [row] = await store.transaction((tx) => tx.query<Record<string, number>>(`SELECT ${tables.map((t) => `(SELECT count(*)::int FROM ${t}) AS ${t}`).join(', ')}`));
  return Object.fromEntries(tables.map((t) => [t, Number(row?.[t])]));
}

describeEachStore('enroll_t_fuzz', (db) => {
  it('only typed errors, and a rejected command writes nothing', async () => {
    const clock = new ManualClock('2026-03-02T01:00:00Z');
    const ems = new FakeEms();
    ems.put(basicDataFor());
    const store = db();
    const agencies = new StaticAgencyDirectory([{ oid: '2.16.886.101.20003' as AgencyOid, name: '機關', agencyCode: 'A1234' }]);
    const accounts = new AccountEnrollmentFlow({ store, clock, mailer: new CapturingMailer(), ems, emsRecords: ems, activationLink: (t) => t });
    const logins = new LoginEnablementFlow({ store, clock });
    const org = new OrgRegistrationFlow({ store, clock, agencies });
    const official = new OfficialAccountFlow({ store, clock, agencies });
    const companies = new StaticCompanyRegistry([{ businessId: '04595257', companyName: '公司' }]);
    const waste = new WasteSystemFlow({ store, clock, mailer: new CapturingMailer(), companies });
    const officialChecked = new OfficialAccountFlow({ store, clock, agencies, personnel: new FakePersonnelSystem(), mailer: new CapturingMailer() });
    const a = (f: (...x: never[]) => unknown): Call => (args) => f(...(args as never[]));
    const commands: Record<string, Call> = {};
    for (const [name, target] of Object.entries({ accounts, logins, org, official, officialChecked, waste })) {
      const proto = Object.getPrototypeOf(target) as object;
      for (const method of Object.getOwnPropertyNames(proto)) {
        const fn = (target as unknown as Record<string, unknown>)[method];
        if (method === 'constructor' || PRIVATE.has(method) || typeof fn !== 'function') continue;
        commands[`${name}.${method}`] = a((fn as (...x: never[]) => unknown).bind(target));
      }
    }
    expect(Object.keys(commands).length).toBeGreaterThan(30);
    const tables = (
      await store.transaction((tx) =>
        tx.query<{ t: string }>(
          `SELECT table_name AS t FROM information_schema.tables
            WHERE table_schema = current_schema() AND table_name LIKE 'enroll\\_%' AND table_name <> 'enroll_schema_migrations' ORDER BY 1`,
        ),
      )
    ).map((r) => r.t);
    const helperCounts = await tableCounts(store);
    expect(tables).toEqual(expect.arrayContaining(Object.keys(helperCounts)));
    expect(await countRows(store, Object.keys(helperCounts))).toEqual(helperCounts);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...Object.keys(commands)), fc.array(nasty, { maxLength: 4 }), async (name, args) => {
        const before = await countRows(store, tables);
        let failure: unknown;
        try {
          await (commands[name] as Call)(args);
        } catch (err) {
          failure = err;
        }
        if (failure === undefined) return;
        expect(failure, `${name} threw ${String(failure)}`).toBeInstanceOf(EnrollError);
        if (failure instanceof InvalidInputError) {
          expect(failure.issues.length).toBeGreaterThan(0);
          for (const issue of failure.issues) {
            expect(issue.field, `${name}: ${failure.message}`).toMatch(/\S/);
            expect(FIELD_ISSUE_CODES, `${name}: ${issue.field}`).toContain(issue.code);
          }
        }
        const after = await countRows(store, tables);
        // Refusals add audit rows only.
        expect({ ...after, enroll_audit_log: 0 }).toEqual({ ...before, enroll_audit_log: 0 });
      }),
      { numRuns: 300 },
    );
  }, 240_000);
});
