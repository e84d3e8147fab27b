import { concatBytes } from '../../shared/bytes.js';
import { Scp03Constant, scp03Kdf } from './scp03-kdf.js';

/** Static (card-resident) SCP03 keys used to derive session keys. */
export interface Scp03StaticKeys {
  /** Static encryption key (K-ENC). */
  readonly enc: Uint8Array;
  /** Static MAC key (K-MAC). */
  readonly mac: Uint8Array;
}

/** Keys of one SCP03 session. */
export interface Scp03SessionKeys {
  /** Session encryption key (S-ENC). */
  readonly sEnc: Uint8Array;
  /** Session command-MAC key (S-MAC). */
  readonly sMac: Uint8Array;
  /** Session response-MAC key (S-RMAC); HiCOS was never seen using R-MAC. */
  readonly sRmac: Uint8Array;
}

/** Derives session keys from static keys and the two challenges (context = host ‖ card challenge). */
export function deriveScp03SessionKeys(
  keys: Scp03StaticKeys,
  hostChallenge: Uint8Array,
  cardChallenge: Uint8Array,
): Scp03SessionKeys {
  const context = concatBytes(hostChallenge, cardChallenge);
  const bits = keys.enc.length * 8;
  return {
    sEnc: scp03Kdf(keys.enc, Scp03Constant.S_ENC, bits, context),
    sMac: scp03Kdf(keys.mac, Scp03Constant.S_MAC, bits, context),
    sRmac: scp03Kdf(keys.mac, Scp03Constant.S_RMAC, bits, context),
  };
}

/** The 8-byte card cryptogram the card returns in INITIALIZE UPDATE. */
export function scp03CardCryptogram(sMac: Uint8Array, hostChallenge: Uint8Array, cardChallenge: Uint8Array): Uint8Array {
  return scp03Kdf(sMac, Scp03Constant.CARD_CRYPTOGRAM, 64, concatBytes(hostChallenge, cardChallenge));
}

/** The 8-byte host cryptogram the host sends in EXTERNAL AUTHENTICATE. */
export function scp03HostCryptogram(sMac: Uint8Array, hostChallenge: Uint8Array, cardChallenge: Uint8Array): Uint8Array {
  return scp03Kdf(sMac, Scp03Constant.HOST_CRYPTOGRAM, 64, concatBytes(hostChallenge, cardChallenge));
}
