/** A text in the two languages the doctor speaks. */
export interface Bilingual {
  /** Traditional Chinese. */
  readonly zhTW: string;
  /** English. */
  readonly en: string;
}

/** `ok` passed; `warn` works today but needs attention (renewal window); `fail` stops card use. */
export type CheckStatus = 'ok' | 'warn' | 'fail';

/** One line of the doctor's report. */
export interface DoctorCheck {
  /** Stable identifier, e.g. `pcscd`, `card:Virtual PCD 00 00`. */
  readonly id: string;
  /** What was checked. */
  readonly title: Bilingual;
  /** The outcome. */
  readonly status: CheckStatus;
  /** What was found (reader names, dates, versions), in English; never a PIN. */
  readonly detail?: string;
  /** The same in Traditional Chinese, when the doctor words it (error messages of other layers stay English). */
  readonly detailZhTW?: string;
  /** What to do about a `warn` or `fail`. */
  readonly remedy?: Bilingual;
}

/** Builds a check (a small helper so each checker reads as a table). */
export function check(id: string, title: Bilingual, status: CheckStatus, detail?: string | Bilingual, remedy?: Bilingual): DoctorCheck {
  const words = detail === undefined ? {} : typeof detail === 'string' ? { detail } : { detail: detail.en, detailZhTW: detail.zhTW };
  return { id, title, status, ...words, ...(remedy === undefined || status === 'ok' ? {} : { remedy }) };
}

/** The message of an unknown failure, for a check's detail. */
export function reason(error: unknown): string {
  if (error instanceof Error) return 'code' in error && typeof error.code === 'string' ? `${error.code}: ${error.message}` : error.message;
  return String(error);
}
