/** A made-up company as it stands in EMS, and helpers to build applications from it. */
export const EMS_RECORD = Object.freeze({
  controlNumber: 'H5602270',
  companyName: '臺灣綠能化學股份有限公司',
  responsiblePerson: '王大明',
  facilityAddress: '臺北市中正區重慶南路1段122號3樓之1',
  facilityEmail: 'service@greenchem.com.tw',
  mailingAddress: '臺北市中正區重慶南路1段122號3樓之1',
  contactName: '陳小華',
  contactEmail: 'hua.chen@greenchem.com.tw',
});

/** An application identical to {@link EMS_RECORD}, with `changes` applied. */
export function applicationWith(changes: Partial<Record<keyof typeof EMS_RECORD, string>> = {}): Record<string, string> {
  return { ...EMS_RECORD, ...changes };
}
