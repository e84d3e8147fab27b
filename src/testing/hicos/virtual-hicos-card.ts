import { constants, createHash, privateDecrypt, randomBytes } from 'node:crypto';
import { bytesEqual } from '../../shared/bytes.js';
import { CommandApdu } from '../../pcsc/command-apdu.js';
import type { CardEmulator } from '../../pcsc/transport.js';
import { HiCOSFile } from '../../apdu/commands/file-id.js';
import { GEN2_APPLET_AID } from '../../apdu/commands/select.js';
import { decryptGen1PinBlock, padPinFF } from '../../apdu/crypto/gen1-pin-block.js';
import { diversifyHiCOSStaticKeys, HICOS_ISD_AID, HICOS_ISD_CM_AID } from '../../apdu/crypto/hicos-static-keys.js';
import type { Scp03StaticKeys } from '../../apdu/crypto/scp03-session-keys.js';
import type { CardFile } from './card-file-system.js';
import { resolveSelect } from './card-file-system.js';
import { buildCardLayout, PUBLIC_KEY_EF } from './card-layout.js';
import { PUBLIC_KEY_READ_DEFAULTS, PublicKeyRecords, withDefaults, type PublicKeyReadSettings } from './public-key-records.js';
import { badCardOption, checkCardIdentity, checkVirtualCardSettings } from './check-card-options.js';
import { TestPkiError } from '../pki/errors.js';
import { CardSecureChannel } from './card-secure-channel.js';
import { GEN1_ATR, GEN2_ATR } from './hicos-atrs.js';
import type { VirtualCardKeyPair, VirtualHiCOSCardOptions } from './virtual-card-options.js';

/** One exchange as the virtual card saw it (VERIFY data is blanked). */
export interface ApduLogEntry {
  /** Command bytes as received. */
  readonly command: Uint8Array;
  /** Response bytes as sent. */
  readonly response: Uint8Array;
}

type Application = 'none' | 'applet' | 'isd' | 'isd-cm';

interface Reply {
  data?: Uint8Array;
  sw: number;
}

const ok = (data?: Uint8Array): Reply => ({ data, sw: 0x9000 });
const sw = (value: number): Reply => ({ sw: value });

/**
 * A virtual HiCOS card (Gen1 "HiCOS V3 / T7S" or Gen2 "GPPKI" applet) for
 * tests: the file tree and PKCS#15 directories, protected VERIFY with a
 * real retry counter (3 wrong → `6983`, stays locked; a clear-text VERIFY is
 * refused with `6982` and costs a try), Gen2 SCP03 (C-MAC + C-DECRYPTION),
 * raw RSA private operations (EA/C1) after a verified PIN, the official
 * middleware's public-key reads (READ RECORD `B2`), the ISO "VERIFY with no
 * data" probe, and switchable `61xx`/`6Cxx` behaviour.
 *
 * Where real cards' behaviour is unknown (sibling SELECTs, where EF `0905`
 * lives, the SCP03 counter on empty commands, diversification data in
 * INITIALIZE UPDATE, plain commands during secure messaging, `6987` on large
 * reads, `6A88`, the public-key records' layout), the card follows a documented choice or an option, so
 * tests can run the host against each plausible behaviour; see
 * {@link VirtualHiCOSCardOptions}.
 */
export class VirtualHiCOSCard implements CardEmulator {
  /** The latest exchanges since construction or {@link clearLog}, at most `logLimit` of them (oldest first). */
  public readonly log: ApduLogEntry[] = [];
  /** The card's generation. */
  public readonly generation: 1 | 2;
  /** The card number it reports. */
  public readonly cardNumber: string;

