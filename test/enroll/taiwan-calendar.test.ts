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

  it('ignores the library\'s observances (e.g. 母親節) and knows plain weekends', () => {
    expect(calendar.isHoliday('2025-05-11')).toBeUndefined();
    expect(calendar.isHoliday('2025-10-10')).toBe(true);
    expect(calendar.isHoliday('2025-02-08')).toBe(false);
  });
});
