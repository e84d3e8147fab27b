import { verify, X509Certificate } from 'node:crypto';
import { HiCOSError, InvalidPinFormatError, PinRejectedError, type CardCertificate, type HiCOSCard, type HiCOSCardInfo } from '../apdu/index.js';
import { parseCertificate } from '../cert/index.js';
import { PcscError } from '../pcsc/index.js';
import type { CardSlots, SlotInfo } from './card-slots.js';
import { buildCmsSignature } from './cms-signature.js';
import { refuseImpossiblePin } from './early-pin-check.js';
import { LastError, RetCode, wrongPinLastError } from './codes.js';
import type { ShownCard, ShownSnapshot } from './shown-cards.js';
import type { SignRequest } from './sign-request.js';
import { CARD_DID_NOT_ANSWER, cardDidNotAnswer } from './silent-card.js';
import { pcscServiceGone } from './pcsc-service.js';
import { certificateHash, readAndKeep, type WarmCardCache } from './warm-card-cache.js';
import { triesLeft } from '../shared/tries-left.js';

/** The `/sign` answer. */
export interface SignResponse {
  /** Always `sign`. */
  func: 'sign';
  /** A {@link RetCode} value; `0` on success. */
  ret_code: number;
  /** A {@link LastError} value giving the failure detail (PIN errors); `0` on success. */
  last_error: number;
  /** Failure description; empty on success. */
  message: string;
  /** Always empty (kept for pages that read it). */
  message2: string;
  /** Base64 of the PKCS#1 signature or of the DER CMS SignedData, per the request's `signatureType`; empty on failure. */
  signature: string;
  /** Base64 DER of the signing certificate; empty on failure. */
  certb64: string;
  /** The card number when the request asked `withCardSN`, otherwise empty. */
  cardSN: string;
  /** Version string of this agent. */
  version: string;
}

/** Options of {@link makeSignature}. */
export interface MakeSignatureOptions {
  /** Clock for the validity check and the signingTime attribute. */
  now: () => Date;
  /** Version string put in every answer. */
  version: string;
  /** Accept `hashAlgorithm: SHA1`. */
  allowSha1: boolean;
  /**
   * Keep the card layer's last-try guard (refuse a VERIFY when one try is
   * left). Off in the agent by default: the PIN is the user's own attempt
   * and the page has already warned them.
   */
  guardLastTry: boolean;
  /** What the agent keeps per reader while the card stays in. */
  cache?: WarmCardCache;
  /**
   * The cards the caller's last `/pkcs11info` answer showed, per reader, when the request arrived: the PIN was
   * typed for one of them. The card in the reader must be the one shown there, or, when none was shown there
   * (a reader shown empty, renamed, or not named by the request), one shown in another reader; else the signature
   * is refused before the PIN is sent and `refused` records the card now in the reader.
   */
  shown?: { readonly cards: ShownSnapshot; readonly refused: (reader: string, card: ShownCard) => void };
}

/**
 * The answer to a `/sign` whose card is not the one the page was shown: 未插入IC卡, as when the card the page
 * read was pulled (which it was), so pages ask for the card and read it again; no `last_error`, since no PIN was
 * tried. Given once per change: the next `/sign` goes to the card now in the reader (see `refuseSwapped`).
 */
const SWAPPED_CARD_MESSAGE = 'the card in the reader changed since the page read it: no PIN was sent; check the card, then try again';

