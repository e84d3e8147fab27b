/**
 * Test support: a generated test PKI that mimics the real profiles, a
 * virtual HiCOS card, a bridge that plugs it into pcscd's vpcd driver, a
 * local revocation server, and login tokens signed with a test card's key.
 * @packageDocumentation
 */
export * from './pki/index.js';
export * from './hicos/index.js';
export * from './vpcd/index.js';
export * from './revocation/index.js';
export * from './login/index.js';
