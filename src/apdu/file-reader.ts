import { CardProtocolError } from '../pcsc/errors.js';
import type { Transport } from '../pcsc/transport.js';
import { exchange, selectSucceeded, statusError } from './card-io.js';
import { type FileId, HiCOSFile } from './commands/file-id.js';
import { MAX_READ_OFFSET, READ_CHUNK, readBinary } from './commands/read-binary.js';
import { selectFile, selectGen2Applet } from './commands/select.js';
import { HiCOSError, MalformedResponseError } from './errors.js';
import { fileCla, type HiCOSGeneration } from './generation.js';
import { splitTlvRecords } from './pkcs15/tlv-records.js';
import type { Scp03Session } from './secure-channel/scp03-session.js';

/** Le of the retry after `6987`, as the official middleware does it. */
const SMALL_READ = 0x10;

/** Runs before any plain command (Gen2: ends a secure-messaging session that may be open). */
export type BeforePlainCommand = (tx: Transport) => Promise<void>;

/** Largest directory file the reader will accumulate before giving up. */
export const MAX_DIRECTORY_BYTES = 8192;

/**
 * File access for one card session: SELECT by FID and READ BINARY in
 * 200-byte chunks. It remembers the current DF so that a second file in the
 * same DF costs one SELECT; any failure forgets it (the next call starts at
 * the root again).
 *
 * The root: Gen1 `SELECT 3F00` (the facts' entry command). Gen2 re-selects
 * the applet by its AID: the facts give the AID as the entry and `7FFF` as
 * "the applet", never `3F00`, and the AID works whatever FIDs the applet
 * takes; after a silent card reset it is also what brings the applet back.
 * Under secure messaging it cannot be used (it ends the SCP03 session): a
 * secured SELECT sequence starts at the root, which opening the channel
 * leaves current.
 *
 * `6700` (wrong length, no further indication) to a READ BINARY: ISO lets a
 * card answer so when Le runs past the end of the file, and a host cannot
 * know a directory file's size. The reader asks again with half the Le
 * (at most 8 times from 200 down to 1), and keeps the bound a refusal gives
 * (the file ends before offset + Le) so that later reads ask no more than
 * that; a refused one-byte read past offset 0 is the end of the file. Data
 * past the bound drops it: that card refused a long Le, not a read past
 * the end.
 *
 * `6987` to a READ BINARY (seen once, meaning unknown): the official
 * middleware asked again with Le `10`. The reader does the same, and keeps
 * asking for 16 bytes until another EF is selected, so a card that refuses
 * every large read costs one refused APDU per file, not one per chunk. A
 * card that refuses the small read too gets a typed `CARD_ERROR`.
 */
export class FileReader {
  private currentDf: FileId | undefined;
  private currentEf: FileId | undefined;
  private smallReads = false;
  /** The selected EF seems to end at or before this offset (from `6700` answers); `undefined` when unknown. */
  private endAtMost: number | undefined;
  /** Whether the SELECT sequence that made `currentEf` current began with the root's own SELECT (see {@link FileReader.selectedFromRoot}). */
  private efFromRoot = false;
  /** Set while {@link FileReader.selectEfIfPresent} runs: a SELECT below the root that finds nothing is an {@link AbsentFileError}. */
  private absentMeans = false;

  /**
   * @param generation decides class bytes and SELECT shape
   * @param beforePlain hook run before every plain SELECT sequence (reads always follow one)
   */
  public constructor(
    public readonly generation: HiCOSGeneration,
    private readonly beforePlain?: BeforePlainCommand,
  ) {}

  /** Records that the root (MF / applet) is selected, e.g. right after detection. */
  public atRoot(): void {
    this.currentDf = HiCOSFile.MF;
    this.currentEf = undefined;
    this.efFromRoot = false;
    this.endAtMost = undefined;
  }

  /** Whether the root (MF / applet root) is known to be the current DF. */
  public get isAtRoot(): boolean {
    return this.currentDf === HiCOSFile.MF;
  }

