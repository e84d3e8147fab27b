/**
 * HiCOS card generation: 1 = HiCOS V3 / T7S file system driven with CLA `80`;
 * 2 = the "GPPKI" Java Card applet (CLA `00`, SCP03 for the PIN and keys).
 */
export type HiCOSGeneration = 1 | 2;

/** Class byte for plain (non-secure-messaging) file commands of a generation. */
export function fileCla(generation: HiCOSGeneration): number {
  return generation === 1 ? 0x80 : 0x00;
}
