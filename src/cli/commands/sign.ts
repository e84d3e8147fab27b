import { readFile } from 'node:fs/promises';
import { HiCOSError, type SignatureHash } from '../../apdu/index.js';
import { afterPinOf, afterPinOption, readerOption, withCard } from '../card-session.js';
import { cardExitStatusText, type CliCommand, EXIT_OK, inputFailure, parseCommandArgs, readerFailure, shownValue, unreadable, UsageError, writeJson, writeLines } from '../command.js';
import { readerAndPin } from '../pin-prompt.js';

const USAGE = 'twpki sign --in FILE [--hash sha256|sha384|sha512] [--reader NAME] [--pin-stdin] [--after-pin reset|leave] [--json]\n\n' +
  'Signs the file with the SIGN key; prints the reader used (before the PIN is asked for), the signature and the\n' +
  'SIGN certificate (base64); with --json, every document names the reader, failures included.\n' +
  'With more than one card inserted, --reader NAME (or TWPKI_READER) must say which card the PIN is for.\n' +
  'A Gen1 card stays PIN-verified for any program after the signature until it is reset: --after-pin reset (the\n' +
  'default) resets it when the command ends; --after-pin leave leaves it verified.\n' +
  cardExitStatusText(true);

/** `twpki sign --in FILE`: PKCS#1 v1.5 signature with the SIGN key. */
export const signCommand: CliCommand = {
  name: 'sign',
  summary: 'sign a file with the card SIGN key (PKCS#1 v1.5)',
  usage: USAGE,
  exits: 'card',
  async run(args, io) {
    const { values } = parseCommandArgs(USAGE, {
      args,
      options: { ...readerOption, ...afterPinOption, in: { type: 'string' }, hash: { type: 'string' }, 'pin-stdin': { type: 'boolean' } },
    });
    const afterPin = afterPinOf(values['after-pin']);
    if (!values.in) throw new UsageError('--in FILE is required');
    const hash = (values.hash ?? 'sha256') as SignatureHash;
    if (!['sha256', 'sha384', 'sha512'].includes(hash)) throw new UsageError('--hash must be sha256, sha384 or sha512');
    const file = values.in;
    let data: Uint8Array;
    try {
      data = await readFile(file);
    } catch (error) {
      // UNREADABLE_FILE, as the certificate commands say it, with the system's code only: its message quotes the
      // path, which is shown only when it cannot be a PIN. Before the card is touched or a PIN asked for.
      return inputFailure(io, values.json === true, 'twpki sign', unreadable(shownValue(file, '--in FILE'), error));
    }
    const chosen = await readerAndPin(io, { reader: values.reader, json: values.json === true, fromStdin: values['pin-stdin'] === true });
    if (typeof chosen === 'number') return chosen;
    const { reader, pin } = chosen;
    try {
      return await withCard(reader, io, async (card) => {
        let signature: Uint8Array;
        try {
          signature = await card.sign(data, { hash, pin });
        } catch (error) {
          if (error instanceof HiCOSError && (error.code === 'INVALID_PIN_FORMAT' || error.code === 'LAST_TRY_GUARD')) {
            throw new UsageError(error.message);
          }
          throw error;
        }
        const certificate = (await card.certificates()).find((c) => c.usage === 'SIGN');
        const out = {
          reader,
          signature: Buffer.from(signature).toString('base64'),
          certificate: certificate ? Buffer.from(certificate.der).toString('base64') : null,
        };
        if (values.json) writeJson(io, out);
        else writeLines(io, `signature   ${out.signature}`, `certificate ${out.certificate ?? '(none)'}`);
        return EXIT_OK;
      }, { afterPin });
    } catch (error) {
      // Without --json main reports it on stderr, under the reader line already printed. With --json the one
      // document names the reader too, so main's report (which cannot) is replaced by the same one plus `reader`.
      if (!values.json) throw error;
      return readerFailure(io, reader, error);
    } finally {
      pin.fill(0);
    }
  },
};
