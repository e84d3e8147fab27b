/*
 * Taiwan time (臺灣時間, Asia/Taipei) as a fixed UTC+8: Taiwan has kept no daylight saving since 1979, so the
 * offset alone gives its calendar, without a time-zone database (a browser bundle or a Node built with small ICU
 * may lack one). Dates before 1979 are not a concern of a PKI that began in 2003.
 *
 * A Taiwan calendar date is handled as a day number (whole days since 1970-01-01 in Taiwan), so date arithmetic
 * is integer arithmetic and never reads the process's own time zone or UTC fields of the instant.
 */

/** UTC+8, in milliseconds. */
export const TAIPEI_OFFSET_MS = 8 * 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

/** A date's fields (month 1–12). */
export interface CalendarFields {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

/** The day number of the Taiwan calendar date `instant` falls on. */
export function taipeiDayOf(instant: Date): number {
  return Math.floor((instant.getTime() + TAIPEI_OFFSET_MS) / DAY_MS);
}

/** 00:00:00.000 Taiwan time on day number `day`. */
export function taipeiDayStart(day: number): Date {
  return new Date(day * DAY_MS - TAIPEI_OFFSET_MS);
}

/** The last instant (23:59:59.999 Taiwan time) of day number `day`. */
export function taipeiDayEnd(day: number): Date {
  return new Date((day + 1) * DAY_MS - TAIPEI_OFFSET_MS - 1);
}

/** The fields of day number `day`. */
export function calendarFields(day: number): CalendarFields {
  const d = new Date(day * DAY_MS);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/** The day number of a date; a day past the month's end rolls into the next month, as `Date.UTC` does. */
export function dayNumber(year: number, month: number, day: number): number {
  // setUTCFullYear, not Date.UTC: Date.UTC reads years 0–99 as 1900–1999.
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  return Math.round(d.getTime() / DAY_MS);
}

/** Days in `month` (1–12) of `year`, by the Gregorian calendar. */
export function daysInMonth(year: number, month: number): number {
  return dayNumber(year, month + 1, 1) - dayNumber(year, month, 1);
}

/** Two digits, as dates and times are written here. */
export const twoDigits = (n: number): string => String(n).padStart(2, '0');
const two = twoDigits;

/** The Taiwan time of day of an instant. */
export function taipeiClock(instant: Date): { readonly hour: number; readonly minute: number; readonly second: number } {
  const seconds = Math.floor((instant.getTime() + TAIPEI_OFFSET_MS - taipeiDayOf(instant) * DAY_MS) / 1000);
  return { hour: Math.floor(seconds / 3600), minute: Math.floor(seconds / 60) % 60, second: seconds % 60 };
}

/** `2026-03-02`: the Taiwan date of an instant (the UTC ISO text's date is a day early before 08:00 Taiwan time). */
export function taipeiDate(instant: Date): string {
  const { year, month, day } = calendarFields(taipeiDayOf(instant));
  return `${year}-${two(month)}-${two(day)}`;
}

/** `2026-03-02 09:30:05`: an instant's Taiwan date and time, to the second; say it is Taiwan time where it is shown. */
export function taipeiDateTimeSeconds(instant: Date): string {
  const { hour, minute, second } = taipeiClock(instant);
  return `${taipeiDate(instant)} ${two(hour)}:${two(minute)}:${two(second)}`;
}
