/**
 * When the SCP03 encryption counter steps. The HiCOS capture does not settle
 * it: GP Amendment D v1.1.1 and later step it for every command (the
 * default); older readings step it only for commands that carry data.
 *
 * The two only differ for an encrypted command that follows a command
 * without data in the same session. `HiCOSCard` never sends one (a session
 * serves at most one private-key operation, whose only data-less command,
 * `C1`, comes last), so its flows work whatever the card does; the choice
 * matters only to callers driving `Scp03Session` (`twpki/apdu/advanced`) themselves.
 */
export type Scp03CounterPolicy = 'every-command' | 'data-commands-only';

/**
 * Where the host takes the 10-byte card ID that diversifies the Gen2 static
 * keys. `'get-data'` (default, as the captured middleware): SELECT ISD and
 * GET DATA `0045` once per card session (two APDUs plus re-selecting the
 * applet). `'initialize-update'`: first try the diversification data of the
 * INITIALIZE UPDATE answer, which the card cryptogram confirms or refutes
 * before anything else is sent; when refuted, fall back to GET DATA. Whether
 * HiCOS cards put the card ID there is unknown; both work either way.
 */
export type Scp03CardIdSource = 'get-data' | 'initialize-update';

/** Choices of the Gen2 secure channel that public captures leave open. */
export interface Scp03Options {
  /** Encryption counter stepping (default `'every-command'`, the current GP standard). */
  counterPolicy?: Scp03CounterPolicy;
  /** Where the key-diversification card ID comes from (default `'get-data'`). */
  cardIdSource?: Scp03CardIdSource;
}

/** Security level HiCOS uses: C-MAC + C-DECRYPTION, no R-MAC. */
export const SCP03_SECURITY_LEVEL_CMAC_CDEC = 0x03;
