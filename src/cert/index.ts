/**
 * Certificate layer: profiles of Taiwan's government PKI certificates, chain
 * and revocation checks, and backend verification of card-signed logins.
 * @packageDocumentation
 */
export * from './profile/index.js';
export * from './trust/index.js';
export {
  MOICA_CERTIFICATE_YEARS,
  MOICA_MAXIMUM_YEARS,
  MOICA_RENEWAL_OPENS_DAYS_BEFORE,
  MOICA_RENEWAL_YEARS_AFTER_EXPIRY,
  moicaLifecycle,
  type MoicaLifecycle,
  type MoicaLifecycleOptions,
  type MoicaLifecycleStage,
  type MoicaMaximumBasis,
} from './lifecycle/moica-lifecycle.js';
export { MOICA_LIFECYCLE_ERROR_CODES, MoicaLifecycleError } from './lifecycle/errors.js';
