import { describe, expect, it } from 'vitest';
import {
  AccountEnrollmentFlow,
  CapturingMailer,
  LoginEnablementFlow,
  OfficialAccountFlow,
  OrgRegistrationFlow,
  StaticAgencyDirectory,
  StaticCompanyRegistry,
  WasteSystemFlow,
  systemClock,
} from '../../src/enroll/index.js';

// A misspelt renewal policy used to be accepted and behave as 'automatic' (a renewed certificate took over the
// binding with no review), and a misspelt idHintRule failed the first upload with "rule is not a function".
// A Date as the clock, a string as activationLink, a missing mailer or an option spelt wrong surfaced later as a
// bare TypeError inside a command (or as MAIL_FAILED), or not at all. All are refused when the flow is built,
// naming the flow and the option. Nothing here touches the store.

const store = { transaction: () => Promise.reject(new Error('not used')) };
const ports = {
  store,
  clock: systemClock,
  mailer: new CapturingMailer(),
  ems: { verify: () => Promise.reject(new Error('not used')) },
  emsRecords: { facilityEmail: () => Promise.resolve(undefined) },
  activationLink: (t: string) => `https://gps.example.gov.tw/AccountActivate?key=${t}`,
  agencies: new StaticAgencyDirectory([]),
  companies: new StaticCompanyRegistry([]),
};
const pick = (...names: (keyof typeof ports)[]): Record<string, unknown> => Object.fromEntries(names.map((n) => [n, ports[n]]));
const flows: Array<[string, Record<string, unknown>, (o: Record<string, unknown>) => unknown]> = [
  ['AccountEnrollmentFlow', pick('store', 'clock', 'mailer', 'ems', 'emsRecords', 'activationLink'), (o) => new AccountEnrollmentFlow(o as never)],
  ['LoginEnablementFlow', pick('store', 'clock'), (o) => new LoginEnablementFlow(o as never)],
  ['OfficialAccountFlow', pick('store', 'clock', 'agencies'), (o) => new OfficialAccountFlow(o as never)],
  ['OrgRegistrationFlow', pick('store', 'clock', 'agencies'), (o) => new OrgRegistrationFlow(o as never)],
  ['WasteSystemFlow', pick('store', 'clock', 'mailer', 'companies'), (o) => new WasteSystemFlow(o as never)],
];

describe('flow options are checked when the flow is built', () => {
  it.each(flows)('%s: renewal other than automatic, review or replace is a RangeError naming it', (_name, base, build) => {
    for (const renewal of ['Review', 'AUTOMATIC', '', 1, null]) {
      expect(() => build({ ...base, renewal }), String(renewal)).toThrow(/^renewal must be 'automatic', 'review' or 'replace'/);
    }
    for (const renewal of [undefined, 'automatic', 'review', 'replace']) expect(() => build({ ...base, renewal })).not.toThrow();
  });

  it.each(flows.filter(([name]) => name === 'OfficialAccountFlow' || name === 'OrgRegistrationFlow'))(
    '%s: idHintRule other than lastFour or a function is a RangeError naming it',
    (_name, base, build) => {
      for (const idHintRule of ['lastfour', 'LastFour', 4, {}]) {
        expect(() => build({ ...base, idHintRule }), String(idHintRule)).toThrow(/^idHintRule must be 'lastFour' or a function/);
      }
      for (const idHintRule of [undefined, 'lastFour', () => true]) expect(() => build({ ...base, idHintRule })).not.toThrow();
    },
  );

  it.each(flows)('%s: each required port missing or of the wrong shape, and a misspelt option, are named', (name, base, build) => {
    expect(() => build(base)).not.toThrow();
    for (const option of Object.keys(base)) {
      const { [option]: _dropped, ...without } = base;
      expect(() => build(without), `${option} missing`).toThrow(new RegExp(`^${name}: option ${option} is required`));
      expect(() => build({ ...base, [option]: 'x' }), `${option} as text`).toThrow(new RegExp(`^${name}: option ${option} must be`));
    }
    expect(() => build({ ...base, clock: new Date() })).toThrow(`${name}: option clock must be a Clock such as systemClock (not a Date)`);
    expect(() => build({ ...base, renewals: 'review' })).toThrow(new RegExp(`^${name}: unknown option "renewals" \\(the options are `));
    for (const junk of [undefined, null, 'options']) expect(() => build(junk as never)).toThrow(new RegExp(`^${name}: options must be an object`));
  });

  it('durations are positive whole milliseconds (a string or NaN named, not a later "Invalid time value")', () => {
    const [, base, build] = flows[0] as (typeof flows)[number];
    for (const [option, value] of [['activationTtlMs', '7d'], ['resultTtlMs', Number.NaN], ['activationTtlMs', 0], ['resultTtlMs', 1.5], ['resultTtlMs', 86_400_000n]] as const) {
      expect(() => build({ ...base, [option]: value })).toThrow(new RegExp(`^AccountEnrollmentFlow: option ${option} must be a positive whole number of milliseconds`));
    }
    const [, loginBase, login] = flows[1] as (typeof flows)[number];
    expect(() => login({ ...loginBase, codeTtlMs: -1 })).toThrow(/^LoginEnablementFlow: option codeTtlMs must be a positive whole number/);
    expect(() => build({ ...base, resultLink: 'https://x/?key=' })).toThrow(/^AccountEnrollmentFlow: option resultLink must be a function/);
  });
});
