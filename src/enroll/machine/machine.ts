/**
 * Declarative state machines. Each flow exports its table so documentation and
 * the example app can draw it; commands call {@link assertTransition} so the
 * code cannot take an edge the table does not list.
 */
import { InvalidTransitionError } from '../errors.js';

/** Names of the four enrollment flows (also the audit trail's `flow` column). */
export type FlowName = 'account' | 'loginMethod' | 'loginEnablement' | 'organization' | 'officialAccount' | 'wasteApplication';

/** One edge: `event` in `from` leads to `to` when `guard` (prose, for diagrams) holds. */
export interface Transition<S extends string, E extends string> {
  /** Source state. */
  readonly from: S;
  /** Triggering event (a command name). */
  readonly event: E;
  /** Target state. */
  readonly to: S;
  /** Condition, in words, that selects this edge among edges with the same source and event. */
  readonly guard?: string;
}

/** A flow's states, labels and transition table. */
export interface MachineDefinition<S extends string, E extends string> {
  /** Flow name. */
  readonly flow: FlowName;
  /** Every state. */
  readonly states: readonly S[];
  /** State of a freshly created record. */
  readonly initial: S;
  /** States with no outgoing business edges (a new record starts over). */
  readonly terminal: readonly S[];
  /** Every allowed edge. */
  readonly transitions: readonly Transition<S, E>[];
  /** Display label per state, in the seed's wording where it has one. */
  readonly labels: Readonly<Record<S, string>>;
}

/** Edges leaving `from` on `event`. */
export function edgesFor<S extends string, E extends string>(
  def: MachineDefinition<S, E>,
  from: S,
  event: E,
): readonly Transition<S, E>[] {
  return def.transitions.filter((t) => t.from === from && t.event === event);
}

/** Throws {@link InvalidTransitionError} unless `from --event--> to` is in the table. */
export function assertTransition<S extends string, E extends string>(
  def: MachineDefinition<S, E>,
  from: S,
  event: E,
  to: S,
): void {
  if (!def.transitions.some((t) => t.from === from && t.event === event && t.to === to)) {
    throw new InvalidTransitionError(def.flow, from, event);
  }
}

/** Throws {@link InvalidTransitionError} if `event` has no edge from `from`. */
export function assertEventAllowed<S extends string, E extends string>(
  def: MachineDefinition<S, E>,
  from: S,
  event: E,
): void {
  if (edgesFor(def, from, event).length === 0) throw new InvalidTransitionError(def.flow, from, event);
}

/** True if `value` names a state of `def` (used when rehydrating). */
export function isState<S extends string, E extends string>(def: MachineDefinition<S, E>, value: unknown): value is S {
  return typeof value === 'string' && (def.states as readonly string[]).includes(value);
}

/** Renders the table as a Mermaid `stateDiagram-v2` (docs, example app). */
export function toMermaid<S extends string, E extends string>(def: MachineDefinition<S, E>): string {
  const lines = ['stateDiagram-v2', `  [*] --> ${def.initial}`];
  for (const s of def.states) lines.push(`  ${s}: ${s} (${def.labels[s]})`);
  for (const t of def.transitions) {
    lines.push(`  ${t.from} --> ${t.to}: ${t.event}${t.guard === undefined ? '' : ` [${t.guard}]`}`);
  }
  for (const s of def.terminal) lines.push(`  ${s} --> [*]`);
  return lines.join('\n');
}

/** Events that have at least one edge from `from` (what a UI may offer next). */
export function allowedEvents<S extends string, E extends string>(def: MachineDefinition<S, E>, from: S): E[] {
  const out: E[] = [];
  for (const t of def.transitions) if (t.from === from && !out.includes(t.event)) out.push(t.event);
  return out;
}
