/**
 * The one reader of X.509 `Extension` (RFC 5280 4.1): certificates, CRLs,
 * CRL entries and OCSP responses read their extension lists through it.
 * Each used to read them its own way, and one read a 4-field extension as
 * not critical (the flag was taken only from a 3-field one): an unknown
 * critical extension then passed as one that may be ignored. Verification
 * must fail closed, so anything but the shape below is a `DerError`, and an
 * extnID appearing twice in one list is refused (RFC 5280 4.2: read twice,
 * the copy a reader kept decided what the list meant).
 *
 *     Extension ::= SEQUENCE { extnID OBJECT IDENTIFIER, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }
 * @internal
 */

import { DerError } from './der-error.js';
import { decodeObjectIdentifier, objectIdentifierProblem } from './der-primitives.js';
import { contentOf, DerCursor, universalTag, UniversalTag, type DerNode } from './der-reader.js';
import { booleanOf, octetStringOf, oidOf, sequenceOf } from './der-values.js';

/** One extension, decoded. */
export interface DerExtension {
  /** extnID, dotted. */
  readonly oid: string;
  /** The critical flag; `false` when left out (its DEFAULT). */
  readonly critical: boolean;
  /** extnValue content: the DER of the extension's own structure, as a view. */
  readonly value: Uint8Array;
}

function shape(message: string): DerError {
  return new DerError('DER_SHAPE', message);
}

/** Past this many extensions in one list, earlier extnIDs are looked up in a Set, not compared one by one. */
const PAIRWISE_LIMIT = 16;

/**
 * Walks a SEQUENCE OF Extension one extension at a time, checking each
 * one's shape (2 or 3 fields: the extnID, a BOOLEAN between when there are
 * 3, an OCTET STRING last) and refusing an extnID seen earlier in the list.
 * On an extension, `oid` and `value` are its elements in place, nothing
 * decoded or copied; they move with the cursor. Nothing is allocated per
 * extension for the common shape (extnID and extnValue, no flag), and one
 * cursor serves any number of lists in its buffer: a 400k-entry CRL walks
 * its entries' extensions with one.
 */
export class ExtensionCursor {
  /** extnID of the extension the cursor is on, checked to be a well-formed OBJECT IDENTIFIER. */
  public oid: DerNode;
  /** Its critical flag; `false` when left out (the DEFAULT). */
  public critical = false;
  /** Its extnValue, checked to be an OCTET STRING. */
  public value: DerNode;
  private readonly each: DerCursor;
  private readonly oidAt: DerCursor;
  private readonly valueAt: DerCursor;
  private list: DerNode | undefined;
  /** extnIDs read so far in this list, as content offsets (start, end) pairs, the first `earlierCount`; then `seen`. */
  private readonly earlier: number[] = [];
  private earlierCount = 0;
  private seen: Set<string> | undefined;

  /**
   * @param source the buffer the lists lie in.
   * @param listName names a list in errors (`crlEntryExtensions`).
   * @param itemName names an extension in errors (`CRL entry extension`), with its OID once that is read.
   */
  public constructor(
    public readonly source: Uint8Array,
    private readonly listName: string,
    private readonly itemName: string,
  ) {
    this.each = new DerCursor(source);
    this.oidAt = new DerCursor(source);
    this.valueAt = new DerCursor(source);
    this.oid = this.oidAt;
    this.value = this.valueAt;
  }

  /**
   * Moves to the first extension of the SEQUENCE OF Extension `list`; `undefined` when it is empty.
   * @throws DerError `DER_SHAPE` or `DER_PRIMITIVE`, naming the extension.
   */
  public first(list: DerNode): this | undefined {
    if (universalTag(list) !== UniversalTag.sequence) throw shape(`${this.listName} is not a SEQUENCE`);
    this.list = list;
    this.earlierCount = 0;
    this.seen = undefined;
    return this.read(this.each.first(list, this.listName));
  }

  /**
   * Moves to the next extension of the list; `undefined` after the last.
   * @throws DerError `DER_SHAPE` or `DER_PRIMITIVE`, naming the extension.
   */
  public next(): this | undefined {
    if (this.list === undefined) throw new Error('ExtensionCursor.next before first');
    return this.read(this.each.next(this.list, this.listName));
  }

  private read(ext: DerCursor | undefined): this | undefined {
    if (ext === undefined) return undefined;
    const item = this.itemName;
    if (universalTag(ext) !== UniversalTag.sequence) throw shape(`${item} is not a SEQUENCE`);
    const { source, oidAt, valueAt } = this;
    // The common shape, checked in place: a primitive OBJECT IDENTIFIER (0x06), well formed, then the last field,
    // a primitive OCTET STRING (0x04). Any other, well-formed (a critical flag) or not, is read field by field,
    // which names what is wrong.
    const plain =
      oidAt.first(ext, item)?.tag === 0x06 &&
      objectIdentifierProblem(source, oidAt.contentStart, oidAt.end) === undefined &&
      valueAt.first(ext, item) !== undefined &&
      valueAt.next(ext, item)?.tag === 0x04 &&
      valueAt.end === ext.end;
    if (plain) {
      this.oid = oidAt;
      this.critical = false;
      this.value = valueAt;
    } else {
      const fields = fieldsOf(ext, item);
      this.oid = fields.oid;
      this.critical = fields.critical;
      this.value = fields.value;
    }
    this.refuseRepeated();
    return this;
  }

