import type { MachineDefinition } from './machine.js';

/** States of an official-account application (seed: 我的E政府「公務帳號」申請). */
export type OfficialStatus = 'underReview' | 'manualReview' | 'approved' | 'rejected';
/** Events of the official-account flow. */
export type OfficialEvent = 'approve' | 'reject';

/** Agency-OID checked application; a repeat application goes to manual review. */
export const OFFICIAL_ACCOUNT_MACHINE: MachineDefinition<OfficialStatus, OfficialEvent> = {
  flow: 'officialAccount',
  states: ['underReview', 'manualReview', 'approved', 'rejected'],
  initial: 'underReview',
  terminal: ['approved', 'rejected'],
  transitions: [
    { from: 'underReview', event: 'approve', to: 'approved' },
    { from: 'underReview', event: 'reject', to: 'rejected' },
    { from: 'manualReview', event: 'approve', to: 'approved' },
    { from: 'manualReview', event: 'reject', to: 'rejected' },
  ],
  labels: { underReview: '審核中', manualReview: '人工審核', approved: '公務人員', rejected: '未通過' },
};
