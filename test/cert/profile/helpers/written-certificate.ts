import { CertificateParseError, parseCertificate } from '../../../../src/cert/profile/index.js';
import { bitString, encodedString, explicit, integerFromHex, NULL, objectIdentifier, octetString, sequence, smallInteger, tlv, x509Time } from '../../../../src/testing/der/der-writer.js';

/**
 * Certificates written field by field, for what the profile reads: it checks no signature, so each test writes
 * exactly the name, serial or extension it is about, which the test PKI (through @peculiar/x509) cannot always.
 */

const algorithm = sequence(objectIdentifier('1.2.840.113549.1.1.11'), NULL);
const rsaKey = sequence(sequence(objectIdentifier('1.2.840.113549.1.1.1'), NULL), bitString(sequence(integerFromHex('c5'), smallInteger(3))));

/** One extension: its OID, the DER of its value, and whether it is critical. */
export interface WrittenExtension {
  readonly oid: string;
  readonly value: Uint8Array;
  readonly critical?: boolean;
}

/** What to write; the rest is an empty name, a fixed validity and a small RSA key. */
export interface WrittenCertificate {
  readonly serial?: Uint8Array;
  readonly issuer?: Uint8Array;
  readonly subject?: Uint8Array;
  readonly extensions?: readonly WrittenExtension[];
  /** notBefore and notAfter elements written as given (default: UTCTimes in 2026 and 2027). */
  readonly validity?: readonly [notBefore: Uint8Array, notAfter: Uint8Array];
}

/** The DER of a v3 certificate with these fields (signature zero-length). */
export function writtenCertificate(fields: WrittenCertificate): Uint8Array {
  const extensions = (fields.extensions ?? []).map((e) =>
    sequence(objectIdentifier(e.oid), ...(e.critical === true ? [Uint8Array.of(0x01, 0x01, 0xff)] : []), octetString(e.value)),
  );
  const tbs = sequence(
    explicit(0, smallInteger(2)),
    fields.serial ?? integerFromHex('01'),
    algorithm,
    fields.issuer ?? sequence(),
    sequence(...(fields.validity ?? [x509Time(new Date('2026-01-01T00:00:00Z')), x509Time(new Date('2027-01-01T00:00:00Z'))])),
    fields.subject ?? sequence(),
    rsaKey,
    ...(extensions.length === 0 ? [] : [explicit(3, sequence(...extensions))]),
  );
  return sequence(tbs, algorithm, bitString(Uint8Array.of(0)));
}

/** A certificate with this one extension. */
export function certificateWith(oid: string, value: Uint8Array): Uint8Array {
  return writtenCertificate({ extensions: [{ oid, value }] });
}

/** A Name of one attribute per RDN: `[['C', 'TW', 'printable'], ['O', '行政院']]` (UTF8String unless said). */
export function writtenName(...attributes: ReadonlyArray<readonly [type: keyof typeof NAME_OIDS, value: string, kind?: 'printable' | 'utf8' | 'bmp']>): Uint8Array {
  return sequence(...attributes.map(([type, value, kind]) => tlv(0x31, sequence(objectIdentifier(NAME_OIDS[type]), encodedString(kind ?? 'utf8', value)))));
}

const NAME_OIDS = { C: '2.5.4.6', O: '2.5.4.10', OU: '2.5.4.11', CN: '2.5.4.3', L: '2.5.4.7', serialNumber: '2.5.4.5' } as const;

/** The CertificateParseError parsing `der` throws (anything else, or a parse, fails the test). */
export function parseFailure(der: Uint8Array): CertificateParseError {
  try {
    parseCertificate(der);
  } catch (error) {
    if (error instanceof CertificateParseError) return error;
    throw error;
  }
  throw new Error('the certificate parsed');
}
