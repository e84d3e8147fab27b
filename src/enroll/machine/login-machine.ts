import type { MachineDefinition } from './machine.js';

/** States of a certificate-login enablement (seed: 啟用自然人憑證或工商憑證登入). */
export type LoginEnablementStatus = 'awaitingBinding' | 'bound';
/** Events of the enablement flow. */
export type LoginEnablementEvent = 'bindCard' | 'unbindCard' | 'reissueVerificationCode';

/** Application with a verification code, then one or more cards bound with it. */
export const LOGIN_ENABLEMENT_MACHINE: MachineDefinition<LoginEnablementStatus, LoginEnablementEvent> = {
  flow: 'loginEnablement',
  states: ['awaitingBinding', 'bound'],
  initial: 'awaitingBinding',
  terminal: [],
  transitions: [
    { from: 'awaitingBinding', event: 'bindCard', to: 'bound', guard: 'verification code valid, method 啟用' },
    { from: 'bound', event: 'bindCard', to: 'bound', guard: 'verification code valid, method 啟用' },
    { from: 'bound', event: 'unbindCard', to: 'bound', guard: 'other cards remain' },
    { from: 'bound', event: 'unbindCard', to: 'awaitingBinding', guard: 'last card removed' },
    { from: 'awaitingBinding', event: 'reissueVerificationCode', to: 'awaitingBinding', guard: 'old code and failed attempts cleared' },
    { from: 'bound', event: 'reissueVerificationCode', to: 'bound', guard: 'old code and failed attempts cleared' },
  ],
  labels: { awaitingBinding: '待啟用憑證', bound: '已綁定憑證' },
};

/** 啟用 / 停用 of one login method. */
export type LoginMethodStatus = 'enabled' | 'disabled';
/** Events switching a login method. */
export type LoginMethodEvent = 'enable' | 'disable';

/** Per-method switch (自然人憑證登入 / 工商憑證登入: 啟用 / 停用). */
export const LOGIN_METHOD_MACHINE: MachineDefinition<LoginMethodStatus, LoginMethodEvent> = {
  flow: 'loginMethod',
  states: ['enabled', 'disabled'],
  initial: 'disabled',
  terminal: [],
  transitions: [
    { from: 'disabled', event: 'enable', to: 'enabled' },
    { from: 'enabled', event: 'disable', to: 'disabled' },
  ],
  labels: { enabled: '啟用', disabled: '停用' },
};
