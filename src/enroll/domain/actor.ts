import { EnrollError, InvalidInputError, type EnrollRefusalReason, type FieldIssue } from '../errors.js';
import { textDefect } from './identifiers.js';

/** Roles that drive transitions; recorded in the audit trail. */
export type ActorRole = 'applicant' | 'reviewer' | 'administrator' | 'operator' | 'system';

/** Who caused a transition: a role plus a stable ID (account, staff ID, certificate serial). */
export interface Actor {
  /** The role in which the actor acted. */
  readonly role: ActorRole;
  /** Identifier of the person or process. */
  readonly id: string;
}

const ROLES: readonly ActorRole[] = ['applicant', 'reviewer', 'administrator', 'operator', 'system'];
const MAX_ID = 200;

/**
 * Validates an actor like any other input: a plain object with a known role
 * and a non-empty, storable ID of at most 200 characters. Anything else
 * (`42`, `undefined`, an unknown role, a 100 KB ID) is INVALID_INPUT.
 */
export function parseActor(value: unknown, field = 'actor'): Actor {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidInputError([{ field, code: 'REQUIRED', reason: 'an actor { role, id } is required' }]);
  }
  const v = value as Record<string, unknown>;
  const issues: FieldIssue[] = [];
  const role = v.role;
  if (typeof role !== 'string' || !(ROLES as readonly string[]).includes(role)) {
    issues.push({ field: `${field}.role`, code: 'NOT_AN_OPTION', reason: `must be one of ${ROLES.join(', ')}` });
  }
  let id = '';
  if (typeof v.id !== 'string') issues.push({ field: `${field}.id`, code: 'NOT_TEXT', reason: 'must be a string' });
  else if (v.id.length > MAX_ID) issues.push({ field: `${field}.id`, code: 'TOO_LONG', reason: `must be at most ${MAX_ID} characters` });
  else {
    const defect = textDefect(v.id);
    id = v.id.trim();
    if (defect !== undefined) issues.push({ field: `${field}.id`, ...defect });
    else if (id === '') issues.push({ field: `${field}.id`, code: 'REQUIRED', reason: 'is required' });
  }
  if (issues.length > 0) throw new InvalidInputError(issues);
  return { role: role as ActorRole, id };
}

/**
 * The actor may not run this command on this record: wrong role, or not the
 * owner (an applicant acts on its own application; a reviewer decides; an
 * administrator manages only its own organization). Every refusal is audited.
 */
export class ForbiddenError extends EnrollError {
  /** The refused command. */
  public readonly command: string;
  /** Who tried (already validated). */
  public readonly actor: Actor;
  /** The record the command was aimed at (application ID, agency code…), or `none`. */
  public readonly subject: string;
  /** The record's state when refused, or `none`. */
  public readonly state: string;

  /**
   * @param refusal the card refusal behind it, when a card was refused (an
   *   administrator session whose card is not the registered one), so the
   *   message catalogue words the cause rather than a bare 沒有權限.
   */
  public constructor(command: string, actor: Actor, subject: string, state: string, message: string, refusal?: EnrollRefusalReason) {
    super('FORBIDDEN', message, refusal === undefined ? undefined : { refusal });
    this.command = command;
    this.actor = actor;
    this.subject = subject;
    this.state = state;
  }
}