  private readonly root: CardFile;
  private readonly pin: Uint8Array;
  private readonly tryLimit: number;
  private triesLeft: number;
  private readonly atr: Uint8Array;
  private readonly cardId: Uint8Array;
  private readonly staticKeys: Scp03StaticKeys;
  private readonly keysByRef: Map<number, VirtualCardKeyPair>;
  private readonly publicKeyReads: PublicKeyReadSettings;
  private readonly publicKeys: PublicKeyRecords;
  private readonly pinReference: number;
  private readonly random: (n: number) => Uint8Array;
  private readonly logLimit: number;
  /** FIDs that select the root: Gen1 the MF; Gen2 `7FFF` ("the applet"), and `3F00` unless `gen2SelectMf` refuses it. */
  private readonly rootFids: readonly number[];
  private exchanges = 0;

  // Volatile state, cleared by reset().
  private application: Application = 'none';
  private currentDf: CardFile;
  private currentEf: CardFile | undefined;
  private pinVerified = false;
  private channel: CardSecureChannel | undefined;
  private rsaFirstHalf: Uint8Array | undefined;
  private rsaSecondResult: Uint8Array | undefined;
  private pendingResponse: Uint8Array | undefined;

  public constructor(private readonly options: VirtualHiCOSCardOptions) {
    // Checked first: a script without types that leaves `credentials` out got a bare TypeError from deep inside.
    if (typeof options !== 'object' || options === null) throw new TestPkiError('BAD_OPTIONS', 'virtual HiCOS card: options must be an object ({ credentials, … })');
    const credentials: unknown = options.credentials;
    if (typeof credentials !== 'object' || credentials === null) {
      throw badCardOption('credentials is required: the card holder\'s keys and certificates ({ sign, keyx }, e.g. virtualCardCredentials(holder))');
    }
    const settings = options as unknown as Record<string, unknown>;
    checkVirtualCardSettings(settings, 'virtual HiCOS card');
    checkCardIdentity(settings);
    this.generation = options.generation ?? 1;
    this.cardNumber = options.cardNumber ?? 'TP03000012345678';
    const pin = options.pin ?? '123456';
    this.pin = padPinFF(new Uint8Array(Buffer.from(pin, 'ascii')));
    this.tryLimit = options.pinTryLimit ?? 3;
    this.triesLeft = options.pinTriesLeft ?? this.tryLimit;
    this.atr = options.atr ?? (this.generation === 1 ? GEN1_ATR : GEN2_ATR);
    const keyRefs = options.keyRefs ?? { sign: 0x01, keyx: 0x11 };
    const held = options.heldKeyRefs ?? keyRefs;
    this.pinReference = options.pinReference ?? 0x01;
    for (const [name, pair] of Object.entries({ sign: options.credentials.sign, keyx: options.credentials.keyx })) {
      if ((pair as Partial<typeof pair> | undefined)?.privateKey?.asymmetricKeyDetails?.modulusLength !== 2048) throw badCardOption(`credentials.${name}.privateKey must be an RSA-2048 private key`);
    }
    this.keysByRef = new Map([
      [held.sign, options.credentials.sign],
      [held.keyx, options.credentials.keyx],
    ]);
    this.publicKeyReads = withDefaults(PUBLIC_KEY_READ_DEFAULTS, options.publicKeyReads);
    this.publicKeys = new PublicKeyRecords(this.generation, this.keysByRef, this.publicKeyReads);
    this.root = buildCardLayout({
      credentials: options.credentials,
      cardNumber: this.cardNumber,
      cardNumberFile: options.cardNumberFile ?? 'present',
      version: options.version ?? (this.generation === 1 ? 'CHT V32N' : 'CHT GPPKI'),
      versionLocation: options.versionLocation ?? (options.cardNumberFile === 'no-df' ? 'none' : 'card-number-df'),
      keyRefs,
    }).root;
    this.currentDf = this.root;
    this.rootFids =
      this.generation === 1 ? [HiCOSFile.MF] : options.gen2SelectMf === 'not-found' ? [HiCOSFile.APPLET] : [HiCOSFile.MF, HiCOSFile.APPLET];
    this.cardId = options.cardId ?? createHash('sha256').update(this.cardNumber).digest().subarray(0, 10);
    this.staticKeys = diversifyHiCOSStaticKeys(this.cardId);
    this.random = options.random ?? ((n) => new Uint8Array(randomBytes(n)));
    this.logLimit = options.logLimit ?? 10_000;
    if (!(this.logLimit === Infinity || (Number.isSafeInteger(this.logLimit) && this.logLimit >= 0))) {
      throw badCardOption(`logLimit must be a whole number of at least 0 or Infinity, not ${String(options.logLimit)}`);
    }
  }

