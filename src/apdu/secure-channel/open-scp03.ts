import { randomBytes } from 'node:crypto';
import { bytesEqual } from '../../shared/bytes.js';
import type { Transport } from '../../pcsc/transport.js';
import { exchange } from '../card-io.js';
import { externalAuthenticate, getCardId, getKeyInformation, initializeUpdate } from '../commands/global-platform.js';
import { selectAid } from '../commands/select.js';
import { HICOS_CARD_ID_LENGTH, HICOS_ISD_AID, HICOS_ISD_CM_AID } from '../crypto/hicos-static-keys.js';
import {
  deriveScp03SessionKeys,
  type Scp03StaticKeys,
  scp03CardCryptogram,
  scp03HostCryptogram,
} from '../crypto/scp03-session-keys.js';
import { HicosError, MalformedResponseError } from '../errors.js';
import { type Scp03Options, SCP03_SECURITY_LEVEL_CMAC_CDEC } from './scp03-options.js';
import { Scp03Session } from './scp03-session.js';

/**
 * Reads the 10-byte card ID the Gen2 keys are diversified with: SELECT
 * ISD-CM, GET DATA `00E0` (key length must be 16), SELECT ISD, GET DATA
 * `0045` → `45 0A <id>`. Leaves the ISD selected: re-select the applet after.
 */
export async function readGen2CardId(tx: Transport): Promise<Uint8Array> {
  await exchange(tx, selectAid(HICOS_ISD_CM_AID), 'SELECT ISD-CM');
  const keyInfo = await exchange(tx, getKeyInformation(), 'GET DATA key information');
  if (keyInfo.data[7] !== 16) {
    throw new MalformedResponseError('GET DATA key information', `key length byte is ${keyInfo.data[7] ?? 'missing'}, expected 16`);
  }
  await exchange(tx, selectAid(HICOS_ISD_AID), 'SELECT ISD');
  const id = await exchange(tx, getCardId(), 'GET DATA card ID');
  const d = id.data;
  if (d.length !== 2 + HICOS_CARD_ID_LENGTH || d[0] !== 0x45 || d[1] !== HICOS_CARD_ID_LENGTH) {
    throw new MalformedResponseError('GET DATA card ID', `expected 45 0A + 10 bytes, got ${d.length} bytes`);
  }
  return d.slice(2);
}

/**
 * Opens an SCP03 session (C-MAC + C-DECRYPTION) with the selected
 * application: INITIALIZE UPDATE, check the card cryptogram, EXTERNAL
 * AUTHENTICATE with the host cryptogram.
 */
export async function openScp03(
  tx: Transport,
  keys: Scp03StaticKeys,
  options: Scp03Options & { hostChallenge?: Uint8Array } = {},
): Promise<Scp03Session> {
  const hostChallenge = options.hostChallenge ?? new Uint8Array(randomBytes(8));
  const init = await exchange(tx, initializeUpdate(hostChallenge), 'INITIALIZE UPDATE');
  const d = init.data;
  if (d.length < 29) throw new MalformedResponseError('INITIALIZE UPDATE', `${d.length} bytes, expected at least 29`);
  if (d[11] !== 0x03) throw new MalformedResponseError('INITIALIZE UPDATE', `secure channel protocol ${d[11]}, expected 03`);
  const cardChallenge = d.slice(13, 21);
  const cardCryptogram = d.slice(21, 29);
  const sessionKeys = deriveScp03SessionKeys(keys, hostChallenge, cardChallenge);
  if (!bytesEqual(scp03CardCryptogram(sessionKeys.sMac, hostChallenge, cardChallenge), cardCryptogram)) {
    throw new HicosError('SECURE_CHANNEL_FAILED', 'card cryptogram does not match: wrong keys or not a HiCOS Gen2 card');
  }
  const session = new Scp03Session(sessionKeys, options.counterPolicy ?? 'every-command');
  const hostCryptogram = scp03HostCryptogram(sessionKeys.sMac, hostChallenge, cardChallenge);
  const auth = session.macOnly(externalAuthenticate(hostCryptogram, SCP03_SECURITY_LEVEL_CMAC_CDEC));
  const response = await tx.transmit(auth);
  if (response.sw.value !== 0x9000) {
    session.close();
    throw new HicosError('SECURE_CHANNEL_FAILED', `EXTERNAL AUTHENTICATE refused (${response.sw.toString()})`, {
      statusWord: response.sw.toString(),
    });
  }
  return session;
}
