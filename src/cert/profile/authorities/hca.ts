import { lastOf, type AuthorityDefinition } from './authority-definition.js';

/**
 * HCA 醫事憑證管理中心 (medical staff and institutions). Its certificates were
 * not available to check: it is recognised by CA name only, under either
 * ministry's name.
 *
 * What is not known, and so not read or checked here (taiwan-cert-facts.md says only that HCA is under GRCA; no HCA
 * CA or holder certificate is in the fixtures), unlike the other authorities whose facts were seen on real
 * certificates:
 * - no CA key identifier, so no generation (as for GCA and XCA);
 * - no GPKI subject-type OID of its own (MOICA, MOEACA, GCA and XCA have one), so the subject type never says HCA;
 * - no subject layout: the holder is read by the rule used for an unknown authority (the CN, else the last O), not by
 *   an HCA rule, and no HCA-only attribute (a medical licence or institution code) is looked for;
 * - GPKI attributes it may carry (card type, ID hint, 統一編號, organisation OID) are read as on any certificate,
 *   not required.
 * Facts from real HCA certificates should replace these assumptions, as they did for the others.
 */
export const hca: AuthorityDefinition = {
  id: 'hca',
  displayName: '衛生福利部醫事憑證管理中心',
  matchesCaName: (value) => value.endsWith('醫事憑證管理中心'),
  subjectKinds: [],
  keyIdentifiers: new Map(),
  // The unknown-authority rule (see parse-certificate), spelt here: no HCA layout is known to choose another.
  holder: ({ subject, attributes }) => ({
    holderName: subject.commonName ?? lastOf(subject.organizations),
    businessId: attributes.businessId,
  }),
};
