/**
 * Commands throw typed {@link EnrollError}s. Handlers that prefer values to
 * exceptions wrap a call in {@link toResult}; failures that are not the
 * layer's own (database down, bugs) still throw.
 */
import { EnrollError } from './errors.js';

/** Outcome of a command as a value. */
export type CommandResult<T> =
  | {
      /** The command succeeded. */
      readonly ok: true;
      /** What the command returned. */
      readonly value: T;
    }
  | {
      /** The command failed with one of the layer's own errors. */
      readonly ok: false;
      /** The error the command threw. */
      readonly error: EnrollError;
    };

/** Runs `command`, turning an {@link EnrollError} into `{ ok: false, error }`. */
export async function toResult<T>(command: Promise<T>): Promise<CommandResult<T>> {
  try {
    return { ok: true, value: await command };
  } catch (err) {
    if (err instanceof EnrollError) return { ok: false, error: err };
    throw err;
  }
}
