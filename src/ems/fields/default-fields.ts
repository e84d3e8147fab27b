import { defineFieldSet, type FieldSet } from './field-definition.js';

/**
 * The eight fields of the MOENV account application (seed: 帳號申請(1/2)
 * 基本資料填寫), in the form's order. The first five are compared with EMS
 * basic-data table C and marked ✓/✗ on the result page; the last three are
 * shown unmarked. The company name is an `organizationName` (台/臺 folded under
 * the `normalized` policy), the responsible person and the contact are
 * person names (`name`: 台 and 臺 stay apart).
 */
export const DEFAULT_FIELDS: FieldSet = defineFieldSet([
  { key: 'controlNumber', labelZh: '管制編號', labelEn: 'Control number', compared: true, kind: 'id' },
  { key: 'companyName', labelZh: '公司名稱', labelEn: 'Company name', compared: true, kind: 'organizationName' },
  {
    key: 'responsiblePerson',
    labelZh: '公司/營業登記負責人姓名',
    labelEn: 'Responsible person',
    compared: true,
    kind: 'name',
  },
  { key: 'facilityAddress', labelZh: '事業地址', labelEn: 'Facility address', compared: true, kind: 'address' },
  {
    key: 'facilityEmail',
    labelZh: '事業電子郵件信箱',
    labelEn: 'Facility email',
    compared: true,
    kind: 'email',
  },
  { key: 'mailingAddress', labelZh: '郵寄地址', labelEn: 'Mailing address', compared: false, kind: 'address' },
  { key: 'contactName', labelZh: '聯絡人', labelEn: 'Contact person', compared: false, kind: 'name' },
  {
    key: 'contactEmail',
    labelZh: '聯絡人電子信箱',
    labelEn: 'Contact email',
    compared: false,
    kind: 'email',
  },
]);
