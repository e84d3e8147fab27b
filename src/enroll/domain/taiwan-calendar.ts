/**
 * Taiwan's office calendar for the 次一營業日 rule: national holidays from the
 * `date-holidays` package (country TW, `public` entries only, including the
 * lunar ones) corrected by a data file of the government's adjustments
 * (observed days, bridge holidays, make-up workdays) that an operator extends.
 */
import Holidays from 'date-holidays';
import type { BusinessCalendar } from './business-day.js';
import { TAIWAN_ADJUSTMENTS, type CalendarAdjustment } from './taiwan-adjustments.js';

/** Options of {@link TaiwanCalendar}. */
export interface TaiwanCalendarOptions {
  /** Extra adjustments (e.g. next year's DGPA table); they override the built-in ones for the same date. */
  readonly adjustments?: readonly CalendarAdjustment[];
  /** Replace the built-in adjustments instead of extending them. */
  readonly replaceBuiltIn?: boolean;
}

/** A {@link BusinessCalendar} for Taiwan government offices. */
export class TaiwanCalendar implements BusinessCalendar {
  private readonly holidays = new Holidays('TW');
  private readonly adjusted = new Map<string, boolean>();

  /** Loads the built-in adjustments, then `options.adjustments`. */
  public constructor(options: TaiwanCalendarOptions = {}) {
    for (const a of [...(options.replaceBuiltIn === true ? [] : TAIWAN_ADJUSTMENTS), ...(options.adjustments ?? [])]) {
      if (!/^\d{4}-\d{2}-\d{2}$/.test(a.date) || Number.isNaN(Date.parse(`${a.date}T00:00:00Z`))) {
        throw new RangeError(`calendar adjustment date must be yyyy-mm-dd, not ${JSON.stringify(a.date)}`);
      }
      this.adjusted.set(a.date, a.kind === 'holiday');
    }
  }

  /** {@inheritDoc BusinessCalendar.isHoliday} */
  public isHoliday(date: string): boolean | undefined {
    const listed = this.adjusted.get(date);
    if (listed !== undefined) return listed;
    // Noon Taipei time: inside the date whatever time zone the library assumes.
    const found = this.holidays.isHoliday(new Date(`${date}T12:00:00+08:00`));
    if (found !== false && found.some((h) => h.type === 'public')) return true;
    return undefined;
  }
}
