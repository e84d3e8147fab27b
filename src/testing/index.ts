/**
 * Test support: a generated test PKI that mimics the real profiles, a
 * virtual HiCOS card, and a bridge that plugs it into pcscd's vpcd driver.
 * @packageDocumentation
 */
export * from './pki/index.js';
export * from './hicos/index.js';
export * from './vpcd/index.js';
export * from './revocation/index.js';
