/**
 * Business-day arithmetic in Taiwan time (UTC+8, no daylight saving). The
 * organization flow tells applicants to retry 於次一營業日, i.e. from 00:00 Taipei
 * time of the next day that is not a weekend or a listed holiday.
 */

/** Holidays and make-up workdays; weekends are built in. */
export interface BusinessCalendar {
  /** True if the Taipei date `yyyy-mm-dd` is a holiday (or false for a make-up workday on a weekend). */
  isHoliday?(date: string): boolean | undefined;
}

const TAIPEI_OFFSET_MS = 8 * 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

function taipeiDate(ms: number): string {
  return new Date(ms + TAIPEI_OFFSET_MS).toISOString().slice(0, 10);
}

function isBusinessDay(dayStartMs: number, calendar: BusinessCalendar): boolean {
  const date = taipeiDate(dayStartMs);
  const listed = calendar.isHoliday?.(date);
  if (listed !== undefined) return !listed;
  const weekday = new Date(dayStartMs + TAIPEI_OFFSET_MS).getUTCDay();
  return weekday !== 0 && weekday !== 6;
}

/** Start (00:00 Taipei) of the first business day strictly after the Taipei day of `now`. */
export function nextBusinessDayStart(now: Date, calendar: BusinessCalendar = {}): Date {
  const todayStart = Math.floor((now.getTime() + TAIPEI_OFFSET_MS) / DAY_MS) * DAY_MS - TAIPEI_OFFSET_MS;
  let day = todayStart + DAY_MS;
  // A year of consecutive holidays would be a misconfigured calendar, not a real case.
  for (let i = 0; i < 366 && !isBusinessDay(day, calendar); i++) day += DAY_MS;
  return new Date(day);
}
