import { createHash } from 'node:crypto';
import type { CardCertificate, HiCOSCard } from '../apdu/index.js';
import { parseCertificate, type CertificateProfile } from '../cert/index.js';
import type { CardSlots, SlotInfo } from './card-slots.js';
import { RetCode } from './codes.js';

/** One certificate as `/pkcs11info` lists it. */
export interface Pkcs11CertInfo {
  /** CDF label on the card (`cert1`, `cert2`, …). */
  label: string;
  /** CDF iD as lower-case hex (`5349474e` = `SIGN`). */
  id: string;
  /** Base64 DER certificate; present only when asked with `withcert=true`. */
  certb64?: string;
  /** Subject DN as text, most significant RDN first (`C=TW, …`). */
  subjectDN: string;
  /** Issuer DN as text, most significant RDN first. */
  issuerDN: string;
  /** The subject's first CN; empty when there is none. */
  subjectCN: string;
  /** MOICA's 4-digit ID hint; empty on other certificates. */
  subjectID: string;
  /** Serial number in upper-case hex. */
  sn: string;
  /** Start of validity, ISO 8601 UTC. */
  notBefore: string;
  /** End of validity, ISO 8601 UTC. */
  notAfter: string;
  /** Start of validity in Unix seconds. */
  notBeforeT: number;
  /** End of validity in Unix seconds. */
  notAfterT: number;
  /** SHA-1 of the DER, upper-case hex. */
  thumbprint: string;
  /** Key usage as pages expect it: `digitalSignature`, or the encipherment bits joined by `|`. */
  usage: string;
  /** First e-mail address of the certificate; empty when there is none. */
  email: string;
}

/** A token (card) as `/pkcs11info` reports it. */
export interface Pkcs11TokenInfo {
  /** Always `HiCOS PKI Smart Card`. */
  label: string;
  /** Always `Chunghwa Telecom`. */
  manufacturerID: string;
  /** The card's version string (e.g. `CHT V32N`). */
  model: string;
  /** The 16-character card number (卡號). */
  serialNumber: string;
  /** PKCS#11 token flags (CKF_*), including the PIN-count-low/final-try/locked flags when the retry count is known. */
  flags: number;
  /** Shortest PIN the card accepts (6). */
  ulMinPinLen: number;
  /** Longest PIN the card accepts (8). */
  ulMaxPinLen: number;
  /** The card's signing and encryption certificates, in CDF order. */
  certs: Pkcs11CertInfo[];
}

/** One slot (reader); `token` is `null` without a card, `"unknown token"` for a non-HiCOS card. */
export interface Pkcs11SlotInfo {
  /** Index of the reader in the slot list, from 0. */
  slotID: number;
  /** Reader name; pass it as `slotDescription` to `/sign` to pick this reader. */
  slotDescription: string;
  /** Always `twpki`. */
  manufacturerID: string;
  /** PKCS#11 slot flags: `7` with a card (token present, removable, hardware), `6` without. */
  flags: number;
  /** Always `1.0`. */
  hardwareVersion: string;
  /** Always `1.0`. */
  firmwareVersion: string;
  /** The card; `null` when the reader is empty (or the card was pulled), `"unknown token"` when it is not a readable HiCOS card. */
  token: Pkcs11TokenInfo | 'unknown token' | null;
}

/** The whole `/pkcs11info` document. */
export interface Pkcs11Info {
  /** Always `pkcs11info`. */
  func: 'pkcs11info';
  /** A {@link RetCode} value; `0` when the listing succeeded. */
  ret_code: number;
  /** Always `0` for a successful listing. */
  last_error: number;
  /** Always empty for a successful listing. */
  message: string;
  /** The component version pages check ({@link AGENT_SERVER_VERSION}). */
  version: string;
  /** Same as `version`. */
  serverVersion: string;
  /** PKCS#11 version reported (`2.20`). */
  cryptokiVersion: string;
  /** Always `twpki`. */
  manufacturerID: string;
  /** Human-readable description of the agent. */
  libraryDescription: string;
  /** Version of twpki's agent library (`0.1`). */
  libraryVersion: string;
  /** PKCS#11 library flags; always `0`. */
  flags: number;
  /** One entry per reader, in slot order. */
  slots: Pkcs11SlotInfo[];
}

/** The version Linux builds of the official component report; pages compare it as a string. */
export const AGENT_SERVER_VERSION = '1.3.4.3';

