import type { MachineDefinition } from './machine.js';

/** States of a waste-system certificate-login application (seed: 申請使用自然人憑證或工商憑證登入). */
export type WasteApplicationStatus = 'awaitingDocuments' | 'underReview' | 'approved' | 'rejected' | 'abandoned';
/** Events of the application flow. */
export type WasteApplicationEvent = 'uploadDocument' | 'submitForReview' | 'approve' | 'reject' | 'resendVerificationCode' | 'abandon';

/**
 * 帳號申請 → 列印申請表, upload the stamped form and the 營利事業登記証影本 →
 * staff review → the approved application's 驗證碼 is mailed to the 承辦人; the
 * binding itself (啟用憑證) lives in the login-enablement record.
 */
export const WASTE_APPLICATION_MACHINE: MachineDefinition<WasteApplicationStatus, WasteApplicationEvent> = {
  flow: 'wasteApplication',
  states: ['awaitingDocuments', 'underReview', 'approved', 'rejected', 'abandoned'],
  initial: 'awaitingDocuments',
  terminal: ['rejected', 'abandoned'],
  transitions: [
    { from: 'awaitingDocuments', event: 'uploadDocument', to: 'awaitingDocuments', guard: 'size and type within limits; replaces a document of the same kind' },
    { from: 'awaitingDocuments', event: 'submitForReview', to: 'underReview', guard: 'stamped form and business registration copy uploaded' },
    { from: 'underReview', event: 'approve', to: 'approved', guard: '驗證碼 mailed to the 承辦人' },
    { from: 'underReview', event: 'reject', to: 'rejected', guard: 'reason given, mailed to the 承辦人' },
    { from: 'approved', event: 'resendVerificationCode', to: 'approved', guard: 'a new 驗證碼 replaces the old one' },
    // Documents never sent must not keep the company from applying for ever (its applicant may be long gone).
    { from: 'awaitingDocuments', event: 'abandon', to: 'abandoned', guard: 'a new application of the company, after unfinishedTtlMs without a change' },
  ],
  labels: { awaitingDocuments: '待上傳申請書', underReview: '審核中', approved: '審核通過', rejected: '審核未通過', abandoned: '未完成(已由新申請取代)' },
};
