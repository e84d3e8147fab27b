import { LastError, RetCode } from '../component/codes.js';
import { ComponentError } from './component-error.js';
import type { ComponentChannel, ComponentSlot } from './component-info.js';
import { callComponent, learnedChannel } from './channel.js';
import { detect, detectOnce } from './detect.js';
import { forgetPopupShortcut, rememberDetection, rememberedCardSlot, rememberedPopupCardSlot, sameCard } from './detection-memory.js';
import { resolveOptions, type ComponentOptions, type ResolvedOptions } from './options.js';
import { requireSuccess, text } from './reply-fields.js';

/** `signatureType`: a CMS SignedData with the data attached, or a bare PKCS#1 v1.5 signature. */
export type SignatureType = 'PKCS7' | 'PKCS1';

/** `hashAlgorithm`. */
export type HashAlgorithm = 'SHA256' | 'SHA384' | 'SHA512' | 'SHA1';

/** What {@link sign} signs. */
export interface SignRequest {
  /**
   * The data: text is signed as its UTF-8 bytes (sent as `tbsEncoding` NONE, or as base64 when it contains
   * a `%`, which components may read as percent-encoding), bytes as given (sent as base64).
   */
  readonly tbs: string | Uint8Array;
  /** Default `PKCS7`. */
  readonly signatureType?: SignatureType;
  /** Default `SHA256`. */
  readonly hash?: HashAlgorithm;
  /** Ask for the card number (卡號) and check it against the detected card. Default true. */
  readonly withCardSN?: boolean;
  /** A nonce the component signs with the data (PKCS7), e.g. the backend's challenge id. */
  readonly nonce?: string;
  /** The card's PIN. Sent once to the component and not kept by the client. */
  readonly pin: string;
  /**
   * The reader from {@link detect}. The request names it, and the card
   * number in the answer must be its token's serial number. Without it (or
   * `null`, as `detect()` reports "no card yet"), `sign` detects first and
   * uses the only card present, after checking that it is the card the last
   * detection showed, when that one showed exactly one card (otherwise
   * `COMPONENT_CARD_CHANGED`, before the PIN is sent); through the popup it
   * uses the only card the last popup detection found instead, so that one
   * click opens one popup (the answer's card number is still checked against
   * it when `withCardSN`).
   */
  readonly slot?: ComponentSlot | null;
}

/** A signature made by the card. */
export interface SignResult {
  /** What was asked. */
  readonly signatureType: SignatureType;
  /** Hash used. */
  readonly hash: HashAlgorithm;
  /** Base64 of the signature: the DER CMS SignedData (`PKCS7`) or the RSA signature (`PKCS1`). */
  readonly signature: string;
  /** Base64 DER of the signing certificate. */
  readonly certificate: string;
  /**
   * The detected token's card number (卡號). With `withCardSN` (the default) the component's answer named
   * the same card, or `sign` threw `COMPONENT_CARD_MISMATCH`; with `withCardSN: false` the component does
   * not say which card signed, and this is only the card detected before signing (not checked; through the
   * popup without a `slot`, possibly by a detection some time before).
   */
  readonly cardNumber: string;
  /** The reader used. */
  readonly slot: ComponentSlot;
  /** How the component was reached. */
  readonly channel: ComponentChannel;
  /** The component's version string, when sent. */
  readonly componentVersion: string | undefined;
}

const SIGNATURE_TYPES: readonly string[] = ['PKCS7', 'PKCS1'];
const HASHES: readonly string[] = ['SHA256', 'SHA384', 'SHA512', 'SHA1'];

function badRequest(field: string, details: { retCode?: number; lastError?: number } = { retCode: RetCode.BAD_PARAMETER }): ComponentError {
  return new ComponentError('COMPONENT_BAD_REQUEST', { field, ...details });
}

/** What a card PIN may hold: printable ASCII, no space (HiCOS PIN policy). */
const PRINTABLE_ASCII = /^[\x21-\x7e]+$/;
/** A percent-escape, as a component may decode it. */
const PERCENT_ESCAPE = /%[0-9a-f]{2}/i;

/** Characters with a meaning in a form body (`+` is a space; `%`, `&`, `=`, `;` delimit); everything else goes as is. */
const FORM_SPECIAL = /[%&+=;]/g;

/**
 * The form value of the `tbsPackage` JSON, escaping only the characters a form decoder would read otherwise.
 * Other characters travel as their UTF-8 bytes (a form decoder passes them through, as for jQuery pages that
 * post `'tbsPackage=' + JSON.stringify(…)`): Chinese text stays 3 bytes a character instead of
 * encodeURIComponent's 9. JSON.stringify leaves no control character or lone surrogate unescaped.
 */
function formValue(json: string): string {
  return json.replace(FORM_SPECIAL, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i] as number);
  return btoa(binary);
}

