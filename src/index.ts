/**
 * twpki: an SDK for Taiwan's PKI smart cards (MOICA citizen cards and
 * GCA/XCA/MOEACA organization cards on HiCOS). Each layer is also its own
 * entry point (`twpki/pcsc`, `twpki/apdu`, `twpki/cert`, `twpki/ems`,
 * `twpki/enroll`, `twpki/agent`, `twpki/testing`); the root re-exports the
 * production layers as namespaces.
 * @packageDocumentation
 */
export * as pcsc from './pcsc/index.js';
export * as apdu from './apdu/index.js';
export * as cert from './cert/index.js';
export * as ems from './ems/index.js';
export * as enroll from './enroll/index.js';
export * as agent from './agent/index.js';
export { TwpkiError } from './shared/twpki-error.js';
