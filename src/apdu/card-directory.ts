import type { Transport } from '../pcsc/transport.js';
import { toHex } from '../shared/bytes.js';
import type { CardState } from './card-session.js';
import type { CardCertificate, CardPrivateKey } from './card-types.js';
import { CARD_NUMBER_PATH, type FileId, HiCOSFile, VERSION_PATH } from './commands/file-id.js';
import { READ_CHUNK } from './commands/read-binary.js';
import { CardStatusError, HiCOSError, MalformedResponseError } from './errors.js';
import { withoutTrailingPadding } from './file-reader.js';
import { DerError } from '../shared/der/der-error.js';
import { readElement } from '../shared/der/der-reader.js';
import { type CertificateDirectoryEntry, parseCertificateRecord } from './pkcs15/certificate-directory.js';
import { type CertificateUsage, certificateUsage } from './pkcs15/certificate-usage.js';
import { parsePrivateKeyRecord, type PrivateKeyDirectoryEntry } from './pkcs15/private-key-directory.js';

/** PKCS#15 iDs of the two user keys (ASCII `SIGN`, `KEYX`). */
export const KEY_IDS: Readonly<Record<'SIGN' | 'KEYX', string>> = { SIGN: '5349474e', KEYX: '4b455958' };

const MAX_CERTIFICATE_LENGTH = 0x2000;

/*
 * Reading what the card shows without a PIN: card number, version, the
 * certificates (CDF + EF 08F2) and the private-key directory. Each result is
 * cached in the card-session state, so a second call sends nothing.
 */

/**
 * The card number (卡號), EF `0900/0903`, or `''` when the card has none: the card says that DF or EF does not exist
 * (`6A82`, `6A88`, `6A86` to its SELECT), or the EF is blank (see {@link cardNumberOf}). Whether every HiCOS card has
 * the file, and whether an unpersonalised one can be blank, is not documented. Only those are taken as having none,
 * properties of the card that every later read finds again, and each only from a SELECT sequence that began with
 * the root's own SELECT (from a remembered root or DF, the card may have been moved under this reader's feet, where
 * the same FIDs are other files; it is asked again from the root). Any other failure (a refused read such as
 * `6982`, which can depend on the card's state; malformed content; a transport failure) is thrown: taking it for
 * "none" would let one card's PIN tries be counted under two keys (see `pinCardKey`).
 */
export async function readCardNumber(tx: Transport, state: CardState): Promise<string> {
  if (state.cardNumber !== undefined) return state.cardNumber;
  let read = await readCardNumberEf(tx, state);
  if (read.number === '' && !read.fromRoot) {
    // Blank where a remembered DF led: asked again from the root (only a card that has no number pays for it).
    state.files.forget();
    read = await readCardNumberEf(tx, state);
  }
  state.cardNumber = read.number;
  return state.cardNumber;
}

/** One read of EF `0900/0903`: the number (`''` for none) and whether that answer came from a sequence begun at the root. */
async function readCardNumberEf(tx: Transport, state: CardState): Promise<{ number: string; fromRoot: boolean }> {
  const [df, ef] = CARD_NUMBER_PATH as [FileId, FileId];
  // selectEfIfPresent believes "not there" only from the root already.
  if (!(await state.files.selectEfIfPresent(tx, df, ef))) return { number: '', fromRoot: true };
  const fromRoot = state.files.selectedFromRoot;
  return { number: cardNumberOf(await state.files.readUpTo(tx, CARD_NUMBER_READ, 'card number')), fromRoot };
}

/** Bytes of the card-number EF read (a card number is at most this long; the rest of the file is never looked at). */
const CARD_NUMBER_READ = 16;

/**
 * The card number in the first bytes of EF `0903` (at most {@link CARD_NUMBER_READ}, as read), or `''` when they are
 * blank: none at all (the read at offset 0 found the file ended), or every one `00`, or every one `FF` (an erased
 * or never-written file holds one value throughout). Anything else must be a number: printable ASCII, which
 * `00`/`FF` padding may follow. A mix of `00` and `FF` alone, padding before the number, or an unprintable byte in
 * it is written content that is not a number: `MALFORMED_RESPONSE`.
 */
