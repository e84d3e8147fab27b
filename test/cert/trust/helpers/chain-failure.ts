import { ChainValidationError } from '../../../../src/cert/index.js';

/** The ChainValidationError `fn` throws; any other outcome fails the test. */
export function chainFailure(fn: () => unknown): ChainValidationError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ChainValidationError) return err;
    throw err;
  }
  throw new Error('expected a ChainValidationError');
}
