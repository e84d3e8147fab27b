/**
 * Taiwan's office calendar for the 次一營業日 rule: national holidays from the
 * `date-holidays` package (country TW, `public` entries only, including the
 * lunar ones) corrected by a data file of the government's adjustments
 * (observed days, bridge holidays, make-up workdays) that an operator extends.
 */
import Holidays from 'date-holidays';
import { describeValue } from '../../shared/describe-value.js';
import { checkOptionNames } from '../../shared/option-names.js';
import type { BusinessCalendar } from './business-day.js';
import { TAIWAN_ADJUSTMENTS, type CalendarAdjustment } from './taiwan-adjustments.js';

/** Options of {@link TaiwanCalendar}. */
export interface TaiwanCalendarOptions {
  /** Extra adjustments (e.g. next year's DGPA table); they override the built-in ones for the same date. */
  readonly adjustments?: readonly CalendarAdjustment[];
  /** Replace the built-in adjustments instead of extending them. */
  readonly replaceBuiltIn?: boolean;
}

/** The names of {@link TaiwanCalendarOptions}; a Record so that an option added there and not here fails to compile. */
const CALENDAR_OPTIONS: Record<keyof TaiwanCalendarOptions, true> = { adjustments: true, replaceBuiltIn: true };

/** A {@link BusinessCalendar} for Taiwan government offices. */
export class TaiwanCalendar implements BusinessCalendar {
  private readonly holidays = new Holidays('TW');
  private readonly adjusted = new Map<string, boolean>();

  /**
   * Loads the built-in adjustments, then `options.adjustments`.
   * @throws RangeError naming the option or the entry (`adjustments[2].kind`): options that are not an object or
   *   have a name that is no option (a misspelt `adjustment` was dropped, giving wrong business days without a
   *   word), `adjustments` that is not a list, `replaceBuiltIn` that is not true or false, an entry whose `date` is
   *   not a real yyyy-mm-dd date or whose `kind` is not `holiday` or `workday`.
   */
  public constructor(options: TaiwanCalendarOptions = {}) {
    checkOptionNames('TaiwanCalendar', options, CALENDAR_OPTIONS);
    const { adjustments = [], replaceBuiltIn = false } = options as Partial<Record<keyof TaiwanCalendarOptions, unknown>>;
    if (typeof replaceBuiltIn !== 'boolean') {
      throw new RangeError(`TaiwanCalendar: option replaceBuiltIn must be true or false, not ${describeValue(replaceBuiltIn)}`);
    }
    if (!Array.isArray(adjustments)) {
      throw new RangeError(`TaiwanCalendar: option adjustments must be a list of { date, kind, note }, not ${describeValue(adjustments)}`);
    }
    const builtIn = replaceBuiltIn ? [] : TAIWAN_ADJUSTMENTS.map((a, i) => [`TAIWAN_ADJUSTMENTS[${i}]`, a] as const);
    for (const [at, a] of [...builtIn, ...adjustments.map((a: unknown, i) => [`adjustments[${i}]`, a] as const)]) {
      const { date, kind } = checkedAdjustment(at, a);
      this.adjusted.set(date, kind === 'holiday');
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

/**
 * `entry` as an adjustment, or a RangeError naming `at`. `kind` is checked because anything but `holiday` read as a
 * workday, and `date` must be a day of the calendar because `2026-02-30` matched no date at all.
 */
function checkedAdjustment(at: string, entry: unknown): Pick<CalendarAdjustment, 'date' | 'kind'> {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
    throw new RangeError(`TaiwanCalendar: ${at} must be an adjustment { date, kind, note }, not ${describeValue(entry)}`);
  }
  const { date, kind } = entry as Partial<Record<keyof CalendarAdjustment, unknown>>;
  if (typeof date !== 'string' || !isCalendarDate(date)) {
    throw new RangeError(`TaiwanCalendar: ${at}.date must be a Taipei date yyyy-mm-dd, not ${describeValue(date)}`);
  }
  if (kind !== 'holiday' && kind !== 'workday') {
    throw new RangeError(`TaiwanCalendar: ${at}.kind must be "holiday" or "workday", not ${describeValue(kind)}`);
  }
  return { date, kind };
}

/** `yyyy-mm-dd` naming a day that exists (Date.parse takes 2026-02-30 for March 2nd). */
function isCalendarDate(date: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return false;
  const ms = Date.parse(`${date}T00:00:00Z`);
  return !Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 10) === date;
}
