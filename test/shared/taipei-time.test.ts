import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { calendarFields, dayNumber, daysInMonth, taipeiDate, taipeiDateTimeSeconds, taipeiDayEnd, taipeiDayOf, taipeiDayStart } from '../../src/shared/taipei-time.js';

// Taiwan's day begins at 16:00 UTC of the day before, whatever the process's own time zone.
describe('Taiwan (UTC+8) calendar days', () => {
  it('a Taiwan day runs from 16:00Z of the UTC day before to 15:59:59.999Z', () => {
    const day = taipeiDayOf(new Date('2020-02-29T16:00:00Z'));
    expect([taipeiDate(taipeiDayStart(day)), taipeiDayStart(day), taipeiDayEnd(day)]).toEqual(['2020-03-01', new Date('2020-02-29T16:00:00Z'), new Date('2020-03-01T15:59:59.999Z')]);
    expect(taipeiDayOf(new Date('2020-02-29T15:59:59.999Z'))).toBe(day - 1);
    expect(calendarFields(day)).toEqual({ year: 2020, month: 3, day: 1 });
    expect(taipeiDateTimeSeconds(new Date('2025-05-10T15:59:59Z'))).toBe('2025-05-10 23:59:59');
    expect(taipeiDateTimeSeconds(new Date('2025-05-09T16:00:00Z'))).toBe('2025-05-10 00:00:00');
  });

  it('days in a month, leap years included; a day past the month\'s end rolls over', () => {
    expect([2020, 2021, 2100, 2000].map((y) => daysInMonth(y, 2))).toEqual([29, 28, 28, 29]);
    expect([daysInMonth(2021, 12), dayNumber(2021, 2, 29)]).toEqual([31, dayNumber(2021, 3, 1)]);
  });

  it('the day number of an instant is that of its Taiwan date, and its start and end hold it', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true }), (instant) => {
        const day = taipeiDayOf(instant);
        const { year, month, day: date } = calendarFields(day);
        expect(dayNumber(year, month, date)).toBe(day);
        expect(taipeiDate(instant)).toBe(new Date(instant.getTime() + 8 * 3_600_000).toISOString().slice(0, 10));
        expect(taipeiDayStart(day).getTime()).toBeLessThanOrEqual(instant.getTime());
        expect(taipeiDayEnd(day).getTime()).toBeGreaterThanOrEqual(instant.getTime());
        expect(taipeiDayEnd(day).getTime() + 1).toBe(taipeiDayStart(day + 1).getTime());
      }),
      { numRuns: 300 },
    );
  });
});
