import { randomInt } from 'node:crypto';
import { GpkiSubjectTypeOid } from '../../cert/profile/oids.js';
import type { CardHolderOptions, GpkiAttributesSpec, NameAttributeSpec, TestAuthority } from './types.js';

/**
 * How the test PKI dresses each authority: CA names shaped like the real
 * ones but marked `(測試用)` as MOICA marks its own test CA, and subject
 * layouts as seen on real certificates (taiwan-cert-facts.md).
 */
export interface TestAuthorityProfile {
  /** The CA's OU, which is also its display name. */
  readonly caName: string;
  /** Subject of a card holder's certificates. */
  holderSubject(options: CardHolderOptions): NameAttributeSpec[];
  /** GPKI subjectDirectoryAttributes of a card holder's certificates. */
  holderAttributes(options: CardHolderOptions): GpkiAttributesSpec;
}

/** Display name of the test root, shaped like GRCA G3's. */
export const TEST_ROOT_NAME = '(測試用) Government Root Certification Authority';

/** Checksum-valid test 統一編號 (weights 1,2,1,2,1,2,4,1; digit sum divisible by 10). */
export const DEFAULT_TEST_BUSINESS_ID = '12345606';

/** Example agency OID from the government's own OID manual (內政部消防署). */
export const DEFAULT_TEST_AGENCY_OID = '2.16.886.101.20003.20001.20003';

/** A made-up organisation OID under XCA's arc. */
export const DEFAULT_TEST_GROUP_OID = '2.16.886.111.90099.90099.100001';

/** 16 random digits, the shape of a subject serialNumber. */
function randomSubjectSerial(): string {
  let out = '';
  for (let i = 0; i < 16; i++) out += String(randomInt(10));
  return out;
}

const country: NameAttributeSpec = { type: 'C', value: 'TW' };

const profiles: Record<TestAuthority, TestAuthorityProfile> = {
  moica: {
    caName: '(測試用) 內政部憑證管理中心',
    holderSubject: (o) => [
      country,
      { type: 'CN', value: o.commonName ?? '王小明' },
      { type: 'serialNumber', value: o.subjectSerialNumber ?? randomSubjectSerial() },
    ],
    holderAttributes: (o) => ({
      subjectType: GpkiSubjectTypeOid.citizen,
      cardType: o.cardType ?? 'primary',
      idHint: o.idHint ?? '1234',
    }),
  },
  moeaca: {
    caName: '(測試用) 工商憑證管理中心',
    holderSubject: (o) => [country, { type: 'O', value: o.commonName ?? '測試科技股份有限公司' }],
    holderAttributes: (o) => ({
      subjectType: GpkiSubjectTypeOid.company,
      cardType: o.cardType ?? 'primary',
      businessId: o.businessId ?? DEFAULT_TEST_BUSINESS_ID,
    }),
  },
  gca: {
    caName: '(測試用) 政府憑證管理中心',
    holderSubject: (o) => [
      country,
      { type: 'O', value: '行政院' },
      { type: 'OU', value: o.commonName ?? '內政部消防署' },
      { type: 'serialNumber', value: o.subjectSerialNumber ?? randomSubjectSerial() },
    ],
    holderAttributes: (o) => ({
      subjectType: GpkiSubjectTypeOid.agency,
      cardType: o.cardType ?? 'primary',
      organizationOid: o.organizationOid ?? DEFAULT_TEST_AGENCY_OID,
    }),
  },
  xca: {
    caName: '(測試用) 組織及團體憑證管理中心',
    holderSubject: (o) => [
      country,
      { type: 'L', value: '臺北市' },
      { type: 'L', value: '中正區' },
      { type: 'O', value: o.commonName ?? '社團法人臺灣測試協會' },
    ],
    holderAttributes: (o) => ({
      subjectType: GpkiSubjectTypeOid.group,
      cardType: o.cardType ?? 'primary',
      organizationOid: o.organizationOid ?? DEFAULT_TEST_GROUP_OID,
    }),
  },
  hca: {
    // HCA's real DN and attributes were not available to check: the name is
    // the public 衛生福利部 one and no subject-type OID is invented for it.
    caName: '(測試用) 衛生福利部醫事憑證管理中心',
    holderSubject: (o) => {
      const subject: NameAttributeSpec[] = [country, { type: 'CN', value: o.commonName ?? '林醫師' }];
      if (o.subjectSerialNumber !== undefined) subject.push({ type: 'serialNumber', value: o.subjectSerialNumber });
      return subject;
    },
    holderAttributes: (o) => {
      const attributes: GpkiAttributesSpec = {};
      if (o.cardType !== undefined) attributes.cardType = o.cardType;
      if (o.idHint !== undefined) attributes.idHint = o.idHint;
      if (o.organizationOid !== undefined) attributes.organizationOid = o.organizationOid;
      return attributes;
    },
  },
};

/**
 * The authorities whose holder subject has a serialNumber. MOEACA and XCA name a company or group by O (and L) only,
 * so a `subjectSerialNumber` asked of them would be dropped: it is refused instead.
 */
const SUBJECTS_WITH_SERIAL_NUMBER: ReadonlySet<TestAuthority> = new Set(['moica', 'gca', 'hca']);

/** Whether a holder certificate of `authority` carries a subject serialNumber (so `subjectSerialNumber` means something). */
export function holderSubjectHasSerialNumber(authority: TestAuthority): boolean {
  return SUBJECTS_WITH_SERIAL_NUMBER.has(authority);
}

/** Explicit options override defaults for every authority (e.g. an idHint on a GCA card). */
function withOverrides(base: GpkiAttributesSpec, o: CardHolderOptions): GpkiAttributesSpec {
  const out: GpkiAttributesSpec = { ...base };
  if (o.idHint !== undefined) out.idHint = o.idHint;
  if (o.businessId !== undefined) out.businessId = o.businessId;
  if (o.organizationOid !== undefined) out.organizationOid = o.organizationOid;
  return out;
}

/** The profile of one test authority. */
export function testAuthorityProfile(authority: TestAuthority): TestAuthorityProfile {
  const profile = profiles[authority];
  return {
    caName: profile.caName,
    holderSubject: (o) => profile.holderSubject(o),
    holderAttributes: (o) => withOverrides(profile.holderAttributes(o), o),
  };
}
