import { lastOf, type AuthorityDefinition } from './authority-definition.js';

/** XCA 組織及團體憑證管理中心; subject `C=TW, L=<county>, L=<town>, O=<organisation>`. */
export const xca: AuthorityDefinition = {
  id: 'xca',
  displayName: '組織及團體憑證管理中心',
  matchesCaName: (value) => value === '組織及團體憑證管理中心',
  subjectKinds: ['group'],
  keyIdentifiers: new Map(),
  holder: ({ subject, attributes }) => ({
    holderName: lastOf(subject.organizations) ?? subject.commonName,
    businessId: attributes.businessId,
  }),
};
