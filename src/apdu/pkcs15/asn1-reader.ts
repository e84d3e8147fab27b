import * as asn1js from 'asn1js';
import { TwpkiError } from '../../shared/twpki-error.js';

/** Raised by the helpers below; callers turn it into a typed card-layer error. */
export class Pkcs15ShapeError extends TwpkiError<'PKCS15_SHAPE'> {
  public constructor(message: string) {
    super('PKCS15_SHAPE', message);
  }
}

/** Parses exactly one DER/BER element. */
export function parseAsn1(bytes: Uint8Array): asn1js.AsnType {
  const parsed = asn1js.fromBER(bytes);
  if (parsed.offset === -1 || parsed.result.error) {
    throw new Pkcs15ShapeError(parsed.result.error || 'not BER');
  }
  return parsed.result;
}

/** Universal tag numbers used by PKCS#15 directories. */
export const Tag = { BOOLEAN: 1, INTEGER: 2, BIT_STRING: 3, OCTET_STRING: 4, UTF8_STRING: 12, SEQUENCE: 16 } as const;

/** True when `node` has this class (1 universal, 3 context) and tag number. */
export function hasTag(node: asn1js.AsnType | undefined, tagClass: 1 | 3, tagNumber: number): boolean {
  return node !== undefined && node.idBlock.tagClass === tagClass && node.idBlock.tagNumber === tagNumber;
}

/** Children of a constructed element; throws when `node` is primitive. */
export function children(node: asn1js.AsnType | undefined, what: string): asn1js.AsnType[] {
  if (node === undefined || !node.idBlock.isConstructed) throw new Pkcs15ShapeError(`${what}: expected a constructed element`);
  const value = (node.valueBlock as unknown as { value?: unknown }).value;
  if (!Array.isArray(value)) throw new Pkcs15ShapeError(`${what}: no elements`);
  return value as asn1js.AsnType[];
}

/** The content octets of a primitive element. */
export function contentBytes(node: asn1js.AsnType | undefined, what: string): Uint8Array {
  if (node === undefined || node.idBlock.isConstructed) throw new Pkcs15ShapeError(`${what}: expected a primitive element`);
  const view = (node.valueBlock as unknown as { valueHexView?: Uint8Array }).valueHexView;
  if (!(view instanceof Uint8Array)) throw new Pkcs15ShapeError(`${what}: no content`);
  return Uint8Array.from(view);
}

/** A non-negative INTEGER (or implicitly tagged integer) that fits in a JS number. */
export function smallInteger(node: asn1js.AsnType | undefined, what: string): number {
  const bytes = contentBytes(node, what);
  if (bytes.length === 0 || bytes.length > 6 || (bytes[0]! & 0x80) !== 0) {
    throw new Pkcs15ShapeError(`${what}: not a small non-negative integer`);
  }
  let n = 0;
  for (const b of bytes) n = n * 256 + b;
  return n;
}

/** A UTF8String's text (invalid UTF-8 is replaced, never thrown). */
export function utf8Text(node: asn1js.AsnType | undefined, what: string): string {
  return Buffer.from(contentBytes(node, what)).toString('utf8');
}

/** A BOOLEAN's value. */
export function booleanValue(node: asn1js.AsnType | undefined, what: string): boolean {
  const bytes = contentBytes(node, what);
  if (bytes.length !== 1) throw new Pkcs15ShapeError(`${what}: BOOLEAN must have one content byte`);
  return bytes[0] !== 0;
}
