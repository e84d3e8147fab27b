import type { Transport } from '../pcsc/transport.js';
import { TwpkiError } from '../shared/twpki-error.js';
import { CARD_NUMBER_PATH, type FileId, HicosFile, VERSION_PATH } from './commands/file-id.js';
import { READ_CHUNK } from './commands/read-binary.js';
import { selectGen2Applet } from './commands/select.js';
import { verifyStatusProbe } from './commands/verify.js';
import { exchange, statusError } from './card-io.js';
import { diversifyHicosStaticKeys } from './crypto/hicos-static-keys.js';
import { detectGeneration } from './detect-generation.js';
import { HicosError, LastTryGuardError, MalformedResponseError, PinRejectedError } from './errors.js';
import { FileReader } from './file-reader.js';
import { fileCla, type HicosGeneration } from './generation.js';
import { type KnownAtr, recogniseAtr } from './known-atrs.js';
import { pkcs1SignatureBlock, removePkcs1Type2Padding } from './pkcs1/encryption-block.js';
import { checkSignatureHash, digest, digestInfo, type SignatureHash } from './pkcs1/signature-hash.js';
import { type PinPolicy, pinToBuffer, resolvePinPolicy, validatePin } from './pin/pin-policy.js';
import { presentPinGen1, presentPinGen2 } from './pin/present-pin.js';
import { defaultRetryCounterStore, type RetryCounterStore } from './pin/retry-counter-store.js';
import type { PinVerifyResult } from './pin/verify-status.js';
import { Asn1ShapeError } from './pkcs15/asn1-reader.js';
import { type CertificateDirectoryEntry, parseCertificateRecord } from './pkcs15/certificate-directory.js';
import { type CertificateUsage, certificateUsage } from './pkcs15/certificate-usage.js';
import { parsePrivateKeyRecord, type PrivateKeyDirectoryEntry } from './pkcs15/private-key-directory.js';
import { RSA_BLOCK, rawRsaOperation } from './raw-rsa-operation.js';
import { openScp03, readGen2CardId } from './secure-channel/open-scp03.js';
import type { Scp03Options } from './secure-channel/scp03-options.js';
import type { Scp03Session } from './secure-channel/scp03-session.js';

/** Options of {@link HiCOSCard.open}; fixed for the card object's life. */
export interface HicosCardOptions {
  /** Local PIN rules (default 6–8 printable ASCII characters). */
  pinPolicy?: Partial<PinPolicy>;
  /** Where last known retry counts live (default: one store per process). */
  retryStore?: RetryCounterStore;
  /**
   * Tries a correct PIN restores (default 3, MOICA's limit). The card does
   * not report it; it is what `lastKnownRetries` shows after a success.
   */
  pinTryLimit?: number;
  /** Gen2 secure-channel choices the public captures leave open. */
  scp03?: Scp03Options;
  /** Allow SHA-1 signatures (off by default). */
  allowSha1?: boolean;
  /**
   * Allow {@link HiCOSCard.probePinStatus}, the ISO "VERIFY with no data"
   * probe. Off by default: unconfirmed on HiCOS, and MOICA warns that
   * unofficial PIN handling can lock cards.
   */
  enableStatusProbe?: boolean;
}

/** A certificate stored on the card. */
export interface CardCertificate {
  /** CDF label (`cert1`, `cert2`, `CACert`, …). */
  readonly label: string;
  /** CDF iD as lower-case hex (`5349474e` = `SIGN`). */
  readonly id: string;
  /** What the certificate is for. */
  readonly usage: CertificateUsage;
  /** The DER certificate. */
  readonly der: Uint8Array;
}

/** A private key the card holds, from the PrKDF. */
export interface CardPrivateKey {
  /** PrKDF label. */
  readonly label: string;
  /** iD as lower-case hex; equals its certificate's iD. */
  readonly id: string;
  /** SIGN / KEYX by iD, else OTHER. */
  readonly usage: CertificateUsage;
  /** Key reference sent in P2 of EA. */
  readonly keyRef: number;
  /** Modulus size in bits. */
  readonly modulusBits: number;
}

