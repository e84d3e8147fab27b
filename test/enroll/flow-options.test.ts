import { describe, expect, it } from 'vitest';
import {
  AccountEnrollmentFlow,
  LoginEnablementFlow,
  OfficialAccountFlow,
  OrgRegistrationFlow,
  WasteSystemFlow,
  systemClock,
} from '../../src/enroll/index.js';

// A misspelt renewal policy used to be accepted and behave as 'automatic' (a renewed certificate took over the
// binding with no review), and a misspelt idHintRule failed the first upload with "rule is not a function".
// Both are refused when the flow is built, naming the option. Nothing here touches the store.

const base = { store: {}, clock: systemClock, mailer: undefined, activationLink: (t: string) => t } as Record<string, unknown>;
const flows: Array<[string, (o: Record<string, unknown>) => unknown]> = [
  ['AccountEnrollmentFlow', (o) => new AccountEnrollmentFlow(o as never)],
  ['LoginEnablementFlow', (o) => new LoginEnablementFlow(o as never)],
  ['OfficialAccountFlow', (o) => new OfficialAccountFlow(o as never)],
  ['OrgRegistrationFlow', (o) => new OrgRegistrationFlow(o as never)],
  ['WasteSystemFlow', (o) => new WasteSystemFlow(o as never)],
];

describe('flow options are checked when the flow is built', () => {
  it.each(flows)('%s: renewal other than automatic or review is a RangeError naming it', (_name, build) => {
    for (const renewal of ['Review', 'AUTOMATIC', '', 1, null]) {
      expect(() => build({ ...base, renewal }), String(renewal)).toThrow(/^renewal must be 'automatic' or 'review'/);
    }
    for (const renewal of [undefined, 'automatic', 'review']) expect(() => build({ ...base, renewal })).not.toThrow();
  });

  it.each(flows.filter(([name]) => name === 'OfficialAccountFlow' || name === 'OrgRegistrationFlow'))(
    '%s: idHintRule other than lastFour or a function is a RangeError naming it',
    (_name, build) => {
      for (const idHintRule of ['lastfour', 'LastFour', 4, {}]) {
        expect(() => build({ ...base, idHintRule }), String(idHintRule)).toThrow(/^idHintRule must be 'lastFour' or a function/);
      }
      for (const idHintRule of [undefined, 'lastFour', () => true]) expect(() => build({ ...base, idHintRule })).not.toThrow();
    },
  );
});