// PKCS#11 CKF_TOKEN_PRESENT | CKF_REMOVABLE_DEVICE | CKF_HW_SLOT.
const SLOT_FLAGS_PRESENT = 0x7;
const SLOT_FLAGS_EMPTY = 0x6;
// CKF_LOGIN_REQUIRED | CKF_USER_PIN_INITIALIZED | CKF_TOKEN_INITIALIZED, plus the PIN-count flags when known.
const TOKEN_FLAGS = 0x400 | 0x8 | 0x4;
const CKF_USER_PIN_COUNT_LOW = 0x10000;
const CKF_USER_PIN_FINAL_TRY = 0x20000;
const CKF_USER_PIN_LOCKED = 0x40000;

function pinFlags(retries: number | undefined): number {
  if (retries === undefined) return 0;
  if (retries === 0) return CKF_USER_PIN_LOCKED;
  if (retries === 1) return CKF_USER_PIN_COUNT_LOW | CKF_USER_PIN_FINAL_TRY;
  if (retries < 3) return CKF_USER_PIN_COUNT_LOW;
  return 0;
}

function usageText(profile: CertificateProfile): string {
  const ku = profile.keyUsage ?? [];
  if (ku.includes('keyEncipherment') || ku.includes('dataEncipherment')) {
    return ku.filter((u) => u === 'keyEncipherment' || u === 'dataEncipherment').join('|');
  }
  return ku.includes('digitalSignature') ? 'digitalSignature' : ku.join('|');
}

/** Describes one card certificate in the official component's shape. */
export function describeCertificate(cert: CardCertificate, withCert: boolean): Pkcs11CertInfo {
  const profile = parseCertificate(cert.der);
  const { notBefore, notAfter } = profile.validity;
  return {
    label: cert.label,
    id: cert.id,
    ...(withCert ? { certb64: Buffer.from(cert.der).toString('base64') } : {}),
    subjectDN: profile.subject.text,
    issuerDN: profile.issuer.text,
    subjectCN: profile.subject.commonName ?? '',
    subjectID: profile.identity.idHint ?? '',
    sn: profile.serialNumber,
    notBefore: notBefore.toISOString(),
    notAfter: notAfter.toISOString(),
    notBeforeT: Math.floor(notBefore.getTime() / 1000),
    notAfterT: Math.floor(notAfter.getTime() / 1000),
    thumbprint: createHash('sha1').update(cert.der).digest('hex').toUpperCase(),
    usage: usageText(profile),
    email: profile.emails[0] ?? profile.subject.email ?? '',
  };
}

async function describeToken(card: HiCOSCard, withCert: boolean): Promise<Pkcs11TokenInfo> {
  const info = await card.info();
  const certs = info.certificates.filter((c) => c.usage === 'SIGN' || c.usage === 'KEYX').map((c) => describeCertificate(c, withCert));
  return {
    label: 'HiCOS PKI Smart Card',
    manufacturerID: 'Chunghwa Telecom',
    model: info.version,
    serialNumber: info.cardNumber,
    flags: TOKEN_FLAGS | pinFlags(card.lastKnownRetries),
    ulMinPinLen: 6,
    ulMaxPinLen: 8,
    certs,
  };
}

async function describeSlot(slots: CardSlots, slot: SlotInfo, withCert: boolean): Promise<Pkcs11SlotInfo> {
  let token: Pkcs11SlotInfo['token'] = null;
  if (slot.cardPresent) {
    token = await slots.withCard(slot, (card) => describeToken(card, withCert)).catch((error: unknown) => {
      // A card that is not HiCOS (or not readable) is what the official component calls an unknown token.
      if (error instanceof Error && 'code' in error && error.code === 'CARD_REMOVED') return null;
      return 'unknown token' as const;
    });
  }
  return {
    slotID: slot.slotID,
    slotDescription: slot.description,
    manufacturerID: 'twpki',
    flags: slot.cardPresent ? SLOT_FLAGS_PRESENT : SLOT_FLAGS_EMPTY,
    hardwareVersion: '1.0',
    firmwareVersion: '1.0',
    token,
  };
}

/** Builds the `/pkcs11info` answer for every slot. */
export async function pkcs11Info(slots: CardSlots, withCert: boolean): Promise<Pkcs11Info> {
  const list = await slots.list();
  const described: Pkcs11SlotInfo[] = [];
  for (const slot of list) described.push(await describeSlot(slots, slot, withCert));
  return {
    func: 'pkcs11info',
    ret_code: RetCode.OK,
    last_error: 0,
    message: '',
    version: AGENT_SERVER_VERSION,
    serverVersion: AGENT_SERVER_VERSION,
    cryptokiVersion: '2.20',
    manufacturerID: 'twpki',
    libraryDescription: 'twpki HiCOS local agent',
    libraryVersion: '0.1',
    flags: 0,
    slots: described,
  };
}