/**
 * Picks the reader: the caller's, or the only one with a card. Through the
 * popup, the only card an earlier popup detection found is taken without
 * asking again (see detection-memory.ts): one popup per click.
 *
 * Detecting here makes the card now in the reader the one the component
 * expects (`twpki agent` refuses only a card other than the one its last
 * `/pkcs11info` answer showed), so the card the page was shown is checked
 * here, before the PIN is sent: when the last detection showed exactly one
 * card and another one is in now, `COMPONENT_CARD_CHANGED`. The new card is
 * then the remembered one, so the next `sign()` goes to it: the refusal is
 * given once per change, and a page is never stuck on it.
 *
 * This detection replaces the remembered one only when it found the one card
 * it signs with (or refuses): with no card or several, `sign` throws and the
 * page still shows what its own `detect()` found.
 */
async function slotFor(request: SignRequest, options: ComponentOptions | undefined, resolved: ResolvedOptions): Promise<ComponentSlot> {
  if (request.slot) {
    if (!request.slot.token) throw badRequest('slot', { retCode: RetCode.NO_CARD });
    return request.slot;
  }
  if (learnedChannel(resolved) === 'popup') {
    const slot = rememberedPopupCardSlot(resolved.origin);
    if (slot !== undefined) return slot;
  }
  // Taken before detecting: the answer replaces it.
  const shown = rememberedCardSlot(resolved.origin)?.token ?? undefined;
  const found = await detectOnce(resolveOptions(options, 20_000));
  if (!found.present) throw found.error;
  const withCards = found.slots.filter((s) => s.token !== null);
  if (withCards.length === 0) throw new ComponentError('COMPONENT_FAILED', { retCode: RetCode.NO_CARD });
  if (withCards.length > 1) {
    throw new ComponentError('COMPONENT_BAD_REQUEST', {
      field: 'slot',
      retCode: RetCode.BAD_PARAMETER,
      reason: {
        zhTW: '偵測到多張卡片，請只插入要使用的卡片，或選擇讀卡機後再試一次',
        en: 'More than one card is inserted: leave only the card to use, or choose its reader, and try again',
      },
    });
  }
  const slot = withCards[0] as ComponentSlot;
  rememberDetection(resolved.origin, found);
  if (shown !== undefined && !sameCard(shown, slot.token as NonNullable<ComponentSlot['token']>)) {
    throw new ComponentError('COMPONENT_CARD_CHANGED');
  }
  return slot;
}

/**
 * Whether a failed signature says the card is not (or no longer) where the detection saw it: the card that
 * signed was another (`COMPONENT_CARD_MISMATCH`), no card or no reader (未插入IC卡 `0x76000006`, also what `twpki
 * agent` answers when the card in the reader is not the one its last `/pkcs11info` answer to this page showed).
 */
function cardMoved(error: unknown): boolean {
  if (!(error instanceof ComponentError)) return false;
  return error.code === 'COMPONENT_CARD_MISMATCH' || error.retCode === RetCode.NO_CARD || error.retCode === RetCode.NO_READER;
}

/** Checks what can be checked without the card; the PIN length waits for the token's range. */
function validate(request: SignRequest): void {
  if (typeof request.pin !== 'string' || request.pin === '') throw badRequest('pin', { retCode: RetCode.NO_PIN });
  // A card PIN is printable ASCII. Full-width digits (an input method left in full-width mode) or any other
  // character would reach the card as other bytes, which a component may send as a wrong PIN: a try spent on
  // the right digits. Refused here, before anything is sent.
  if (!PRINTABLE_ASCII.test(request.pin)) throw badRequest('pin', { retCode: RetCode.PIN_FORMAT });
  // `%` and two hex digits reads as a percent-escape to a component that decodes the PINs pages encode (twpki's
  // agent does for exact encodeURIComponent output; the official component's rule is not known), so the card
  // would get other characters: a try spent on the right PIN. Neither sending it as typed nor encoding it is
  // right under both behaviours, so it is not sent.
  if (PERCENT_ESCAPE.test(request.pin)) throw badRequest('pin', { retCode: RetCode.PIN_FORMAT });
  const tbs = request.tbs as unknown;
  if (!(typeof tbs === 'string' || tbs instanceof Uint8Array) || (tbs as string | Uint8Array).length === 0) throw badRequest('tbs');
  if (request.signatureType !== undefined && !SIGNATURE_TYPES.includes(request.signatureType)) throw badRequest('signatureType');
  if (request.hash !== undefined && !HASHES.includes(request.hash)) throw badRequest('hash');
  if (request.nonce !== undefined && typeof request.nonce !== 'string') throw badRequest('nonce');
  const slot = request.slot as unknown;
  if (slot !== undefined && slot !== null && typeof slot !== 'object') throw badRequest('slot');
}

