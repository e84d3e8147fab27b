import { EnrollError } from '../errors.js';

/** The error of a command run on a store after its `close()` (a shutdown racing a request), instead of the driver's. */
export function storeClosed(): EnrollError {
  return new EnrollError('STORE_CLOSED', 'the enrollment store was closed (close() was called); open a new one');
}
