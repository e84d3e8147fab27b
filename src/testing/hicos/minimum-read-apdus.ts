import { HiCOSFile } from '../../apdu/commands/file-id.js';
import { READ_CHUNK } from '../../apdu/commands/read-binary.js';
import { splitTlvRecords } from '../../apdu/pkcs15/tlv-records.js';
import { VirtualHiCOSCard } from './virtual-hicos-card.js';
import { TestPkiError } from '../pki/errors.js';

/**
 * The fewest APDUs that read every certificate and the card number of a
 * virtual card (and the version EF with `includeVersion`), given what the
 * card allows: SELECT only of the root or a child of the current DF,
 * 200-byte READ BINARY, directory files without a size (a reader must see
 * the first padding byte), and detection in the official middleware's order
 * (the Gen2 applet AID first, whatever the ATR): one entry command on Gen2,
 * the refused AID and SELECT MF on Gen1.
 *
 * detect (1 Gen2, 2 Gen1) + `0900`, `0903`, READ (3) [+ `0905`, READ (2)] +
 * root (MF / applet AID), `5030`, `4104` (3) + CDF chunks + `08F2` (1) +
 * each certificate's chunks.
 * @throws TestPkiError `BAD_OPTIONS` when `card` is not a {@link VirtualHiCOSCard}
 */
export function minimumReadApdus(card: VirtualHiCOSCard, options: { includeVersion?: boolean } = {}): number {
  if (!(card instanceof VirtualHiCOSCard)) throw new TestPkiError('BAD_OPTIONS', 'minimumReadApdus: card must be a VirtualHiCOSCard (createVirtualHiCOSCard())');
  if (typeof options !== 'object' || options === null) throw new TestPkiError('BAD_OPTIONS', 'minimumReadApdus: options must be { includeVersion? } or left out');
  const cdf = card.fileContent([HiCOSFile.PKCS15_DF, HiCOSFile.CDF]) ?? new Uint8Array(0);
  const used = splitTlvRecords(cdf).records.reduce((n, r) => n + r.length, 0);
  const cdfReads = Math.floor(used / READ_CHUNK) + 1;
  const creds = card.credentials;
  const certs = [creds.sign.certificate, creds.keyx.certificate, ...(creds.caCertificates ?? [])];
  const certReads = certs.reduce((n, c) => n + Math.ceil(c.length / READ_CHUNK), 0);
  const detect = card.generation === 1 ? 2 : 1;
  return detect + 3 + (options.includeVersion ? 2 : 0) + 3 + cdfReads + 1 + certReads;
}
