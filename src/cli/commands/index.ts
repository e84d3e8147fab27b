import type { CliCommand } from '../command.js';
import { readersCommand } from './readers.js';

/** Every `twpki` command, in help order. */
export const commands: readonly CliCommand[] = [readersCommand];
