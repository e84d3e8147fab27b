import { randomBytes } from 'node:crypto';
import { bytesEqual } from '../../shared/bytes.js';
import type { Transport } from '../../pcsc/transport.js';
import { exchange, selectSucceeded, transmitOnce } from '../card-io.js';
import { externalAuthenticate, getCardId, initializeUpdate } from '../commands/global-platform.js';
import { selectAid } from '../commands/select.js';
import { HICOS_CARD_ID_LENGTH, HICOS_ISD_AID } from '../crypto/hicos-static-keys.js';
import {
  deriveScp03SessionKeys,
  type Scp03SessionKeys,
  type Scp03StaticKeys,
  scp03CardCryptogram,
  scp03HostCryptogram,
} from '../crypto/scp03-session-keys.js';
import { HiCOSError, MalformedResponseError } from '../errors.js';
import { SCP03_SECURITY_LEVEL_CMAC_CDEC } from './scp03-options.js';
import { Scp03Session, type Scp03SessionCounter } from './scp03-session.js';

/**
 * Reads the 10-byte card ID the Gen2 keys are diversified with: SELECT ISD,
 * GET DATA `0045` → `45 0A <id>`. Leaves the ISD selected (which ends any
 * session with the applet): re-select the applet after.
 *
 * The captured middleware first selects the ISD-CM and reads its key
 * information (`00E0`); that answer only confirms 16-byte keys, which a
 * wrong key length would refute anyway at the card cryptogram check, so the
 * SDK skips those two APDUs.
 */
export async function readGen2CardId(tx: Transport): Promise<Uint8Array> {
  await exchange(tx, selectAid(HICOS_ISD_AID), 'SELECT ISD', selectSucceeded);
  const id = await exchange(tx, getCardId(), 'GET DATA card ID');
  const d = id.data;
  if (d.length !== 2 + HICOS_CARD_ID_LENGTH || d[0] !== 0x45 || d[1] !== HICOS_CARD_ID_LENGTH) {
    throw new MalformedResponseError('GET DATA card ID', `expected 45 0A + 10 bytes, got ${d.length} bytes`);
  }
  return d.slice(2);
}

/** What INITIALIZE UPDATE tells the host. */
export interface Scp03Initiation {
  /** The challenge the host sent. */
  readonly hostChallenge: Uint8Array;
  /** Bytes 0–9 of the answer: key diversification data (unknown whether HiCOS puts the card ID there). */
  readonly diversificationData: Uint8Array;
  /** Bytes 13–20. */
  readonly cardChallenge: Uint8Array;
  /** Bytes 21–28. */
  readonly cardCryptogram: Uint8Array;
}

/** Sends INITIALIZE UPDATE to the selected application and parses the answer (SCP `03` only). */
export async function initializeScp03(tx: Transport, hostChallenge: Uint8Array = new Uint8Array(randomBytes(8))): Promise<Scp03Initiation> {
  const init = await exchange(tx, initializeUpdate(hostChallenge), 'INITIALIZE UPDATE');
  const d = init.data;
  if (d.length < 29) throw new MalformedResponseError('INITIALIZE UPDATE', `${d.length} bytes, expected at least 29`);
  if (d[11] !== 0x03) throw new MalformedResponseError('INITIALIZE UPDATE', `secure channel protocol ${d[11]}, expected 03`);
  return { hostChallenge, diversificationData: d.slice(0, 10), cardChallenge: d.slice(13, 21), cardCryptogram: d.slice(21, 29) };
}

/**
 * Session keys for `keys`, or `undefined` when the card cryptogram proves
 * they are not the card's keys (nothing is sent, so a wrong guess costs no
 * EXTERNAL AUTHENTICATE).
 */
export function scp03SessionKeysFor(keys: Scp03StaticKeys, init: Scp03Initiation): Scp03SessionKeys | undefined {
  const sessionKeys = deriveScp03SessionKeys(keys, init.hostChallenge, init.cardChallenge);
  if (bytesEqual(scp03CardCryptogram(sessionKeys.sMac, init.hostChallenge, init.cardChallenge), init.cardCryptogram)) return sessionKeys;
  for (const k of Object.values(sessionKeys)) k.fill(0);
  return undefined;
}

/**
 * Completes the session (C-MAC + C-DECRYPTION) with EXTERNAL AUTHENTICATE
 * carrying the host cryptogram.
 */
export async function authenticateScp03(
  tx: Transport,
  sessionKeys: Scp03SessionKeys,
  init: Scp03Initiation,
  counterPolicy: Scp03SessionCounter,
): Promise<Scp03Session> {
  const session = new Scp03Session(sessionKeys, counterPolicy);
  const hostCryptogram = scp03HostCryptogram(sessionKeys.sMac, init.hostChallenge, init.cardChallenge);
  // Sent once, like a VERIFY: GlobalPlatform cards count failed authentications and may block the domain.
  const response = await transmitOnce(tx, session.macOnly(externalAuthenticate(hostCryptogram, SCP03_SECURITY_LEVEL_CMAC_CDEC)));
  if (!response.sw.isSuccess) {
    session.close();
    throw new HiCOSError('SECURE_CHANNEL_FAILED', `EXTERNAL AUTHENTICATE refused (${response.sw.toString()})`, {
      statusWord: response.sw.toString(),
    });
  }
  return session;
}

/** The typed error for a card cryptogram that matches no key the host may use. */
export function cardCryptogramMismatch(): HiCOSError {
  return new HiCOSError('SECURE_CHANNEL_FAILED', 'card cryptogram does not match: wrong keys or not a HiCOS Gen2 card');
}