/**
 * Has the card sign `tbs` through the local component (`MakeSignature`).
 *
 * The PIN goes into the request text only when the request is sent (for the
 * popup: when the popup asks for it), and nothing the client keeps refers to
 * it afterwards. The answer's card number must equal the detected token's
 * serial number, as government pages check. Failures throw
 * {@link ComponentError}: a wrong PIN carries `lastError` and, when the card
 * said so, `triesLeft`.
 *
 * In `auto` mode the way to the component is settled before the PIN is sent
 * (by the earlier {@link detect}, or by detecting now); a signature request is
 * never repeated over another way.
 *
 * A card swapped since the page showed one is refused before the PIN reaches it:
 * - `COMPONENT_CARD_CHANGED` (without a `slot`): the card found now is not the
 *   one the last detection showed (see {@link SignRequest.slot}). Nothing was
 *   sent to the card. Show the card now in the reader (call `detect()` again)
 *   and ask for its PIN; the next `sign()` goes to that card.
 * - `COMPONENT_FAILED` with `retCode` `0x76000006` (未插入IC卡,
 *   `RetCode.NO_CARD`): the card was taken out, or, from `twpki agent`, the
 *   card in the reader is not the one its last `/pkcs11info` answer to this
 *   page showed (`componentMessage` "the card in the reader changed since the
 *   page read it …"; no PIN was tried). The popup finds the card again next
 *   time; the card the page showed is still what a `sign()` without a slot
 *   compares with. Call `detect()` again, show that card and ask for its PIN, and sign with
 *   the new detection's `slot`: the agent refuses a swap once, so a `slot`
 *   kept from before would send the next PIN to the new card.
 *
 * `COMPONENT_CARD_MISMATCH` is found only after signing (the answer's card
 * number), when the card already had the PIN: detect again as well.
 */
export async function sign(request: SignRequest, options?: ComponentOptions): Promise<SignResult> {
  if (typeof request !== 'object' || request === null) throw badRequest('request');
  const resolved: ResolvedOptions = resolveOptions(options, 60_000);
  validate(request);
  const slot = await slotFor(request, options, resolved);
  const token = slot.token as NonNullable<ComponentSlot['token']>;
  if (request.pin.length < token.minPinLength || request.pin.length > token.maxPinLength) {
    throw badRequest('pin', { lastError: LastError.PIN_LEN_RANGE });
  }
  const signatureType = request.signatureType ?? 'PKCS7';
  const hash = request.hash ?? 'SHA256';
  const withCardSN = request.withCardSN !== false;
  if (!learnedChannel(resolved)) {
    const found = await detect(options);
    if (!found.present) throw found.error;
  }

  // Text with a '%' travels as its UTF-8 bytes in base64: pages send tbs both plain and percent-encoded, so a
  // component reads a value that looks encoded as encoded and would sign "%41" as "A". Base64 has no '%', and
  // the bytes signed are the same.
  const tbs = typeof request.tbs === 'string' && request.tbs.includes('%') ? new TextEncoder().encode(request.tbs) : request.tbs;
  // Built on demand so that no long-lived value holds the PIN.
  const packageJson = (): string =>
    JSON.stringify({
      func: 'MakeSignature',
      signatureType,
      tbs: typeof tbs === 'string' ? tbs : toBase64(tbs),
      tbsEncoding: typeof tbs === 'string' ? 'NONE' : 'base64',
      hashAlgorithm: hash,
      withCardSN: withCardSN ? 'true' : 'false',
      pin: request.pin,
      nonce: request.nonce ?? '',
      slotDescription: slot.description,
    });
  try {
    const { reply, channel } = await callComponent(resolved, {
      path: '/sign',
      directBody: () => ({ contentType: 'application/x-www-form-urlencoded; charset=UTF-8', body: `tbsPackage=${formValue(packageJson())}` }),
      popupRequest: packageJson,
      retryInPopup: false,
    });

    requireSuccess(reply);
    const signature = text(reply, 'signature');
    const certificate = text(reply, 'certb64');
    if (signature === undefined || certificate === undefined) {
      throw new ComponentError('COMPONENT_BAD_REPLY', { componentMessage: 'the answer has no signature or certificate' });
    }
    const cardSN = text(reply, 'cardSN');
    if (withCardSN && cardSN !== token.serialNumber) {
      throw new ComponentError('COMPONENT_CARD_MISMATCH', { componentMessage: cardSN === undefined ? 'no cardSN in the answer' : undefined });
    }
    return {
      signatureType,
      hash,
      signature,
      certificate,
      cardNumber: token.serialNumber,
      slot,
      channel,
      componentVersion: text(reply, 'version'),
    };
  } catch (error) {
    // The next signature finds the card again (one more popup) rather than trusting what was seen; the card the
    // page showed stays what a sign() without a slot compares with (the page still shows it).
    if (cardMoved(error)) forgetPopupShortcut(resolved.origin);
    throw error;
  }
}
