/** 次一營業日 on Taiwan's real office calendar: date-holidays TW plus the DGPA adjustments. */
import { describe, expect, it } from 'vitest';
import { nextBusinessDayStart } from '../../src/enroll/domain/business-day.js';
import { TaiwanCalendar } from '../../src/enroll/domain/taiwan-calendar.js';

const calendar = new TaiwanCalendar();
/** 09:00 Taipei on `date` → the next business day's date in Taipei. */
const next = (date: string, cal = calendar): string =>
  new Date(nextBusinessDayStart(new Date(`${date}T09:00:00+08:00`), cal).getTime() + 8 * 3_600_000).toISOString().slice(0, 10);

describe('Taiwan calendar', () => {
  it.each([
    // From the library: lunar new year, 中秋, 清明 observed.
    ['2025-01-24', '2025-02-03', 'Friday before 春節: 01-27 bridge holiday, 01-28..02-02 春節'],
    ['2026-02-13', '2026-02-23', 'Friday before 春節 2026 (02-16..02-20)'],
    ['2025-10-03', '2025-10-07', '中秋節 2025-10-06 (Monday)'],
    ['2026-04-02', '2026-04-07', '兒童節 observed 04-03, 清明 observed 04-06'],
    // From the adjustments: what date-holidays misses.
    ['2025-02-07', '2025-02-08', '補班 Saturday 2025-02-08 is a business day'],
    ['2025-04-02', '2025-04-07', '兒童節 observed 2025-04-03, 清明 04-04'],
    ['2025-05-29', '2025-06-02', '端午 observed 2025-05-30'],
    ['2026-02-26', '2026-03-02', '228 observed 2026-02-27'],
    ['2026-10-08', '2026-10-12', '國慶 observed 2026-10-09'],
    ['2026-03-05', '2026-03-06', 'an ordinary Thursday'],
  ])('%s → %s (%s)', (from, expected) => {
    expect(next(from)).toBe(expected);
  });

  // The 2027 office calendar (民國116年): every weekday without office work, from the 政府資料開放平台 table.
  const OFFICE_HOLIDAYS_2027 = [
    '2027-01-01', '2027-02-04', '2027-02-05', '2027-02-08', '2027-02-09', '2027-02-10', '2027-03-01', '2027-04-05',
    '2027-04-06', '2027-04-30', '2027-06-09', '2027-09-15', '2027-09-28', '2027-10-11', '2027-10-25', '2027-12-24',
    '2027-12-31',
  ];

  it('2027: the weekdays off are exactly the DGPA table\'s, and no Saturday is a make-up workday', () => {
    const off: string[] = [];
    for (let t = Date.UTC(2027, 0, 1); t < Date.UTC(2028, 0, 1); t += 86_400_000) {
      const date = new Date(t).toISOString().slice(0, 10);
      const weekday = new Date(t).getUTCDay();
      const holiday = calendar.isHoliday(date);
      if (weekday === 0 || weekday === 6) expect(holiday, date).not.toBe(false);
      else if (holiday === true) off.push(date);
    }
    expect(off).toEqual(OFFICE_HOLIDAYS_2027);
  });

  it.each([
    ['2027-02-03', '2027-02-11', '春節 2027: 除夕前一日 02-04 through 補假 02-10'],
    ['2027-04-02', '2027-04-07', '清明節 04-05 and 兒童節 observed 04-06'],
    ['2027-04-29', '2027-05-03', '勞動節 observed 04-30'],
    ['2027-09-27', '2027-09-29', '教師節 2027-09-28 (Tuesday, no bridge day)'],
    ['2027-10-22', '2027-10-26', '光復節 2027-10-25'],
    ['2027-12-23', '2027-12-27', '行憲紀念日 observed 12-24'],
    ['2027-12-30', '2028-01-03', '2028 開國紀念日 observed 2027-12-31'],
  ])('2027: %s → %s (%s)', (from, expected) => {
    expect(next(from)).toBe(expected);
  });

  it('an operator extends the adjustments (e.g. next year\'s DGPA table), overriding the library and weekends', () => {
    const extended = new TaiwanCalendar({
      adjustments: [
        { date: '2027-03-08', kind: 'holiday', note: 'test closure' },
        { date: '2027-03-06', kind: 'workday', note: '補班' },
      ],
    });
    expect(next('2027-03-05', extended)).toBe('2027-03-06');
    expect(next('2027-03-06', extended)).toBe('2027-03-09');
    expect(next('2027-03-05')).toBe('2027-03-08');
    expect(() => new TaiwanCalendar({ adjustments: [{ date: '2027-3-8', kind: 'holiday', note: '' }] })).toThrow(RangeError);
  });

  describe('options checked when built: a mistake there gave wrong business days without a word', () => {
    const build = (options: unknown) => () => new TaiwanCalendar(options as never);
    const holiday = { date: '2027-03-08', kind: 'holiday', note: 'test closure' };

    it('refuses options that are not an object, and a misspelt option (adjustment for adjustments was dropped)', () => {
      for (const [options, shown] of [[5, '5'], [null, 'null'], [[holiday], 'an array']] as const) {
        expect(build(options)).toThrow(new RangeError(`TaiwanCalendar: options must be an object or left out, not ${shown}`));
      }
      expect(build({ adjustment: [holiday] })).toThrow(new RangeError('TaiwanCalendar: "adjustment" is not an option (they are adjustments, replaceBuiltIn)'));
    });

    it('refuses adjustments that are not a list and replaceBuiltIn that is not true or false, naming the option', () => {
      expect(build({ adjustments: holiday })).toThrow(new RangeError('TaiwanCalendar: option adjustments must be a list of { date, kind, note }, not an object'));
      // 'true' from a configuration file read as false: the built-in table stayed.
      expect(build({ replaceBuiltIn: 'true' })).toThrow(new RangeError('TaiwanCalendar: option replaceBuiltIn must be true or false, not "true"'));
    });

    it('refuses an entry that is no adjustment, a kind other than holiday or workday, and a date that does not exist, naming the entry', () => {
      // 'Holiday' read as a workday: 2027-03-08 (a Monday) stayed a business day.
      expect(build({ adjustments: [holiday, { ...holiday, kind: 'Holiday' }] })).toThrow(
        new RangeError('TaiwanCalendar: adjustments[1].kind must be "holiday" or "workday", not "Holiday"'),
      );
      expect(build({ adjustments: [{ date: '2027-03-08', type: 'holiday' }] })).toThrow(/adjustments\[0\]\.kind must be/);
      // Date.parse reads 2027-02-30 as March 2nd, so the entry matched no date.
      expect(build({ adjustments: [{ ...holiday, date: '2027-02-30' }] })).toThrow(
        new RangeError('TaiwanCalendar: adjustments[0].date must be a Taipei date yyyy-mm-dd, not "2027-02-30"'),
      );
      expect(build({ adjustments: [null] })).toThrow(new RangeError('TaiwanCalendar: adjustments[0] must be an adjustment { date, kind, note }, not null'));
      expect(build({ adjustments: [{ ...holiday, date: '2028-02-29' }], replaceBuiltIn: true })).not.toThrow();
    });
  });

  it('ignores the library\'s observances (e.g. 母親節) and knows plain weekends', () => {
    expect(calendar.isHoliday('2025-05-11')).toBeUndefined();
    expect(calendar.isHoliday('2025-10-10')).toBe(true);
    expect(calendar.isHoliday('2025-02-08')).toBe(false);
  });
});
