import { DerError } from '../../shared/der/der-error.js';
import { type DerNode } from '../../shared/der/der-reader.js';
import { oidOf } from '../../shared/der/der-values.js';
import { decodeDirectoryString } from './directory-string.js';
import type { DirectoryAttribute } from './extensions/subject-directory-attributes.js';
import { GpkiAttributeOid, GpkiSubjectTypeOid } from './oids.js';

/** What kind of holder the GPKI subject-type attribute says this is. */
export type GpkiSubjectKind = 'citizen' | 'company' | 'group' | 'agency' | 'unknown';

/** The GPKI subject-type attribute, with its meaning. */
export interface GpkiSubjectType {
  /** The attribute's value: a subject-type OID under 2.16.886.1.100.3. */
  readonly oid: string;
  /** What that OID means; `unknown` for OIDs outside the known arcs. */
  readonly kind: GpkiSubjectKind;
}

/** GPKI attributes of subjectDirectoryAttributes, decoded by name. */
export interface GpkiAttributes {
  /** 2.16.886.1.100.2.1. */
  readonly subjectType: GpkiSubjectType | undefined;
  /** 2.16.886.1.100.2.2: `primary`, `secondary`, `mobile`, … */
  readonly cardType: string | undefined;
  /** 2.16.886.1.100.2.51: MOICA's 4-digit hint tied to the national ID, as written (its content is not checked). */
  readonly idHint: string | undefined;
  /** 2.16.886.1.100.2.101: 統一編號, as written (its content is not checked). */
  readonly businessId: string | undefined;
  /** 2.16.886.1.100.2.102: agency or organisation OID. */
  readonly organizationOid: string | undefined;
  /** OIDs of other attributes present (not decoded). */
  readonly otherOids: readonly string[];
}

/** The subject kind of a subject-type OID; sub-arcs of a seen value share its kind. */
export function subjectKindOf(oid: string): GpkiSubjectKind {
  const under = (arc: string): boolean => oid === arc || oid.startsWith(`${arc}.`);
  if (under('2.16.886.1.100.3.1')) return 'citizen';
  if (under('2.16.886.1.100.3.2.2')) return 'company';
  if (oid === GpkiSubjectTypeOid.group || under('2.16.886.1.100.3.2')) return 'group';
  if (under('2.16.886.1.100.3.3')) return 'agency';
  return 'unknown';
}

type MutableAttributes = { -readonly [K in keyof GpkiAttributes]: GpkiAttributes[K] };

/** A named decoder for one GPKI attribute. */
interface GpkiAttributeDecoder {
  readonly oid: string;
  readonly name: string;
  apply(value: DerNode, into: MutableAttributes): void;
}

/** A text attribute's value; an empty one names nothing (and `endsWith('')` would agree with any national ID). */
function text(value: DerNode, name: string): string {
  const decoded = decodeDirectoryString(value, name).value;
  if (decoded.length === 0) throw new DerError('DER_SHAPE', `${name} is empty`);
  return decoded;
}

const DECODERS: readonly GpkiAttributeDecoder[] = [
  {
    oid: GpkiAttributeOid.subjectType,
    name: 'GPKI subject type',
    apply: (v, into) => {
      const oid = oidOf(v, 'GPKI subject type');
      into.subjectType = { oid, kind: subjectKindOf(oid) };
    },
  },
  { oid: GpkiAttributeOid.cardType, name: 'GPKI card type', apply: (v, into) => void (into.cardType = text(v, 'GPKI card type')) },
  { oid: GpkiAttributeOid.idHint, name: 'GPKI ID hint', apply: (v, into) => void (into.idHint = text(v, 'GPKI ID hint')) },
  {
    oid: GpkiAttributeOid.businessId,
    name: 'GPKI business ID',
    apply: (v, into) => void (into.businessId = text(v, 'GPKI business ID')),
  },
  {
    oid: GpkiAttributeOid.organizationOid,
    name: 'GPKI organisation OID',
    apply: (v, into) => void (into.organizationOid = oidOf(v, 'GPKI organisation OID')),
  },
];

/** Decodes the GPKI attributes among subjectDirectoryAttributes. */
export function decodeGpkiAttributes(attributes: readonly DirectoryAttribute[]): GpkiAttributes {
  const out: MutableAttributes = {
    subjectType: undefined,
    cardType: undefined,
    idHint: undefined,
    businessId: undefined,
    organizationOid: undefined,
    otherOids: [],
  };
  const others: string[] = [];
  const decoded = new Set<string>();
  for (const attribute of attributes) {
    const decoder = DECODERS.find((d) => d.oid === attribute.oid);
    if (decoder === undefined) {
      others.push(attribute.oid);
      continue;
    }
    // Each names one fact about the holder: of two values, or of the attribute twice, one was reported and the
    // other dropped without a word (two ID hints, two subject types).
    if (decoded.has(decoder.oid)) throw new DerError('DER_SHAPE', `${decoder.name} attribute appears twice`);
    decoded.add(decoder.oid);
    const [only] = attribute.values;
    if (only === undefined) throw new DerError('DER_SHAPE', `${decoder.name} attribute has no value`);
    if (attribute.values.length > 1) throw new DerError('DER_SHAPE', `${decoder.name} attribute has ${attribute.values.length} values, not one`);
    decoder.apply(only, out);
  }
  out.otherOids = others;
  return out;
}

/** GPKI attributes of a certificate without subjectDirectoryAttributes. */
export const NO_GPKI_ATTRIBUTES: GpkiAttributes = {
  subjectType: undefined,
  cardType: undefined,
  idHint: undefined,
  businessId: undefined,
  organizationOid: undefined,
  otherOids: [],
};
