/**
 * The machinery under `twpki/enroll`'s flows, for teams that extend or inspect
 * them: the state-machine definitions (and `toMermaid` diagrams), the SQL
 * migrations, the input parsers behind every command, the per-command
 * authorization tables, the renewal judgement, and the portable state document.
 * An application that runs the flows needs only `twpki/enroll` and a store.
 * @packageDocumentation
 */
export {
  isValidBusinessId,
  isValidNationalId,
  parseAgencyOid,
  parseBusinessId,
  parseCardNumber,
  parseCertificateSerial,
  parseControlNumber,
  parseEmail,
  parseNationalId,
  parsePhone,
  parseRequiredText,
  parseStorableString,
  textDefect,
} from './domain/identifiers.js';
export { parseCardHolder } from './domain/card-holder.js';
export { parseActor } from './domain/actor.js';
export { parseBasicData } from './domain/basic-data.js';
export { parseBinding, type ParsedBinding } from './flows/account-inputs.js';
export {
  allowedEvents,
  assertEventAllowed,
  assertTransition,
  edgesFor,
  isState,
  toMermaid,
  type MachineDefinition,
  type Transition,
} from './machine/machine.js';
export { ACCOUNT_MACHINE } from './machine/account-machine.js';
export { LOGIN_ENABLEMENT_MACHINE, LOGIN_METHOD_MACHINE } from './machine/login-machine.js';
export { ORG_MACHINE } from './machine/org-machine.js';
export { OFFICIAL_ACCOUNT_MACHINE } from './machine/official-machine.js';
export { ENROLL_MACHINES } from './machine/all-machines.js';
export { runMigrations } from './store/migrate.js';
export { MIGRATIONS, type Migration } from './migrations/index.js';
export { ACCOUNT_COMMANDS, LOGIN_COMMANDS, OFFICIAL_COMMANDS, ORG_COMMANDS, type CommandRule, type CommandRules } from './flows/authorization.js';
export { judgeRenewal } from './flows/card-renewal.js';
export { STATE_DOCUMENT_FORMAT, rehydrateState, serializeState } from './state-document.js';
export { WASTE_APPLICATION_MACHINE } from './machine/waste-machine.js';
export { WASTE_COMMANDS } from './flows/authorization.js';
export { parseWasteApplication } from './flows/waste-application.js';
export { sniffMediaType } from './flows/waste-documents.js';
