import { lastOf, type AuthorityDefinition } from './authority-definition.js';

/**
 * HCA 醫事憑證管理中心 (medical staff and institutions). Its certificates were
 * not available to check: it is recognised by CA name only, under either
 * ministry's name.
 */
export const hca: AuthorityDefinition = {
  id: 'hca',
  displayName: '衛生福利部醫事憑證管理中心',
  matchesCaName: (value) => value.endsWith('醫事憑證管理中心'),
  subjectKinds: [],
  keyIdentifiers: new Map(),
  holder: ({ subject, attributes }) => ({
    holderName: subject.commonName ?? lastOf(subject.organizations),
    businessId: attributes.businessId,
  }),
};
