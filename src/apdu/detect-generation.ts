import { selectSucceeded } from './card-io.js';
import type { Transport } from '../pcsc/transport.js';
import { selectGen2Applet, selectMf } from './commands/select.js';
import { NotHiCOSCardError } from './errors.js';
import type { HiCOSGeneration } from './generation.js';
import { recogniseAtr } from './known-atrs.js';

/**
 * Detects the card generation the way the official middleware does: the Gen2
 * applet AID first, then SELECT MF with CLA `80`. A known Gen1 ATR swaps the
 * order, which saves the failing probe on Gen1 cards; the card's answers
 * decide either way. Leaves the root (applet or MF) selected.
 * @throws NotHiCOSCardError when neither probe succeeds
 */
export async function detectGeneration(tx: Transport): Promise<HiCOSGeneration> {
  const hint = recogniseAtr(tx.atr)?.generationHint;
  const order: HiCOSGeneration[] = hint === 1 ? [1, 2] : [2, 1];
  const answers: string[] = [];
  for (const generation of order) {
    const command = generation === 2 ? selectGen2Applet() : selectMf(0x80);
    const response = await tx.transmit(command);
    const sw = response.sw.value;
    if (selectSucceeded(sw)) return generation;
    answers.push(`${generation === 2 ? 'Gen2 applet SELECT' : 'SELECT MF (CLA 80)'} → ${response.sw.toString()}`);
  }
  throw new NotHiCOSCardError(answers.join(', '));
}
