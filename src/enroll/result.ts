/**
 * Commands throw typed {@link EnrollError}s. Handlers that prefer values to
 * exceptions wrap a call in {@link toResult}; failures that are not the
 * layer's own (database down, bugs) still throw.
 */
import { EnrollError } from './errors.js';

/** Outcome of a command as a value. */
export type CommandResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: EnrollError };

/** Runs `command`, turning an {@link EnrollError} into `{ ok: false, error }`. */
export async function toResult<T>(command: Promise<T>): Promise<CommandResult<T>> {
  try {
    return { ok: true, value: await command };
  } catch (err) {
    if (err instanceof EnrollError) return { ok: false, error: err };
    throw err;
  }
}
