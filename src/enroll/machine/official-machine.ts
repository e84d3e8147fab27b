import type { MachineDefinition } from './machine.js';

/**
 * States of an official-account application (seed: 我的E政府「公務帳號」申請).
 * A new application is created in one of three states by 送出資料: `approved`
 * (first application that the personnel system confirms), `manualReview` (a
 * mismatch or a second application: the printable 申請書 route) or
 * `underReview` (no personnel system configured: a reviewer checks instead).
 */
export type OfficialStatus = 'underReview' | 'manualReview' | 'approved' | 'rejected' | 'cancelled';
/** Events of the official-account flow after the application exists. */
export type OfficialEvent = 'approve' | 'reject' | 'cancel';

/** The official-account application's transitions; creation is described on {@link OfficialStatus}. */
export const OFFICIAL_ACCOUNT_MACHINE: MachineDefinition<OfficialStatus, OfficialEvent> = {
  flow: 'officialAccount',
  states: ['underReview', 'manualReview', 'approved', 'rejected', 'cancelled'],
  initial: 'underReview',
  terminal: ['approved', 'rejected', 'cancelled'],
  transitions: [
    { from: 'underReview', event: 'approve', to: 'approved' },
    { from: 'underReview', event: 'reject', to: 'rejected' },
    { from: 'underReview', event: 'cancel', to: 'cancelled', guard: '取消申請 by the member' },
    { from: 'manualReview', event: 'approve', to: 'approved', guard: '申請書 received and checked' },
    { from: 'manualReview', event: 'reject', to: 'rejected' },
    { from: 'manualReview', event: 'cancel', to: 'cancelled', guard: '取消申請 by the member' },
  ],
  labels: { underReview: '審核中', manualReview: '人工審核', approved: '公務人員', rejected: '未通過', cancelled: '取消申請' },
};

/** The member types of 「一般民眾 / 公務人員」: a general account, or an official of an agency. */
export type OfficialMemberType = 'citizen' | 'official';

/**
 * The seed's value per member type in the field 「一般民眾 / 公務人員」: 「自然人」
 * (a general account, 帳號類型：自然人) or 「公務人員」.
 */
export const OFFICIAL_MEMBER_TYPE_LABELS: Readonly<Record<OfficialMemberType, string>> = {
  citizen: '自然人',
  official: '公務人員',
};
