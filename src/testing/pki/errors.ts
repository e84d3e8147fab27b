import { TwpkiError } from '../../shared/twpki-error.js';

/** Codes of {@link TestPkiError}. */
export type TestPkiErrorCode = 'UNKNOWN_AUTHORITY' | 'BAD_NAME' | 'BAD_OPTIONS';

/** Misuse of the test PKI (unknown authority, unparsable subject, bad options). */
export class TestPkiError extends TwpkiError<TestPkiErrorCode> {}
