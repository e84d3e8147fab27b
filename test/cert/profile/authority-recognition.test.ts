import { describe, expect, it } from 'vitest';
import { parseCertificate } from '../../../src/cert/profile/index.js';
import { writtenCertificate, writtenName } from './helpers/written-certificate.js';

/** The authority of an end-entity certificate whose issuer is `C=TW, O=<o>, OU=<ou>`. */
function authorityUnder(o: string, ou: string): ReturnType<typeof parseCertificate>['authority'] {
  const issuer = writtenName(['C', 'TW', 'printable'], ['O', o], ['OU', ou]);
  return parseCertificate(writtenCertificate({ issuer, subject: writtenName(['C', 'TW', 'printable'], ['CN', '王小明']) })).authority;
}

describe('test CA marker', () => {
  it('marks MOICA\'s own test CA, and others written the same ways', () => {
    expect(authorityUnder('行政院', '(測試用) 內政部憑證管理中心')).toMatchObject({ id: 'moica', test: true });
    expect(authorityUnder('行政院', '（測試用）工商憑證管理中心')).toMatchObject({ id: 'moeaca', test: true });
    expect(authorityUnder('Test', '政府憑證管理中心')).toMatchObject({ id: 'gca', test: true });
  });

  // The marker-free value had its spaces collapsed and was compared with the value as written: any run of spaces,
  // a tab or a full-width space in a production CA's name made it a test CA.
  it.each([
    ['two spaces', '行政院  經濟部'],
    ['a full-width space', '行政院　經濟部'],
    ['a tab', '行政院\t經濟部'],
  ])('does not mark a CA whose name holds %s', (_label, o) => {
    expect(authorityUnder(o, '工商憑證管理中心')).toMatchObject({ id: 'moeaca', test: false });
  });
});
