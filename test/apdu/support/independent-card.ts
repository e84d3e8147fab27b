import { constants, privateDecrypt } from 'node:crypto';
import { CommandApdu } from '../../../src/pcsc/command-apdu.js';
import type { CardEmulator } from '../../../src/pcsc/transport.js';
import { decryptGen1PinBlock, padPinFF } from '../../../src/apdu/crypto/gen1-pin-block.js';
import { bytesEqual, fromHex } from '../../../src/shared/bytes.js';
import { encodeCdfRecord, encodePrkdfRecord } from '../../../src/testing/hicos/pkcs15-encoder.js';
import type { VirtualCardCredentials } from '../../../src/testing/hicos/virtual-card-options.js';

/*
 * A Gen1 HiCOS card written apart from src/testing/hicos: same commands, but
 * answers that are legal ISO 7816-4 and differ from the project's virtual
 * card wherever the standard leaves room. Its file layout differs too:
 * directory files are exactly as long as their records (no padding, so a
 * reader must meet the end of the file), certificates sit back to back at
 * odd offsets, the version EF is under the MF.
 */

/** How the card answers where ISO 7816-4 allows more than one answer. */
export interface IndependentCardBehaviour {
  /**
   * T=0 style: every answer with data is `61xx` (`6100` from 256 bytes on,
   * or always with `announce: '6100'`, "more, ask with Le 00") and GET
   * RESPONSE hands out at most `piece` bytes, with `61xx` again while more
   * is left.
   */
  chaining?: { piece: number; announce?: 'count' | '6100' };
  /** A READ BINARY whose Le runs past the end: `6282` + what is there, `9000` + what is there, or `6Cxx`. */
  straddle?: '6282' | '9000' | '6c';
  /** A READ BINARY at or after the end of the file (`6700`: a refusal no reader's list foresees). */
  pastEnd?: '6b00' | '6a86' | '6282' | '9000' | '6700' | '6c00';
  /** Returns at most this many bytes per READ BINARY, with `9000` (fewer than asked, no warning). */
  maxRead?: number;
  /** SELECT answers with an FCI template (the command has no Le; T=1 cards may still send it). */
  selectFci?: boolean;
  /** Absent file: `6A82` or `6A88`. */
  absentFile?: '6a82' | '6a88';
  /** Wrong PIN: `63Cx` (tries left) or `6300` (no counter). */
  wrongPin?: '63cx' | '6300';
  /** Error status words carry two bytes of data. */
  errorData?: boolean;
  /** VERIFY answered `6C10` (after counting a wrong try, as a sloppy card might). */
  verifyWrongLe?: boolean;
  /** The CDF ends this many bytes before the end of its last record (a damaged or cut file). */
  cutCdf?: number;
  /** The CLA GET RESPONSE must carry (`80`: the card refuses the interindustry `00` with `6E00`, keeping the data). */
  getResponseCla?: 0x00 | 0x80;
  /** A successful VERIFY answered `6102` (two bytes a GET RESPONSE would fetch) instead of `9000`. */
  verifySuccess61?: boolean;
  /**
   * What the CDF gives as each certificate's length: `slot`, the 0x700 slot the certificate sits in (the DER then
   * `00` padding); `short`, 40 bytes fewer than the DER (the file still holds all of it). Default: the DER's length.
   */
  cdfLength?: 'slot' | 'short';
  /** No version file, and a SELECT of it answered `6A86` (as older cards answer a file id they do not have). */
  versionSelect6a86?: boolean;
}

interface File {
  readonly content: Uint8Array;
}

const ascii = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'ascii'));
const path = (...fids: number[]): Uint8Array => Uint8Array.from(fids.flatMap((f) => [f >> 8, f & 0xff]));

/** The independent Gen1 card. `log` holds every command (VERIFY data blanked) and answer as hex. */
export class IndependentGen1Card implements CardEmulator {
  public readonly log: { command: string; response: string }[] = [];
  public readonly cardNumber = 'TP03000087654321';
  public readonly version = 'CHT V32N';
  public triesLeft = 3;
  public verified = false;

  private readonly files = new Map<string, File>();
  private readonly dfs = new Set(['3f00', '3f00/5030', '3f00/0900']);
  private dir = '3f00';
  private ef: string | undefined;
  private pending: Uint8Array | undefined;
  private firstHalf: Uint8Array | undefined;
  private secondResult: Uint8Array | undefined;
  private readonly pin = padPinFF(ascii('123456'));

