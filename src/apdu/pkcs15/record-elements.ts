/**
 * PKCS#15 directory records read with the package's one DER reader
 * (`src/shared/der`). The record parsers look elements up by tag among
 * optional fields, so these helpers take a possibly missing element and name
 * it in the `DerError` (code `DER_SHAPE`) when it is absent or of the wrong
 * kind; the card layer turns that into `MALFORMED_RESPONSE`.
 */

import { definiteLengths } from '../../shared/der/ber-definite.js';
import { DerError } from '../../shared/der/der-error.js';
import { childrenOf, contextTag, type DerNode, isConstructed, readRoot, universalTag } from '../../shared/der/der-reader.js';
import { booleanOf, contentBytes, smallInteger } from '../../shared/der/der-values.js';

export { UniversalTag } from '../../shared/der/der-reader.js';

/**
 * Reads one directory record. The files' top level is definite (the record
 * splitter refuses anything else); an indefinite length inside a record is
 * accepted as BER, since no card fact rules it out.
 */
export function parseRecord(record: Uint8Array, what: string): DerNode {
  return readRoot(definiteLengths(record), what);
}

/** Whether `node` is present and is the universal type `tag`. */
export function isUniversal(node: DerNode | undefined, tag: number): node is DerNode {
  return node !== undefined && universalTag(node) === tag;
}

/** Whether `node` is present and is context-specific `[n]`. */
export function isContext(node: DerNode | undefined, n: number): node is DerNode {
  return node !== undefined && contextTag(node) === n;
}

function present(node: DerNode | undefined, what: string): DerNode {
  if (node === undefined) throw new DerError('DER_SHAPE', `${what} is missing`);
  return node;
}

/** Children of a constructed element. */
export function children(node: DerNode | undefined, what: string): DerNode[] {
  const element = present(node, what);
  if (!isConstructed(element)) throw new DerError('DER_SHAPE', `${what}: expected a constructed element`);
  return childrenOf(element, what);
}

/** A copy of a primitive element's content octets (the result outlives the record). */
export function contentCopy(node: DerNode | undefined, what: string): Uint8Array {
  return Uint8Array.from(contentBytes(present(node, what), what));
}

/** A non-negative INTEGER, or an implicitly tagged one, that fits in a JS number. */
export function smallNumber(node: DerNode | undefined, what: string): number {
  return smallInteger(present(node, what), what);
}

/** A UTF8String's text (invalid UTF-8 is replaced, never thrown: labels are shown, not trusted). */
export function utf8Text(node: DerNode | undefined, what: string): string {
  return Buffer.from(contentBytes(present(node, what), what)).toString('utf8');
}

/** A BOOLEAN's value. */
export function booleanValue(node: DerNode | undefined, what: string): boolean {
  return booleanOf(present(node, what), what);
}
