import { Pkcs15ShapeError, children, contentBytes, hasTag, parseAsn1, smallInteger, Tag, utf8Text } from './asn1-reader.js';

/** The PKCS#15 TokenInfo (`5032`) fields the SDK uses. */
export interface TokenInfo {
  /** TokenInfo version. */
  readonly version: number;
  /** Token serial number as stored (octets). */
  readonly serialNumber: Uint8Array;
  /** Manufacturer, when present. */
  readonly manufacturerId: string | undefined;
  /** Token label, when present. */
  readonly label: string | undefined;
}

/**
 * Parses TokenInfo = SEQUENCE { version INTEGER, serialNumber OCTET STRING,
 * manufacturerID UTF8String OPTIONAL, label [0] OPTIONAL, tokenflags BIT STRING, … }.
 */
export function parseTokenInfo(record: Uint8Array): TokenInfo {
  const top = children(parseAsn1(record), 'TokenInfo');
  const version = smallInteger(top[0], 'TokenInfo.version');
  if (!hasTag(top[1], 1, Tag.OCTET_STRING)) throw new Pkcs15ShapeError('TokenInfo.serialNumber missing');
  const serialNumber = contentBytes(top[1], 'TokenInfo.serialNumber');
  const manufacturer = top.find((n) => hasTag(n, 1, Tag.UTF8_STRING));
  const labelNode = top.find((n) => hasTag(n, 3, 0));
  return {
    version,
    serialNumber,
    manufacturerId: manufacturer ? utf8Text(manufacturer, 'manufacturerID') : undefined,
    label: labelNode ? utf8Text(labelNode, 'label') : undefined,
  };
}
