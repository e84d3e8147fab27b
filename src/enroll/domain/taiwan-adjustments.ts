/**
 * The government's adjustments to Taiwan's office calendar that a holiday
 * library cannot derive from rules: observed days (a holiday falling on a
 * weekend is taken on the adjacent workday), bridge holidays (彈性放假) and
 * make-up workdays (補班). Source: the DGPA 行政機關辦公日曆表 of each year.
 *
 * An operator extends this with the next year's table when the DGPA
 * publishes it (usually in the middle of the year before) by passing more
 * entries to {@link TaiwanCalendar}; a listed date overrides both the
 * library and the weekend rule.
 */

/** One adjusted Taipei date. */
export interface CalendarAdjustment {
  /** Taipei date `yyyy-mm-dd`. */
  readonly date: string;
  /** `holiday` (no office work) or `workday` (補班, a weekend day with office work). */
  readonly kind: 'holiday' | 'workday';
  /** Why, as the DGPA table says it. */
  readonly note: string;
}

/**
 * Adjustments for 2025–2027 the `date-holidays` TW rules miss (checked
 * against its 3.x data: it lists the statutory dates, not the observed ones,
 * and it treats the holidays added by the 2025 紀念日及節日實施條例 as
 * observances).
 *
 * 2027 (民國116年) was checked against the 政府資料開放平台 dataset
 * 「中華民國政府行政機關辦公日曆表」 for 2027 (read through a JSON re-encoding
 * of it, not the DGPA's own PDF) and against the 補假 rule it follows (a
 * holiday on a Saturday is taken on the workday before, on a Sunday on the
 * workday after). That table has no make-up workday (補行上班) in 2027.
 */
export const TAIWAN_ADJUSTMENTS: readonly CalendarAdjustment[] = [
  { date: '2025-01-27', kind: 'holiday', note: '春節彈性放假 (補行上班 2025-02-08)' },
  { date: '2025-02-08', kind: 'workday', note: '補行上班 (for 2025-01-27)' },
  { date: '2025-04-03', kind: 'holiday', note: '兒童節 observed (04-04 is 清明節)' },
  { date: '2025-05-30', kind: 'holiday', note: '端午節 observed (05-31 is a Saturday)' },
  { date: '2025-09-29', kind: 'holiday', note: '教師節 observed (09-28 is a Sunday)' },
  { date: '2025-10-24', kind: 'holiday', note: '臺灣光復暨金門古寧頭大捷紀念日 observed (10-25 is a Saturday)' },
  { date: '2025-12-25', kind: 'holiday', note: '行憲紀念日' },
  { date: '2026-02-27', kind: 'holiday', note: '和平紀念日 observed (02-28 is a Saturday)' },
  { date: '2026-04-03', kind: 'holiday', note: '兒童節 observed (04-04 is a Saturday)' },
  { date: '2026-05-01', kind: 'holiday', note: '勞動節' },
  { date: '2026-09-28', kind: 'holiday', note: '教師節' },
  { date: '2026-10-09', kind: 'holiday', note: '國慶日 observed (10-10 is a Saturday)' },
  { date: '2026-10-26', kind: 'holiday', note: '臺灣光復暨金門古寧頭大捷紀念日 observed (10-25 is a Sunday)' },
  { date: '2026-12-25', kind: 'holiday', note: '行憲紀念日' },
  { date: '2027-02-04', kind: 'holiday', note: '除夕前一日 (小年夜)' },
  { date: '2027-04-06', kind: 'holiday', note: '兒童節 observed (04-04 is a Sunday, 04-05 is 清明節)' },
  { date: '2027-04-30', kind: 'holiday', note: '勞動節 observed (05-01 is a Saturday)' },
  { date: '2027-09-28', kind: 'holiday', note: '孔子誕辰紀念日/教師節' },
  { date: '2027-10-25', kind: 'holiday', note: '臺灣光復暨金門古寧頭大捷紀念日' },
  { date: '2027-12-24', kind: 'holiday', note: '行憲紀念日 observed (12-25 is a Saturday)' },
];