/** A refusal that becomes one official `ret_code`/`last_error` pair. */
class SignRefusal extends Error {
  public constructor(
    public readonly retCode: number,
    public readonly lastError: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * A refused `/sign`: every field of a signing answer present, the signature,
 * certificate and card number empty, as pages read them (a page that reads
 * `certb64` of a refusal gets `""`, not `undefined`).
 */
export function signFailure(retCode: number, lastError: number, message: string, version: string): SignResponse {
  return { func: 'sign', ret_code: retCode, last_error: lastError, message, message2: '', signature: '', certb64: '', cardSN: '', version };
}

function signingCertificate(info: HiCOSCardInfo): CardCertificate {
  const cert = info.certificates.find((c) => c.usage === 'SIGN');
  if (!cert) throw new SignRefusal(RetCode.CERT_NOT_FOUND, LastError.NONE, 'the card has no signing certificate');
  return cert;
}

/** Whether `signature` (PKCS#1 v1.5 over `data`) was made by the key of `certificate`. */
function madeBy(certificate: Uint8Array, data: Uint8Array, hash: string, signature: Uint8Array): boolean {
  try {
    return verify(hash, data, new X509Certificate(certificate).publicKey, signature);
  } catch {
    return false;
  }
}

/**
 * Signs on the card. With a warm entry the card's identity is confirmed
 * before it is reused: the card number read in this session must match, and
 * the card's signature must verify under the kept certificate's key; on any
 * mismatch the entry is dropped and the certificates are read again.
 */
async function signOnCard(card: HiCOSCard, slot: SlotInfo, request: SignRequest, options: MakeSignatureOptions): Promise<SignResponse> {
  const cache = options.cache;
  const reader = slot.description;
  // The cards the PIN may have been typed for: the one shown in this reader, else any the caller was shown.
  const shownHere = options.shown?.cards.get(reader);
  const candidates = shownHere ? [shownHere] : [...(options.shown?.cards.values() ?? [])];
  const checked = candidates.length > 0;
  let warm = cache?.get(reader, slot.presence);
  // The card number is read once per session (info() below reuses it), so reading it first costs no APDU and
  // refuses another card before its certificates are read.
  const cardNumber = warm || checked ? await card.cardNumber() : undefined;
  if (warm && !cache!.confirm(reader, warm, { cardNumber: cardNumber! })) warm = undefined;
  // A card without a card number ('') is not told from another such card by it: its kept certificates are not
  // confirmed by anything read now, so they are read again (info() below; the PIN operation then reads none) and the
  // check below compares what the card holds, not what was kept.
  if (warm && cardNumber === '') {
    cache!.drop(reader);
    warm = undefined;
  }
  const expected = candidates.find((c) => c.cardNumber === cardNumber);
  if (checked && expected === undefined) {
    // The refusal records the card as the one the page now expects. A card number alone is enough to tell a card
    // by, but '' is every such card's: without its certificates the record would let any card without a number
    // through at the next /sign. Reading them costs no PIN try.
    refuseSwapped(options, reader, cardNumber === '' ? { cardNumber: '', certificateHash: certificateHash(await card.info()) } : { cardNumber: cardNumber! });
  }
  // A read is not kept when the agent learnt of a reader event while it ran (see readAndKeep).
  let info = warm?.info ?? (cache ? await readAndKeep(cache, reader, slot.presence, () => card.info()) : await card.info());
  // The same number with other certificates: not the card the page showed either (a card number reused by a test
  // card, or certificates written since). Warm, the kept certificates are the ones the card number confirmed.
  if (expected?.certificateHash !== undefined) {
    const hash = warm?.certificateHash ?? certificateHash(info);
    if (hash !== expected.certificateHash) refuseSwapped(options, reader, { cardNumber: info.cardNumber, certificateHash: hash });
  }

  const now = options.now();
  const checkValidity = (cert: CardCertificate): void => {
    const { notBefore, notAfter } = parseCertificate(cert.der).validity;
    if (now.getTime() < notBefore.getTime()) throw new SignRefusal(RetCode.CERT_NOT_YET_VALID, LastError.NONE, 'the signing certificate is not yet valid');
    if (now.getTime() > notAfter.getTime()) throw new SignRefusal(RetCode.CARD_EXPIRED, LastError.NONE, 'the signing certificate has expired');
  };
  let signCert = signingCertificate(info);
  checkValidity(signCert);

  // The PIN travels only inside the card layer, which zeroes its own copies.
  // SHA-1 was checked against the agent's own allowSha1 before: the card layer takes that decision as given.
  const signOptions = { hash: request.hash, pin: request.pin, allowLastTry: !options.guardLastTry, allowSha1: options.allowSha1 } as const;
  let signedBytes: Uint8Array | undefined;
  let cardSignature: Uint8Array | undefined;
  const cardSign = async (data: Uint8Array): Promise<Uint8Array> => {
    signedBytes = data;
    cardSignature = await card.sign(data, signOptions);
    return cardSignature;
  };
  const cms = (certificate: Uint8Array, sign: (data: Uint8Array) => Promise<Uint8Array>): Promise<Uint8Array> =>
    buildCmsSignature({
      content: request.tbs,
      certificate,
      hash: request.hash,
      signingTime: now,
      // A card without a card number signs no empty attribute: the attribute is left out, as without withCardSN.
      cardNumber: request.withCardSN && info.cardNumber !== '' ? info.cardNumber : undefined,
      nonce: request.nonce,
      sign,
    });
  let signature = request.signatureType === 'PKCS1' ? await cardSign(request.tbs) : await cms(signCert.der, cardSign);

  if (warm && signedBytes && cardSignature && !madeBy(signCert.der, signedBytes, request.hash, cardSignature)) {
    // The kept certificate is not this card's (an event was missed): read the card again.
    cache!.drop(slot.description);
    info = await card.info();
    const fresh = signingCertificate(info);
    if (certificateHash(info) !== warm.certificateHash) cache?.put(slot.description, slot.presence, info);
    if (!madeBy(fresh.der, signedBytes, request.hash, cardSignature)) {
      throw new SignRefusal(RetCode.SIGN_FAILED, LastError.FUNCTION_FAILED, 'the card signature does not match its certificate');
    }
    signCert = fresh;
    checkValidity(signCert);
    const made = cardSignature;
    // The signed attributes do not depend on the certificate, so the card's signature stands.
    if (request.signatureType === 'PKCS7') signature = await cms(signCert.der, () => Promise.resolve(made));
  }
  return {
    func: 'sign',
    ret_code: RetCode.OK,
    last_error: LastError.NONE,
    message: '',
    message2: '',
    signature: Buffer.from(signature).toString('base64'),
    certb64: Buffer.from(signCert.der).toString('base64'),
    cardSN: request.withCardSN ? info.cardNumber : '',
    version: options.version,
  };
}

/** Refuses a card the caller was not shown, once: the card is recorded as the one the page now expects. */
function refuseSwapped(options: MakeSignatureOptions, reader: string, card: ShownCard): never {
  options.shown?.refused(reader, card);
  throw new SignRefusal(RetCode.NO_CARD, LastError.NONE, SWAPPED_CARD_MESSAGE);
}

/** Picks the reader: the named one, or the first holding a card. */
function pickSlot(list: readonly SlotInfo[], slotDescription: string | undefined): SlotInfo {
  if (list.length === 0) throw new SignRefusal(RetCode.NO_READER, LastError.NONE, 'no card reader is attached');
  const candidates = slotDescription === undefined ? list : list.filter((s) => s.description === slotDescription);
  if (candidates.length === 0) throw new SignRefusal(RetCode.NO_READER, LastError.NONE, 'no reader has the requested slotDescription');
  const slot = candidates.find((s) => s.cardPresent);
  if (!slot) throw new SignRefusal(RetCode.NO_CARD, LastError.NONE, 'no card in the reader');
  return slot;
}

/**
 * Signs a parsed request with the card in the requested (or first occupied)
 * slot. Every failure is answered with the official `ret_code`/`last_error`
 * pair pages decode; the PIN is zeroed when this returns.
 */
export async function makeSignature(slots: CardSlots, request: SignRequest, options: MakeSignatureOptions): Promise<SignResponse> {
  let slot: SlotInfo | undefined;
  try {
    if (request.hash === 'sha1' && !options.allowSha1) {
      throw new SignRefusal(RetCode.BAD_PARAMETER, LastError.NONE, 'SHA1 signatures are disabled on this agent');
    }
    if (request.pin.length === 0) throw new SignRefusal(RetCode.NO_PIN, LastError.NONE, 'no PIN was entered');
    slot = pickSlot(await slots.list(), request.slotDescription);
    // After the reader and card are found (no APDU so far), before the card is opened: a PIN the card layer would
    // refuse unsent is refused here with the same error, and the card is not opened and read for nothing.
    refuseImpossiblePin(slots, request.pin);
    const chosen = slot;
    return await slots.withCard(chosen, (card) => signOnCard(card, chosen, request, options));
  } catch (error) {
    // A failure may mean the card changed under us: keep nothing about it. PIN refusals say nothing of that.
    if (slot && !isPinRefusal(error) && !(error instanceof SignRefusal)) options.cache?.drop(slot.description);
    return failureFor(error, options.version);
  } finally {
    request.pin.fill(0);
  }
}

function isPinRefusal(error: unknown): boolean {
  return error instanceof HiCOSError && (error instanceof PinRejectedError || error.code === 'INVALID_PIN_FORMAT' || error.code === 'LAST_TRY_GUARD');
}

/** The official pair for a PIN the card layer refused unsent, by the rule that refused it. */
function pinFormatFailure(error: HiCOSError, version: string): SignResponse {
  const rule = error instanceof InvalidPinFormatError ? error.rule : 'characters';
  if (rule === 'length') return signFailure(RetCode.CARD_LOGIN_FAILED, LastError.PIN_LEN_RANGE, 'the PIN must be 6 to 8 characters', version);
  if (rule === 'date-shaped') {
    return signFailure(RetCode.PIN_FORMAT, LastError.NONE, 'the PIN is typed as a date: type its digits only (the default PIN is the 民國 birth date as YYMMDD)', version);
  }
  return signFailure(RetCode.PIN_FORMAT, LastError.NONE, 'the PIN has characters a PIN cannot have', version);
}

/** The official pair for a failure. */
export function failureFor(error: unknown, version: string): SignResponse {
  if (error instanceof SignRefusal) return signFailure(error.retCode, error.lastError, error.message, version);
  if (error instanceof PinRejectedError) {
    if (error.code === 'PIN_LOCKED') return signFailure(RetCode.CARD_LOGIN_FAILED, LastError.PIN_LOCKED, 'the card is locked', version);
    return signFailure(RetCode.CARD_LOGIN_FAILED, wrongPinLastError(error.retriesLeft), `wrong PIN, ${triesLeft(error.retriesLeft)}`, version);
  }
  if (error instanceof HiCOSError) {
    switch (error.code) {
      case 'INVALID_PIN_FORMAT':
        return pinFormatFailure(error, version);
      case 'LAST_TRY_GUARD':
        return signFailure(RetCode.CARD_LOGIN_FAILED, LastError.PIN_INCORRECT_1_LEFT, 'one try left: the agent will not risk locking the card', version);
      case 'KEY_NOT_FOUND':
        return signFailure(RetCode.KEY_NOT_FOUND, LastError.NONE, error.message, version);
      case 'NOT_HICOS':
        return signFailure(RetCode.EXECUTION_ERROR, LastError.FUNCTION_FAILED, error.message, version);
      default:
        return signFailure(RetCode.SIGN_FAILED, LastError.FUNCTION_FAILED, error.message, version);
    }
  }
  // 執行檔錯誤或逾時 is the official code for a timeout; the message says what the user can do about it. last_error
  // stays clear of the PIN codes: whether the card counted a PIN it never answered is unknown.
  if (cardDidNotAnswer(error)) return signFailure(RetCode.EXECUTION_ERROR, LastError.FUNCTION_FAILED, CARD_DID_NOT_ANSWER, version);
  if (error instanceof PcscError) {
    if (error.code === 'CARD_REMOVED' || error.code === 'NO_CARD') return signFailure(RetCode.NO_CARD, LastError.NONE, 'the card was removed', version);
    // Still held after the agent's wait: the message names the cause, which 0x7600000D (執行檔錯誤或逾時) cannot.
    if (error.code === 'SHARING_VIOLATION') return signFailure(RetCode.EXECUTION_ERROR, LastError.FUNCTION_FAILED, 'the card is in use by another program', version);
    // pcscd stopped, restarting or not answering: no reader can be used until it is back.
    if (error.code === 'NO_READER' || error.code === 'UNKNOWN_READER' || error.code === 'READER_UNAVAILABLE' || pcscServiceGone(error)) {
      return signFailure(RetCode.NO_READER, LastError.NONE, 'the card reader is not available', version);
    }
  }
  const message = error instanceof Error ? error.message : 'signing failed';
  return signFailure(RetCode.EXECUTION_ERROR, LastError.FUNCTION_FAILED, message, version);
}
