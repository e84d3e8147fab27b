import { describe, expect, it } from 'vitest';
import { extensionListOf, ExtensionCursor } from '../../../src/shared/der/der-extensions.js';
import { decodeObjectIdentifier } from '../../../src/shared/der/der-primitives.js';
import { childrenOf, contentOf, readRoot, type DerNode } from '../../../src/shared/der/der-reader.js';
import { explicit, objectIdentifier, octetString, sequence, tlv } from '../../../src/testing/der/der-writer.js';

// RFC 5280 4.1: Extension ::= SEQUENCE { extnID OBJECT IDENTIFIER, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }.

const TRUE = tlv(0x01, Uint8Array.of(0xff));
const FALSE = tlv(0x01, Uint8Array.of(0x00));
const VALUE = octetString(Uint8Array.of(0x05, 0x00));
const oid = (n: number): Uint8Array => objectIdentifier(`1.2.3.${n}`);
const inWrapper = (content: Uint8Array) => extensionListOf(readRoot(explicit(3, content)), 'extensions [3]', 'extensions', 'extension');
const read = (...extensions: Uint8Array[]) => inWrapper(sequence(...extensions));

describe('the one Extension reader', () => {
  it('reads 2 and 3 fields: the flag DEFAULT FALSE when left out, the value as the content of the OCTET STRING', () => {
    expect(read(sequence(oid(1), VALUE), sequence(oid(2), TRUE, VALUE), sequence(oid(3), FALSE, VALUE))).toEqual([
      { oid: '1.2.3.1', critical: false, value: Uint8Array.of(0x05, 0x00) },
      { oid: '1.2.3.2', critical: true, value: Uint8Array.of(0x05, 0x00) },
      { oid: '1.2.3.3', critical: false, value: Uint8Array.of(0x05, 0x00) },
    ]);
    expect(read()).toEqual([]);
  });

  it('refuses any other shape, naming the extension and, once read, its OID', () => {
    const refusals: [Uint8Array, RegExp][] = [
      [sequence(oid(1)), /^extension is not \(extnID, \[critical\], extnValue\): it has 1 field$/],
      [sequence(oid(1), TRUE, VALUE, VALUE), /it has 4 fields/],
      [sequence(oid(1), FALSE, TRUE, VALUE), /it has 4 fields/],
      [sequence(oid(1), tlv(0x02, Uint8Array.of(1)), VALUE), /^extension 1\.2\.3\.1 critical flag is not a BOOLEAN$/],
      [sequence(oid(1), TRUE, tlv(0x05, new Uint8Array(0))), /^extension 1\.2\.3\.1 extnValue is not an OCTET STRING$/],
      [sequence(oid(1), VALUE, TRUE), /^extension 1\.2\.3\.1 critical flag is not a BOOLEAN$/],
      [sequence(oid(1), tlv(0x24, VALUE)), /^extension 1\.2\.3\.1 extnValue is not a primitive element$/],
      [sequence(tlv(0x06, Uint8Array.of(0x2a, 0x80, 0x01)), VALUE), /^extension extnID is a malformed OBJECT IDENTIFIER \(padded/],
      [sequence(VALUE, oid(1)), /^extension extnID is not an OBJECT IDENTIFIER$/],
      [tlv(0x31, sequence(oid(1), VALUE)), /^extension is not a SEQUENCE$/],
    ];
    for (const [bad, message] of refusals) expect(() => read(sequence(oid(9), VALUE), bad)).toThrow(message);
    expect(() => inWrapper(tlv(0x31, new Uint8Array(0)))).toThrow(/^extensions is not a SEQUENCE$/);
  });

  // The EXPLICIT wrapper was read as its first child: a second list after it was signed and never read.
  it('refuses a wrapper that does not hold exactly one list, naming the wrapper', () => {
    const list = sequence(sequence(oid(1), VALUE));
    expect(inWrapper(list)).toHaveLength(1);
    expect(() => inWrapper(Uint8Array.of(...list, ...sequence(sequence(oid(2), TRUE, VALUE))))).toThrow(
      /^extensions \[3\] holds 2 elements, not one SEQUENCE OF Extension$/,
    );
    expect(() => inWrapper(Uint8Array.of(...list, 0x05, 0x00))).toThrow(/^extensions \[3\] holds 2 elements/);
    expect(() => inWrapper(new Uint8Array(0))).toThrow(/^extensions \[3\] is empty$/);
    expect(() => extensionListOf(readRoot(tlv(0x83, list)), 'extensions [3]', 'extensions', 'extension')).toThrow(/^extensions \[3\] is not a constructed element$/);
  });

  it('refuses an extnID appearing twice, among a few extensions and among many', () => {
    expect(() => read(sequence(oid(1), VALUE), sequence(oid(2), VALUE), sequence(oid(1), TRUE, VALUE))).toThrow(/^extension 1\.2\.3\.1 appears twice$/);
    const many = Array.from({ length: 40 }, (_, i) => sequence(oid(i), VALUE));
    expect(read(...many)).toHaveLength(40);
    // Past the pairwise limit, the earlier extnIDs are in a Set: the first and the last still count.
    expect(() => read(...many, sequence(oid(0), VALUE))).toThrow(/^extension 1\.2\.3\.0 appears twice$/);
    expect(() => read(...many, sequence(oid(39), VALUE))).toThrow(/^extension 1\.2\.3\.39 appears twice$/);
  });

  it('with one cursor over several lists in a buffer, counts a repeat within a list only', () => {
    const lists = readRoot(sequence(sequence(sequence(oid(1), VALUE)), sequence(sequence(oid(1), TRUE, VALUE), sequence(oid(2), VALUE), sequence(oid(2), VALUE))));
    const [first, second] = childrenOf(lists) as [DerNode, DerNode];
    const cursor = new ExtensionCursor(lists.source, 'crlEntryExtensions', 'CRL entry extension');
    const seen: string[] = [];
    for (let ext = cursor.first(first); ext !== undefined; ext = cursor.next()) seen.push(`${decodeObjectIdentifier(contentOf(ext.oid))} ${ext.critical}`);
    expect(() => {
      for (let ext = cursor.first(second); ext !== undefined; ext = cursor.next()) seen.push(`${decodeObjectIdentifier(contentOf(ext.oid))} ${ext.critical}`);
    }).toThrow(/^CRL entry extension 1\.2\.3\.2 appears twice$/);
    expect(seen).toEqual(['1.2.3.1 false', '1.2.3.1 true', '1.2.3.2 false']);
  });
});
