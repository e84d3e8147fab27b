import type { MachineDefinition } from './machine.js';

/** States of a company account application (seed: 自然人憑證帳號申請). */
export type AccountStatus = 'draft' | 'basicDataVerified' | 'emsRejected' | 'underReview' | 'approved' | 'rejected' | 'active' | 'abandoned' | 'closed';

/** Events (commands) of the account flow. */
export type AccountEvent =
  | 'submitBasicData'
  | 'bindCard'
  | 'approve'
  | 'reject'
  | 'reissueActivation'
  | 'activate'
  | 'addCard'
  | 'removeCard'
  | 'abandon'
  | 'close';

/** Account application and card binding, from control number to an active account. */
export const ACCOUNT_MACHINE: MachineDefinition<AccountStatus, AccountEvent> = {
  flow: 'account',
  states: ['draft', 'basicDataVerified', 'emsRejected', 'underReview', 'approved', 'rejected', 'active', 'abandoned', 'closed'],
  initial: 'draft',
  terminal: ['emsRejected', 'rejected', 'abandoned', 'closed'],
  transitions: [
    { from: 'draft', event: 'submitBasicData', to: 'basicDataVerified', guard: 'all fields match EMS' },
    { from: 'draft', event: 'submitBasicData', to: 'emsRejected', guard: 'a compared field differs from EMS' },
    { from: 'basicDataVerified', event: 'bindCard', to: 'underReview', guard: 'card bound to no other control number' },
    { from: 'underReview', event: 'approve', to: 'approved', guard: 'activation mail sent to the EMS facility e-mail' },
    { from: 'underReview', event: 'reject', to: 'rejected' },
    { from: 'approved', event: 'reissueActivation', to: 'approved', guard: 'previous links revoked' },
    { from: 'approved', event: 'activate', to: 'active', guard: 'token unused and unexpired' },
    { from: 'active', event: 'addCard', to: 'active', guard: 'card bound to no other control number' },
    { from: 'active', event: 'removeCard', to: 'active', guard: 'another card stays bound' },
    // An unfinished application must not keep the control number for ever: a new application replaces it.
    { from: 'draft', event: 'abandon', to: 'abandoned', guard: 'a new application of the control number (a draft proves nothing yet)' },
    { from: 'basicDataVerified', event: 'abandon', to: 'abandoned', guard: 'a new application, after unfinishedTtlMs without a card bound' },
    // A company whose every bound card is lost, revoked or past its life cannot log in to manage its cards: staff
    // (客服) close the account, its cards are unbound, and the company applies again through the whole process.
    { from: 'active', event: 'close', to: 'closed', guard: 'a reviewer, with the reason; its cards are unbound and the EMS facility e-mail told' },
  ],
  labels: {
    draft: '基本資料填寫',
    basicDataVerified: '自然人憑證綁定',
    emsRejected: '未通過(EMS比對不符)',
    underReview: '審核中',
    approved: '待開通',
    rejected: '未通過',
    active: '已開通',
    abandoned: '未完成(已由新申請取代)',
    closed: '已關閉(可重新申請)',
  },
};
