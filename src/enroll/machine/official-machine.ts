import type { MachineDefinition } from './machine.js';

/**
 * States of an official-account application (seed: 我的E政府「公務帳號」申請).
 * A new application is created in one of three states by 送出資料: `approved`
 * (first application that the personnel system confirms), `manualReview` (a
 * mismatch or a second application: the printable 申請書 route) or
 * `underReview` (no personnel system configured: a reviewer checks instead).
 * On the 申請書 route the service desk records the form's arrival (收件) and
 * the application is `formReceived`: only then can it be approved, and its
 * one working day (注意事項 5) counts from the arrival. A mistyped 收件 (time
 * or channel) is corrected while it is `formReceived`, not after the decision.
 */
export type OfficialStatus = 'underReview' | 'manualReview' | 'formReceived' | 'approved' | 'rejected' | 'cancelled';
/** Events of the official-account flow after the application exists. */
export type OfficialEvent = 'receiveForm' | 'correctFormReceipt' | 'approve' | 'reject' | 'cancel';

/** The official-account application's transitions; creation is described on {@link OfficialStatus}. */
export const OFFICIAL_ACCOUNT_MACHINE: MachineDefinition<OfficialStatus, OfficialEvent> = {
  flow: 'officialAccount',
  states: ['underReview', 'manualReview', 'formReceived', 'approved', 'rejected', 'cancelled'],
  initial: 'underReview',
  terminal: ['approved', 'rejected', 'cancelled'],
  transitions: [
    { from: 'underReview', event: 'approve', to: 'approved' },
    { from: 'underReview', event: 'reject', to: 'rejected' },
    { from: 'underReview', event: 'cancel', to: 'cancelled', guard: '取消申請 by the member' },
    { from: 'manualReview', event: 'receiveForm', to: 'formReceived', guard: '申請書 arrived by fax or e-mail (收件)' },
    // No approval before 收件: nothing signed has been checked. A rejection needs no form (one never sent, say).
    { from: 'manualReview', event: 'reject', to: 'rejected' },
    { from: 'manualReview', event: 'cancel', to: 'cancelled', guard: '取消申請 by the member' },
    // Only before the decision: the decided record (處理完畢時間, the notice sent) was judged on the 收件 it had.
    { from: 'formReceived', event: 'correctFormReceipt', to: 'formReceived', guard: 'a mistyped 收件 (arrival or channel) replaced, audited' },
    { from: 'formReceived', event: 'approve', to: 'approved', guard: '申請書 received and checked' },
    { from: 'formReceived', event: 'reject', to: 'rejected' },
    { from: 'formReceived', event: 'cancel', to: 'cancelled', guard: '取消申請 by the member' },
  ],
  labels: { underReview: '審核中', manualReview: '人工審核', formReceived: '已收件', approved: '公務人員', rejected: '未通過', cancelled: '取消申請' },
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

/** How a 申請書 reaches the service desk (注意事項 5): 傳真 to the 客服中心, or e-mail. */
export type OfficialFormChannel = 'fax' | 'email';

/** The seed's words per channel: 「傳真至客服中心」, 「E-mail 至」. */
export const OFFICIAL_FORM_CHANNEL_LABELS: Readonly<Record<OfficialFormChannel, string>> = {
  fax: '傳真',
  email: 'E-mail',
};
