import { PcscContext } from '../../pcsc/index.js';
import { toHex } from '../../shared/bytes.js';
import { writeJson, writeLines, type CliCommand, parseCommandArgs } from '../command.js';

const USAGE = [
  'twpki readers [--json]',
  '',
  'Lists PC/SC readers (pcscd must be running), with card presence and ATR.',
  'Exit status: 0 listed ("no readers" included), 2 usage error, 4 PC/SC not reached (pcscd not running, or not answering), 1 any other failure.',
].join('\n');

/** `twpki readers [--json]`: lists PC/SC readers and whether each holds a card. */
export const readersCommand: CliCommand = {
  exits: 'reader',
  name: 'readers',
  summary: 'list smart-card readers and the cards in them',
  usage: USAGE,
  async run(args, io) {
    const { values } = parseCommandArgs(USAGE, { args, options: { json: { type: 'boolean' } } });
    const context = await PcscContext.establish();
    try {
      const readers = context.readers().map((r) => ({
        name: r.name,
        cardPresent: r.cardPresent,
        atr: r.atr ? toHex(r.atr).toUpperCase() : null,
      }));
      if (values.json) writeJson(io, { readers });
      else if (readers.length === 0) writeLines(io, 'no readers');
      else writeLines(io, ...readers.map((r) => `${r.name}\t${r.cardPresent ? `card ${r.atr ?? ''}` : 'empty'}`));
      return 0;
    } finally {
      await context.close();
    }
  },
};