  private refuseRepeated(): void {
    const { source, earlier, oid } = this;
    if (this.seen !== undefined) {
      const key = latin1(source, oid.contentStart, oid.end);
      if (this.seen.has(key)) throw repeated(this.itemName, oid);
      this.seen.add(key);
      return;
    }
    const count = this.earlierCount;
    for (let i = 0; i < count; i += 2) {
      if (sameBytes(source, earlier[i] as number, earlier[i + 1] as number, oid.contentStart, oid.end)) throw repeated(this.itemName, oid);
    }
    earlier[count] = oid.contentStart;
    earlier[count + 1] = oid.end;
    this.earlierCount = count + 2;
    // Pairwise costs nothing for the few extensions of real lists; a hostile list of thousands stays linear.
    if (this.earlierCount > 2 * PAIRWISE_LIMIT) {
      this.seen = new Set();
      for (let i = 0; i < this.earlierCount; i += 2) this.seen.add(latin1(source, earlier[i] as number, earlier[i + 1] as number));
    }
  }
}

/**
 * Reads the SEQUENCE OF Extension inside its EXPLICIT wrapper (a
 * certificate's `[3]`, a CRL's `[0] crlExtensions`, an OCSP response's
 * `[1]` responseExtensions and singleExtensions) with an
 * {@link ExtensionCursor}: every extension checked, a repeated extnID
 * refused. `wrapper` names the wrapper in errors, `list` the list and
 * `item` each extension.
 * @throws DerError `DER_SHAPE` or `DER_PRIMITIVE`.
 */
export function extensionListOf(node: DerNode, wrapper: string, list: string, item: string): DerExtension[] {
  const out: DerExtension[] = [];
  const cursor = new ExtensionCursor(node.source, list, item);
  for (let ext = cursor.first(listInside(node, wrapper)); ext !== undefined; ext = cursor.next()) {
    out.push({ oid: decodeObjectIdentifier(contentOf(ext.oid)), critical: ext.critical, value: contentOf(ext.value) });
  }
  return out;
}

/**
 * The one element an EXPLICIT wrapper holds. A reader that took the first
 * child and stopped left whatever followed it signed and unread (a second
 * extension list, say, with the extension that mattered), so anything but
 * exactly one element is refused; the cursor then checks it is a SEQUENCE.
 */
function listInside(wrapper: DerNode, name: string): DerNode {
  const cursor = new DerCursor(wrapper.source);
  const list = cursor.first(wrapper, name)?.node();
  if (list === undefined) throw shape(`${name} is empty`);
  let count = 1;
  while (cursor.next(wrapper, name) !== undefined) count++;
  if (count !== 1) throw shape(`${name} holds ${count} elements, not one SEQUENCE OF Extension`);
  return list;
}

/**
 * The shape check itself, field by field: the one place its rules are written. `what` names the extension in
 * errors (`extension`, `CRL entry extension`), with its OID once that is read.
 */
function fieldsOf(node: DerNode, what: string): { oid: DerNode; critical: boolean; value: DerNode } {
  const fields = sequenceOf(node, what);
  const [idNode, second, third] = fields;
  if (idNode === undefined || second === undefined || fields.length > 3) {
    throw shape(`${what} is not (extnID, [critical], extnValue): it has ${fields.length} field${fields.length === 1 ? '' : 's'}`);
  }
  const oid = oidOf(idNode, `${what} extnID`);
  const critical = third === undefined ? false : booleanOf(second, `${what} ${oid} critical flag`);
  const valueNode = third ?? second;
  octetStringOf(valueNode, `${what} ${oid} extnValue`);
  return { oid: idNode, critical, value: valueNode };
}

function repeated(item: string, oid: DerNode): DerError {
  return shape(`${item} ${decodeObjectIdentifier(contentOf(oid))} appears twice`);
}

function sameBytes(source: Uint8Array, aStart: number, aEnd: number, bStart: number, bEnd: number): boolean {
  if (aEnd - aStart !== bEnd - bStart) return false;
  for (let i = 0; i < aEnd - aStart; i++) if (source[aStart + i] !== source[bStart + i]) return false;
  return true;
}

function latin1(source: Uint8Array, start: number, end: number): string {
  return Buffer.from(source.buffer, source.byteOffset + start, end - start).toString('latin1');
}
