import { HiCOSError } from '../../apdu/index.js';
import { afterPinOf, afterPinOption, readerOption, withCard } from '../card-session.js';
import { type CliCommand, EXIT_USAGE, failureJson, failureOf, isUsageError, readerFailure, writeFailure, writeJson, writeLines, parseCommandArgs } from '../command.js';
import { readerAndPin } from '../pin-prompt.js';
import { triesLeft } from '../../shared/tries-left.js';

/** The card could not be reached (no reader or card, PC/SC down): not a PIN answer. */
const EXIT_NO_CARD = 4;

const USAGE = 'twpki verify-pin [--reader NAME] [--pin-stdin] [--allow-last-try] [--after-pin reset|leave] [--json]\n\n' +
  'Prompts for the PIN without echo (or reads the first line of stdin with --pin-stdin when stdin is not a terminal; never from arguments).\n' +
  'With more than one card inserted, --reader NAME (or TWPKI_READER) must say which card the PIN is for.\n' +
  'The reader used is printed first, before the PIN is asked for (with --json: `reader` in the document).\n' +
  'A Gen1 card stays PIN-verified for any program after a right PIN until it is reset: --after-pin reset (the\n' +
  'default) resets it when the command ends; --after-pin leave leaves it verified.\n' +
  'Exit status: 0 ok, 1 wrong PIN, 2 bad input or refused by the last-try guard, 3 locked, 4 no card reached.';

/** `twpki verify-pin`: exits 0 ok, 1 wrong PIN, 2 bad input or refused by the last-try guard, 3 locked, 4 no card reached. */
export const verifyPinCommand: CliCommand = {
  name: 'verify-pin',
  summary: 'check the card PIN (0 ok, 1 wrong, 2 bad input/guard, 3 locked)',
  usage: USAGE,
  async run(args, io) {
    const { values } = parseCommandArgs(USAGE, {
      args,
      options: { ...readerOption, ...afterPinOption, 'pin-stdin': { type: 'boolean' }, 'allow-last-try': { type: 'boolean' } },
    });
    const afterPin = afterPinOf(values['after-pin']);
    const chosen = await readerAndPin(io, { reader: values.reader, json: values.json === true, fromStdin: values['pin-stdin'] === true, otherwise: EXIT_NO_CARD });
    if (typeof chosen === 'number') return chosen;
    const { reader, pin } = chosen;
    try {
      return await withCard(reader, io, async (card) => {
        let result;
        try {
          result = await card.verifyPin(pin, { allowLastTry: values['allow-last-try'] === true });
        } catch (error) {
          if (error instanceof HiCOSError && (error.code === 'INVALID_PIN_FORMAT' || error.code === 'LAST_TRY_GUARD')) {
            // Reported as every other failure is (code, both languages), with the card's state beside it.
            const failure = failureOf(error);
            if (values.json) {
              writeJson(io, { ok: false, reader, retriesLeft: card.lastKnownRetries ?? null, locked: false, error: failureJson(failure) });
            } else {
              writeFailure(io, false, failure);
            }
            return EXIT_USAGE;
          }
          throw error;
        }
        const locked = result.status === 'locked';
        if (values.json) writeJson(io, { ok: result.status === 'ok', reader, retriesLeft: result.retriesLeft ?? null, locked });
        else if (result.status === 'ok') writeLines(io, 'PIN ok');
        else if (locked) writeLines(io, 'the card is locked');
        else writeLines(io, `wrong PIN, ${triesLeft(result.retriesLeft)}`);
        return result.status === 'ok' ? 0 : locked ? 3 : 1;
      }, { afterPin });
    } catch (error) {
      // 1 means "wrong PIN" here, so a script must not read a missing reader or pcscd as one.
      if (isUsageError(error)) throw error;
      if (values.json) return readerFailure(io, reader, error, EXIT_NO_CARD);
      writeFailure(io, false, failureOf(error));
      return EXIT_NO_CARD;
    } finally {
      pin.fill(0);
    }
  },
};

