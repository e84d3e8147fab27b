/** Dates as Taiwan's government forms print them: 民國 year (Gregorian − 1911), Taipei time. */

const TAIPEI_OFFSET_MS = 8 * 60 * 60 * 1000;

/** `民國 115年3月2日` for an instant (ISO string or Date), in Taipei time. */
export function rocDate(instant: string | Date): string {
  const d = new Date(new Date(instant).getTime() + TAIPEI_OFFSET_MS);
  return `民國 ${d.getUTCFullYear() - 1911}年${d.getUTCMonth() + 1}月${d.getUTCDate()}日`;
}
