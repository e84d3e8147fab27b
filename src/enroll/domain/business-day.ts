/**
 * Business-day arithmetic in Taiwan time (UTC+8, no daylight saving). The
 * organization flow tells applicants to retry 於次一營業日, i.e. from 00:00 Taipei
 * time of the next day that is not a weekend or a listed holiday.
 */

import { taipeiDate, taipeiDayOf, taipeiDayStart } from '../../shared/taipei-time.js';

/** Holidays and make-up workdays; weekends are built in. */
export interface BusinessCalendar {
  /** True if the Taipei date `yyyy-mm-dd` is a holiday (or false for a make-up workday on a weekend). */
  isHoliday?(date: string): boolean | undefined;
}

function isBusinessDay(day: number, calendar: BusinessCalendar): boolean {
  const start = taipeiDayStart(day);
  const listed = calendar.isHoliday?.(taipeiDate(start));
  if (listed !== undefined) return !listed;
  // Day 0, 1970-01-01, was a Thursday.
  const weekday = (((day + 4) % 7) + 7) % 7;
  return weekday !== 0 && weekday !== 6;
}

/** Start (00:00 Taipei) of the first business day strictly after the Taipei day of `now`. */
export function nextBusinessDayStart(now: Date, calendar: BusinessCalendar = {}): Date {
  let day = taipeiDayOf(now) + 1;
  // A year of consecutive holidays would be a misconfigured calendar, not a real case.
  for (let i = 0; i < 366 && !isBusinessDay(day, calendar); i++) day += 1;
  return taipeiDayStart(day);
}
