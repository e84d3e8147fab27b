import { InvalidInputError } from '../errors.js';

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

/** Validates an actor; every command needs one for the audit trail. */
export function parseActor(value: unknown, field = 'actor'): Actor {
  const v = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const role = v.role as ActorRole;
  const id = typeof v.id === 'string' ? v.id.trim() : '';
  const issues = [];
  if (!ROLES.includes(role)) issues.push({ field: `${field}.role`, reason: 'unknown role' });
  if (id === '' || id.length > 200) issues.push({ field: `${field}.id`, reason: 'is required (at most 200 characters)' });
  if (issues.length > 0) throw new InvalidInputError(issues);
  return { role, id };
}
