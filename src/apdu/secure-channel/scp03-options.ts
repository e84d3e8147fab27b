/**
 * When the SCP03 encryption counter steps. The HiCOS capture does not settle
 * it: GP Amendment D v1.1.1 and later step it for every command (the
 * default); older readings step it only for commands that carry data.
 * Host and virtual card must agree.
 */
export type Scp03CounterPolicy = 'every-command' | 'data-commands-only';

/** Choices of the Gen2 secure channel that public captures leave open. */
export interface Scp03Options {
  /** Encryption counter stepping (default `'every-command'`, the current GP standard). */
  counterPolicy?: Scp03CounterPolicy;
}

/** Security level HiCOS uses: C-MAC + C-DECRYPTION, no R-MAC. */
export const SCP03_SECURITY_LEVEL_CMAC_CDEC = 0x03;
