import { bytesEqual, fromHex, isBytes } from '../shared/bytes.js';
import type { HiCOSGeneration } from './generation.js';

/** An ATR listed for Taiwan HiCOS cards in pcsc-tools' smartcard_list.txt. */
export interface KnownAtr {
  /** The ATR bytes. */
  readonly atr: Uint8Array;
  /** What the list says about it. */
  readonly description: string;
  /** Generation the list says the ATR belongs to (`undefined` when it does not tell); information only, detection asks the card. */
  readonly generationHint: HiCOSGeneration | undefined;
}

/** Known HiCOS ATRs. The hint is information only: detection probes in the middleware's order whatever the ATR. */
export const KNOWN_HICOS_ATRS: readonly KnownAtr[] = [
  {
    atr: fromHex('3B 8B 80 01 00 31 C1 64 08 40 21 30 00 90 00 57'),
    description: 'MOICA Citizen Digital Certificate (contactless form)',
    generationHint: undefined,
  },
  {
    atr: fromHex('3B B8 13 00 81 31 FA 52 43 48 54 4D 4F 49 43 41 A5'),
    description: 'Citizen Digital Certificate "CHTMOICA" (Gen1)',
    generationHint: 1,
  },
  {
    atr: fromHex('3B D8 96 00 81 B1 FE 45 1F 07 43 48 54 47 50 4B 49 4A DD'),
    description: 'Citizen Digital Certificate "CHTGPKIJ" (likely Gen2)',
    generationHint: 2,
  },
];

/** Looks an ATR up in {@link KNOWN_HICOS_ATRS}. */
export function recogniseAtr(atr: Uint8Array): KnownAtr | undefined {
  // Anything but bytes is no listed ATR (it was a TypeError reading its length).
  if (!isBytes(atr)) return undefined;
  return KNOWN_HICOS_ATRS.find((k) => bytesEqual(k.atr, atr));
}