  /** The keys and certificates the card holds (tests verify signatures with them). */
  public get credentials(): VirtualHiCOSCardOptions['credentials'] {
    return this.options.credentials;
  }

  /** Number of exchanges since construction or {@link clearLog}, including those {@link log} no longer keeps. */
  public get apduCount(): number {
    return this.exchanges;
  }

  /** Tries left on the PIN counter (test inspection). */
  public get pinTriesLeft(): number {
    return this.triesLeft;
  }

  /**
   * Content of an EF by path below the root (e.g. `[0x5030, 0x4104]`), for
   * tests that compute what an optimal reader must fetch.
   */
  public fileContent(path: readonly number[]): Uint8Array | undefined {
    let node: CardFile | undefined = this.root;
    for (const fid of path) node = node?.children.get(fid);
    return node?.kind === 'EF' ? Uint8Array.from(node.content) : undefined;
  }

  /** Empties {@link log} and sets {@link apduCount} back to 0. */
  public clearLog(): void {
    this.log.length = 0;
    this.exchanges = 0;
  }

  public reset(): Uint8Array {
    this.application = this.generation === 1 ? 'applet' : 'none';
    this.currentDf = this.root;
    this.currentEf = undefined;
    this.pinVerified = false;
    this.channel = undefined;
    this.rsaFirstHalf = undefined;
    this.rsaSecondResult = undefined;
    this.pendingResponse = undefined;
    return Uint8Array.from(this.atr);
  }

  public process(commandBytes: Uint8Array): Uint8Array {
    let reply: Reply;
    let command: CommandApdu | undefined;
    try {
      command = CommandApdu.from(commandBytes);
      reply = this.dispatch(command);
    } catch {
      reply = sw(0x6700);
    }
    const response = this.encode(reply, command);
    const logged = Uint8Array.from(commandBytes);
    if (command?.ins === 0x20) logged.fill(0, 5);
    this.exchanges++;
    this.log.push({ command: logged, response: Uint8Array.from(response) });
    if (this.log.length > this.logLimit) this.log.shift();
    return response;
  }

  private encode(reply: Reply, command: CommandApdu | undefined): Uint8Array {
    let data = reply.data ?? new Uint8Array(0);
    let status = reply.sw;
    if (this.options.quirks?.responseChaining && data.length > 0 && command?.ins !== 0xc0 && status === 0x9000) {
      this.pendingResponse = data;
      status = 0x6100 | (data.length >= 256 ? 0 : data.length);
      data = new Uint8Array(0);
    }
    const out = new Uint8Array(data.length + 2);
    out.set(data);
    out[data.length] = status >> 8;
    out[data.length + 1] = status & 0xff;
    return out;
  }

  private dispatch(command: CommandApdu): Reply {
    if (command.ins === 0xc0 && (command.cla & 0xfc) === 0x00) return this.getResponse(command);
    this.pendingResponse = undefined;
    if ((command.cla & 0x04) !== 0) {
      if (this.generation === 1 && command.cla === 0x8c && command.ins === 0x20) return this.verifyGen1(command);
      return this.secured(command);
    }
    if (this.refusesPlainCommand(command)) {
      this.endSession();
      return sw(0x6982);
    }
    return this.plain(command, false);
  }

