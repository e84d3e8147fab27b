import type { Transport } from '../pcsc/transport.js';
import { readCardNumber, readCertificates, readPrivateKeys, readVersion } from './card-directory.js';
import { type CardState, CardSession } from './card-session.js';
import type {
  AfterPin,
  CardCertificate,
  CardPrivateKey,
  DecryptOptions,
  HiCOSCardInfo,
  HiCOSCardOptions,
  PinOptions,
  PinStatus,
  SignOptions,
} from './card-types.js';
import { HiCOSError } from './errors.js';
import type { HiCOSGeneration } from './generation.js';
import { runKeyOperation } from './key-operations.js';
import { recogniseAtr } from './known-atrs.js';
import { pkcs1SignatureBlock, removePkcs1Type2Padding } from './pkcs1/encryption-block.js';
import { checkSignatureHash, digest, digestInfo } from './pkcs1/signature-hash.js';
import { resolveAfterPin } from './pin/after-pin.js';
import { resolvePinPolicy } from './pin/pin-policy.js';
import { PinPresenter } from './pin/pin-presenter.js';
import { defaultRetryCounterStore } from './pin/retry-counter-store.js';
import type { PinVerifyResult } from './pin/verify-status.js';
import { describeValue } from '../shared/describe-value.js';
import { optionsKindProblem, unknownOptionProblem } from '../shared/option-names.js';
import { RSA_BLOCK } from './raw-rsa-operation.js';

/**
 * A HiCOS card (MOICA, GCA, XCA, MOEACA) on any {@link Transport}.
 *
 * Reads are cached per card session (transport epoch) and use the fewest
 * APDUs the card allows; a reset or re-insertion drops the cache. PINs are
 * validated locally before any APDU, copied into Buffers that are zeroed
 * after use, and never logged or put in errors. The SDK never sends a VERIFY
 * the caller did not ask for. On Gen2, no plain command is sent while a
 * secure session may be open (the applet is re-selected first).
 *
 * One `HiCOSCard` per transport: the card keeps one selected file and (Gen2)
 * one secure session per channel, so a second object on the same transport
 * (or two programs sharing a reader) would select under the first one's feet
 * and see 6A82/6985 answers. Open a second transport for a second user.
 *
 * This class is the façade: directory reads live in `card-directory`, the
 * PIN in `pin/pin-presenter`, the Gen2 channel in
 * `secure-channel/gen2-channel`, key operations in `key-operations`.
 */
export class HiCOSCard {
  private constructor(
    private readonly session: CardSession,
    private readonly pins: PinPresenter,
    private readonly options: HiCOSCardOptions,
  ) {}

  /**
   * Detects the generation (one APDU on Gen2, two on Gen1) and returns the card.
   * @throws NotHiCOSCardError when the card answers neither entry command
   * @throws HiCOSError `INVALID_CARD_INPUT` when `transport` is not a {@link Transport}, `options` not an object or
   *   with a name that is no option, `retryStore` not a {@link RetryCounterStore} (`get`, `set`, `delete`), or `pinTryLimit` not a whole number
   *   from 2 to 15 (checked before any APDU)
   */
  public static async open(transport: Transport, options: HiCOSCardOptions = {}): Promise<HiCOSCard> {
    const t = transport as Partial<Transport> | null | undefined;
    if (typeof t !== 'object' || t === null || typeof t.transmit !== 'function') {
      throw new HiCOSError('INVALID_CARD_INPUT', 'HiCOSCard.open needs a Transport (a PcscSession, or EmulatorReader.connect())');
    }
    checkCardOptions('HiCOSCard.open', options);
    const pins = new PinPresenter(resolvePinPolicy(options.pinPolicy), options.retryStore ?? defaultRetryCounterStore, tryLimitOf(options.pinTryLimit));
    const session = await CardSession.open(transport, options.scp03 ?? {});
    return new HiCOSCard(session, pins, options);
  }

  /** Generation detected at open (or after the last reset). */
  public get generation(): HiCOSGeneration {
    return this.session.generation;
  }

  /**
   * Last retry count the card reported for this card (from `63Cx`, `6983`
   * or a success), or `undefined` when unknown. HiCOS has no confirmed way
   * to read the counter without presenting a PIN. A VERIFY that may have
   * cost a try without the card counting it out (a bare `6300`, or no
   * answer: card pulled, timeout) steps a known count down by one, never
   * below 1, so the last-try guard is never a try behind the card. Counts
   * are kept per card number in the retry store, so this is known once any
   * call has read the card number in the current card session. A card
   * without a card number (EF `0900/0903` not found, or blank) is counted by
   * a digest of its SIGN certificate instead: known once a call has read
   * that certificate too (any PIN operation on it does, and `info()`).
   */
  public get lastKnownRetries(): number | undefined {
    return this.pins.lastKnown(this.session.knownPinCardKey);
  }

