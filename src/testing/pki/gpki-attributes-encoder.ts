import { GpkiAttributeOid } from '../../cert/profile/oids.js';
import { encodedString, objectIdentifier, sequence, setOf } from '../der/der-writer.js';
import type { GpkiAttributesSpec } from './types.js';

/**
 * DER of subjectDirectoryAttributes (2.5.29.9) holding the GPKI attributes,
 * with the value types seen on real certificates; `undefined` when empty.
 */
export function encodeGpkiAttributes(spec: GpkiAttributesSpec): Uint8Array | undefined {
  const attributes: Uint8Array[] = [];
  const add = (oid: string, value: Uint8Array): void => {
    attributes.push(sequence(objectIdentifier(oid), setOf(value)));
  };
  if (spec.subjectType !== undefined) add(GpkiAttributeOid.subjectType, objectIdentifier(spec.subjectType));
  if (spec.cardType !== undefined) add(GpkiAttributeOid.cardType, encodedString('printable', spec.cardType));
  if (spec.idHint !== undefined) add(GpkiAttributeOid.idHint, encodedString('utf8', spec.idHint));
  if (spec.businessId !== undefined) add(GpkiAttributeOid.businessId, encodedString('utf8', spec.businessId));
  if (spec.organizationOid !== undefined) {
    add(GpkiAttributeOid.organizationOid, objectIdentifier(spec.organizationOid));
  }
  return attributes.length === 0 ? undefined : sequence(...attributes);
}
