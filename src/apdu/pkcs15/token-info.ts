import { DerError } from '../../shared/der/der-error.js';
import { children, contentCopy, isContext, isUniversal, parseRecord, smallNumber, UniversalTag, utf8Text } from './record-elements.js';

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
  const top = children(parseRecord(record, 'TokenInfo'), 'TokenInfo');
  const version = smallNumber(top[0], 'TokenInfo.version');
  if (!isUniversal(top[1], UniversalTag.octetString)) throw new DerError('DER_SHAPE', 'TokenInfo.serialNumber missing');
  const serialNumber = contentCopy(top[1], 'TokenInfo.serialNumber');
  const manufacturer = top.find((n) => isUniversal(n, UniversalTag.utf8String));
  const labelNode = top.find((n) => isContext(n, 0));
  return {
    version,
    serialNumber,
    manufacturerId: manufacturer ? utf8Text(manufacturer, 'manufacturerID') : undefined,
    label: labelNode ? utf8Text(labelNode, 'label') : undefined,
  };
}
