/**
 * The personnel system (行政院人事行政總處) the official-account application is
 * checked against automatically (seed: 送出資料 sends the member's registered
 * data there). The enrollment layer only asks; the host implements the call.
 */
import type { AgencyOid, NationalId } from '../domain/identifiers.js';

/** What is sent for the check: the member's registered name and ID, and the agency applied for. */
export interface PersonnelQuery {
  /** 中文姓名 as registered by the member. */
  readonly name: string;
  /** 身分證統一編號 as registered by the member. */
  readonly nationalId: NationalId;
  /** 新機關OID applied for. */
  readonly agencyOid: AgencyOid;
  /** 新機關名稱 (from the agency directory). */
  readonly agencyName: string;
}

/** One compared item: `match`, or `mismatch` (including "no such person"). */
export type PersonnelVerdict = 'match' | 'mismatch';

/** The per-item answer; the check passes only when all three match. */
export interface PersonnelCheckResult {
  /** The name agrees with the personnel record. */
  readonly name: PersonnelVerdict;
  /** A person with this ID is on record. */
  readonly nationalId: PersonnelVerdict;
  /** The person serves in the agency applied for. */
  readonly agency: PersonnelVerdict;
}

/** Whom {@link PersonnelSystem.currentAgency} looks up: the member's registered name and ID. */
export interface PersonnelPerson {
  /** 中文姓名 as registered by the member. */
  readonly name: string;
  /** 身分證統一編號 as registered by the member. */
  readonly nationalId: NationalId;
}

/** The personnel system's check; reject (throw) when it cannot answer. */
export interface PersonnelSystem {
  /** Compares the query with the personnel record. */
  check(query: PersonnelQuery): Promise<PersonnelCheckResult>;
  /**
   * The agency OID the personnel record lists for this person now (name and ID both as on record), or
   * `undefined` when no such person serves anywhere. Optional: only `followPersonnelRecord` (所屬機關資訊隨
   * 人事行政總處登載資料自動更新) needs it.
   */
  currentAgency?(person: PersonnelPerson): Promise<string | undefined>;
}
