/**
 * Ports to the EMS (環境保護許可資訊系統) side. The comparison itself lives in
 * the EMS layer; enroll only needs its verdict and the registered facility e-mail.
 */
import type { BasicData, BasicDataField } from '../domain/basic-data.js';
import type { ControlNumber } from '../domain/identifiers.js';

/** Result of one field: ✓ match, ✗ mismatch, or not compared (blank on the result page). */
export type FieldVerdict = 'match' | 'mismatch' | 'notCompared';

/** EMS comparison of the typed basic data: passes only if every compared field matches. */
export interface EmsComparison {
  /** True only when every compared field matched (完全一致才算通過). */
  readonly passed: boolean;
  /** Per-field result, shown to the applicant on rejection (紅字為比對資料結果). */
  readonly fields: Readonly<Record<BasicDataField, FieldVerdict>>;
}

/** Compares typed basic data with the EMS record of its control number. */
export interface EmsVerifier {
  /** Runs the comparison; a control number without an EMS record fails on `controlNumber`. */
  verify(data: BasicData): Promise<EmsComparison>;
}

/** Reads the EMS-registered facility e-mail, the only address activation mail may go to. */
export interface EmsRecordSource {
  /** 事業電子郵件信箱 as registered in EMS, or undefined if EMS has no record. */
  facilityEmail(controlNumber: ControlNumber): Promise<string | undefined>;
}
