/** The one check of an {@link AfterPin} value, for the card and for everything that ends its sessions. @internal */
import type { AfterPin } from '../card-types.js';
import { HiCOSError } from '../errors.js';
import { describeValue } from '../../shared/describe-value.js';

/**
 * `value` as an {@link AfterPin}: `undefined` is `'reset'`, the default wherever twpki ends a session.
 * @throws HiCOSError `INVALID_CARD_INPUT` for anything else
 */
export function resolveAfterPin(value: unknown): AfterPin {
  if (value === undefined) return 'reset';
  if (value === 'reset' || value === 'leave') return value;
  throw new HiCOSError('INVALID_CARD_INPUT', `afterPin must be 'reset' or 'leave', not ${describeValue(value)}`);
}
