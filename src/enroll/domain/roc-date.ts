/** Dates as Taiwan's government forms print them: 民國 year (Gregorian − 1911), Taipei time. */

import { calendarFields, taipeiClock, taipeiDate as taipeiDateOf, taipeiDayOf, twoDigits as two } from '../../shared/taipei-time.js';

/** `民國 115年3月2日` for an instant (ISO string or Date), in Taipei time. */
export function rocDate(instant: string | Date): string {
  const { year, month, day } = calendarFields(taipeiDayOf(new Date(instant)));
  return `民國 ${year - 1911}年${month}月${day}日`;
}

/** `民國 115年3月2日 09:30` for an instant, in Taipei time: a time written on a form's office row. */
export function rocDateTime(instant: string | Date): string {
  return `${rocDate(instant)} ${hoursMinutes(instant)}`;
}

/** `09:30`: the instant's Taipei time of day. */
function hoursMinutes(instant: string | Date): string {
  const { hour, minute } = taipeiClock(new Date(instant));
  return `${two(hour)}:${two(minute)}`;
}

/** `2026-03-02` for an instant, in Taipei time (a date cut from the UTC ISO text is a day early before 08:00). */
export function taipeiDate(instant: string | Date): string {
  return taipeiDateOf(new Date(instant));
}

/** `2026-04-01 01:30（臺灣時間）` for an instant: a deadline as a person in Taiwan reads it in a mail. */
export function taipeiDateTime(instant: string | Date): string {
  return `${taipeiDate(instant)} ${hoursMinutes(instant)}（臺灣時間）`;
}
