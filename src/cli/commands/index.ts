import type { CliCommand } from '../command.js';

/** A command as the help lists it; its module loads only when it runs. */
export interface CommandEntry {
  name: string;
  summary: string;
  load(): Promise<CliCommand>;
}

/** Every `twpki` command, in help order. */
export const commands: readonly CommandEntry[] = [
  { name: 'demo', summary: 'walk the SDK end to end on a virtual card', load: async () => (await import('./demo.js')).demoCommand },
  { name: 'readers', summary: 'list smart-card readers and the cards in them', load: async () => (await import('./readers.js')).readersCommand },
  {
    name: 'virtual-card',
    summary: "run a virtual HiCOS card in pcscd's vpcd reader (tests, demos)",
    load: async () => (await import('./virtual-card.js')).virtualCardCommand,
  },
  { name: 'info', summary: 'read a HiCOS card: generation, card number, certificates (no PIN)', load: async () => (await import('./info.js')).infoCommand },
  { name: 'verify-pin', summary: 'verify the card PIN (from a prompt or --pin-stdin, never argv)', load: async () => (await import('./verify-pin.js')).verifyPinCommand },
  { name: 'sign', summary: 'sign a file with the card\'s SIGN key (PKCS#1 v1.5)', load: async () => (await import('./sign.js')).signCommand },
  { name: 'cert inspect', summary: 'parse a certificate into its Taiwan GPKI profile', load: async () => (await import('./cert-inspect.js')).certInspectCommand },
  { name: 'cert verify', summary: 'validate a certificate chain to trust anchors at a given time', load: async () => (await import('./cert-verify.js')).certVerifyCommand },
  { name: 'sig verify', summary: 'verify a PKCS#7/CMS signature made by any software to trust anchors', load: async () => (await import('./sig-verify.js')).sigVerifyCommand },
  { name: 'ems compare', summary: 'compare an applicant\'s basic data with its EMS record', load: async () => (await import('./ems-compare.js')).emsCompareCommand },
  { name: 'id check', summary: 'identify and validate a Taiwan identifier', load: async () => (await import('./id-check.js')).idCheckCommand },
  { name: 'doctor', summary: 'check pcscd, readers, cards, certificates and the local component', load: async () => (await import('./doctor.js')).doctorCommand },
  { name: 'agent', summary: 'run a HiPKI-compatible local agent on 127.0.0.1:61161', load: async () => (await import('./agent.js')).agentCommand },
];
