import type { MachineDefinition } from './machine.js';

/** States of an organization's certificate registration (seed: 憑證註冊與指派作業). */
export type OrgStatus = 'unregistered' | 'manualReview' | 'reviewApproved' | 'reviewRejected' | 'registered';

/** Events of the organization flow. */
export type OrgEvent =
  | 'register'
  | 'approveReview'
  | 'rejectReview'
  | 'assignOperator'
  | 'editOperator'
  | 'removeOperator'
  | 'replaceOrganizationCertificate'
  | 'replaceAdministratorCard'
  | 'replaceBoth';

/** First registration (with manual review on OID mismatch), then operator and certificate management. */
export const ORG_MACHINE: MachineDefinition<OrgStatus, OrgEvent> = {
  flow: 'organization',
  states: ['unregistered', 'manualReview', 'reviewApproved', 'reviewRejected', 'registered'],
  initial: 'unregistered',
  terminal: [],
  transitions: [
    { from: 'unregistered', event: 'register', to: 'registered', guard: 'certificate OID matches the agency' },
    { from: 'unregistered', event: 'register', to: 'manualReview', guard: 'OID mismatch; contact name and phone given' },
    { from: 'manualReview', event: 'approveReview', to: 'reviewApproved' },
    { from: 'manualReview', event: 'rejectReview', to: 'reviewRejected' },
    { from: 'reviewApproved', event: 'register', to: 'registered', guard: 'on or after the next business day' },
    { from: 'reviewApproved', event: 'register', to: 'manualReview', guard: 'another certificate whose OID does not match either (a renewed one has a new serial)' },
    { from: 'reviewRejected', event: 'register', to: 'registered', guard: 'certificate OID matches the agency' },
    { from: 'reviewRejected', event: 'register', to: 'manualReview', guard: 'OID mismatch again' },
    { from: 'registered', event: 'assignOperator', to: 'registered', guard: 'administrator and organization certificate match' },
    { from: 'registered', event: 'editOperator', to: 'registered', guard: 'administrator and organization certificate match' },
    { from: 'registered', event: 'removeOperator', to: 'registered', guard: 'administrator and organization certificate match' },
    { from: 'registered', event: 'replaceOrganizationCertificate', to: 'registered', guard: 'administrator card matches' },
    { from: 'registered', event: 'replaceAdministratorCard', to: 'registered', guard: 'organization certificate matches' },
    { from: 'registered', event: 'replaceBoth', to: 'registered', guard: 'new organization certificate OID matches the agency' },
  ],
  labels: {
    unregistered: '未註冊',
    manualReview: '需進行審核',
    reviewApproved: '審核通過',
    reviewRejected: '審核不通過',
    registered: '已註冊',
  },
};
