import type { ComponentPresent, ComponentSlot } from './component-info.js';

/**
 * The last detection the component answered through the popup, per
 * component origin: readers and tokens only (no request data, no PIN).
 *
 * Browsers differ in how many popups one click may open: Chromium opened
 * two, Firefox (`dom.block_multiple_popups`) and a script-made gesture only
 * one, Safari none after an `await`. A `sign()` without a slot on a site
 * that reaches the component only through the popup would need two (one to
 * find the card, one to sign) and, where the second is blocked, fail the
 * same way on every click. With the card found by an earlier detection it
 * needs one. The answer's card number is still checked against it
 * (`withCardSN`), and a mismatch or a missing card forgets it.
 */
const remembered = new Map<string, ComponentPresent>();

/** Keeps (popup) or drops (any other way) what a detection found. */
export function rememberDetection(origin: string, found: ComponentPresent): void {
  if (found.channel === 'popup') remembered.set(origin, found);
  else remembered.delete(origin);
}

/** Forgets the remembered detection, e.g. after the card it named was not the one that answered. */
export function forgetDetection(origin: string): void {
  remembered.delete(origin);
}

/** The reader of the only card the last popup detection found, if it found exactly one. */
export function rememberedCardSlot(origin: string): ComponentSlot | undefined {
  const withCards = remembered.get(origin)?.slots.filter((s) => s.token !== null) ?? [];
  return withCards.length === 1 ? withCards[0] : undefined;
}
