import type { AuthorityDefinition } from './authority-definition.js';

/** GRCA 政府憑證總管理中心, the root. Key identifiers read off the fixtures. */
export const grca: AuthorityDefinition = {
  id: 'grca',
  displayName: '政府憑證總管理中心',
  matchesCaName: (value) => value.startsWith('Government Root Certification Authority') || value === '政府憑證總管理中心',
  subjectKinds: [],
  keyIdentifiers: new Map([
    ['CCCCEFCC2960A43BB192B63CFA32628FAC25153B', 'G1'],
    ['D5671DE09C7A2C9CCBC598E71D07262A86EC74CD', 'G2'],
    ['3A908EE741471973DC9CBDA37ED83D3E83091F03', 'G3'],
  ]),
  holder: (source) => ({ holderName: source.subject.commonName ?? source.subject.organizations[0], businessId: undefined }),
};
