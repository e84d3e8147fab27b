import { toHex } from '../../shared/bytes.js';
import { createVirtualHiCOSCard, VpcdBridge, VPCD_DEFAULT_PORT, vpcdReaderName, type VirtualCardProfile } from '../../testing/index.js';
import { UsageError, quotedValue, writeJson, writeLines, type CliCommand, parseCommandArgs } from '../command.js';

const PROFILES: readonly VirtualCardProfile[] = ['moica', 'moeaca', 'gca', 'xca'];
const CARD_NUMBER = /^[A-Z]{2}\d{14}$/;

function parseOptions(args: string[]) {
  const { values } = parseCommandArgs(USAGE, {
    args,
    options: {
      port: { type: 'string', default: String(VPCD_DEFAULT_PORT) },
      host: { type: 'string', default: '127.0.0.1' },
      profile: { type: 'string', default: 'moica' },
      generation: { type: 'string', default: '1' },
      pin: { type: 'string', default: '123456' },
      'card-number': { type: 'string', default: 'TP03000012345678' },
      json: { type: 'boolean', default: false },
    },
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new UsageError(`--port must be a TCP port, got ${quotedValue(values.port)}`);
  const profile = values.profile as VirtualCardProfile;
  if (!PROFILES.includes(profile)) throw new UsageError(`--profile must be one of ${PROFILES.join(', ')}`);
  if (values.generation !== '1' && values.generation !== '2') throw new UsageError('--generation must be 1 or 2');
  // This is the emulated card's own PIN, a test fixture: it may come from argv.
  if (!/^[\x21-\x7e]{6,8}$/.test(values.pin)) throw new UsageError('--pin must be 6 to 8 printable ASCII characters');
  const cardNumber = values['card-number'].toUpperCase();
  if (!CARD_NUMBER.test(cardNumber)) throw new UsageError('--card-number must be 2 letters and 14 digits, e.g. TP03000012345678');
  return { port, host: values.host, profile, generation: Number(values.generation) as 1 | 2, pin: values.pin, cardNumber, json: values.json };
}

const USAGE = [
  'twpki virtual-card [--port 35963] [--host 127.0.0.1] [--profile moica|moeaca|gca|xca]',
  '                   [--generation 1|2] [--pin 123456] [--card-number TP03000012345678] [--json]',
  '',
  'Connects a virtual HiCOS card (certificates from a generated test PKI) to the vsmartcard-vpcd',
  'driver of a running pcscd; the card stays inserted until Ctrl-C (SIGINT/SIGTERM) removes it.',
  'Exit status: 0 after an interrupt, 1 when pcscd drops the connection, 2 on bad options.',
].join('\n');

/**
 * `twpki virtual-card`: runs a virtual HiCOS card plugged into pcscd's vpcd
 * driver until interrupted, so every PC/SC program sees it in "Virtual PCD 00 00".
 */
export const virtualCardCommand: CliCommand = {
  name: 'virtual-card',
  summary: 'run a virtual HiCOS card in pcscd\'s vpcd reader (for tests and demos)',
  usage: USAGE,
  async run(args, io) {
    const o = parseOptions(args);
    const card = await createVirtualHiCOSCard({ profile: o.profile, generation: o.generation, pin: o.pin, cardNumber: o.cardNumber });
    const bridge = await VpcdBridge.connect(card, { host: o.host, port: o.port });
    const atr = toHex(card.reset()).toUpperCase();
    const reader = vpcdReaderName(o.port);
    if (o.json) {
      writeJson(io, { reader, host: o.host, port: o.port, profile: o.profile, generation: o.generation, cardNumber: o.cardNumber, atr });
    } else {
      writeLines(
        io,
        `virtual ${o.profile.toUpperCase()} Gen${o.generation} card ${o.cardNumber} inserted in "${reader}" (vpcd ${o.host}:${o.port})`,
        `ATR ${atr}; PIN ${'*'.repeat(o.pin.length)} (${o.pin.length} characters); press Ctrl-C to remove the card`,
      );
    }
    const interrupted = new Promise<'signal'>((resolve) => {
      const stop = (): void => resolve('signal');
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    const outcome = await Promise.race([interrupted, bridge.closed.then(() => 'dropped' as const)]);
    await bridge.close();
    if (outcome === 'dropped') {
      io.stderr.write('twpki: pcscd closed the vpcd connection; the virtual card is gone\n');
      return 1;
    }
    return 0;
  },
};
