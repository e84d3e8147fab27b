import { describe, expect, it } from 'vitest';
import { nameMatchKey, namesEqual } from '../../../src/cert/trust/name-equality.js';
import { encodedString, objectIdentifier, sequence, setOf, StringTag, tlv } from '../../../src/testing/der/der-writer.js';

type Kind = keyof typeof StringTag;
type Attribute = readonly [string, Uint8Array];
const C = '2.5.4.6';
const O = '2.5.4.10';
const OU = '2.5.4.11';
const CN = '2.5.4.3';

const text = (kind: Kind, value: string): Uint8Array => encodedString(kind, value);
/** A Name from RDNs, each a list of attributes (more than one: a multi-valued RDN, in the order given). */
function dn(...rdns: readonly (readonly Attribute[])[]): Uint8Array {
  // Not `setOf`: it sorts, and the tests want to choose the member order.
  return sequence(...rdns.map((rdn) => tlv(0x31, concat(rdn.map(([oid, value]) => sequence(objectIdentifier(oid), value))))));
}
function concat(parts: readonly Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}
const one = (oid: string, value: Uint8Array): Attribute[] => [[oid, value]];

describe('namesEqual (RFC 5280 §7.1 with RFC 4518 string preparation)', () => {
  const moica = dn(one(C, text('printable', 'TW')), one(O, text('utf8', '行政院')), one(OU, text('utf8', '內政部憑證管理中心')));

  it('byte-identical names are equal', () => {
    expect(namesEqual(moica, Uint8Array.from(moica))).toBe(true);
  });

  it('decodes values whatever their string type: Printable, UTF8, BMP, Universal, IA5', () => {
    const universal = tlv(0x1c, concat([...'TW'].map((ch) => Uint8Array.of(0, 0, 0, ch.charCodeAt(0)))));
    for (const country of [text('utf8', 'TW'), text('bmp', 'TW'), universal, text('ia5', 'TW')]) {
      expect(namesEqual(moica, dn(one(C, country), one(O, text('bmp', '行政院')), one(OU, text('bmp', '內政部憑證管理中心'))))).toBe(true);
    }
  });

  it('folds case and handles insignificant spaces in caseIgnoreMatch attributes', () => {
    const a = dn(one(C, text('printable', 'TW')), one(O, text('utf8', 'Government Root Certification Authority')));
    const b = dn(one(C, text('printable', 'tw')), one(O, text('printable', '  government   ROOT certification authority ')));
    expect(namesEqual(a, b)).toBe(true);
    expect(namesEqual(a, dn(one(C, text('printable', 'TW')), one(O, text('utf8', 'Government RootCertification Authority'))))).toBe(false);
  });

  it('maps as RFC 4518 says: NFKC (full-width letters), soft hyphens and zero-width spaces to nothing, tabs to spaces', () => {
    const a = dn(one(CN, text('utf8', 'Test CA One')));
    expect(namesEqual(a, dn(one(CN, text('utf8', 'Ｔｅｓｔ CA\tOne'))))).toBe(true);
    expect(namesEqual(a, dn(one(CN, text('utf8', 'Te\u00adst\u200b CA One'))))).toBe(true);
  });

  it('keeps case for attribute types that are not caseIgnoreMatch', () => {
    const other = '2.16.886.1.100.2.1';
    expect(namesEqual(dn(one(other, text('utf8', 'Abc'))), dn(one(other, text('printable', ' Abc'))))).toBe(true);
    expect(namesEqual(dn(one(other, text('utf8', 'Abc'))), dn(one(other, text('utf8', 'abc'))))).toBe(false);
  });

  it('compares attribute types exactly, RDNs in order, and the members of a multi-valued RDN as a set', () => {
    const value = text('utf8', 'X');
    expect(namesEqual(dn(one(O, value)), dn(one(OU, value)))).toBe(false);
    expect(namesEqual(dn(one(O, value), one(CN, value)), dn(one(CN, value), one(O, value)))).toBe(false);
    expect(namesEqual(dn([[O, value], [CN, text('utf8', 'Y')]]), dn([[CN, text('printable', 'y')], [O, value]]))).toBe(true);
    expect(namesEqual(dn([[O, value], [CN, value]]), dn(one(O, value), one(CN, value)))).toBe(false);
    expect(namesEqual(dn(one(O, value)), dn(one(O, value), one(CN, value)))).toBe(false);
  });

  it('compares values that are not text, or text that does not decode, byte for byte', () => {
    const big5 = tlv(StringTag.teletex, Uint8Array.of(0xa4, 0xfd, 0xa4, 0x70));
    expect(namesEqual(dn(one(CN, big5)), dn(one(CN, Uint8Array.from(big5))))).toBe(true);
    expect(namesEqual(dn(one(CN, big5)), dn(one(CN, text('utf8', '\u00a4\u00fd\u00a4p'))))).toBe(false);
    const badUtf8 = tlv(StringTag.utf8, Uint8Array.of(0xff, 0x41));
    expect(nameMatchKey(dn(one(CN, badUtf8)))).toBeDefined();
    expect(namesEqual(dn(one(CN, badUtf8)), dn(one(CN, text('utf8', 'A'))))).toBe(false);
    const octets = tlv(0x04, Uint8Array.of(0x41));
    expect(namesEqual(dn(one(CN, octets)), dn(one(CN, text('utf8', 'A'))))).toBe(false);
  });

  it('a malformed name equals only its own bytes', () => {
    const truncated = moica.subarray(0, moica.length - 3);
    expect(nameMatchKey(truncated)).toBeUndefined();
    expect(namesEqual(truncated, Uint8Array.from(truncated))).toBe(true);
    expect(namesEqual(truncated, moica)).toBe(false);
    const emptyRdn = sequence(tlv(0x31, new Uint8Array(0)));
    expect(nameMatchKey(emptyRdn)).toBeUndefined();
    expect(namesEqual(sequence(setOf()), sequence())).toBe(false);
  });
});