  /** Forgets the selection state (after a reset or an error). */
  public forget(): void {
    this.currentDf = undefined;
    this.currentEf = undefined;
    this.efFromRoot = false;
    this.smallReads = false;
    this.endAtMost = undefined;
  }

  /**
   * Whether the selected EF was reached by a SELECT sequence that began with the root's own SELECT (an APDU sent),
   * not from a root or DF this reader only remembers as current: a card reset without the transport saying so, or
   * moved by another program, may have taken the same FIDs for other files. `false` when no EF is selected.
   */
  public get selectedFromRoot(): boolean {
    return this.currentEf !== undefined && this.efFromRoot;
  }

  /**
   * Selects `df/ef` below the root with the fewest SELECTs the state allows
   * (none when it is already selected); `df` may be the MF itself. With
   * `secure`, every SELECT below the root is sent under secure messaging and
   * none is skipped, as the Gen2 middleware does before a private-key
   * operation (`5030`, then `0810`); the root must then be current already.
   */
  public async selectEf(tx: Transport, df: FileId, ef: FileId, secure?: Scp03Session): Promise<void> {
    if (!secure) await this.beforePlain?.(tx);
    if (!secure && this.currentDf === df && this.currentEf === ef) return;
    try {
      let fromRoot = false;
      if (this.currentDf !== df || secure) {
        if (this.currentDf !== HiCOSFile.MF) {
          await this.selectRoot(tx, secure);
          fromRoot = true;
        }
        this.currentDf = HiCOSFile.MF;
        this.currentEf = undefined;
        if (df !== HiCOSFile.MF) await this.select(tx, df, secure);
        this.currentDf = df;
      }
      this.smallReads = false;
      this.endAtMost = undefined;
      await this.select(tx, ef, secure);
      this.currentEf = ef;
      this.efFromRoot = fromRoot;
    } catch (error) {
      this.forget();
      throw error;
    }
  }

  /**
   * {@link FileReader.selectEf} (plain), or `false` when the card says `df` or `ef` does not exist: `6A82` or `6A88`
   * (ISO "file / referenced data not found"), or `6A86`, which older cards answer to a SELECT of a file id they do
   * not have. Only those two SELECTs: the root's (SELECT MF, the Gen2 applet) failing is a card that cannot be
   * read at all, never an absent file. Any other failure is thrown, as by `selectEf`.
   *
   * "Not there" is believed only from a SELECT sequence that started with the root's own SELECT: one that started
   * from the DF this reader remembers as current (no APDU for it) may have been sent from elsewhere in the tree (the
   * card was reset without the transport saying so, or another program selected under this one's feet), where a
   * file the card has is not found. Such an answer is checked once from the root (only cards that lack the file pay
   * the APDUs): a card number wrongly taken for absent would have its PIN tries counted under a second key.
   */
  public async selectEfIfPresent(tx: Transport, df: FileId, ef: FileId): Promise<boolean> {
    const fromRoot = this.currentDf !== df && this.currentDf !== HiCOSFile.MF;
    this.absentMeans = true;
    try {
      await this.selectEf(tx, df, ef);
      return true;
    } catch (error) {
      if (!(error instanceof AbsentFileError)) throw error;
    } finally {
      this.absentMeans = false;
    }
    if (fromRoot) return false;
    this.forget();
    return this.selectEfIfPresent(tx, df, ef);
  }

  /**
   * Reads a PKCS#15 directory EF from offset 0 until its records end in
   * `00`/`FF` padding or the file ends; returns the complete records. A
   * file that ends inside a record is a malformed answer, never fewer
   * records.
   */
  public async readDirectory(tx: Transport, name: string): Promise<Uint8Array[]> {
    const parts: Uint8Array[] = [];
    let total = 0;
    let afterShort = false;
    for (;;) {
      const { data, eof, short } = await this.readChunk(tx, total, READ_CHUNK, name, afterShort);
      afterShort = short;
      parts.push(data);
      total += data.length;
      const content = Buffer.concat(parts);
      let split;
      try {
        split = splitTlvRecords(content);
      } catch (error) {
        throw new MalformedResponseError(`reading ${name}`, (error as Error).message, error);
      }
      if (split.state === 'padding') return split.records;
      if (eof) {
        if (split.state === 'incomplete') throw new MalformedResponseError(`reading ${name}`, `the file ends at ${total} inside a record`);
        return split.records;
      }
      if (total >= MAX_DIRECTORY_BYTES) {
        throw new MalformedResponseError(`reading ${name}`, `no padding within ${MAX_DIRECTORY_BYTES} bytes`);
      }
    }
  }

