/**
 * Certificate layer: profiles of Taiwan's government PKI certificates, chain
 * and revocation checks, and backend verification of card-signed logins.
 * @packageDocumentation
 */
export * from './profile/index.js';
export * from './trust/index.js';
