import type { CodeMessage } from '../../component/codes.js';
import type { EmsErrorCode } from '../../ems/errors.js';

/** EMS comparator and data-source failures (`twpki/ems`). */
export const EMS_MESSAGES: Readonly<Record<EmsErrorCode, CodeMessage>> = {
  INVALID_FIELD_DEFINITION: { zhTW: '比對欄位設定錯誤', en: 'The comparison field definitions are invalid' },
  MALFORMED_RECORD: { zhTW: '事業資料格式錯誤', en: 'The facility data is malformed' },
  MISSING_FIELD: { zhTW: '必填欄位未填寫', en: 'A required field is missing' },
  NOT_A_STRING: { zhTW: '欄位內容必須為文字', en: 'A field must be text' },
  VALUE_TOO_LONG: { zhTW: '欄位內容過長', en: 'A field value is too long' },
  UNKNOWN_FIELD: { zhTW: '無此欄位', en: 'Unknown field' },
  UNKNOWN_POLICY: { zhTW: '無此比對規則', en: 'Unknown comparison rule' },
  INVALID_CONTROL_NUMBER: { zhTW: '管制編號格式錯誤', en: 'The control number is invalid' },
  SOURCE_UNREADABLE: { zhTW: '無法讀取事業資料來源', en: 'The facility data source cannot be read' },
};
