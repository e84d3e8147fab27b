import { calendarFields, dayNumber, daysInMonth } from '../../shared/taipei-time.js';

/**
 * The last day (a Taiwan day number) of a period of `years` years that follows an event on Taiwan day `eventDay`,
 * counted as 民法 counts one (第120條第2項, 第121條; 行政程序法 第48條 applies them to the authorities' periods):
 * - 「其始日不算入」: the event's own day is not counted, so counting begins the next day (the 起算日);
 * - 「以最後之…年與起算日相當日之前一日，為期間之末日」: the last day is the day before the 起算日's date in the
 *   last year;
 * - 「於最後之月，無相當日者，以其月之末日，為期間之末日」: where that month has no such date (a 起算日 of
 *   29 February, ending in a common year), it is the month's last day, 28 February.
 * The period ends with the end of that day (「以期間末日之終止，為期間之終止」).
 *
 * For most days this is the same date `years` on (issued 10 May 2020, 5 years end 10 May 2025). A 29 February event
 * ends on 28 February of a common year, not 1 March; and an event on 28 February of a common year, counted into a
 * leap year, ends on 29 February (the 起算日 is 1 March).
 */
export function yearPeriodLastDay(eventDay: number, years: number): number {
  const start = calendarFields(eventDay + 1);
  const year = start.year + years;
  if (start.day > daysInMonth(year, start.month)) return dayNumber(year, start.month, daysInMonth(year, start.month));
  return dayNumber(year, start.month, start.day) - 1;
}
