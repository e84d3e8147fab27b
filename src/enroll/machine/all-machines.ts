import { ACCOUNT_MACHINE } from './account-machine.js';
import { LOGIN_ENABLEMENT_MACHINE, LOGIN_METHOD_MACHINE } from './login-machine.js';
import type { MachineDefinition } from './machine.js';
import { OFFICIAL_ACCOUNT_MACHINE } from './official-machine.js';
import { ORG_MACHINE } from './org-machine.js';
import { WASTE_APPLICATION_MACHINE } from './waste-machine.js';

/** Every transition table of the layer, for documentation and diagrams. */
export const ENROLL_MACHINES: readonly MachineDefinition<string, string>[] = [
  ACCOUNT_MACHINE,
  LOGIN_ENABLEMENT_MACHINE,
  LOGIN_METHOD_MACHINE,
  ORG_MACHINE,
  OFFICIAL_ACCOUNT_MACHINE,
  WASTE_APPLICATION_MACHINE,
];