  /**
   * Whether this object presented a PIN to a Gen1 card in the current card session (since open or the last
   * reset) and the card may still be PIN-verified: it answered `9000`, or no answer came back. A Gen1 card keeps
   * that state for every connection until it is reset or removed, so any program that connects next (shared
   * mode) could sign without the PIN. End it with the session: `session.disconnect(card.releaseDisposition())`,
   * which resets the card when this is `true`.
   *
   * Always `false` on Gen2: the applet verifies inside an SCP03 session whose keys only this host holds, and
   * opening another session or selecting the applet ends the verification, so no other connection can use it.
   * `false` again once the transport reports that it reset the card or a new one was inserted (`cardResets`). A
   * reconnect that leaves the card (`PcscSession.reconnect()`) does not end it: the card may still be verified,
   * and the session must still end with the reset. Over a transport that does not count resets it stays `true`
   * until the session ends.
   */
  public get pinVerifiedOnCard(): boolean {
    return this.session.pinVerifiedOnCard;
  }

  /**
   * How to end the transport's session so that no PIN-verified state this object created outlives it: `'reset'`
   * when {@link HiCOSCard.pinVerifiedOnCard} and `afterPin` is `'reset'` (the default), else `'leave'`. Pass it to
   * `PcscSession.disconnect` / `EmulatorSession.disconnect`.
   * @param afterPin `'leave'` keeps the card verified for other programs until it is reset or removed
   */
  public releaseDisposition(afterPin: AfterPin = 'reset'): 'reset' | 'leave' {
    return resolveAfterPin(afterPin) === 'reset' && this.pinVerifiedOnCard ? 'reset' : 'leave';
  }

  /**
   * Generation, card number, version and certificates (cached per card session). A card without a card-number file,
   * or with a blank one (no bytes, or every byte `00`, or every byte `FF`), reports `cardNumber: ''`, as it reports
   * a missing version.
   */
  public info(): Promise<HiCOSCardInfo> {
    return this.session.run('reading card information', async (tx, state) => {
      const cardNumber = await readCardNumber(tx, state);
      const version = await readVersion(tx, state);
      const certificates = await readCertificates(tx, state);
      return {
        readerName: tx.readerName,
        atr: Uint8Array.from(tx.atr),
        knownAtr: recogniseAtr(tx.atr),
        generation: state.generation,
        cardNumber,
        version,
        certificates,
      };
    });
  }

  /**
   * The card number (卡號); `''` when the card says it has no card-number file (EF `0900/0903` not found) or the file
   * is blank (no bytes, or every byte `00`, or every byte `FF`), neither documented never to happen. Any other
   * failure to read it, content that is neither blank nor printable ASCII included, throws.
   */
  public cardNumber(): Promise<string> {
    return this.session.run('reading the card number', readCardNumber);
  }

  /** Certificates on the card, in CDF order. */
  public certificates(): Promise<readonly CardCertificate[]> {
    return this.session.run('reading certificates', readCertificates);
  }

  /** Private keys listed in the PrKDF (key references and sizes). */
  public privateKeys(): Promise<readonly CardPrivateKey[]> {
    return this.session.run('reading the private-key directory', readPrivateKeys);
  }

  /**
   * Presents the user PIN. Malformed PINs are refused before any APDU; when
   * the last known count is 1 the call is refused unless `allowLastTry`.
   * A card known to be locked is still asked (it answers `6983` at no cost,
   * and may have been unblocked since). On Gen2 this opens an SCP03 session
   * (after reading the PrKDF, so no plain read has to end it) that the next
   * `sign`/`decrypt` without a PIN may use while the card stays powered.
   */
  public async verifyPin(pin: string | Uint8Array, options: PinOptions = {}): Promise<PinVerifyResult> {
    const buffer = this.pins.checkedPin(pin);
    try {
      return await this.session.run('verifying the PIN', async (tx, state) => {
        if (state.channel) await preloadPrivateKeys(tx, state);
        return (await this.pins.present(tx, state, buffer, options)).result;
      });
    } finally {
      buffer.fill(0);
    }
  }

  /**
   * Signs `data`: hashes it, builds the PKCS#1 v1.5 block with DigestInfo
   * and runs the card's raw private-key operation with the SIGN key.
   * @returns the 256-byte signature
   */
  public async sign(data: Uint8Array, options: SignOptions = {}): Promise<Uint8Array> {
    const hash = checkSignatureHash(options.hash ?? 'sha256', this.options.allowSha1 === true || options.allowSha1 === true);
    if (!(data instanceof Uint8Array)) throw new HiCOSError('INVALID_CARD_INPUT', 'data to sign must be bytes');
    const block = pkcs1SignatureBlock(digestInfo(hash, digest(hash, data)), RSA_BLOCK);
    return this.keyOperation('signing', block, options.key ?? 'SIGN', options);
  }