export function cardNumberOf(read: Uint8Array): string {
  if (read.every((b) => b === 0x00) || read.every((b) => b === 0xff)) return '';
  const bytes = withoutTrailingPadding(read);
  if (bytes.length === 0) throw new MalformedResponseError('reading the card number', 'only 00 and FF bytes, mixed: neither a blank file nor a number');
  if (!printable(bytes)) throw new MalformedResponseError('reading the card number', 'not printable ASCII');
  return Buffer.from(bytes).toString('ascii');
}

/**
 * The version string of EF `0905`. Where it lives is unknown: DF `0900`
 * (beside the card number, where one SELECT reaches it after the card
 * number) is tried first, then the MF; a card with neither gives `''`.
 * The version is optional information, so a card that lets the EF be
 * selected but refuses to read it (any status word, e.g. `6982` or a `6700`
 * that halving the Le did not get past) gives `''` too, rather than failing
 * `info()`. A transport failure or an unprintable answer still fails.
 */
export async function readVersion(tx: Transport, state: CardState): Promise<string> {
  if (state.version !== undefined) return state.version;
  const [df, ef] = VERSION_PATH as [FileId, FileId];
  let bytes: Uint8Array | undefined;
  for (const dir of [df, HiCOSFile.MF]) {
    try {
      await state.files.selectEf(tx, dir, ef);
    } catch (error) {
      // Absent, however the card says so: 6A82/6A88 (FILE_NOT_FOUND), or 6A86, which older cards answer to a
      // SELECT of a file id they do not have.
      if (error instanceof HiCOSError && (error.code === 'FILE_NOT_FOUND' || error.statusWord === '6A86')) continue;
      throw error;
    }
    try {
      bytes = await state.files.readShort(tx, READ_CHUNK, 'version');
    } catch (error) {
      if (!(error instanceof CardStatusError || (error instanceof HiCOSError && error.code === 'FILE_NOT_FOUND'))) throw error;
    }
    break;
  }
  if (bytes && !printable(bytes)) throw new MalformedResponseError('reading the version', 'not printable ASCII');
  state.version = bytes ? Buffer.from(bytes).toString('ascii') : '';
  return state.version;
}

/** Every certificate the CDF lists, read from EF `08F2` at the listed offsets. */
export async function readCertificates(tx: Transport, state: CardState): Promise<CardCertificate[]> {
  if (state.certificates) return state.certificates;
  const entries = await readCertificateDirectory(tx, state);
  const kept = state.keyCertificate;
  const certificates: CardCertificate[] = [];
  for (const [index, entry] of entries.entries()) {
    // The one certificate a PIN operation read for the key of a card without a number is not read twice.
    certificates.push(kept?.index === index ? kept.certificate : await readCertificate(tx, state, entry));
  }
  state.certificates = certificates;
  return certificates;
}

/**
 * The certificate the count of PIN tries of a card without a card number is kept by (see `pinCardKey`): the first
 * SIGN certificate the CDF lists, else the first KEYX one ({@link keyCertificateOf}); `undefined` when it lists
 * neither. Only
 * that certificate is read (the CDF, then its chunks of EF `08F2`), not every one as `readCertificates` does: the
 * key needs nothing else, and a card without a number would otherwise read some 30 APDUs before its first PIN
 * operation. Both reads take the same CDF entry and read it the same way, so the key is the same whichever ran.
 */
export async function readKeyCertificate(tx: Transport, state: CardState): Promise<CardCertificate | undefined> {
  if (state.certificates) return keyCertificateOf(state.certificates, (c) => c.id);
  if (state.keyCertificate !== undefined) return state.keyCertificate?.certificate;
  const entries = await readCertificateDirectory(tx, state);
  const entry = keyCertificateOf(entries, (e) => toHex(e.id));
  state.keyCertificate = entry ? { index: entries.indexOf(entry), certificate: await readCertificate(tx, state, entry) } : null;
  return state.keyCertificate?.certificate;
}

/**
 * Which of a card's certificates (or their CDF entries) keys a card without a number: the first SIGN one, else the
 * first KEYX one.
 */
export function keyCertificateOf<T>(items: readonly T[], idOf: (item: T) => string): T | undefined {
  return items.find((item) => idOf(item) === KEY_IDS.SIGN) ?? items.find((item) => idOf(item) === KEY_IDS.KEYX);
}

