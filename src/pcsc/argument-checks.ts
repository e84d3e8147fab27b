import { describeValue } from '../shared/describe-value.js';
import { checkDuration } from '../shared/number-settings.js';

/**
 * The transport's argument checks, made before anything is asked of pcscd or a card. From JavaScript (or a
 * setting read from configuration) a wrong value was taken silently: a `timeoutMs` of `NaN` or `'5000'` as no
 * time limit at all, a share mode of `'Exclusive'` as shared. RangeError naming the argument, as the
 * `serviceProbe` settings are refused.
 */

/**
 * Refuses a time limit that is given but is not a positive number of milliseconds a timer can hold.
 * @throws RangeError naming `name`.
 * @internal
 */
export function checkTimeLimit(name: string, value: unknown): void {
  checkDuration(name, value as number | undefined, true);
}

/**
 * Refuses a reader name that is given but is not a non-empty string.
 * @throws RangeError naming `name`.
 * @internal
 */
export function checkReaderName(name: string, value: unknown, optional: boolean): void {
  if (optional && value === undefined) return;
  if (typeof value !== 'string' || value === '') {
    throw new RangeError(`${name} must be a reader's name (a non-empty string)${optional ? ' or left out' : ''}, not ${describeValue(value)}`);
  }
}
