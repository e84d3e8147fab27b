import { TwpkiError } from '../../shared/twpki-error.js';

/**
 * What was wrong with the input of {@link parseCertificate}:
 * - `EMPTY_INPUT`: nothing to parse;
 * - `TOO_LARGE`: more than a megabyte, far beyond any certificate;
 * - `BAD_PEM`: a PEM armour without a usable CERTIFICATE block;
 * - `BAD_BASE64`: text that is neither PEM nor base64 DER;
 * - `NOT_A_CERTIFICATE`: bytes that are not an X.509 certificate structure;
 * - `BAD_NAME`: issuer or subject distinguished name does not decode;
 * - `BAD_VALIDITY`: notBefore / notAfter missing or not a time;
 * - `BAD_EXTENSION`: an extension's value does not decode (the message names it).
 */
export const CERTIFICATE_PARSE_ERROR_CODES = [
  'EMPTY_INPUT',
  'TOO_LARGE',
  'BAD_PEM',
  'BAD_BASE64',
  'NOT_A_CERTIFICATE',
  'BAD_NAME',
  'BAD_VALIDITY',
  'BAD_EXTENSION',
] as const;

/** One of {@link CERTIFICATE_PARSE_ERROR_CODES}. */
export type CertificateParseErrorCode = (typeof CERTIFICATE_PARSE_ERROR_CODES)[number];

/** A certificate that cannot be parsed, with a code naming the failed part. */
export class CertificateParseError extends TwpkiError<CertificateParseErrorCode> {}
