import { TwpkiError } from '../../shared/twpki-error.js';

// Apart from the lifecycle rules: the message catalogue (twpki/messages, which pages may bundle) tells this
// error by its class, and must not take the certificate parser and node:crypto along with it.

/** Codes of {@link MoicaLifecycleError}. */
export const MOICA_LIFECYCLE_ERROR_CODES = ['NOT_A_MOICA_CERTIFICATE', 'INVALID_LIFECYCLE_DATE'] as const;

/** Why `moicaLifecycle` could not judge: not a MOICA user certificate, or a bad date. */
export class MoicaLifecycleError extends TwpkiError<(typeof MOICA_LIFECYCLE_ERROR_CODES)[number]> {}
