import { selectSucceeded } from './card-io.js';
import type { Transport } from '../pcsc/transport.js';
import { selectGen2Applet, selectMf } from './commands/select.js';
import { HiCOSError, NotHiCOSCardError } from './errors.js';
import type { HiCOSGeneration } from './generation.js';

/**
 * Detects the card generation the way the official middleware does: the Gen2
 * applet AID first, then SELECT MF with CLA `80`, whatever the ATR. The ATR
 * does not reorder the probes: the listed ATRs are not established per
 * generation, and a Gen2 applet that also took a CLA `80` SELECT would
 * otherwise be driven as Gen1, Gen1 VERIFY included. The order costs Gen1
 * cards one refused SELECT, which the middleware sends them too. Leaves the
 * root (applet or MF) selected.
 * @throws NotHiCOSCardError when neither probe succeeds
 * @throws HiCOSError `INVALID_CARD_INPUT` when `tx` is not a {@link Transport} (before any APDU)
 */
export async function detectGeneration(tx: Transport): Promise<HiCOSGeneration> {
  if (typeof (tx as Partial<Transport> | null | undefined)?.transmit !== 'function') {
    throw new HiCOSError('INVALID_CARD_INPUT', 'detectGeneration needs a Transport (a PcscSession, or EmulatorReader.connect())');
  }
  const answers: string[] = [];
  for (const generation of [2, 1] as const) {
    const command = generation === 2 ? selectGen2Applet() : selectMf(0x80);
    const response = await tx.transmit(command);
    const sw = response.sw.value;
    if (selectSucceeded(sw)) return generation;
    answers.push(`${generation === 2 ? 'Gen2 applet SELECT' : 'SELECT MF (CLA 80)'} → ${response.sw.toString()}`);
  }
  throw new NotHiCOSCardError(answers.join(', '));
}
