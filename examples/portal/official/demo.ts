/** The official account system's demo data: general members, the OID directory, the personnel system's records. */
import type { OfficialMemberInput } from 'twpki/enroll';
import type { PersonnelRecord } from './index.js';

/** 內政部消防署 (the seed's example OID). */
export const DEMO_FIRE_AGENCY_OID = '2.16.886.101.20003.20001.20003';

/**
 * The host's general accounts (一般帳號), with when each clicked the 啟動連結 of its 會員確認信: 王小明 holds the demo
 * citizen card (ID ending 6789); 黃筱筱 registered but has not clicked the link yet, so she cannot apply
 * (「待該帳號啟用後，繼續完成公務轉換申請步驟」).
 */
export const DEMO_MEMBERS: readonly OfficialMemberInput[] = [
  { memberId: 'wang6789', name: '王小明', nationalId: 'A123456789', email: 'wang6789@example.com.tw', activatedAt: new Date('2026-01-05T02:10:00Z') },
  { memberId: 'clairesu1234', name: '張美善', nationalId: 'A226812638', email: 'claire01001@example.com.tw', activatedAt: new Date('2026-01-06T08:45:00Z') },
  { memberId: 'huang0409', name: '黃筱筱', nationalId: 'F220409301', email: 'huang0409@example.com.tw', activatedAt: null },
];

/** 查詢機關OID's directory. */
export const DEMO_OID_AGENCIES: ReadonlyArray<{ oid: string; name: string }> = [
  { oid: '2.16.886.101.20003', name: '內政部' },
  { oid: DEMO_FIRE_AGENCY_OID, name: '內政部消防署' },
  { oid: '2.16.886.101.20003.20001.20004', name: '內政部警政署' },
];

/** 行政院人事行政總處 (demo): 王小明 serves at 內政部消防署; 張美善 is not on record. */
export const DEMO_PERSONNEL: readonly PersonnelRecord[] = [{ nationalId: 'A123456789', name: '王小明', agencyOids: [DEMO_FIRE_AGENCY_OID] }];
