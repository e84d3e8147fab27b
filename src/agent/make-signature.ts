import { HiCOSError, PinRejectedError, type HiCOSCard } from '../apdu/index.js';
import { parseCertificate } from '../cert/index.js';
import type { CardSlots, SlotInfo } from './card-slots.js';
import { buildCmsSignature } from './cms-signature.js';
import { LastError, RetCode, wrongPinLastError } from './codes.js';
import type { SignRequest } from './sign-request.js';

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

function failure(retCode: number, lastError: number, message: string, version: string): SignResponse {
  return { func: 'sign', ret_code: retCode, last_error: lastError, message, message2: '', signature: '', certb64: '', cardSN: '', version };
}

async function signOnCard(card: HiCOSCard, request: SignRequest, options: MakeSignatureOptions): Promise<SignResponse> {
  const info = await card.info();
  const signCert = info.certificates.find((c) => c.usage === 'SIGN');
  if (!signCert) return failure(RetCode.EXECUTION_ERROR, LastError.FUNCTION_FAILED, 'the card has no signing certificate', options.version);
  const profile = parseCertificate(signCert.der);
  if (profile.validity.notAfter.getTime() < options.now().getTime()) {
    return failure(RetCode.CARD_EXPIRED, LastError.FUNCTION_FAILED, 'the signing certificate has expired', options.version);
  }
  // The PIN travels only inside the card layer, which zeroes its own copies.
  const signOptions = { hash: request.hash, pin: request.pin } as const;
  const signature =
    request.signatureType === 'PKCS1'
      ? await card.sign(request.tbs, signOptions)
      : await buildCmsSignature({
          content: request.tbs,
          certificate: signCert.der,
          hash: request.hash,
          signingTime: options.now(),
          cardNumber: request.withCardSN ? info.cardNumber : undefined,
          nonce: request.nonce,
          sign: (attrs) => card.sign(attrs, signOptions),
        });
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

/** Options of {@link makeSignature}. */
export interface MakeSignatureOptions {
  now: () => Date;
  version: string;
  allowSha1: boolean;
}

/** Signs a parsed request with the card in the requested (or first occupied) slot. */
export async function makeSignature(slots: CardSlots, request: SignRequest, options: MakeSignatureOptions): Promise<SignResponse> {
  try {
    if (request.hash === 'sha1' && !options.allowSha1) {
      return failure(RetCode.EXECUTION_ERROR, LastError.FUNCTION_FAILED, 'SHA1 signatures are disabled on this agent', options.version);
    }
    const list = await slots.list();
    const slot: SlotInfo | undefined = list.find((s) => s.cardPresent && (request.slotDescription === undefined || s.description === request.slotDescription));
    if (!slot) return failure(RetCode.EXECUTION_ERROR, LastError.FUNCTION_FAILED, 'no card in the reader', options.version);
    return await slots.withCard(slot, (card) => signOnCard(card, request, options));
  } catch (error) {
    return failureFor(error, options.version);
  } finally {
    request.pin.fill(0);
  }
}

function failureFor(error: unknown, version: string): SignResponse {
  if (error instanceof PinRejectedError) {
    if (error.code === 'PIN_LOCKED') return failure(RetCode.EXECUTION_ERROR, LastError.PIN_LOCKED, 'the card is locked', version);
    return failure(RetCode.EXECUTION_ERROR, wrongPinLastError(error.retriesLeft), `wrong PIN, ${error.retriesLeft} tries left`, version);
  }
  if (error instanceof HiCOSError) {
    if (error.code === 'INVALID_PIN_FORMAT') {
      return failure(RetCode.EXECUTION_ERROR, LastError.PIN_LEN_RANGE, 'the PIN must be 6 to 8 characters', version);
    }
    if (error.code === 'LAST_TRY_GUARD') {
      return failure(RetCode.EXECUTION_ERROR, LastError.PIN_INCORRECT_1_LEFT, 'one try left: the agent will not risk locking the card', version);
    }
  }
  const message = error instanceof Error ? error.message : 'signing failed';
  return failure(RetCode.EXECUTION_ERROR, LastError.FUNCTION_FAILED, message, version);
}