  /** Strict mode: a plain command while a session is open (SELECT by AID ends it and is always processed). */
  private refusesPlainCommand(command: CommandApdu): boolean {
    if (this.options.plainCommandsDuringSecureMessaging !== 'refuse' || !this.channel) return false;
    return !(command.ins === 0xa4 && command.p1 === 0x04);
  }

  private classAllowed(command: CommandApdu): boolean {
    if (this.generation === 1) return command.cla === 0x80;
    const proprietary = [0xca, 0x50, 0xea, 0xc1, 0xb2].includes(command.ins);
    return command.cla === (proprietary ? 0x80 : 0x00);
  }

  private plain(command: CommandApdu, secured: boolean): Reply {
    if (!this.classAllowed(command)) return sw(0x6e00);
    if (this.generation === 2 && this.application === 'none' && !(command.ins === 0xa4 && command.p1 === 0x04)) return sw(0x6985);
    switch (command.ins) {
      case 0xa4:
        return this.select(command);
      case 0xb0:
        return this.readBinary(command);
      case 0xb2:
        return this.readPublicKeyRecord(command, secured);
      case 0x20:
        return this.verifyGen2(command, secured);
      case 0xca:
        return this.getData(command);
      case 0x50:
        return this.initializeUpdate(command);
      case 0xea:
      case 0xc1:
        return this.privateOperation(command, secured);
      default:
        return sw(0x6d00);
    }
  }

  private secured(command: CommandApdu): Reply {
    if (this.generation === 1 || this.application !== 'applet' || !this.channel) return sw(0x6882);
    if (command.ins === 0x82) {
      if (this.channel.isAuthenticated) return sw(0x6985);
      if (this.channel.externalAuthenticate(command)) return ok();
      this.channel = undefined;
      return sw(0x6300);
    }
    const inner = this.channel.unwrap(command);
    if (!inner) {
      // A broken MAC or cryptogram ends the session (GP).
      this.endSession();
      return sw(0x6988);
    }
    return this.plain(inner, true);
  }

  private endSession(): void {
    this.channel = undefined;
    if (this.generation === 2) this.pinVerified = false;
  }

  private getResponse(command: CommandApdu): Reply {
    const pending = this.pendingResponse;
    if (!pending) return sw(0x6985);
    const le = command.le ?? 256;
    const part = pending.subarray(0, le);
    const rest = pending.subarray(part.length);
    this.pendingResponse = rest.length > 0 ? rest : undefined;
    if (rest.length > 0) return { data: part, sw: 0x6100 | (rest.length >= 256 ? 0 : rest.length) };
    return ok(part);
  }

  private select(command: CommandApdu): Reply {
    if (command.p1 === 0x04) {
      if (this.generation === 1) return sw(0x6a82);
      this.endSession();
      if (bytesEqual(command.data, GEN2_APPLET_AID)) {
        this.application = 'applet';
        this.currentDf = this.root;
        this.currentEf = undefined;
        this.pinVerified = false;
        return ok();
      }
      if (bytesEqual(command.data, HICOS_ISD_CM_AID)) this.application = 'isd-cm';
      else if (bytesEqual(command.data, HICOS_ISD_AID)) this.application = 'isd';
      else return sw(0x6a82);
      return ok();
    }
    if (command.p1 !== 0x00 || command.data.length !== 2) return sw(0x6a86);
    if (this.application !== 'applet') return sw(0x6a82);
    const fid = (command.data[0]! << 8) | command.data[1]!;
    const target = resolveSelect(this.root, this.currentDf, fid, this.rootFids);
    if (!target) return sw(0x6a82);
    if (target.kind === 'DF') {
      this.currentDf = target;
      this.currentEf = undefined;
    } else {
      this.currentEf = target;
    }
    return ok();
  }

  private readBinary(command: CommandApdu): Reply {
    if (command.p1 & 0x80) return sw(0x6a86);
    const file = this.currentEf;
    if (!file) return sw(0x6986);
    if (!file.readable) return sw(0x6982);
    if (command.le === undefined) return sw(0x6700);
    if (this.options.quirks?.refuseLargeReads && command.le > 0x10) return sw(0x6987);
    const offset = (command.p1 << 8) | command.p2;
    if (offset >= file.content.length) return sw(0x6b00);
    return this.upTo(file.content.subarray(offset), command.le);
  }