/** What {@link HiCOSCard.info} reports; none of it needs a PIN. */
export interface HicosCardInfo {
  /** Reader name. */
  readonly readerName: string;
  /** Answer-to-reset. */
  readonly atr: Uint8Array;
  /** Entry of the known-ATR list, when the ATR is listed. */
  readonly knownAtr: KnownAtr | undefined;
  /** Card generation. */
  readonly generation: HicosGeneration;
  /** 卡號: 16 ASCII characters from EF `0900/0903`. */
  readonly cardNumber: string;
  /** Version string from EF `0905` (e.g. `CHT V32N`). */
  readonly version: string;
  /** Certificates in CDF order. */
  readonly certificates: readonly CardCertificate[];
}

/** Options of PIN-presenting calls. */
export interface PinOptions {
  /**
   * Send the VERIFY even though the last known count is 1 (a wrong PIN then
   * locks the card). Default `false`: the SDK refuses with `LAST_TRY_GUARD`.
   */
  allowLastTry?: boolean;
}

/** Options of {@link HiCOSCard.sign}. */
export interface SignOptions extends PinOptions {
  /** Hash of the data (default `sha256`). */
  hash?: SignatureHash;
  /**
   * PIN to verify in the same transaction. Gen2 always needs it unless this
   * object verified the PIN over a channel that is still open; Gen1 uses the
   * card's security state otherwise.
   */
  pin?: string | Uint8Array;
  /** Key to use (default `SIGN`). */
  key?: 'SIGN' | 'KEYX';
}

/** Options of {@link HiCOSCard.decrypt}. */
export interface DecryptOptions extends PinOptions {
  /** PIN to verify first (see {@link SignOptions.pin}). */
  pin?: string | Uint8Array;
  /** Key to use (default `KEYX`). */
  key?: 'SIGN' | 'KEYX';
}

/** Result of the opt-in retry-counter probe. */
export interface PinStatus {
  /** The card answered `9000`: the PIN is verified in the current security state. */
  readonly verified: boolean;
  /** Tries left, when the card reported them (`63Cx`). */
  readonly retriesLeft: number | undefined;
  /** The card answered `6983`. */
  readonly locked: boolean;
}

/** Everything that stays valid while the card stays powered (one transport epoch). */
interface CardState {
  readonly epoch: number;
  readonly generation: HicosGeneration;
  readonly files: FileReader;
  cardNumber?: string;
  version?: string;
  certificates?: CardCertificate[];
  keys?: CardPrivateKey[];
  cardId?: Uint8Array;
  channel?: { session: Scp03Session; verified: boolean };
}

const KEY_IDS: Readonly<Record<'SIGN' | 'KEYX', string>> = { SIGN: '5349474e', KEYX: '4b455958' };
const MAX_CERTIFICATE_LENGTH = 0x2000;

/**
 * A HiCOS card (MOICA, GCA, XCA, MOEACA) on any {@link Transport}.
 *
 * Reads are cached per card session (transport epoch) and use the fewest
 * APDUs the card allows; a reset or re-insertion drops the cache. PINs are
 * validated locally before any APDU, copied into Buffers that are zeroed
 * after use, and never logged or put in errors. The SDK never sends a VERIFY
 * the caller did not ask for.
 */
export class HiCOSCard {
  private state: CardState;
  private readonly policy: PinPolicy;
  private readonly retryStore: RetryCounterStore;
  private readonly tryLimit: number;

  private constructor(
    private readonly transport: Transport,
    state: CardState,
    private readonly options: HicosCardOptions,
  ) {
    this.state = state;
    this.policy = resolvePinPolicy(options.pinPolicy);
    this.retryStore = options.retryStore ?? defaultRetryCounterStore;
    this.tryLimit = options.pinTryLimit ?? 3;
  }

  /**
   * Detects the generation (one or two APDUs) and returns the card.
   * @throws NotHicosCardError when the card answers neither entry command
   */
  public static async open(transport: Transport, options: HicosCardOptions = {}): Promise<HiCOSCard> {
    resolvePinPolicy(options.pinPolicy);
    const state = await transport.transaction((tx) => guard('detecting the card', () => HiCOSCard.detect(tx)));
    return new HiCOSCard(transport, state, options);
  }

  private static async detect(tx: Transport): Promise<CardState> {
    const epoch = tx.epoch;
    const generation = await detectGeneration(tx);
    const files = new FileReader(generation);
    files.atRoot();
    return { epoch, generation, files };
  }

