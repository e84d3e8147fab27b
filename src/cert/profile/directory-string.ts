import { DerError } from '../../shared/der/der-error.js';
import { type DerNode, universalTag, UniversalTag } from '../../shared/der/der-reader.js';
import { contentBytes } from '../../shared/der/der-values.js';
import { hasLoneSurrogate } from '../../shared/storable-text.js';

/** ASN.1 string type a name value was encoded with. */
export type AsnStringType =
  | 'UTF8String'
  | 'BMPString'
  | 'PrintableString'
  | 'TeletexString'
  | 'IA5String'
  | 'VisibleString'
  | 'NumericString'
  | 'UniversalString';

const STRING_TYPES: ReadonlyMap<number, AsnStringType> = new Map([
  [UniversalTag.utf8String, 'UTF8String'],
  [UniversalTag.bmpString, 'BMPString'],
  [UniversalTag.printableString, 'PrintableString'],
  [UniversalTag.teletexString, 'TeletexString'],
  [UniversalTag.ia5String, 'IA5String'],
  [UniversalTag.visibleString, 'VisibleString'],
  [UniversalTag.numericString, 'NumericString'],
  [UniversalTag.universalString, 'UniversalString'],
]);

// ignoreBOM: a U+FEFF the certificate holds is part of the value (the trust layer's names keep it too), not a mark
// to drop only when it comes first.
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function utf16be(bytes: Uint8Array, what: string): string {
  if (bytes.length % 2 !== 0) throw new DerError('DER_SHAPE', `${what}: BMPString has an odd number of bytes`);
  let out = '';
  for (let i = 0; i < bytes.length; i += 2) out += String.fromCharCode(((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0));
  // A surrogate without its partner is no character: refused as bad UTF-8 is, never passed on as broken text.
  if (hasLoneSurrogate(out)) throw new DerError('DER_SHAPE', `${what}: BMPString has a lone UTF-16 surrogate`);
  return out;
}

function utf32be(bytes: Uint8Array, what: string): string {
  if (bytes.length % 4 !== 0) throw new DerError('DER_SHAPE', `${what}: UniversalString length is not a multiple of 4`);
  let out = '';
  for (let i = 0; i < bytes.length; i += 4) {
    const cp = (((bytes[i] ?? 0) << 24) | ((bytes[i + 1] ?? 0) << 16) | ((bytes[i + 2] ?? 0) << 8) | (bytes[i + 3] ?? 0)) >>> 0;
    if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) throw new DerError('DER_SHAPE', `${what}: UniversalString has an invalid code point`);
    out += String.fromCodePoint(cp);
  }
  return out;
}

/**
 * Single-byte string types should be ASCII (or T.61 for TeletexString), but
 * Taiwanese issuers and tools have put UTF-8 Chinese into them; bytes that
 * are valid UTF-8 are read as UTF-8, anything else as Latin-1 so no byte is
 * lost.
 */
function lenientSingleByte(bytes: Uint8Array): string {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return Buffer.from(bytes).toString('latin1');
  }
}

/** A decoded string value and the ASN.1 type it had. */
export interface DecodedString {
  readonly value: string;
  readonly stringType: AsnStringType;
}

/** Whether `node` is one of the character string types {@link decodeDirectoryString} reads. */
export function isCharacterString(node: DerNode): boolean {
  const tag = universalTag(node);
  return tag !== undefined && STRING_TYPES.has(tag);
}

/** Decodes any ASN.1 character string (DirectoryString and friends). */
export function decodeDirectoryString(node: DerNode, what: string): DecodedString {
  const tag = universalTag(node);
  const stringType = tag === undefined ? undefined : STRING_TYPES.get(tag);
  if (stringType === undefined) throw new DerError('DER_SHAPE', `${what} is not a character string`);
  const bytes = contentBytes(node, what);
  switch (stringType) {
    case 'BMPString':
      return { value: utf16be(bytes, what), stringType };
    case 'UniversalString':
      return { value: utf32be(bytes, what), stringType };
    case 'UTF8String':
      try {
        return { value: strictUtf8.decode(bytes), stringType };
      } catch {
        throw new DerError('DER_SHAPE', `${what}: UTF8String is not valid UTF-8`);
      }
    default:
      return { value: lenientSingleByte(bytes), stringType };
  }
}
