import { TestPkiError } from '../pki/errors.js';
import { InputCheck } from '../check-input.js';
import { describeValue } from '../../shared/describe-value.js';

/** Every option of `VirtualHiCOSCardOptions`; anything else is a misspelling, refused rather than dropped. */
const VIRTUAL_CARD_OPTION_NAMES: ReadonlySet<string> = new Set([
  'generation',
  'pin',
  'cardNumber',
  'credentials',
  'pinTryLimit',
  'pinTriesLeft',
  'atr',
  'version',
  'cardId',
  'diversificationData',
  'counterPolicy',
  'keyRefs',
  'heldKeyRefs',
  'pinReference',
  'plainCommandsDuringSecureMessaging',
  'versionLocation',
  'supportsStatusProbe',
  'quirks',
  'random',
  'logLimit',
]);

const QUIRK_NAMES: ReadonlySet<string> = new Set(['responseChaining', 'wrongLengthRetry', 'refuseLargeReads']);

/**
 * Checks a virtual card's settings (all but `credentials`) before anything is made: each one a card could hold,
 * or `BAD_OPTIONS` naming it. Without this a `pinTryLimit` of 20 answered `63D3` (no `63Cx`), `pinTriesLeft: -1`
 * was a locked card the right PIN opened, and a misspelt choice (`counterPolicy: 'bogus'`) ran as another mode.
 */
export function checkVirtualCardSettings(options: Record<string, unknown>, where: string): void {
  const check = new InputCheck(where);
  check.knownNames(undefined, options, VIRTUAL_CARD_OPTION_NAMES);
  const limit = options.pinTryLimit ?? 3;
  if (!isWhole(limit, 1, 15)) check.fail('pinTryLimit', 'must be a whole number from 1 to 15 (what 63Cx can report)', options.pinTryLimit);
  if (options.pinTriesLeft !== undefined && !isWhole(options.pinTriesLeft, 0, limit as number)) {
    check.fail('pinTriesLeft', `must be a whole number from 0 (locked) to pinTryLimit (${String(limit)})`, options.pinTriesLeft);
  }
  if (options.pinReference !== undefined && !isWhole(options.pinReference, 0, 0xff)) check.fail('pinReference', 'must be one byte (0 to 255)', options.pinReference);
  for (const field of ['keyRefs', 'heldKeyRefs'] as const) {
    const refs = options[field];
    if (refs === undefined) continue;
    const pair = check.object(field, refs, '{ sign: 0x01, keyx: 0x11 }');
    check.knownNames(field, pair, new Set(['sign', 'keyx']));
    for (const key of ['sign', 'keyx'] as const) {
      if (!isWhole(pair[key], 0, 0xff)) check.fail(`${field}.${key}`, 'must be one byte (0 to 255)', pair[key]);
    }
  }
  bytes(check, 'atr', options.atr, 2, 33, 'an ATR of 2 to 33 bytes');
  bytes(check, 'cardId', options.cardId, 10, 10, '10 bytes');
  bytes(check, 'diversificationData', options.diversificationData, 10, 10, '10 bytes (the INITIALIZE UPDATE answer carries 10)');
  check.optionalChoice('counterPolicy', options.counterPolicy, ['every-command', 'data-commands-only']);
  check.optionalChoice('plainCommandsDuringSecureMessaging', options.plainCommandsDuringSecureMessaging, ['accept', 'refuse']);
  check.optionalChoice('versionLocation', options.versionLocation, ['card-number-df', 'root', 'none']);
  check.optionalBoolean('supportsStatusProbe', options.supportsStatusProbe);
  check.optionalString('version', options.version);
  if (options.random !== undefined && typeof options.random !== 'function') check.fail('random', 'must be a function (length) => Uint8Array', options.random);
  if (options.quirks !== undefined) {
    const quirks = check.object('quirks', options.quirks, '{ responseChaining: true }');
    check.knownNames('quirks', quirks, QUIRK_NAMES);
    for (const name of QUIRK_NAMES) check.optionalBoolean(`quirks.${name}`, quirks[name]);
  }
}

function isWhole(value: unknown, min: number, max: number): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}

function bytes(check: InputCheck, field: string, value: unknown, min: number, max: number, what: string): void {
  if (value === undefined) return;
  if (!(value instanceof Uint8Array) || value.length < min || value.length > max) check.fail(field, `must be ${what} (a Uint8Array)`, value);
}

/**
 * The card's identity settings (generation, 卡號, PIN), checked alike by the card and by `createVirtualHiCOSCard`
 * before its keys are made (a second of work for a typo otherwise).
 */
export function checkCardIdentity(options: Record<string, unknown>): void {
  const generation = options.generation ?? 1;
  if (generation !== 1 && generation !== 2) throw badCardOption(`generation must be 1 or 2, not ${describeValue(generation)}`);
  const cardNumber = options.cardNumber ?? 'TP03000012345678';
  if (typeof cardNumber !== 'string' || !/^[\x20-\x7e]{1,16}$/.test(cardNumber)) {
    throw badCardOption(`cardNumber must be 1–16 printable ASCII characters (a real 卡號 is 16, e.g. TP03000012345678), not ${JSON.stringify(cardNumber)}`);
  }
  const pin = options.pin ?? '123456';
  if (typeof pin !== 'string' || !/^[\x21-\x7e]{1,10}$/.test(pin)) throw badCardOption('pin must be 1–10 printable ASCII characters (MOICA PINs are 6–8 digits)');
}

/**
 * `BAD_OPTIONS` `virtual HiCOS card: option <why>`: a TwpkiError naming the option, so a harness can tell its own
 * mistake from a card failure.
 */
export function badCardOption(why: string): TestPkiError {
  return new TestPkiError('BAD_OPTIONS', `virtual HiCOS card: option ${why}`);
}
