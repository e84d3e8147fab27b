import { HiCOSError } from '../../apdu/index.js';
import { afterPinOf, afterPinOption, readerOption, withCard } from '../card-session.js';
import {
  cardExitStatusText,
  cardFailure,
  type CliCommand,
  EXIT_OK,
  EXIT_PIN_LOCKED,
  EXIT_WRONG_PIN,
  exitStatusOf,
  failureJson,
  failureOf,
  isUsageError,
  parseCommandArgs,
  writeFailure,
  writeJson,
  writeLines,
} from '../command.js';
import { readerAndPin } from '../pin-prompt.js';
import { triesLeft } from '../../shared/tries-left.js';

const USAGE = 'twpki verify-pin [--reader NAME] [--pin-stdin] [--allow-last-try] [--after-pin reset|leave] [--json]\n\n' +
  'Prompts for the PIN without echo (or reads the first line of stdin with --pin-stdin when stdin is not a terminal; never from arguments).\n' +
  'With more than one card inserted, --reader NAME (or TWPKI_READER) must say which card the PIN is for.\n' +
  'The reader used is printed first, before the PIN is asked for (with --json: `reader` in the document).\n' +
  'A Gen1 card stays PIN-verified for any program after a right PIN until it is reset: --after-pin reset (the\n' +
  'default) resets it when the command ends; --after-pin leave leaves it verified.\n' +
  'The last-try guard refuses the PIN, before it is sent, when the card has one try left (--allow-last-try sends it).\n' +
  cardExitStatusText(true);

/** `twpki verify-pin`: exits 0 ok, 1 wrong PIN, 2 bad input or refused by the last-try guard, 3 locked, 4 no card reached, 5 other failure. */
export const verifyPinCommand: CliCommand = {
  name: 'verify-pin',
  summary: 'check the card PIN (0 ok, 1 wrong, 2 bad input/guard, 3 locked)',
  usage: USAGE,
  exits: 'card',
  async run(args, io) {
    const { values } = parseCommandArgs(USAGE, {
      args,
      options: { ...readerOption, ...afterPinOption, 'pin-stdin': { type: 'boolean' }, 'allow-last-try': { type: 'boolean' } },
    });
    const afterPin = afterPinOf(values['after-pin']);
    const chosen = await readerAndPin(io, { reader: values.reader, json: values.json === true, fromStdin: values['pin-stdin'] === true });
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
            return exitStatusOf(failure, 'card');
          }
          throw error;
        }
        const locked = result.status === 'locked';
        if (values.json) writeJson(io, { ok: result.status === 'ok', reader, retriesLeft: result.retriesLeft ?? null, locked });
        else if (result.status === 'ok') writeLines(io, 'PIN ok');
        else if (locked) writeLines(io, 'the card is locked');
        else writeLines(io, `wrong PIN, ${triesLeft(result.retriesLeft)}`);
        return result.status === 'ok' ? EXIT_OK : locked ? EXIT_PIN_LOCKED : EXIT_WRONG_PIN;
      }, { afterPin });
    } catch (error) {
      // 1 means "wrong PIN" here, so a script must not read a missing reader or pcscd as one: 4 or 5 by cause.
      if (isUsageError(error)) throw error;
      return cardFailure(io, values.json === true, reader, error);
    } finally {
      pin.fill(0);
    }
  },
};

