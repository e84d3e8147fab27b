import { describe, expect, it } from 'vitest';
import { rocDate, taipeiDate, taipeiDateTime } from '../../src/enroll/domain/roc-date.js';

// Forms and mails print dates as a person in Taiwan reads them. The waste form cut its 申請日期 from the UTC ISO
// text and the 驗證碼 mail printed the UTC instant: an application made at 01:30 Taipei on 3/2 printed 3/1, and a
// code valid until 4/1 01:30 Taipei read "2026-03-31T17:30:00.000Z".
describe('Taipei time (UTC+8)', () => {
  it.each([
    ['2026-03-01T17:30:00.000Z', '2026-03-02', '2026-03-02 01:30（臺灣時間）', '民國 115年3月2日'],
    ['2026-03-01T15:59:00Z', '2026-03-01', '2026-03-01 23:59（臺灣時間）', '民國 115年3月1日'],
    ['2026-12-31T16:00:00Z', '2027-01-01', '2027-01-01 00:00（臺灣時間）', '民國 116年1月1日'],
  ])('%s', (instant, date, dateTime, roc) => {
    expect([taipeiDate(instant), taipeiDateTime(instant), rocDate(instant), taipeiDate(new Date(instant))]).toEqual([date, dateTime, roc, date]);
  });
});
