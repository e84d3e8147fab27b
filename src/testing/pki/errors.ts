import { TwpkiError } from '../../shared/twpki-error.js';

/** Codes of {@link TestPkiError}. */
export const TEST_PKI_ERROR_CODES = ['UNKNOWN_AUTHORITY', 'BAD_SUBJECT_NAME', 'BAD_OPTIONS', 'TEST_KIT_DEPENDENCY_MISSING'] as const;

/** One of {@link TEST_PKI_ERROR_CODES}. */
export type TestPkiErrorCode = (typeof TEST_PKI_ERROR_CODES)[number];

/** Misuse of the test PKI (unknown authority, unparsable subject, bad options), or its optional peers missing. */
export class TestPkiError extends TwpkiError<TestPkiErrorCode> {}