  /**
   * Decrypts an RSA-2048 PKCS#1 v1.5 ciphertext with the KEYX key (the card
   * does the raw operation, the host strips the type-2 padding).
   */
  public async decrypt(ciphertext: Uint8Array, options: DecryptOptions = {}): Promise<Uint8Array> {
    if (!(ciphertext instanceof Uint8Array) || ciphertext.length !== RSA_BLOCK) {
      throw new HiCOSError('INVALID_CARD_INPUT', `ciphertext must be ${RSA_BLOCK} bytes`);
    }
    const raw = await this.keyOperation('decrypting', ciphertext, options.key ?? 'KEYX', options);
    try {
      return removePkcs1Type2Padding(raw);
    } finally {
      raw.fill(0);
    }
  }

  /**
   * Opt-in ISO 7816-4 probe: VERIFY with no data, which on cards that
   * support it reports the retry counter without using a try. Unconfirmed
   * on HiCOS; needs `enableStatusProbe: true` and is never sent otherwise.
   * A card that does not know the probe may take it for a wrong PIN, so it
   * is guarded like one: at one try left it needs `allowLastTry`.
   * @throws LastTryGuardError when the last known count is 1 and `allowLastTry` is not set
   */
  public probePinStatus(options: PinOptions = {}): Promise<PinStatus> {
    if (this.options.enableStatusProbe !== true) {
      return Promise.reject(new HiCOSError('PROBE_DISABLED', 'the VERIFY status probe is off (enable it with enableStatusProbe: true)'));
    }
    return this.session.run('probing the PIN status', (tx, state) => this.pins.probe(tx, state, options));
  }

  private async keyOperation(
    step: string,
    block: Uint8Array,
    keyName: 'SIGN' | 'KEYX',
    options: { pin?: string | Uint8Array; allowLastTry?: boolean },
  ): Promise<Uint8Array> {
    const pin = options.pin === undefined ? undefined : this.pins.checkedPin(options.pin);
    try {
      return await this.session.run(step, (tx, state) =>
        runKeyOperation(tx, state, this.pins, { keyName, block, pin, allowLastTry: options.allowLastTry }),
      );
    } finally {
      pin?.fill(0);
    }
  }
}

/**
 * Gen2: reads the PrKDF before a channel opens, so a later key operation
 * needs no plain read (which would end the channel). Best effort: a card
 * whose PrKDF cannot be read can still have its PIN verified.
 */
async function preloadPrivateKeys(tx: Transport, state: CardState): Promise<void> {
  try {
    await readPrivateKeys(tx, state);
  } catch (error) {
    if (!(error instanceof HiCOSError)) throw error;
    state.files.forget();
  }
}

/** The names of {@link HiCOSCardOptions}; a Record so that an option added there and not here fails to compile. */
const OPEN_OPTIONS: Record<keyof HiCOSCardOptions, true> = { pinPolicy: true, retryStore: true, pinTryLimit: true, scp03: true, allowSha1: true, enableStatusProbe: true };

/**
 * Refuses options the card could not use, before any APDU. A store that lacks `set` would fail only after a VERIFY
 * went out, with the card's count unrecorded: the last-try guard would then not know the try was spent. The
 * agent's card slots check the options they open every card with when they are made (`where` names them), so a
 * mistake stops the agent's start rather than failing every page's request.
 * @param hint said after the list of option names.
 * @throws HiCOSError `INVALID_CARD_INPUT` naming `where` and the option.
 * @internal
 */
export function checkCardOptions(where: string, options: unknown, hint?: string): void {
  // A misspelt name was dropped for its default: `retryCounterStore` left the process's own store in place of the
  // file the caller meant, and with it the last-try guard across processes.
  const problem = optionsKindProblem(options) ?? unknownOptionProblem(options as object, OPEN_OPTIONS, hint);
  if (problem !== undefined) throw new HiCOSError('INVALID_CARD_INPUT', `${where}: ${problem}`);
  const store = (options as { retryStore?: unknown }).retryStore;
  if (store === undefined) return;
  const methods = store as { get?: unknown; set?: unknown; delete?: unknown } | null;
  if (typeof methods?.get !== 'function' || typeof methods.set !== 'function' || typeof methods.delete !== 'function') {
    throw new HiCOSError(
      'INVALID_CARD_INPUT',
      `${where}: retryStore must be a RetryCounterStore (new FileRetryCounterStore(path), or one with get, set and delete), not ${describeValue(store)}`,
    );
  }
}

/**
 * The tries a correct PIN restores, checked before anything is sent: it is what the store records after a
 * success, and a count no card can report (`63Cx` carries 0–15) would fail a correct PIN after its VERIFY, or
 * (1) make the guard stop every next VERIFY.
 */
function tryLimitOf(value: unknown): number {
  if (value === undefined) return 3;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 2 || value > 15) {
    throw new HiCOSError('INVALID_CARD_INPUT', `pinTryLimit must be a whole number from 2 to 15 (MOICA cards: 3), not ${describeValue(value)}`);
  }
  return value;
}
