import { HiCOSFile } from '../../apdu/commands/file-id.js';
import { type CardFile, df, ef } from './card-file-system.js';
import {
  type CdfEntrySpec,
  encodeCdfRecord,
  encodeDirRecord,
  encodePrkdfRecord,
  encodePukdfRecord,
  encodeTokenInfo,
  padRecords,
  type PrkdfEntrySpec,
} from './pkcs15-encoder.js';
import type { VirtualCardCredentials, VirtualCardNumberFile, VirtualVersionLocation } from './virtual-card-options.js';

/**
 * EF `0811`, which the facts name beside the key EF as holding public-key records (the SDK never selects it, so
 * its FID is not among the SDK's). It is there so a middleware that selects it first gets `9000`; the records
 * themselves are answered by READ RECORD (public-key-records.ts), and READ BINARY is refused as for `0810`.
 */
export const PUBLIC_KEY_EF = 0x0811;

/** Spacing of certificate slots in EF `08F2`, as seen on real cards. */
export const CERT_SLOT = 0x700;

const ascii = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'ascii'));
const fidPath = (...fids: number[]): Uint8Array => Uint8Array.from(fids.flatMap((f) => [f >> 8, f & 0xff]));
const PKCS15_AID = Uint8Array.of(0xa0, 0x00, 0x00, 0x00, 0x63, 0x50, 0x4b, 0x43, 0x53, 0x2d, 0x31, 0x35);

/** What the layout builder needs. */
export interface CardLayoutInput {
  credentials: VirtualCardCredentials;
  cardNumber: string;
  cardNumberFile: VirtualCardNumberFile;
  version: string;
  versionLocation: VirtualVersionLocation;
  keyRefs: { sign: number; keyx: number };
}

/** The built tree plus where each certificate went. */
export interface CardLayout {
  root: CardFile;
  certificates: CdfEntrySpec[];
}

/**
 * Builds the MF tree of a HiCOS card: EF.DIR, DF `5030` with the PKCS#15
 * directory files (FF-padded), all certificates in EF `08F2` at offsets
 * `0000`, `0700`, `0E00`, … (00-padded), key EF `0810`, public-key EF
 * `0811`, data objects `0870`, and DF `0900` with the card number (`0903`, as `cardNumberFile` says); the version EF `0905`
 * goes where `versionLocation` says (real cards: unknown).
 * There is deliberately no ODF `5015`.
 */
export function buildCardLayout(input: CardLayoutInput): CardLayout {
  const { credentials, keyRefs } = input;
  const certs: Array<Omit<CdfEntrySpec, 'offset' | 'length' | 'path'> & { der: Uint8Array }> = [
    { label: 'cert1', id: ascii('SIGN'), authority: false, der: credentials.sign.certificate },
    { label: 'cert2', id: ascii('KEYX'), authority: false, der: credentials.keyx.certificate },
  ];
  const caLabels = ['CACert', 'ROOTCACert'];
  (credentials.caCertificates ?? []).forEach((der, i) => {
    const label = caLabels[i] ?? `CACert${i + 1}`;
    certs.push({ label, id: ascii(label), authority: true, der });
  });

  const certPath = fidPath(HiCOSFile.MF, HiCOSFile.PKCS15_DF, HiCOSFile.CERTIFICATES);
  const entries: CdfEntrySpec[] = [];
  let offset = 0;
  for (const c of certs) {
    entries.push({ label: c.label, id: c.id, authority: c.authority, path: certPath, offset, length: c.der.length });
    // A certificate larger than a slot pushes the next one to the next 0x100 boundary.
    offset += Math.max(CERT_SLOT, Math.ceil(c.der.length / 0x100) * 0x100);
  }
  const certFile = new Uint8Array(offset);
  certs.forEach((c, i) => certFile.set(c.der, entries[i]!.offset));

  const keyPath = fidPath(HiCOSFile.MF, HiCOSFile.PKCS15_DF, HiCOSFile.KEYS);
  const keys: PrkdfEntrySpec[] = [
    { label: 'SIGN', id: ascii('SIGN'), keyRef: keyRefs.sign, modulusBits: 2048, signing: true },
    { label: 'KEYX', id: ascii('KEYX'), keyRef: keyRefs.keyx, modulusBits: 2048, signing: false },
  ];

  const version = new Uint8Array(16);
  version.set(ascii(input.version).subarray(0, 16));

  const versionEf = ef(HiCOSFile.VERSION, version);
  const root = df(HiCOSFile.MF, [
    ...(input.versionLocation === 'root' ? [versionEf] : []),
    ef(HiCOSFile.DIR, padRecords([encodeDirRecord(PKCS15_AID, '中華電信研究所', fidPath(HiCOSFile.MF, HiCOSFile.PKCS15_DF))], 64)),
    df(HiCOSFile.PKCS15_DF, [
      ef(HiCOSFile.PRKDF, padRecords(keys.map((k) => encodePrkdfRecord(k, keyPath)), 512)),
      ef(HiCOSFile.PUKDF, padRecords(keys.map((k) => encodePukdfRecord(k, keyPath)), 512)),
      ef(HiCOSFile.CDF, padRecords(entries.map(encodeCdfRecord), 1024)),
      ef(HiCOSFile.DODF, padRecords([], 256)),
      ef(HiCOSFile.AODF, padRecords([], 256)),
      ef(HiCOSFile.TOKEN_INFO, padRecords([encodeTokenInfo(ascii(input.cardNumber), 'Chunghwa Telecom', 'HiCOS PKI Smart Card')], 128)),
      ef(HiCOSFile.CERTIFICATES, certFile),
      ef(HiCOSFile.KEYS, new Uint8Array(1024), false),
      ef(PUBLIC_KEY_EF, new Uint8Array(0), false),
      ef(HiCOSFile.DATA_OBJECTS, padRecords([], 256)),
    ]),
    ...(input.cardNumberFile === 'no-df'
      ? []
      : [
          df(HiCOSFile.CARD_NUMBER_DF, [
            ...(input.cardNumberFile === 'no-ef' ? [] : [ef(HiCOSFile.CARD_NUMBER, cardNumberContent(input), input.cardNumberFile !== 'unreadable')]),
            ...(input.versionLocation === 'card-number-df' ? [versionEf] : []),
          ]),
        ]),
  ]);
  return { root, certificates: entries };
}

/** What EF `0903` holds: the card number, or for a blank file as many `00` or `FF` bytes, or none. */
function cardNumberContent(input: CardLayoutInput): Uint8Array {
  const number = ascii(input.cardNumber);
  switch (input.cardNumberFile) {
    case 'blank-00':
      return new Uint8Array(number.length);
    case 'blank-ff':
      return new Uint8Array(number.length).fill(0xff);
    case 'empty':
      return new Uint8Array(0);
    default:
      return number;
  }
}