  /**
   * The first `le` bytes of `content`; when there are fewer, all of them with `6282` (end reached before Le bytes),
   * or `6Cxx` with the `wrongLengthRetry` quirk, or `6700` with `wrongLengthError`.
   */
  private upTo(content: Uint8Array, le: number): Reply {
    if (content.length >= le) return ok(content.slice(0, le));
    if (this.options.quirks?.wrongLengthRetry) return sw(0x6c00 | content.length);
    if (this.options.quirks?.wrongLengthError) return sw(0x6700);
    return { data: content.slice(), sw: 0x6282 };
  }

  /**
   * READ RECORD of a public key (the official middleware's `80 B2`), laid out and guarded as
   * {@link VirtualHiCOSCardOptions.publicKeyReads} says; a plain read during an SCP03 session is held to
   * `plainCommandsDuringSecureMessaging` before it gets here, like any plain command.
   */
  private readPublicKeyRecord(command: CommandApdu, secured: boolean): Reply {
    const reads = this.publicKeyReads;
    if (this.application !== 'applet') return sw(0x6d00);
    if (this.generation === 2 && reads.gen2Channel === 'secure-messaging' && !secured) return sw(0x6982);
    if (this.generation === 2 && reads.gen2Channel === 'plain' && secured) return sw(0x6882);
    if (!this.publicKeyFileSelected(reads.requiredFile)) return sw(0x6986);
    if (command.le === undefined) return sw(0x6700);
    const record = this.publicKeys.read(command.p1, command.p2);
    if (record === 'bad-p2') return sw(0x6a86);
    if (record === 'no-key') return sw(reads.missingKeyStatus);
    // Le 00 (short) or 0000 (extended) asks for the whole record, however long.
    return command.le === 256 || command.le === 65536 ? ok(record) : this.upTo(record, command.le);
  }

  private publicKeyFileSelected(required: PublicKeyReadSettings['requiredFile']): boolean {
    const fid = this.currentEf?.fid;
    if (required === 'none') return true;
    if (required === '0810') return fid === HiCOSFile.KEYS;
    if (required === '0811') return fid === PUBLIC_KEY_EF;
    return fid === HiCOSFile.KEYS || fid === PUBLIC_KEY_EF;
  }

  private getData(command: CommandApdu): Reply {
    const tag = (command.p1 << 8) | command.p2;
    if (this.application === 'isd-cm' && tag === 0x00e0) {
      // Key information template: three AES-128 keys (ENC, MAC, DEK), version 0x01.
      return ok(Uint8Array.from([0xe0, 0x12, ...[1, 2, 3].flatMap((id) => [0xc0, 0x04, id, 0x01, 0x88, 0x10])]));
    }
    if (this.application === 'isd' && tag === 0x0045) return ok(Uint8Array.from([0x45, 0x0a, ...this.cardId]));
    return sw(0x6a88);
  }

  private initializeUpdate(command: CommandApdu): Reply {
    if (this.generation !== 2 || this.application !== 'applet') return sw(0x6d00);
    if (command.data.length !== 8) return sw(0x6700);
    this.endSession();
    const cardChallenge = this.random(8);
    const channel = new CardSecureChannel(this.staticKeys, command.data, cardChallenge, this.options.counterPolicy ?? 'every-command');
    this.channel = channel;
    const out = new Uint8Array(29);
    out.set(this.options.diversificationData ?? this.cardId, 0);
    out.set([0x01, 0x03, 0x70], 10);
    out.set(cardChallenge, 13);
    out.set(channel.cardCryptogram(), 21);
    return ok(out);
  }

