/**
 * The dependencies a flow is built with, checked when it is built: a wrong
 * one (a `Date` as the clock, a string as `activationLink`, a misspelt
 * option) is named there, instead of surfacing later as a bare `TypeError`
 * deep inside a command, or not at all (a misspelt optional setting).
 * Every failure is a `RangeError` naming the flow and the option, as the
 * flows' range checks already were.
 */
import { describeValue } from '../../shared/describe-value.js';
import { checkRenewalPolicy } from './card-renewal.js';

/** What {@link checkFlowOptions} knows about each option of a flow. */
export type OptionRule =
  | {
      /** An object with these methods (a port: store, clock, mailer…). */
      readonly kind: 'port';
      readonly methods: readonly string[];
      /** What to pass, for the message (`a Clock such as systemClock`). */
      readonly what: string;
      readonly required?: boolean;
    }
  | {
      /** A function (a link builder, a rule). */
      readonly kind: 'function';
      readonly what: string;
      readonly required?: boolean;
    }
  | {
      /** `true` or `false` (a string such as `'false'` from an environment variable would otherwise read as true). */
      readonly kind: 'boolean';
    }
  | {
      /** Checked by the flow itself (policies, limits, lists): only its name is known here. */
      readonly kind: 'other';
    };

const STORE_RULE: OptionRule = { kind: 'port', methods: ['transaction'], what: 'an EnrollStore (PgStore.open, PgliteStore.open)', required: true };
const CLOCK_RULE: OptionRule = { kind: 'port', methods: ['now'], what: 'a Clock such as systemClock (not a Date)', required: true };
/** What every flow takes: its store, its clock and its renewal policy (checked here). */
const EVERY_FLOW: Readonly<Record<string, OptionRule>> = { store: STORE_RULE, clock: CLOCK_RULE, renewal: { kind: 'other' } };

/** Ports several flows take. */
export const MAILER_RULE: OptionRule = { kind: 'port', methods: ['send'], what: 'a Mailer such as SmtpMailer or CapturingMailer', required: true };
export const AGENCIES_RULE: OptionRule = { kind: 'port', methods: ['findByOid', 'findByAgencyCode'], what: 'an AgencyDirectory such as StaticAgencyDirectory', required: true };

/**
 * Checks `options` of `flow` against `own` and the options every flow has
 * (store, clock, renewal policy): an object, no option the flow does not
 * have, each port and function of the right shape, a known renewal policy.
 * @throws RangeError naming the flow and the option.
 */
export function checkFlowOptions(flow: string, options: unknown, own: Readonly<Record<string, OptionRule>>): void {
  const rules = { ...EVERY_FLOW, ...own };
  if (typeof options !== 'object' || options === null) throw new RangeError(`${flow}: options must be an object with ${Object.keys(rules).join(', ')}`);
  const given = options as Record<string, unknown>;
  for (const name of Object.keys(given)) {
    if (!Object.hasOwn(rules, name) && given[name] !== undefined) {
      throw new RangeError(`${flow}: unknown option ${JSON.stringify(name)} (the options are ${Object.keys(rules).join(', ')})`);
    }
  }
  for (const [name, rule] of Object.entries(rules)) {
    if (rule.kind === 'other') continue;
    const value = given[name];
    if (rule.kind === 'boolean') {
      if (value !== undefined && typeof value !== 'boolean') throw new RangeError(`${flow}: option ${name} must be true or false, not ${describeValue(value)}`);
      continue;
    }
    if (value === undefined) {
      if (rule.required === true) throw new RangeError(`${flow}: option ${name} is required: ${rule.what}`);
      continue;
    }
    const ok =
      rule.kind === 'function'
        ? typeof value === 'function'
        : typeof value === 'object' && value !== null && rule.methods.every((m) => typeof (value as Record<string, unknown>)[m] === 'function');
    if (!ok) throw new RangeError(`${flow}: option ${name} must be ${rule.what}`);
  }
  checkRenewalPolicy(given.renewal);
}

/**
 * A duration option in whole milliseconds, or `fallback` when absent.
 * @throws RangeError naming the option for anything but a positive whole number.
 */
export function durationOption(flow: string, name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw new RangeError(`${flow}: option ${name} must be a positive whole number of milliseconds, not ${describeValue(value)}`);
  }
  return value;
}
