import { lastOf, type AuthorityDefinition } from './authority-definition.js';

/** GCA 政府憑證管理中心, agency certificates; subject `C=TW, O=行政院, OU=<agency>, [CN=<host>]`. */
export const gca: AuthorityDefinition = {
  id: 'gca',
  displayName: '政府憑證管理中心',
  matchesCaName: (value) => value === '政府憑證管理中心',
  subjectKinds: ['agency'],
  // No verified GCA CA certificate was available to read a key identifier from.
  keyIdentifiers: new Map(),
  holder: ({ subject, attributes }) => ({
    holderName: lastOf(subject.organizationalUnits) ?? lastOf(subject.organizations),
    businessId: attributes.businessId,
  }),
};
