import type { HiCOSCardOptions } from '../apdu/index.js';
import { resolvePinPolicy, validatePin, type PinPolicy } from '../apdu/pin/pin-policy.js';

// Per card source of twpki's own, the options its cards are opened with (kept out of the classes: not part of
// their public surface). A caller's own source is not here: how it opens its cards is unknown. Keyed by any
// object, not by the `CardSlots` type: the sources record themselves here, and this module imports none of them.
const cardOptionsOf = new WeakMap<object, HiCOSCardOptions>();

/**
 * Records that `slots` opens its cards with `options`, whose PIN policy {@link refuseImpossiblePin} applies.
 * The object itself is kept, not a copy: the card layer reads it at each open, so the check reads it when it runs.
 * @internal
 */
export function rememberCardOptions(slots: object, options: HiCOSCardOptions): void {
  cardOptionsOf.set(slots, options);
}

/**
 * Refuses a PIN that the card layer of `slots` would refuse before sending it (characters or length, by the same
 * policy and the same checker, `validatePin`), before the card is opened: the card layer refuses it only after
 * opening the card and reading it, APDUs spent for nothing. The error thrown is the card layer's own
 * (`InvalidPinFormatError`, `INVALID_PIN_FORMAT`), so the page gets the answer it got when the card layer refused.
 * Does nothing for a source whose card options are unknown (a caller's own), or whose policy the card layer
 * refuses itself at open (that error stays the card layer's to give).
 * @throws InvalidPinFormatError when the PIN cannot be valid for the cards of `slots`
 * @internal
 */
export function refuseImpossiblePin(slots: object, pin: Uint8Array): void {
  const options = cardOptionsOf.get(slots);
  if (options === undefined) return;
  let policy: PinPolicy;
  try {
    policy = resolvePinPolicy(options.pinPolicy);
  } catch {
    return;
  }
  validatePin(pin, policy);
}
