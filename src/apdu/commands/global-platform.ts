import { CommandApdu } from '../../pcsc/command-apdu.js';

/** `80 CA 00 45 00`: card image number / card ID (ISD), answered `45 0A <10 bytes>`. */
export function getCardId(): CommandApdu {
  return new CommandApdu({ cla: 0x80, ins: 0xca, p1: 0x00, p2: 0x45, le: 256 });
}

/** `80 50 <kvn> 00 08 <host challenge> 00`: INITIALIZE UPDATE. */
export function initializeUpdate(hostChallenge: Uint8Array, keyVersion = 0x01): CommandApdu {
  if (hostChallenge.length !== 8) throw new RangeError('host challenge must be 8 bytes');
  return new CommandApdu({ cla: 0x80, ins: 0x50, p1: keyVersion, p2: 0x00, data: hostChallenge, le: 256 });
}

/** `84 82 <level> 00 08 <host cryptogram>` before the C-MAC is appended. */
export function externalAuthenticate(hostCryptogram: Uint8Array, securityLevel: number): CommandApdu {
  return new CommandApdu({ cla: 0x84, ins: 0x82, p1: securityLevel, p2: 0x00, data: hostCryptogram });
}
