/**
 * A name attribute whose value is not a character string (X.501 allows any type: an OCTET STRING, a SEQUENCE, a BIT
 * STRING uniqueIdentifier). Such a value made the whole certificate unreadable (BAD_NAME). It is now shown as RFC 4514
 * writes it, `#` and the hex of its DER, and never read as text: the named fields leave it out whole, and no holder
 * is read from a subject whose CN, O, OU, L, C, serialNumber or E is one.
 */
import { describe, expect, it } from 'vitest';
import { certificateProfileToJson, parseCertificate } from '../../../src/cert/profile/index.js';
import { TrustedCertificate } from '../../../src/cert/index.js';
import { encodeGpkiAttributes } from '../../../src/testing/pki/gpki-attributes-encoder.js';
import { encodedString, objectIdentifier, octetString, sequence, smallInteger, tlv } from '../../../src/testing/der/der-writer.js';
import { writtenCertificate, writtenName } from './helpers/written-certificate.js';

const OID = { C: '2.5.4.6', O: '2.5.4.10', OU: '2.5.4.11', CN: '2.5.4.3', L: '2.5.4.7', serialNumber: '2.5.4.5', uniqueIdentifier: '2.5.4.45' } as const;

/** One attribute per RDN, each value an element written as given. */
const nameOf = (...attributes: ReadonlyArray<readonly [type: keyof typeof OID, value: Uint8Array]>): Uint8Array =>
  sequence(...attributes.map(([type, value]) => tlv(0x31, sequence(objectIdentifier(OID[type]), value))));
const utf8 = (value: string): Uint8Array => encodedString('utf8', value);
const printable = (value: string): Uint8Array => encodedString('printable', value);
/** An OCTET STRING value, 04 03 01 02 03: `#0403010203`. */
const OCTETS = octetString(Uint8Array.of(1, 2, 3));

const issuers = {
  moica: writtenName(['C', 'TW', 'printable'], ['O', '行政院'], ['OU', '內政部憑證管理中心']),
  moeaca: writtenName(['C', 'TW', 'printable'], ['O', '行政院'], ['OU', '工商憑證管理中心']),
  gca: writtenName(['C', 'TW', 'printable'], ['O', '行政院'], ['OU', '政府憑證管理中心']),
  xca: writtenName(['C', 'TW', 'printable'], ['O', '行政院'], ['OU', '組織及團體憑證管理中心']),
};

