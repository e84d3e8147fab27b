/** Dates as Taiwan's government forms print them: 民國 year (Gregorian − 1911), Taipei time. */

import { TAIPEI_OFFSET_MS, taipeiDate as taipeiDateOf } from '../../shared/taipei-time.js';

/** `民國 115年3月2日` for an instant (ISO string or Date), in Taipei time. */
export function rocDate(instant: string | Date): string {
  const d = taipei(instant);
  return `民國 ${d.getUTCFullYear() - 1911}年${d.getUTCMonth() + 1}月${d.getUTCDate()}日`;
}

/** `民國 115年3月2日 09:30` for an instant, in Taipei time: a time written on a form's office row. */
export function rocDateTime(instant: string | Date): string {
  const d = taipei(instant);
  return `${rocDate(instant)} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}`;
}

/** The instant's calendar fields in Taipei time (UTC+8, no daylight saving). */
function taipei(instant: string | Date): Date {
  return new Date(new Date(instant).getTime() + TAIPEI_OFFSET_MS);
}

const two = (n: number): string => String(n).padStart(2, '0');

/** `2026-03-02` for an instant, in Taipei time (a date cut from the UTC ISO text is a day early before 08:00). */
export function taipeiDate(instant: string | Date): string {
  return taipeiDateOf(new Date(instant));
}

/** `2026-04-01 01:30（臺灣時間）` for an instant: a deadline as a person in Taiwan reads it in a mail. */
export function taipeiDateTime(instant: string | Date): string {
  const d = taipei(instant);
  return `${taipeiDate(instant)} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}（臺灣時間）`;
}