  /** Generation detected at open (or after the last reset). */
  public get generation(): HicosGeneration {
    return this.state.generation;
  }

  /**
   * Last retry count the card reported for this card (from `63Cx`, `6983`
   * or a success), or `undefined` when unknown. HiCOS has no confirmed way
   * to read the counter without presenting a PIN. Counts are kept per card
   * number in the retry store, so this is known once any call has read the
   * card number in the current card session.
   */
  public get lastKnownRetries(): number | undefined {
    const key = this.state.cardNumber;
    return key === undefined ? undefined : this.retryStore.get(key);
  }

  /** Generation, card number, version and certificates (cached per card session). */
  public info(): Promise<HicosCardInfo> {
    return this.run('reading card information', async (tx, state) => {
      const cardNumber = await this.readCardNumber(tx, state);
      const version = await this.readVersion(tx, state);
      const certificates = await this.readCertificates(tx, state);
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

  /** The card number (卡號). */
  public cardNumber(): Promise<string> {
    return this.run('reading the card number', (tx, state) => this.readCardNumber(tx, state));
  }

  /** Certificates on the card, in CDF order. */
  public certificates(): Promise<readonly CardCertificate[]> {
    return this.run('reading certificates', (tx, state) => this.readCertificates(tx, state));
  }

  /** Private keys listed in the PrKDF (key references and sizes). */
  public privateKeys(): Promise<readonly CardPrivateKey[]> {
    return this.run('reading the private-key directory', (tx, state) => this.readKeys(tx, state));
  }

  /**
   * Presents the user PIN. Malformed PINs are refused before any APDU; when
   * the last known count is 1 the call is refused unless `allowLastTry`.
   * A card known to be locked is still asked (it answers `6983` at no cost,
   * and may have been unblocked since). On Gen2 this opens an SCP03 session
   * that later `sign`/`decrypt` calls without a PIN may use while the card
   * stays powered.
   */
  public async verifyPin(pin: string | Uint8Array, options: PinOptions = {}): Promise<PinVerifyResult> {
    const buffer = this.checkedPin(pin);
    try {
      return await this.run('verifying the PIN', (tx, state) => this.presentPin(tx, state, buffer, options));
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
    const hash = checkSignatureHash(options.hash ?? 'sha256', this.options.allowSha1 === true);
    if (!(data instanceof Uint8Array)) throw new HicosError('INVALID_INPUT', 'data to sign must be bytes');
    const block = pkcs1SignatureBlock(digestInfo(hash, digest(hash, data)), RSA_BLOCK);
    return this.privateOperation('signing', block, options.key ?? 'SIGN', options);
  }

  /**
   * Decrypts an RSA-2048 PKCS#1 v1.5 ciphertext with the KEYX key (the card
   * does the raw operation, the host strips the type-2 padding).
   */
  public async decrypt(ciphertext: Uint8Array, options: DecryptOptions = {}): Promise<Uint8Array> {
    if (!(ciphertext instanceof Uint8Array) || ciphertext.length !== RSA_BLOCK) {
      throw new HicosError('INVALID_INPUT', `ciphertext must be ${RSA_BLOCK} bytes`);
    }
    const raw = await this.privateOperation('decrypting', ciphertext, options.key ?? 'KEYX', options);
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
   */
  public probePinStatus(): Promise<PinStatus> {
    if (this.options.enableStatusProbe !== true) {
      return Promise.reject(new HicosError('PROBE_DISABLED', 'the VERIFY status probe is off (enable it with enableStatusProbe: true)'));
    }
    return this.run('probing the PIN status', async (tx, state) => {
      const cardNumber = await this.readCardNumber(tx, state);
      if (state.generation === 1) await state.files.selectEf(tx, HicosFile.PKCS15_DF, HicosFile.KEYS);
      const response = await tx.transmit(verifyStatusProbe(fileCla(state.generation)));
      const sw = response.sw;
      const left = sw.retriesLeft;
      if (left !== undefined) {
        this.retryStore.set(cardNumber, left);
        return { verified: false, retriesLeft: left, locked: left === 0 };
      }
      if (sw.value === 0x6983) {
        this.retryStore.set(cardNumber, 0);
        return { verified: false, retriesLeft: 0, locked: true };
      }
      if (sw.value === 0x9000) return { verified: true, retriesLeft: undefined, locked: false };
      throw statusError('VERIFY status probe', response);
    });
  }

  private checkedPin(pin: string | Uint8Array): Buffer {
    const buffer = pinToBuffer(pin);
    try {
      validatePin(buffer, this.policy);
    } catch (error) {
      buffer.fill(0);
      throw error;
    }
    return buffer;
  }

  private async privateOperation(
    step: string,
    block: Uint8Array,
    keyName: 'SIGN' | 'KEYX',
    options: { pin?: string | Uint8Array; allowLastTry?: boolean },
  ): Promise<Uint8Array> {
    const pin = options.pin === undefined ? undefined : this.checkedPin(options.pin);
    try {
      return await this.run(step, async (tx, state) => {
        const key = (await this.readKeys(tx, state)).find((k) => k.id === KEY_IDS[keyName]);
        if (!key) throw new HicosError('KEY_NOT_FOUND', `the card lists no ${keyName} private key`);
        if (key.modulusBits !== RSA_BLOCK * 8) {
          throw new HicosError('KEY_NOT_FOUND', `${keyName} key has ${key.modulusBits} bits; only RSA-2048 is supported`);
        }
        if (pin) {
          const result = await this.presentPin(tx, state, pin, options);
          if (result.status !== 'ok') {
            throw new PinRejectedError(result.status === 'locked', result.retriesLeft, result.status === 'locked' ? '6983' : `63C${result.retriesLeft.toString(16).toUpperCase()}`);
          }
        }
        let secure: Scp03Session | undefined;
        if (state.generation === 2) {
          if (!state.channel?.verified) {
            throw new HicosError('PIN_REQUIRED', 'Gen2 cards need the PIN for each private-key operation session: pass options.pin');
          }
          secure = state.channel.session;
        }
        try {
          return await rawRsaOperation(tx, state.files, key.keyRef, block, secure);
        } catch (error) {
          // A failed secured command may have ended the card's session; never reuse it.
          if (secure) {
            secure.close();
            state.channel = undefined;
          }
          throw error;
        }
      });
    } finally {
      pin?.fill(0);
    }
  }

  private async presentPin(tx: Transport, state: CardState, pin: Uint8Array, options: PinOptions): Promise<PinVerifyResult> {
    const cardNumber = await this.readCardNumber(tx, state);
    if (this.retryStore.get(cardNumber) === 1 && options.allowLastTry !== true) throw new LastTryGuardError();
    let result: PinVerifyResult;
    if (state.generation === 1) {
      result = await presentPinGen1(tx, state.files, pin, this.tryLimit);
    } else {
      const session = await this.openChannel(tx, state);
      result = await presentPinGen2(tx, session, pin, this.tryLimit);
      state.channel = { session, verified: result.status === 'ok' };
    }
    this.retryStore.set(cardNumber, result.retriesLeft);
    return result;
  }

  /** Opens a fresh SCP03 session with the Gen2 applet (re-reading the card ID only once per card session). */
  private async openChannel(tx: Transport, state: CardState): Promise<Scp03Session> {
    state.channel?.session.close();
    state.channel = undefined;
    if (!state.cardId) {
      state.files.forget();
      state.cardId = await readGen2CardId(tx);
      await exchange(tx, selectGen2Applet(), 'SELECT Gen2 applet');
      state.files.atRoot();
    }
    const keys = diversifyHicosStaticKeys(state.cardId);
    try {
      return await openScp03(tx, keys, this.options.scp03 ?? {});
    } finally {
      keys.enc.fill(0);
      keys.mac.fill(0);
    }
  }

  private async readCardNumber(tx: Transport, state: CardState): Promise<string> {
    if (state.cardNumber !== undefined) return state.cardNumber;
    const [df, ef] = CARD_NUMBER_PATH as [FileId, FileId];
    await state.files.selectEf(tx, df, ef);
    const bytes = await state.files.readShort(tx, 16, 'card number');
    if (bytes.length === 0 || bytes.some((b) => b < 0x20 || b > 0x7e)) {
      throw new MalformedResponseError('reading the card number', 'not printable ASCII');
    }
    state.cardNumber = Buffer.from(bytes).toString('ascii');
    return state.cardNumber;
  }

  private async readVersion(tx: Transport, state: CardState): Promise<string> {
    if (state.version !== undefined) return state.version;
    const [df, ef] = VERSION_PATH as [FileId, FileId];
    await state.files.selectEf(tx, df, ef);
    const bytes = await state.files.readShort(tx, READ_CHUNK, 'version');
    if (bytes.some((b) => b < 0x20 || b > 0x7e)) throw new MalformedResponseError('reading the version', 'not printable ASCII');
    state.version = Buffer.from(bytes).toString('ascii');
    return state.version;
  }

  private async readCertificates(tx: Transport, state: CardState): Promise<CardCertificate[]> {
    if (state.certificates) return state.certificates;
    await state.files.selectEf(tx, HicosFile.PKCS15_DF, HicosFile.CDF);
    const records = await state.files.readDirectory(tx, 'CDF');
    const entries = records.map((r) => parseRecord('CDF', () => parseCertificateRecord(r)));
    const certificates: CardCertificate[] = [];
    for (const entry of entries) {
      const [df, ef] = certificateLocation(entry);
      if (entry.length < 4 || entry.length > MAX_CERTIFICATE_LENGTH) {
        throw new MalformedResponseError('reading CDF', `certificate length ${entry.length} is implausible`);
      }
      await state.files.selectEf(tx, df, ef);
      const der = await state.files.readRange(tx, entry.offset, entry.length, 'certificate');
      if (der[0] !== 0x30) throw new MalformedResponseError('reading a certificate', 'data is not a DER SEQUENCE');
      certificates.push({ label: entry.label, id: hex(entry.id), usage: certificateUsage(entry), der });
    }
    state.certificates = certificates;
    return certificates;
  }

  private async readKeys(tx: Transport, state: CardState): Promise<CardPrivateKey[]> {
    if (state.keys) return state.keys;
    await state.files.selectEf(tx, HicosFile.PKCS15_DF, HicosFile.PRKDF);
    const records = await state.files.readDirectory(tx, 'PrKDF');
    state.keys = records.map((r) => {
      const e: PrivateKeyDirectoryEntry = parseRecord('PrKDF', () => parsePrivateKeyRecord(r));
      const id = hex(e.id);
      const usage: CertificateUsage = id === KEY_IDS.SIGN ? 'SIGN' : id === KEY_IDS.KEYX ? 'KEYX' : 'OTHER';
      return { label: e.label, id, usage, keyRef: e.keyRef, modulusBits: e.modulusBits };
    });
    return state.keys;
  }

  /** Runs `fn` in a transaction with state fresh for the transport's epoch. */
  private run<T>(step: string, fn: (tx: Transport, state: CardState) => Promise<T>): Promise<T> {
    return this.transport.transaction((tx) =>
      guard(step, async () => {
        if (tx.epoch !== this.state.epoch) {
          this.state.channel?.session.close();
          this.state = await HiCOSCard.detect(tx);
        }
        const state = this.state;
        try {
          return await fn(tx, state);
        } catch (error) {
          state.files.forget();
          throw error;
        }
      }),
    );
  }
}

/** Turns anything that is not a typed twpki error into a MALFORMED_RESPONSE naming the step. */
async function guard<T>(step: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof TwpkiError) throw error;
    throw new MalformedResponseError(step, error instanceof Error ? error.message : String(error), error);
  }
}

function parseRecord<T>(file: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof Asn1ShapeError || error instanceof RangeError || error instanceof TypeError) {
      throw new MalformedResponseError(`parsing ${file}`, error.message, error);
    }
    throw error;
  }
}

function certificateLocation(entry: CertificateDirectoryEntry): [FileId, FileId] {
  const p = entry.path;
  if (p.length % 2 !== 0) throw new MalformedResponseError('reading CDF', 'odd certificate path length');
  const fids: FileId[] = [];
  for (let i = 0; i < p.length; i += 2) fids.push((p[i]! << 8) | p[i + 1]!);
  if (fids[0] === HicosFile.MF) fids.shift();
  if (fids.length !== 2) throw new MalformedResponseError('reading CDF', `certificate path ${hex(p)} is not DF/EF`);
  return [fids[0]!, fids[1]!];
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