  /**
   * VERIFY under a reference the card has no PIN for: `6A88`, and the user PIN's try is charged (the facts: "trying
   * several PIN references burns tries"), so a host that walks references locks this card as it would a real one.
   */
  private otherReference(): Reply {
    if (this.triesLeft === 0) return sw(0x6983);
    this.countWrongTry();
    return sw(0x6a88);
  }

  private verifyGen1(command: CommandApdu): Reply {
    if (command.p2 !== this.pinReference) return this.otherReference();
    if (this.currentEf?.fid !== HiCOSFile.KEYS) return sw(0x6985);
    if (this.triesLeft === 0) return sw(0x6983);
    const padded = decryptGen1PinBlock(command.data);
    if (!padded) return sw(0x6988);
    return this.checkPin(padded);
  }

  private verifyGen2(command: CommandApdu, secured: boolean): Reply {
    // A status probe (no data) of another reference costs nothing; a PIN presented under one does.
    if (command.p2 !== this.pinReference) return command.data.length === 0 ? sw(0x6a88) : this.otherReference();
    if (command.data.length === 0) return this.statusProbe();
    if (this.triesLeft === 0) return sw(0x6983);
    if (this.generation === 1 || !secured) {
      // The facts warn that a clear-text VERIFY is refused and may still cost a try: this card charges it.
      this.countWrongTry();
      return sw(0x6982);
    }
    if (command.data.length !== 10) {
      this.countWrongTry();
      return this.triesLeft === 0 ? sw(0x6983) : sw(0x63c0 | this.triesLeft);
    }
    return this.checkPin(Uint8Array.from(command.data));
  }

  private statusProbe(): Reply {
    if (this.options.supportsStatusProbe === false) return sw(0x6d00);
    if (this.triesLeft === 0) return sw(0x6983);
    if (this.pinVerified) return ok();
    return sw(0x63c0 | this.triesLeft);
  }

  private checkPin(padded: Uint8Array): Reply {
    const match = bytesEqual(padded, this.pin);
    padded.fill(0);
    if (match) {
      this.triesLeft = this.tryLimit;
      this.pinVerified = true;
      return ok();
    }
    this.countWrongTry();
    return this.triesLeft === 0 ? sw(0x6983) : sw(0x63c0 | this.triesLeft);
  }

  private countWrongTry(): void {
    this.pinVerified = false;
    this.triesLeft = Math.max(0, this.triesLeft - 1);
  }

  private privateOperation(command: CommandApdu, secured: boolean): Reply {
    if (this.generation === 2 && !secured) return sw(0x6982);
    if (!this.pinVerified) return sw(0x6982);
    if (command.ins === 0xc1) {
      const result = this.rsaSecondResult;
      if (!result) return sw(0x6985);
      const le = command.le ?? 0;
      if (le !== result.length) return this.options.quirks?.wrongLengthRetry ? sw(0x6c00 | result.length) : sw(0x6700);
      this.rsaSecondResult = undefined;
      return ok(result);
    }
    if (this.currentEf?.fid !== HiCOSFile.KEYS) return sw(0x6985);
    const key = this.keysByRef.get(command.p2);
    if (!key) return sw(0x6a88);
    if (command.data.length !== 128) return sw(0x6700);
    if (command.p1 === 0x82) {
      this.rsaFirstHalf = Uint8Array.from(command.data);
      this.rsaSecondResult = undefined;
      return ok();
    }
    if (command.p1 !== 0x02 || !this.rsaFirstHalf) return sw(0x6985);
    const input = Buffer.concat([this.rsaFirstHalf, command.data]);
    this.rsaFirstHalf = undefined;
    let output: Buffer;
    try {
      output = privateDecrypt({ key: key.privateKey, padding: constants.RSA_NO_PADDING }, input);
    } catch {
      return sw(0x6a80);
    }
    const result = new Uint8Array(256);
    result.set(output, 256 - output.length);
    this.rsaSecondResult = result.slice(128);
    return ok(result.slice(0, 128));
  }
}
