/**
 * Every string a command stores is checked first: NUL and lone surrogates are
 * INVALID_INPUT naming the field, never a driver error (22021, 22P02) and
 * never a silent U+FFFD in a text column. Identifier rules are the EMS layer's.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { validateCardNumber, validateControlNumber, validateEmail } from '../../src/ems/index.js';
import { parseActor } from '../../src/enroll/domain/actor.js';
import { parseCardNumber, parseControlNumber, parseEmail, parseRequiredText } from '../../src/enroll/domain/identifiers.js';
import { InvalidInputError } from '../../src/enroll/errors.js';
import { AccountEnrollmentFlow } from '../../src/enroll/flows/account-enrollment.js';
import { LoginEnablementFlow } from '../../src/enroll/flows/login-enablement.js';
import { OfficialAccountFlow } from '../../src/enroll/flows/official-account.js';
import { OrgRegistrationFlow } from '../../src/enroll/flows/org-registration.js';
import { CapturingMailer } from '../../src/enroll/mail/capturing-mailer.js';
import { StaticAgencyDirectory } from '../../src/enroll/ports/agency-directory.js';
import { ManualClock } from '../../src/enroll/ports/clock.js';
import type { AgencyOid } from '../../src/enroll/domain/identifiers.js';
import { FakeEms, basicDataFor, citizenCard, describeEachStore, tableCounts } from './helpers.js';

const NUL = 'a\u0000b';
const HIGH = 'x\uD800y';
const LOW = '\uDC00';
const applicant = { role: 'applicant', id: 'web-1' } as const;

async function issueFields(p: Promise<unknown>): Promise<string[]> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(InvalidInputError);
  return (err as InvalidInputError).issues.map((i) => i.field);
}

describe('identifier rules come from twpki/ems', () => {
  it.each([
    ['TP03000012345678', true],
    ['tp03000012345678', true],
    ['ＴＰ03000012345678', true],
    ['AB0300001234567X', false],
    ['1234567890123456', false],
    ['TP0300001234567', false],
  ])('card number %s', (value, ok) => {
    expect(validateCardNumber(value).valid).toBe(ok);
    if (ok) expect(parseCardNumber(value)).toBe(validateCardNumber(value).value);
    else expect(() => parseCardNumber(value)).toThrow(InvalidInputError);
  });

  it.each([['H5600123', true], ['h56ab123', true], ['H560012', false], ['5600123H', false]])('control number %s', (value, ok) => {
    expect(validateControlNumber(value).valid).toBe(ok);
    if (ok) expect(parseControlNumber(value)).toBe(validateControlNumber(value).value);
    else expect(() => parseControlNumber(value)).toThrow(InvalidInputError);
  });

  it.each([['a@example.com.tw', true], ['a..b@example.com', false], ['a@b', false], ['a@example.123', false]])('e-mail %s', (value, ok) => {
    expect(validateEmail(value).valid).toBe(ok);
    if (ok) expect(parseEmail(value)).toBe(value);
    else expect(() => parseEmail(value)).toThrow(InvalidInputError);
  });
});

describe('string hygiene', () => {
  it.each([NUL, HIGH, LOW, 'z'.repeat(10_001)])('refuses %#, naming the field', (bad) => {
    try {
      parseRequiredText(bad, 'form.name', 100_000);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(InvalidInputError);
      expect((e as InvalidInputError).issues[0]?.field).toBe('form.name');
    }
  });

  it('keeps well-formed text, including astral characters (𠮷)', () => {
    expect(parseRequiredText(' 𠮷野家 ', 'name')).toBe('𠮷野家');
  });

  it.each([42, undefined, null, 'reviewer', [], { role: 'superuser', id: 'x' }, { role: 'reviewer', id: 'x'.repeat(100_000) }, { role: 'reviewer', id: NUL }, { role: 'reviewer', id: HIGH }, { role: 'reviewer', id: 7 }])(
    'actor %# is INVALID_INPUT',
    (actor) => {
      expect(() => parseActor(actor)).toThrow(InvalidInputError);
    },
  );
});

describeEachStore('enroll_t_hygiene', (db) => {
  let clock: ManualClock;
  beforeEach(() => {
    clock = new ManualClock('2026-03-02T01:00:00Z');
  });

  it('account flow: NUL and lone surrogates in basic data, contact and notes never reach the database', async () => {
    const ems = new FakeEms();
    ems.put(basicDataFor());
    const flow = new AccountEnrollmentFlow({ store: db(), clock, mailer: new CapturingMailer(), ems, emsRecords: ems, activationLink: (t) => `https://x.example/a?key=${t}` });
    const app = await flow.apply({ controlNumber: 'H5600123' }, applicant);
    const before = await tableCounts(db());
    expect(await issueFields(flow.submitBasicData(app.id, { ...basicDataFor(), companyName: NUL, contactName: HIGH }, applicant))).toEqual([
      'basicData.companyName',
      'basicData.contactName',
    ]);
    await flow.submitBasicData(app.id, basicDataFor(), applicant);
    expect(
      await issueFields(flow.bindCard(app.id, { holder: citizenCard(1), contact: { name: LOW, phone: '02-2345-6789', email: 'a@example.com' } }, applicant)),
    ).toEqual(['contact.name']);
    expect(await issueFields(flow.bindCard(app.id, { holder: citizenCard(1, { subjectName: NUL }), contact: { phone: '02-2345-6789', email: 'a@example.com' } }, applicant))).toEqual([
      'holder.subjectName',
    ]);
    expect(await issueFields(flow.apply({ controlNumber: 'H56\u000000123' }, applicant))).toEqual(['controlNumber']);
    expect(await issueFields(flow.apply({ controlNumber: 'H5600124' }, { role: 'applicant', id: HIGH }))).toEqual(['actor.id']);
    const after = await tableCounts(db());
    expect(after.enroll_account_applications).toBe(before.enroll_account_applications);
    expect(after.enroll_card_bindings).toBe(0);
  });

  it('login enablement, organization and official flows refuse the same', async () => {
    const login = new LoginEnablementFlow({ store: db(), clock });
    expect(
      await issueFields(login.requestCertificateLogin({ businessId: '04595257', companyName: NUL, methods: { citizenCard: 'enabled', companyCard: 'enabled' } }, applicant)),
    ).toEqual(['companyName']);
    const OID = '2.16.886.101.20003.20001.20003';
    const agencies = new StaticAgencyDirectory([{ oid: OID as AgencyOid, name: '內政部消防署', agencyCode: 'A1234' }]);
    const org = new OrgRegistrationFlow({ store: db(), clock, agencies });
    expect(
      await issueFields(
        org.register({
          agencyCode: 'A1234',
          organizationCard: { authority: 'GCA', subjectName: '內政部消防署', certificateSerial: 'a1', organizationOid: OID },
          administratorCard: citizenCard(1),
          administrator: { name: HIGH, email: 'admin@nfa.gov.tw', phone: '02-8195-9119', nationalId: 'A123456789' },
        }),
      ),
    ).toEqual(['administrator.name']);
    const official = new OfficialAccountFlow({ store: db(), clock, agencies });
    expect(await issueFields(official.apply({ memberId: NUL, agencyOid: OID, reason: '公務人員', attested: true }, applicant))).toEqual(['memberId']);
    const counts = await tableCounts(db());
    expect(Object.values(counts).every((n) => n === 0)).toBe(true);
  });
});
