import type { CardToken, ComponentChannel, ComponentPresent, ComponentSlot } from './component-info.js';

/**
 * What the last detection answered, per component origin: how it was reached and the readers that held a
 * readable card (readers and tokens only: no request data, no PIN). It serves two purposes.
 *
 * **The card the page showed.** A page shows the card its `detect()` found and asks for that card's PIN. A
 * `sign()` without a slot detects again just before signing, and that fresh `/pkcs11info` makes whatever card is
 * now in the reader the one the component (`twpki agent`) expects: a PIN typed for card A would reach card B put in
 * since, and cost B a try. `sign()` therefore compares the card it finds with the only card this memory holds, and
 * refuses another card before the PIN is sent (`COMPONENT_CARD_CHANGED`).
 *
 * **One popup per click.** Browsers differ in how many popups one click may open: Chromium opened two, Firefox
 * (`dom.block_multiple_popups`) and a script-made gesture only one, Safari none after an `await`. A `sign()`
 * without a slot on a site that reaches the component only through the popup would need two (one to find the
 * card, one to sign) and, where the second is blocked, fail the same way on every click. With the card found by
 * an earlier popup detection it needs one. The answer's card number is still checked against it (`withCardSN`),
 * and a mismatch or a missing card forgets it.
 *
 * Bounded: {@link MAX_ORIGINS} origins (the one answered longest ago is forgotten first, and then behaves as one
 * never detected), and per origin at most two readers with a card (two are enough to know "more than one").
 */
interface RememberedDetection {
  readonly channel: ComponentChannel;
  /** Whether the popup may take its card without detecting again (a popup detection not yet contradicted). */
  readonly popupShortcut: boolean;
  /** Readers with a readable card, in the answer's order; at most {@link MAX_CARDS}. */
  readonly withCards: readonly ComponentSlot[];
}

/** How many component origins are remembered (a page talks to one or two). */
const MAX_ORIGINS = 8;
/** How many readers with a card are kept per origin: enough to tell one card from several. */
const MAX_CARDS = 2;

const remembered = new Map<string, RememberedDetection>();

/** Replaces what is remembered for `origin` by what a detection found (any channel). */
export function rememberDetection(origin: string, found: ComponentPresent): void {
  // Deleted first so that the origin moves to the end: the oldest answer is the first key.
  remembered.delete(origin);
  remembered.set(origin, {
    channel: found.channel,
    popupShortcut: found.channel === 'popup',
    withCards: found.slots.filter((s) => s.token !== null).slice(0, MAX_CARDS),
  });
  for (const oldest of remembered.keys()) {
    if (remembered.size <= MAX_ORIGINS) break;
    remembered.delete(oldest);
  }
}

/** Forgets the remembered detection (the component answered that it is not there). */
export function forgetDetection(origin: string): void {
  remembered.delete(origin);
}

/**
 * After a signature said the card is not where the detection saw it (taken out, another card answered, the
 * agent's swap refusal): the popup must find the card again before the next signature, but the card the page
 * showed is kept. The page still shows it and its user still types that card's PIN: forgetting it would let the
 * next `sign()` without a slot send that PIN to whatever card is in the reader by then.
 */
export function forgetPopupShortcut(origin: string): void {
  const entry = remembered.get(origin);
  if (entry !== undefined) remembered.set(origin, { ...entry, popupShortcut: false });
}

/** The reader of the only card the last detection found, if it found exactly one (any channel). */
export function rememberedCardSlot(origin: string): ComponentSlot | undefined {
  const withCards = remembered.get(origin)?.withCards ?? [];
  return withCards.length === 1 ? withCards[0] : undefined;
}

/** The reader of the only card the last detection found, if that detection went through the popup. */
export function rememberedPopupCardSlot(origin: string): ComponentSlot | undefined {
  return remembered.get(origin)?.popupShortcut === true ? rememberedCardSlot(origin) : undefined;
}

/** A certificate serial number as components may write it: case and leading zeros do not matter. */
function serialKey(serial: string | undefined): string | undefined {
  if (serial === undefined) return undefined;
  const key = serial.replace(/[\s:]/g, '').toUpperCase().replace(/^0+(?=.)/, '');
  return key === '' ? undefined : key;
}

/**
 * Whether two detections show the same card. The card number (卡號, the token's serial number) first; then,
 * when both detections list it, the user certificate's serial number and, when both carry one, its thumbprint: a
 * card issued again under the same number holds other certificates. The reader is not compared: the same card
 * moved to another reader, or a reader the system renamed, is the same card.
 */
export function sameCard(shown: CardToken, now: CardToken): boolean {
  if (shown.serialNumber !== now.serialNumber) return false;
  const a = shown.userCertificate;
  const b = now.userCertificate;
  if (a === undefined || b === undefined) return true;
  const serialA = serialKey(a.serialNumber);
  const serialB = serialKey(b.serialNumber);
  if (serialA !== undefined && serialB !== undefined && serialA !== serialB) return false;
  const thumbA = a.thumbprint?.toUpperCase();
  const thumbB = b.thumbprint?.toUpperCase();
  return thumbA === undefined || thumbB === undefined || thumbA === thumbB;
}
