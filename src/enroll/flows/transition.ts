/**
 * The one shape of a state change in every flow: inside the command's
 * transaction, with the record already locked by its table module, check the
 * edge against the flow's machine table, apply the change, and write the audit
 * entry — so no flow can take an edge its table does not list or change a
 * record without a trail.
 */
import type { Actor } from '../domain/actor.js';
import { assertTransition, type MachineDefinition } from '../machine/machine.js';
import { recordTransition } from '../store/audit.js';
import type { SqlSession } from '../store/store.js';

/** One edge taken by a command. */
export interface TransitionStep<S extends string, E extends string> {
  /** Audit subject: the record's key (application ID, agency code…). */
  readonly subject: string;
  /** The locked record's state. */
  readonly from: S;
  /** The command. */
  readonly event: E;
  /** The state it leads to (equal to `from` for self-transitions). */
  readonly to: S;
  /** Who runs it. */
  readonly actor: Actor;
  /** Instant of the change (ISO). */
  readonly at: string;
}

/**
 * Checks `step` against `machine` (INVALID_TRANSITION otherwise), runs
 * `apply`, and audits the step with `reason` (a text, or made from `apply`'s
 * result). Returns `apply`'s result.
 */
export async function applyTransition<S extends string, E extends string, T>(
  tx: SqlSession,
  machine: MachineDefinition<S, E>,
  step: TransitionStep<S, E>,
  apply: () => Promise<T>,
  reason?: string | ((result: T) => string | undefined),
): Promise<T> {
  assertTransition(machine, step.from, step.event, step.to);
  const result = await apply();
  const why = typeof reason === 'function' ? reason(result) : reason;
  await recordTransition(tx, {
    flow: machine.flow,
    subject: step.subject,
    actor: step.actor,
    at: step.at,
    event: step.event,
    from: step.from,
    to: step.to,
    ...(why === undefined ? {} : { reason: why }),
  });
  return result;
}