  /** Reads exactly `length` bytes at `offset` of the selected EF. */
  public async readRange(tx: Transport, offset: number, length: number, name: string): Promise<Uint8Array> {
    if (offset + length - 1 > MAX_READ_OFFSET + READ_CHUNK) {
      throw new MalformedResponseError(`reading ${name}`, `range ${offset}+${length} is beyond what READ BINARY addresses`);
    }
    const out = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const want = Math.min(READ_CHUNK, length - done);
      const { data } = await this.readChunk(tx, offset + done, want, name);
      if (data.length === 0) throw new MalformedResponseError(`reading ${name}`, `file ends at ${offset + done}, expected ${length} bytes`);
      const take = Math.min(data.length, length - done);
      out.set(data.subarray(0, take), done);
      done += take;
    }
    return out;
  }

  /**
   * Reads up to `le` bytes of a small EF whose size is not known, from
   * offset 0 until `le` bytes or the end of the file, trimming padding.
   */
  public async readShort(tx: Transport, le: number, name: string): Promise<Uint8Array> {
    return withoutTrailingPadding(await this.readUpTo(tx, le, name));
  }

  /**
   * The first `le` bytes of a small EF whose size is not known (fewer when the file ends before), untrimmed: empty
   * when the read at offset 0 finds the file ended (`9000` or `6282` with no data, `6B00`).
   */
  public async readUpTo(tx: Transport, le: number, name: string): Promise<Uint8Array> {
    const parts: Uint8Array[] = [];
    let total = 0;
    let afterShort = false;
    while (total < le) {
      const { data, eof, short } = await this.readChunk(tx, total, le - total, name, afterShort);
      afterShort = short;
      parts.push(data.subarray(0, le - total));
      total += data.length;
      if (eof) break;
    }
    return new Uint8Array(Buffer.concat(parts));
  }

  /** Makes the root current: Gen1 `SELECT 3F00`, Gen2 the applet's AID (plain only). */
  private async selectRoot(tx: Transport, secure: Scp03Session | undefined): Promise<void> {
    if (this.generation === 1) return this.select(tx, HiCOSFile.MF, secure);
    if (secure) {
      // Re-selecting the applet would end the session the PIN was verified in, and no root FID is known to work.
      throw new HiCOSError('SECURE_CHANNEL_FAILED', 'a secured SELECT sequence must start at the applet root, and the root is not current (no APDU sent)');
    }
    await exchange(tx, selectGen2Applet(), 'SELECT Gen2 applet (its root)', selectSucceeded);
  }

  private async select(tx: Transport, fid: FileId, secure: Scp03Session | undefined): Promise<void> {
    const name = fid.toString(16).toUpperCase().padStart(4, '0');
    const plain = selectFile(this.generation, fid);
    const command = secure ? secure.wrap(plain) : plain;
    await exchange(tx, command, `SELECT ${name}`, (sw) => {
      if (this.absentMeans && fid !== HiCOSFile.MF && (sw === 0x6a82 || sw === 0x6a88 || sw === 0x6a86)) {
        throw new AbsentFileError(name, sw.toString(16).toUpperCase());
      }
      // ISO 7816-4 allows "referenced data not found" for an absent file as well as 6A82.
      if (sw === 0x6a88) throw new HiCOSError('FILE_NOT_FOUND', `SELECT ${name}: file not found (6A88)`, { statusWord: '6A88' });
      return selectSucceeded(sw);
    });
  }

  /**
   * One READ BINARY. `eof` is set when the card says the file ended: `6282`
   * (short read), `6B00` (offset past the end), `6A86` past offset 0 (the
   * same, from cards that call it a wrong P1-P2) or no data at all. Fewer
   * bytes than asked with `9000` is not an end: ISO lets a card return
   * fewer than Le, so the caller reads on (the next read meets the end).
   * `short` tells the caller so. But a card may also mean "that was the end"
   * by a short `9000` and refuse the read after it with a status no list
   * foresees: `afterShort` (the previous read was short) takes any refusal
   * as the end of the file, so neither reading of a short answer is
   * depended on. `6700` is asked again with half the Le first (see the
   * class comment): it may mean "too long" as well as "past the end".
   */
  private async readChunk(
    tx: Transport,
    offset: number,
    le: number,
    name: string,
    afterShort = false,
  ): Promise<{ data: Uint8Array; eof: boolean; short: boolean }> {
    const ended = { data: new Uint8Array(0), eof: true, short: false };
    if (offset > MAX_READ_OFFSET) return ended;
    // After a 6700, ask no more than the file can hold from here; at the bound one byte tells whether it ended.
    if (this.endAtMost !== undefined) le = Math.max(1, Math.min(le, this.endAtMost - offset));
    // No hook here: every read follows a selectEf in the same transaction, which already ran it.
    let asked = this.smallReads ? Math.min(le, SMALL_READ) : le;
    let response;
    try {
      response = await tx.transmit(readBinary(fileCla(this.generation), offset, asked));
    } catch (error) {
      // The transport's own follow-ups can fail on a read past the end (a 6Cxx card answering 6C00 there, whose
      // re-send with Le 00 gets 6C00 again): after a short read that is the end too, like any other refusal.
      if (afterShort && error instanceof CardProtocolError) return ended;
      throw error;
    }
    if (response.sw.value === 0x6987 && asked > SMALL_READ) {
      // The official middleware answers 6987 by asking again for 16 bytes.
      asked = SMALL_READ;
      response = await tx.transmit(readBinary(fileCla(this.generation), offset, asked));
      if (response.sw.value === 0x9000 || response.sw.value === 0x6282) this.smallReads = true;
    }
    while (response.sw.value === 0x6700) {
      // The file holds fewer than `asked` bytes from here (or the card takes no Le that long): it ends before.
      this.endAtMost = Math.min(this.endAtMost ?? Infinity, offset + asked - 1);
      if (asked === 1) break;
      asked = Math.floor(asked / 2);
      response = await tx.transmit(readBinary(fileCla(this.generation), offset, asked));
    }
    const sw = response.sw.value;
    // Data past the bound: the 6700 meant a Le the card does not take, not the end of the file.
    if (this.endAtMost !== undefined && offset + response.data.length > this.endAtMost) this.endAtMost = undefined;
    if (sw === 0x9000) {
      if (response.data.length > asked) throw new MalformedResponseError(`reading ${name}`, `${response.data.length} bytes for Le ${asked}`);
      return { data: response.data, eof: response.data.length === 0, short: response.data.length < asked };
    }
    if (sw === 0x6282) return { data: response.data.slice(0, asked), eof: true, short: false };
    if (sw === 0x6b00 || (sw === 0x6a86 && offset > 0)) return ended;
    // Not even one byte at this offset: past offset 0 that is the end; at 0 it is a refusal, not an empty file.
    if (sw === 0x6700 && offset > 0) return ended;
    this.forget();
    if (afterShort) return ended;
    throw statusError(`READ BINARY ${name} at ${offset}`, response);
  }
}

/** A SELECT below the root answered that the file does not exist (only thrown inside `selectEfIfPresent`). */
class AbsentFileError extends HiCOSError {
  public constructor(name: string, statusWord: string) {
    super('FILE_NOT_FOUND', `SELECT ${name}: file not found (${statusWord})`, { statusWord });
  }
}

/** `data` without the `00`/`FF` bytes that end it (a small EF's padding). */
export function withoutTrailingPadding(data: Uint8Array): Uint8Array {
  let end = data.length;
  while (end > 0 && (data[end - 1] === 0x00 || data[end - 1] === 0xff)) end--;
  return data.subarray(0, end);
}