  public constructor(
    private readonly credentials: VirtualCardCredentials,
    private readonly behaviour: IndependentCardBehaviour = {},
  ) {
    const certs = [credentials.sign.certificate, credentials.keyx.certificate, ...(credentials.caCertificates ?? [])];
    const labels = ['cert1', 'cert2', 'CACert', 'ROOTCACert'];
    const ids = [ascii('SIGN'), ascii('KEYX'), ascii('CACert'), ascii('ROOTCACert')];
    let offset = 3; // an odd start, then back to back
    const cdf: Uint8Array[] = [];
    const blob: number[] = [0xff, 0xff, 0xff];
    const SLOT = 0x700;
    certs.forEach((der, i) => {
      const listed = behaviour.cdfLength === 'slot' ? SLOT : behaviour.cdfLength === 'short' ? der.length - 40 : der.length;
      cdf.push(encodeCdfRecord({ label: labels[i]!, id: ids[i]!, authority: i >= 2, path: path(0x3f00, 0x5030, 0x08f2), offset, length: listed }));
      blob.push(...der);
      if (behaviour.cdfLength === 'slot') blob.push(...new Uint8Array(SLOT - der.length));
      offset += behaviour.cdfLength === 'slot' ? SLOT : der.length;
    });
    const keyPath = path(0x3f00, 0x5030, 0x0810);
    const prkdf = [
      encodePrkdfRecord({ label: 'SIGN', id: ascii('SIGN'), keyRef: 0x05, modulusBits: 2048, signing: true }, keyPath),
      encodePrkdfRecord({ label: 'KEYX', id: ascii('KEYX'), keyRef: 0x11, modulusBits: 2048, signing: false }, keyPath),
    ];
    const cdfContent = Buffer.concat(cdf);
    this.files.set('3f00/5030/4104', { content: cdfContent.subarray(0, cdfContent.length - (behaviour.cutCdf ?? 0)) });
    this.files.set('3f00/5030/4100', { content: Buffer.concat(prkdf) });
    this.files.set('3f00/5030/08f2', { content: Uint8Array.from(blob) });
    this.files.set('3f00/5030/0810', { content: new Uint8Array(0) });
    this.files.set('3f00/0900/0903', { content: ascii(this.cardNumber) });
    if (!behaviour.versionSelect6a86) this.files.set('3f00/0905', { content: ascii(this.version) });
  }

  /** Status words of the answers, in order. */
  public get statusWords(): string[] {
    return this.log.map((e) => e.response.slice(-4));
  }

  /** VERIFY commands received. */
  public get verifies(): number {
    return this.log.filter((e) => e.command.slice(2, 4) === '20').length;
  }

  public reset(): Uint8Array {
    this.dir = '3f00';
    this.ef = undefined;
    this.pending = undefined;
    this.verified = false;
    this.firstHalf = undefined;
    this.secondResult = undefined;
    // Not a listed ATR: the host probes Gen2 first, which this card refuses.
    return fromHex('3b8f800180318065b0850300ef120fff82900073');
  }

  public process(bytes: Uint8Array): Uint8Array {
    let answer: Uint8Array;
    try {
      answer = this.dispatch(CommandApdu.from(bytes));
    } catch {
      answer = fromHex('6700');
    }
    const logged = Buffer.from(bytes).toString('hex');
    this.log.push({ command: bytes[1] === 0x20 ? logged.slice(0, 10) : logged, response: Buffer.from(answer).toString('hex') });
    return answer;
  }

  private dispatch(c: CommandApdu): Uint8Array {
    if (c.ins === 0xc0) return c.cla === (this.behaviour.getResponseCla ?? 0x00) ? this.getResponse(c) : this.error(0x6e00);
    this.pending = undefined;
    if (c.cla !== 0x80 && !(c.cla === 0x8c && c.ins === 0x20)) return this.error(0x6e00);
    switch (c.ins) {
      case 0xa4:
        return this.select(c);
      case 0xb0:
        return this.read(c);
      case 0x20:
        return this.verify(c);
      case 0xea:
      case 0xc1:
        return this.rsa(c);
      default:
        return this.error(0x6d00);
    }
  }

  private answer(data: Uint8Array, sw = 0x9000): Uint8Array {
    const chaining = this.behaviour.chaining;
    if (chaining && data.length > 0 && sw === 0x9000) {
      this.pending = data;
      return Uint8Array.of(0x61, data.length >= 256 || chaining.announce === '6100' ? 0 : data.length);
    }
    return Uint8Array.from([...data, sw >> 8, sw & 0xff]);
  }

  private error(sw: number): Uint8Array {
    return Uint8Array.from([...(this.behaviour.errorData ? [0xde, 0xad] : []), sw >> 8, sw & 0xff]);
  }