describe('a name value that is not a character string', () => {
  it('keeps the certificate readable and shows the value as # and the hex of its DER, in the profile and the trust view', () => {
    for (const [value, shown] of [
      [OCTETS, '#0403010203'],
      [sequence(smallInteger(1)), '#3003020101'],
    ] as const) {
      const der = writtenCertificate({ issuer: issuers.moica, subject: nameOf(['C', printable('TW')], ['CN', value], ['serialNumber', printable('A123456789012345')]) });
      const { subject } = parseCertificate(der);
      expect(subject.text).toBe(`C=TW, CN=${shown}, serialNumber=A123456789012345`);
      expect(subject.attributes[1]).toEqual({ oid: OID.CN, shortName: 'CN', value: shown, stringType: undefined });
      // The trust layer's text for messages spells it the same (it showed the content only: `#010203`).
      expect(TrustedCertificate.from(der).subject()).toBe(subject.text);
    }
  });

  it('never reads as the text it looks like: a text value starting with # is escaped and keeps its string type', () => {
    const shownAsHex = parseCertificate(writtenCertificate({ subject: nameOf(['CN', OCTETS]) })).subject;
    const text = parseCertificate(writtenCertificate({ subject: nameOf(['CN', utf8('#0403010203')]) })).subject;
    expect([shownAsHex.text, shownAsHex.commonName]).toEqual(['CN=#0403010203', undefined]);
    expect([text.text, text.commonName, text.attributes[0]?.stringType]).toEqual(['CN=\\#0403010203', '#0403010203', 'UTF8String']);
  });

  it('leaves a named field out whole, never the hex and never the other values of its type without it', () => {
    const { subject } = parseCertificate(
      writtenCertificate({ subject: nameOf(['C', printable('TW')], ['L', utf8('臺北市')], ['L', OCTETS], ['O', utf8('社團法人臺灣測試協會')], ['O', OCTETS], ['CN', utf8('王小明')]) }),
    );
    expect(subject).toMatchObject({ country: 'TW', localities: [], organizations: [], commonName: '王小明', organizationalUnits: [] });
    expect(subject.text).toBe('C=TW, L=臺北市, L=#0403010203, O=社團法人臺灣測試協會, O=#0403010203, CN=王小明');
  });

  // The layout each authority's holder rule reads, with the value it takes the holder from not text. Before, the
  // certificate was unreadable; with the value merely left out, the rule named the O, OU or CN beside it.
  it.each([
    ['moica', (holder: Uint8Array) => nameOf(['C', printable('TW')], ['CN', holder], ['serialNumber', printable('A123456789012345')])],
    ['moeaca', (holder: Uint8Array) => nameOf(['C', printable('TW')], ['O', holder], ['CN', utf8('測試科技')])],
    ['gca', (holder: Uint8Array) => nameOf(['C', printable('TW')], ['O', utf8('行政院')], ['OU', holder], ['serialNumber', printable('1234567890123456')])],
    ['xca', (holder: Uint8Array) => nameOf(['C', printable('TW')], ['L', utf8('臺北市')], ['O', utf8('社團法人臺灣測試協會')], ['O', holder])],
  ] as const)('names no %s holder from a subject whose holder value is not text', (authority, layout) => {
    const holderOf = (value: Uint8Array) => parseCertificate(writtenCertificate({ issuer: issuers[authority], subject: layout(value) }));
    expect(holderOf(OCTETS).authority.id).toBe(authority);
    expect(holderOf(OCTETS).identity.holderName).toBeUndefined();
    // The same layout in text names its holder by that value: the rule is not what refuses.
    expect(holderOf(utf8('持有者')).identity.holderName).toBe('持有者');
  });

  it('takes no 統一編號 from a MOEACA subject that is not text, but still the GPKI attribute, which is typed text of its own', () => {
    const subject = nameOf(['C', printable('TW')], ['O', OCTETS], ['serialNumber', printable('12345606')]);
    expect(parseCertificate(writtenCertificate({ issuer: issuers.moeaca, subject })).identity).toMatchObject({ holderName: undefined, businessId: undefined, subjectSerialNumber: '12345606' });
    const attributes = encodeGpkiAttributes({ businessId: '04595257' }) as Uint8Array;
    const withAttribute = parseCertificate(writtenCertificate({ issuer: issuers.moeaca, subject, extensions: [{ oid: '2.5.29.9', value: attributes }] }));
    expect(withAttribute.identity).toMatchObject({ holderName: undefined, businessId: '04595257' });
  });

  it('a non-text value of a type without a named field (a BIT STRING uniqueIdentifier) withholds nothing', () => {
    const bits = tlv(0x03, Uint8Array.of(0x00, 0xff));
    const profile = parseCertificate(writtenCertificate({ issuer: issuers.moica, subject: nameOf(['C', printable('TW')], ['CN', utf8('王小明')], ['uniqueIdentifier', bits]) }));
    expect(profile.subject.text).toBe('C=TW, CN=王小明, 2.5.4.45=#030200ff');
    expect(profile.identity.holderName).toBe('王小明');
  });

  it('says so in the profile JSON: stringType null, not a key JSON drops', () => {
    const json = certificateProfileToJson(parseCertificate(writtenCertificate({ subject: nameOf(['CN', OCTETS]) })));
    expect(JSON.parse(JSON.stringify(json)).subject.attributes).toEqual([{ oid: OID.CN, shortName: 'CN', value: '#0403010203', stringType: null }]);
  });
});
