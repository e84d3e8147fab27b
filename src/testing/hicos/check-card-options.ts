import { TestPkiError } from '../pki/errors.js';
import { InputCheck } from '../check-input.js';
import { gen1RecordNumbers, PUBLIC_KEY_READ_DEFAULTS } from './public-key-records.js';
import { describeValue } from '../../shared/describe-value.js';

/** Every option of `VirtualHiCOSCardOptions`; anything else is a misspelling, refused rather than dropped. */
const VIRTUAL_CARD_OPTION_NAMES: ReadonlySet<string> = new Set([
  'generation',
  'pin',
  'cardNumber',
  'cardNumberFile',
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
  'gen2SelectMf',
  'publicKeyReads',
  'versionLocation',
  'supportsStatusProbe',
  'quirks',
  'random',
  'logLimit',
]);

const PUBLIC_KEY_READ_NAMES: ReadonlySet<string> = new Set(Object.keys(PUBLIC_KEY_READ_DEFAULTS));

const QUIRK_NAMES: ReadonlySet<string> = new Set(['responseChaining', 'wrongLengthRetry', 'wrongLengthError', 'refuseLargeReads']);

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
  checkPublicKeyReads(check, options);
  check.optionalChoice('counterPolicy', options.counterPolicy, ['every-command', 'data-commands-only']);
  check.optionalChoice('plainCommandsDuringSecureMessaging', options.plainCommandsDuringSecureMessaging, ['accept', 'refuse']);
  check.optionalChoice('gen2SelectMf', options.gen2SelectMf, ['applet-root', 'not-found']);
  // On Gen1 3F00 is the MF itself: a Gen2 setting there would be taken and never used.
  if (options.gen2SelectMf !== undefined && (options.generation ?? 1) !== 2) check.fail('gen2SelectMf', 'applies to Gen2 cards only; this card is Gen1', options.gen2SelectMf);
  check.optionalChoice('versionLocation', options.versionLocation, ['card-number-df', 'root', 'none']);
  check.optionalChoice('cardNumberFile', options.cardNumberFile, ['present', 'no-ef', 'no-df', 'unreadable', 'blank-00', 'blank-ff', 'empty']);
  if (options.cardNumberFile === 'no-df' && options.versionLocation === 'card-number-df') {
    check.fail('versionLocation', "cannot be 'card-number-df' on a card without DF 0900 (cardNumberFile: 'no-df'); use 'root' or 'none'", options.versionLocation);
  }
  check.optionalBoolean('supportsStatusProbe', options.supportsStatusProbe);
  check.optionalString('version', options.version);
  if (options.random !== undefined && typeof options.random !== 'function') check.fail('random', 'must be a function (length) => Uint8Array', options.random);
  if (options.quirks !== undefined) {
    const quirks = check.object('quirks', options.quirks, '{ responseChaining: true }');
    check.knownNames('quirks', quirks, QUIRK_NAMES);
    for (const name of QUIRK_NAMES) check.optionalBoolean(`quirks.${name}`, quirks[name]);
    if (quirks.wrongLengthRetry === true && quirks.wrongLengthError === true) {
      check.fail('quirks.wrongLengthError', 'cannot go with wrongLengthRetry: a read past the end gets either 6Cxx or 6700', quirks.wrongLengthError);
    }
  }
}

/**
 * `publicKeyReads` (each unknown of the facts a choice, so a misspelt one must not run as the default), and room for
 * the Gen1 records: the key at reference r keeps its public key in records r, r+2 and r+3, so two keys whose
 * records meet, or a reference above FC, would leave a record no read can tell apart or reach.
 */
function checkPublicKeyReads(check: InputCheck, options: Record<string, unknown>): void {
  if (options.publicKeyReads !== undefined) {
    const reads = check.object('publicKeyReads', options.publicKeyReads, "{ gen1ByteOrder: 'reversed-bytes' }");
    check.knownNames('publicKeyReads', reads, PUBLIC_KEY_READ_NAMES);
    check.optionalChoice('publicKeyReads.gen1ByteOrder', reads.gen1ByteOrder, ['reversed-words', 'reversed-bytes']);
    check.optionalBoolean('publicKeyReads.gen1LengthPrefix', reads.gen1LengthPrefix);
    check.optionalChoice('publicKeyReads.gen2ByteOrder', reads.gen2ByteOrder, ['big-endian', 'reversed-words']);
    if (reads.gen2ModulusP2 !== undefined && reads.gen2ModulusP2 !== 3 && reads.gen2ModulusP2 !== 4) {
      check.fail('publicKeyReads.gen2ModulusP2', 'must be 3 or 4 (the other reads the exponent)', reads.gen2ModulusP2);
    }
    check.optionalChoice('publicKeyReads.requiredFile', reads.requiredFile, ['none', '0810', '0811', '0810-or-0811']);
    check.optionalChoice('publicKeyReads.gen2Channel', reads.gen2Channel, ['either', 'plain', 'secure-messaging']);
    // A setting for the other generation would be taken and never used: a harness would believe it tested it.
    const generation = options.generation ?? 1;
    for (const name of PUBLIC_KEY_READ_NAMES) {
      const other = generation === 1 ? 'gen2' : 'gen1';
      if (name.startsWith(other) && reads[name] !== undefined) {
        check.fail(`publicKeyReads.${name}`, `applies to Gen${other === 'gen1' ? 1 : 2} cards only; this card is Gen${generation}`, reads[name]);
      }
    }
    const status = reads.missingKeyStatus;
    if (status !== undefined && (!isWhole(status, 0x6400, 0x6fff) || (status as number) >> 8 === 0x6c)) {
      check.fail('publicKeyReads.missingKeyStatus', 'must be an error status word from 0x6400 to 0x6FFF, not 6Cxx (a host resends on 6Cxx)', status);
    }
  }
  if ((options.generation ?? 1) !== 1) return;
  const field = options.heldKeyRefs === undefined ? 'keyRefs' : 'heldKeyRefs';
  const refs = (options.heldKeyRefs ?? options.keyRefs ?? { sign: 0x01, keyx: 0x11 }) as { sign: number; keyx: number };
  for (const key of ['sign', 'keyx'] as const) {
    if (refs[key] > 0xfc) check.fail(`${field}.${key}`, 'must be at most 0xFC on a Gen1 card, which keeps its public key in records keyRef, keyRef+2 and keyRef+3', refs[key]);
  }
  const shared = gen1RecordNumbers(refs.sign).find((n) => gen1RecordNumbers(refs.keyx).includes(n));
  if (refs.sign !== refs.keyx && shared !== undefined) {
    const hex = (n: number): string => n.toString(16).padStart(2, '0').toUpperCase();
    check.fail(field, `must keep the Gen1 public-key records (keyRef, keyRef+2, keyRef+3) apart: SIGN ${hex(refs.sign)} and KEYX ${hex(refs.keyx)} share record ${hex(shared)}`);
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