  private getResponse(c: CommandApdu): Uint8Array {
    const pending = this.pending;
    if (!pending) return this.error(0x6985);
    const give = Math.min(c.le ?? 256, this.behaviour.chaining?.piece ?? 256, pending.length);
    const part = pending.subarray(0, give);
    const rest = pending.subarray(give);
    this.pending = rest.length > 0 ? rest : undefined;
    const announce = rest.length >= 256 || this.behaviour.chaining?.announce === '6100' ? 0 : rest.length;
    const sw = rest.length > 0 ? 0x6100 | announce : 0x9000;
    return Uint8Array.from([...part, sw >> 8, sw & 0xff]);
  }

  private select(c: CommandApdu): Uint8Array {
    if (c.p1 !== 0 || c.data.length !== 2) return this.error(0x6a86);
    const fid = Buffer.from(c.data).toString('hex');
    const target = fid === '3f00' ? '3f00' : `${this.dir}/${fid}`;
    const fci = this.behaviour.selectFci ? Uint8Array.of(0x6f, 0x04, 0x83, 0x02, ...c.data) : new Uint8Array(0);
    if (this.dfs.has(target)) {
      this.dir = target;
      this.ef = undefined;
      return this.answer(fci);
    }
    if (this.files.has(target)) {
      this.ef = target;
      return this.answer(fci);
    }
    if (this.behaviour.versionSelect6a86 && fid === '0905') return this.error(0x6a86);
    return this.error(this.behaviour.absentFile === '6a88' ? 0x6a88 : 0x6a82);
  }

  private read(c: CommandApdu): Uint8Array {
    const file = this.ef === undefined ? undefined : this.files.get(this.ef);
    if (!file) return this.error(0x6986);
    if (this.ef?.endsWith('0810')) return this.error(0x6982);
    const offset = (c.p1 << 8) | c.p2;
    const le = c.le ?? 256;
    const size = file.content.length;
    if (offset >= size) {
      switch (this.behaviour.pastEnd ?? '6b00') {
        case '6b00':
          return this.error(0x6b00);
        case '6a86':
          return this.error(0x6a86);
        case '6282':
          return this.answer(new Uint8Array(0), 0x6282);
        case '9000':
          return this.answer(new Uint8Array(0));
        case '6700':
          return this.error(0x6700);
        case '6c00':
          return this.error(0x6c00);
      }
    }
    const cap = Math.min(le, this.behaviour.maxRead ?? 256);
    const available = size - offset;
    if (available < cap) {
      const rest = file.content.slice(offset);
      switch (this.behaviour.straddle ?? '6282') {
        case '6282':
          return this.answer(rest, 0x6282);
        case '9000':
          return this.answer(rest);
        case '6c':
          return this.error(0x6c00 | available);
      }
    }
    return this.answer(file.content.slice(offset, offset + cap));
  }

  private verify(c: CommandApdu): Uint8Array {
    if (c.p2 !== 0x01) return this.error(0x6a88);
    if (c.data.length === 0) return this.error(0x6d00);
    if (this.triesLeft === 0) return this.error(0x6983);
    const padded = decryptGen1PinBlock(c.data);
    if (!padded) return this.error(0x6988);
    if (bytesEqual(padded, this.pin)) {
      this.triesLeft = 3;
      this.verified = true;
      if (!this.behaviour.verifySuccess61) return this.answer(new Uint8Array(0));
      this.pending = Uint8Array.of(0x90, 0x00);
      return Uint8Array.of(0x61, 0x02);
    }
    this.verified = false;
    this.triesLeft--;
    if (this.behaviour.verifyWrongLe) return this.error(0x6c10);
    if (this.triesLeft === 0) return this.error(0x6983);
    return this.error(this.behaviour.wrongPin === '6300' ? 0x6300 : 0x63c0 | this.triesLeft);
  }

  private rsa(c: CommandApdu): Uint8Array {
    if (!this.verified) return this.error(0x6982);
    if (c.ins === 0xc1) {
      const result = this.secondResult;
      if (!result) return this.error(0x6985);
      this.secondResult = undefined;
      return this.answer(result);
    }
    if (!this.ef?.endsWith('0810')) return this.error(0x6985);
    const key = c.p2 === 0x05 ? this.credentials.sign : c.p2 === 0x11 ? this.credentials.keyx : undefined;
    if (!key) return this.error(0x6a88);
    if (c.p1 === 0x82) {
      this.firstHalf = Uint8Array.from(c.data);
      return this.answer(new Uint8Array(0));
    }
    if (c.p1 !== 0x02 || !this.firstHalf) return this.error(0x6985);
    const out = privateDecrypt({ key: key.privateKey, padding: constants.RSA_NO_PADDING }, Buffer.concat([this.firstHalf, c.data]));
    this.firstHalf = undefined;
    const full = new Uint8Array(256);
    full.set(out, 256 - out.length);
    this.secondResult = full.slice(128);
    return this.answer(full.slice(0, 128));
  }
}
