/** StaticCompanyRegistry takes a configuration file's plain strings, checked as the form checks its fields. */
import { expect, it } from 'vitest';
import { InvalidInputError, StaticCompanyRegistry, type BusinessId } from '../../src/enroll/index.js';

const BID = '04595257';
const OTHER_BID = '22099131';

it('refuses a list that is none and entries that could never be found or loaded, naming each field', async () => {
  const issuesOf = (companies: unknown): readonly string[] => {
    try {
      new StaticCompanyRegistry(companies as never);
    } catch (e) {
      if (e instanceof InvalidInputError) return e.issues.map((i) => `${i.field} ${i.code}`);
      throw e;
    }
    return [];
  };
  // 5 was accepted, and every 載入 was COMPANY_REGISTRY_FAILURE from a TypeError inside.
  expect(issuesOf(5)).toEqual(['companies INVALID_FORMAT']);
  expect(issuesOf({ businessId: BID, companyName: '公司' })).toEqual(['companies INVALID_FORMAT']);
  expect(
    issuesOf([
      { businessId: BID, companyName: '公司' },
      { businessId: '04595258', companyName: '' },
      null,
      { businessId: OTHER_BID, companyName: '公司', representativeName: 5, registeredAddress: { postalCode: '1000', address: '臺北市' } },
      { businessId: ` ${BID}`, companyName: '另一家' },
    ]),
  ).toEqual([
    'companies[1].businessId INVALID_ID',
    'companies[1].companyName REQUIRED',
    'companies[2].businessId REQUIRED',
    'companies[2].companyName REQUIRED',
    'companies[3].representativeName NOT_TEXT',
    'companies[3].registeredAddress.postalCode INVALID_FORMAT',
    'companies[4].businessId INVALID_FORMAT',
  ]);
  expect(issuesOf([{ businessId: BID, companyName: '公司', registeredAddress: '臺北市' }])).toEqual(['companies[0].registeredAddress INVALID_FORMAT']);
  // Text as the form keeps it: trimmed, so a padded 統一編號 from a file is found.
  const padded = new StaticCompanyRegistry([{ businessId: ` ${BID} `, companyName: ' 公司 ', registeredAddress: { postalCode: '10048', address: '臺北市中正區' } }]);
  expect(await padded.findByBusinessId(BID as BusinessId)).toEqual({
    businessId: BID,
    companyName: '公司',
    registeredAddress: { postalCode: '10048', address: '臺北市中正區' },
  });
});
