import { TwpkiError } from '../../shared/twpki-error.js';

/** Codes of {@link TestPkiError}. */
export type TestPkiErrorCode = 'UNKNOWN_AUTHORITY' | 'BAD_NAME' | 'BAD_OPTIONS' | 'TEST_KIT_DEPENDENCY_MISSING';

/** Misuse of the test PKI (unknown authority, unparsable subject, bad options), or its optional peers missing. */
export class TestPkiError extends TwpkiError<TestPkiErrorCode> {}
