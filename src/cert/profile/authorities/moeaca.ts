import { lastOf, type AuthorityDefinition } from './authority-definition.js';

const BUSINESS_ID = /^\d{8}$/;

/** MOEACA (經濟部)工商憑證管理中心, company certificates; subject `C=TW, O=<company>`. */
export const moeaca: AuthorityDefinition = {
  id: 'moeaca',
  displayName: '經濟部工商憑證管理中心',
  matchesCaName: (value) => value === '工商憑證管理中心' || value === '經濟部工商憑證管理中心',
  subjectKinds: ['company'],
  keyIdentifiers: new Map([['99447A0272EB6D6522B302578FD6A1DD3A020F6C', 'G2']]),
  holder: ({ subject, attributes }) => {
    // The attribute is authoritative; an 8-digit subject serialNumber is the
    // fallback some company certificates are reported to use.
    const fromSubject = subject.serialNumber !== undefined && BUSINESS_ID.test(subject.serialNumber) ? subject.serialNumber : undefined;
    return { holderName: lastOf(subject.organizations) ?? subject.commonName, businessId: attributes.businessId ?? fromSubject };
  },
};
