/**
 * A formatting rule: each names one way two spellings of the same value can
 * differ. Results cite these so a company knows the mismatch is only form.
 */
export type NormalizationRule =
  | 'width'
  | 'spaces'
  | 'letterCase'
  | 'postalCode'
  | 'taiTai'
  | 'floor'
  | 'numerals'
  | 'hyphen';

/** One step of a normalization pipeline. */
export interface NormalizationStep {
  /** Rule the step implements. */
  readonly rule: NormalizationRule;
  /** Pure, total transformation. */
  apply(value: string): string;
}