/** The CDF's entries (cached: the key certificate and the whole read share them). */
async function readCertificateDirectory(tx: Transport, state: CardState): Promise<CertificateDirectoryEntry[]> {
  if (state.certificateDirectory) return state.certificateDirectory;
  await state.files.selectEf(tx, HiCOSFile.PKCS15_DF, HiCOSFile.CDF);
  const records = await state.files.readDirectory(tx, 'CDF');
  state.certificateDirectory = records.map((r) => parseRecord('CDF', () => parseCertificateRecord(r)));
  return state.certificateDirectory;
}

/** The certificate one CDF entry lists, read from where it says. */
async function readCertificate(tx: Transport, state: CardState, entry: CertificateDirectoryEntry): Promise<CardCertificate> {
  const [df, ef] = certificateLocation(entry);
  if (entry.length < 4 || entry.length > MAX_CERTIFICATE_LENGTH) {
    throw new MalformedResponseError('reading CDF', `certificate length ${entry.length} is implausible`);
  }
  await state.files.selectEf(tx, df, ef);
  let read = await state.files.readRange(tx, entry.offset, entry.length, 'certificate');
  // A CDF length that falls short of what the certificate's own header says: the rest is read too (one more
  // READ BINARY, only for such a card), rather than refusing a card whose file holds the whole certificate.
  const end = declaredEnd(read);
  if (end !== undefined && end > read.length && end <= MAX_CERTIFICATE_LENGTH) {
    read = await state.files.readRange(tx, entry.offset, end, 'certificate');
  }
  return { label: entry.label, id: toHex(entry.id), usage: certificateUsage(entry), der: certificateDer(read, entry.length) };
}

/** The PrKDF: key references and sizes. */
export async function readPrivateKeys(tx: Transport, state: CardState): Promise<CardPrivateKey[]> {
  if (state.keys) return state.keys;
  await state.files.selectEf(tx, HiCOSFile.PKCS15_DF, HiCOSFile.PRKDF);
  const records = await state.files.readDirectory(tx, 'PrKDF');
  state.keys = records.map((r) => {
    const e: PrivateKeyDirectoryEntry = parseRecord('PrKDF', () => parsePrivateKeyRecord(r));
    const id = toHex(e.id);
    const usage: CertificateUsage = id === KEY_IDS.SIGN ? 'SIGN' : id === KEY_IDS.KEYX ? 'KEYX' : 'OTHER';
    return { label: e.label, id, usage, keyRef: e.keyRef, modulusBits: e.modulusBits };
  });
  return state.keys;
}

/**
 * The certificate in `read`, as long as its own DER header says. The CDF's length is the card's word for it: one
 * covering the file's padding (`00`/`FF` after the DER, up to the slot) gave the certificate a tail, and one too
 * short cut it off; either went on to pages as its `certb64` and `thumbprint`.
 */
function certificateDer(read: Uint8Array, listedLength: number): Uint8Array {
  if (read[0] !== 0x30) throw new MalformedResponseError('reading a certificate', 'data is not a DER SEQUENCE');
  let end: number;
  try {
    end = readElement(read, 0, read.length, 'certificate').end;
  } catch (error) {
    if (!(error instanceof DerError)) throw error;
    throw new MalformedResponseError('reading a certificate', `the DER header of the ${listedLength} bytes the CDF lists does not fit them (${error.message})`);
  }
  return end === read.length ? read : read.slice(0, end);
}

/** Where the DER element at the start of `bytes` says it ends, read from its header alone; `undefined` if unreadable. */
function declaredEnd(bytes: Uint8Array): number | undefined {
  if (bytes.length < 6) return undefined;
  try {
    const end = readElement(bytes, 0, Number.MAX_SAFE_INTEGER, 'certificate').end;
    return Number.isSafeInteger(end) ? end : undefined;
  } catch {
    return undefined;
  }
}

function printable(bytes: Uint8Array): boolean {
  return bytes.every((b) => b >= 0x20 && b <= 0x7e);
}

function parseRecord<T>(file: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof DerError || error instanceof RangeError || error instanceof TypeError) {
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
  if (fids[0] === HiCOSFile.MF) fids.shift();
  if (fids.length !== 2) throw new MalformedResponseError('reading CDF', `certificate path ${toHex(p)} is not DF/EF`);
  return [fids[0]!, fids[1]!];
}
