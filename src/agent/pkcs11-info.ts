import { createHash } from 'node:crypto';
import { retryCounterKey, type CardCertificate, type HiCOSCardInfo } from '../apdu/index.js';
import { parseCertificate, type CertificateProfile, type DistinguishedName } from '../cert/index.js';
import type { CardSlots, SlotInfo } from './card-slots.js';
import { LastError, RetCode } from './codes.js';
import { pcscServiceGone } from './pcsc-service.js';
import { sharedCardRead } from './shared-card-reads.js';
import { CARD_DID_NOT_ANSWER, cardDidNotAnswer } from './silent-card.js';
import { readAndKeep, type WarmCardCache } from './warm-card-cache.js';

/** One certificate as `/pkcs11info` lists it. */
export interface Pkcs11CertInfo {
  /** CDF label on the card (`cert1`, `cert2`, …); the card's issuing CA certificate is always `CA Cert`. */
  label: string;
  /** CDF iD as lower-case hex (`5349474e` = `SIGN`). */
  id: string;
  /** Base64 DER certificate; present only when asked with `withcert=true`. */
  certb64?: string;
  /** Subject DN in certificate order joined by `,` without spaces (`C=TW,CN=王小明,serialNumber=…`), as pages split it. */
  subjectDN: string;
  /** Issuer DN in the same form. */
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
  /**
   * Key usage as pages expect it: `digitalSignature` for the signing certificate (`cert1`) that has that bit, also
   * when it allows encipherment too; the encipherment bits joined by `|` for the encryption one; or
   * `keyCertSign|cRLSign` for CA certificates.
   */
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
  /** Every certificate on the card: the user's (`cert1` before `cert2`), then `CA Cert`, then any other. */
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
  /**
   * A {@link RetCode} value; `0` when the listing succeeded, `0x7600000D` when a card did not answer and no
   * reader holds a readable one (the slots are still listed).
   */
  ret_code: number;
  /** `0` for a successful listing; `0x06` with `ret_code 0x7600000D`. */
  last_error: number;
  /** Empty for a successful listing, unless a card did not answer: then it says to take that card out and put it back. */
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

const CA_USAGE = 'keyCertSign|cRLSign';
/** The label pages look up the card's CA certificate by. */
export const CA_CERT_LABEL = 'CA Cert';

/**
 * `usage` as pages read it: they pick the signing certificate by `digitalSignature`. The card's signing key
 * (iD `SIGN`, `cert1`) says so whenever its certificate has that bit, also when the certificate allows
 * encipherment too (a certificate may carry both); the encipherment bits name the encryption certificate.
 */
function usageText(profile: CertificateProfile, isCa: boolean, cardUsage: CardCertificate['usage']): string {
  const ku = profile.keyUsage ?? [];
  if (isCa) {
    const bits = ku.filter((u) => u === 'keyCertSign' || u === 'cRLSign');
    return bits.length > 0 ? bits.join('|') : CA_USAGE;
  }
  if (cardUsage === 'SIGN' && ku.includes('digitalSignature')) return 'digitalSignature';
  if (ku.includes('keyEncipherment') || ku.includes('dataEncipherment')) {
    return ku.filter((u) => u === 'keyEncipherment' || u === 'dataEncipherment').join('|');
  }
  return ku.includes('digitalSignature') ? 'digitalSignature' : ku.join('|');
}

/**
 * A DN as the official component writes it: attributes in certificate order
 * (C first) joined by `,` with no space and no escaping, since pages split on
 * `,` and `=` without trimming.
 */
export function officialDnText(name: DistinguishedName): string {
  return name.attributes.map((a) => `${a.shortName ?? a.oid}=${a.value}`).join(',');
}

/** Describes one card certificate in the official component's shape, under `label`. */
export function describeCertificate(cert: CardCertificate, withCert: boolean, label = cert.label): Pkcs11CertInfo {
  const profile = parseCertificate(cert.der);
  const { notBefore, notAfter } = profile.validity;
  const isCa = cert.usage === 'CA' || label === CA_CERT_LABEL;
  return {
    label,
    id: cert.id,
    ...(withCert ? { certb64: Buffer.from(cert.der).toString('base64') } : {}),
    subjectDN: officialDnText(profile.subject),
    issuerDN: officialDnText(profile.issuer),
    subjectCN: profile.subject.commonName ?? '',
    subjectID: profile.identity.idHint ?? '',
    sn: profile.serialNumber,
    notBefore: notBefore.toISOString(),
    notAfter: notAfter.toISOString(),
    notBeforeT: Math.floor(notBefore.getTime() / 1000),
    notAfterT: Math.floor(notAfter.getTime() / 1000),
    thumbprint: createHash('sha1').update(cert.der).digest('hex').toUpperCase(),
    usage: usageText(profile, isCa, cert.usage),
    email: profile.emails[0] ?? profile.subject.email ?? '',
  };
}

/**
 * The card's certificates in the order pages read them: the signing
 * certificate (`cert1`) before the encryption one (`cert2`), each kind in
 * card order, so the first entry not labelled `CA Cert` is the user's signing
 * one; then the CA certificate that issued the signing certificate (else the
 * first CA one) as `CA Cert`; then the rest under their card labels.
 */
export function orderedCertificates(certificates: readonly CardCertificate[]): Array<{ cert: CardCertificate; label: string }> {
  // The signing certificates first, whatever order the card's directory has them in: pages take the first entry
  // that is not `CA Cert` as the user's (cards seen list `cert1` first, but nothing guarantees it).
  const user = [...certificates.filter((c) => c.usage === 'SIGN'), ...certificates.filter((c) => c.usage === 'KEYX')];
  const authorities = certificates.filter((c) => c.usage === 'CA');
  const signing = user.find((c) => c.usage === 'SIGN') ?? user[0];
  let issuing = authorities[0];
  if (signing) {
    const issuer = Buffer.from(parseCertificate(signing.der).issuer.der);
    issuing = authorities.find((c) => Buffer.from(parseCertificate(c.der).subject.der).equals(issuer)) ?? issuing;
  }
  const rest = certificates.filter((c) => !user.includes(c) && c !== issuing);
  return [
    ...user.map((cert) => ({ cert, label: cert.label })),
    ...(issuing ? [{ cert: issuing, label: CA_CERT_LABEL }] : []),
    ...rest.map((cert) => ({ cert, label: cert.label })),
  ];
}

// Descriptions per card read: a kept (warm) read is described once, not on every request.
const descriptions = new WeakMap<HiCOSCardInfo, Map<boolean, readonly Pkcs11CertInfo[]>>();

function describeCertificates(info: HiCOSCardInfo, withCert: boolean): Pkcs11CertInfo[] {
  let forInfo = descriptions.get(info);
  if (!forInfo) descriptions.set(info, (forInfo = new Map()));
  let certs = forInfo.get(withCert);
  if (!certs) {
    certs = orderedCertificates(info.certificates).map(({ cert, label }) => describeCertificate(cert, withCert, label));
    forInfo.set(withCert, certs);
  }
  // Copies: callers may change what they get without touching what is kept.
  return certs.map((c) => ({ ...c }));
}

function describeToken(info: HiCOSCardInfo, retries: number | undefined, withCert: boolean): Pkcs11TokenInfo {
  return {
    label: 'HiCOS PKI Smart Card',
    manufacturerID: 'Chunghwa Telecom',
    model: info.version,
    serialNumber: info.cardNumber,
    flags: TOKEN_FLAGS | pinFlags(retries),
    ulMinPinLen: 6,
    ulMaxPinLen: 8,
    certs: describeCertificates(info, withCert),
  };
}

/**
 * What the card in `slot` holds: from the warm cache while no reader event
 * happened since it was read, else read from the card (and kept).
 */
export async function cardInfo(slots: CardSlots, slot: SlotInfo, cache: WarmCardCache | undefined): Promise<HiCOSCardInfo> {
  const warm = cache?.get(slot.description, slot.presence);
  if (warm) return warm.info;
  const read = async (): Promise<HiCOSCardInfo> => {
    const readCard = (): Promise<HiCOSCardInfo> => slots.withCard(slot, (card) => card.info());
    try {
      // Not kept when the agent learnt of a reader event while the card was read (see readAndKeep).
      return cache ? await readAndKeep(cache, slot.description, slot.presence, readCard) : await readCard();
    } catch (error) {
      cache?.drop(slot.description);
      throw error;
    }
  };
  // Tabs that ask while the card is being read get that read's answer instead of queueing one of their own.
  return cache && slot.presence !== undefined ? sharedCardRead(cache, slot.description, slot.presence, read) : read();
}

/** A slot as listed, and whether its card did not answer (the listing then says so: see {@link pkcs11Info}). */
interface DescribedSlot {
  readonly slot: Pkcs11SlotInfo;
  readonly silent: boolean;
  /** What was read of the card the slot's token describes; absent when the token is not an object. */
  readonly info?: HiCOSCardInfo;
}

async function describeSlot(slots: CardSlots, slot: SlotInfo, withCert: boolean, cache: WarmCardCache | undefined): Promise<DescribedSlot> {
  let token: Pkcs11SlotInfo['token'] = null;
  let silent = false;
  let info: HiCOSCardInfo | undefined;
  if (slot.cardPresent) {
    try {
      info = await cardInfo(slots, slot, cache);
      const key = retryCounterKey(info);
      token = describeToken(info, key === undefined ? undefined : slots.lastKnownRetries?.(key), withCert);
    } catch (error) {
      // Read but not described (a certificate that does not parse): the page is not shown this card.
      info = undefined;
      // pcscd went away: no reader is usable, which the whole answer says (see pkcs11Info).
      if (pcscServiceGone(error)) throw error;
      // A card that is not HiCOS (or not readable) is what the official component calls an unknown token. So is
      // one that did not answer: it is in the reader (null would have the page ask for a card that is there), and
      // nothing read before it went silent is shown as if it were still true.
      const removed = error instanceof Error && 'code' in error && (error.code === 'CARD_REMOVED' || error.code === 'NO_CARD');
      token = removed ? null : 'unknown token';
      silent = cardDidNotAnswer(error);
    }
  }
  return {
    slot: {
      slotID: slot.slotID,
      slotDescription: slot.description,
      manufacturerID: 'twpki',
      flags: slot.cardPresent ? SLOT_FLAGS_PRESENT : SLOT_FLAGS_EMPTY,
      hardwareVersion: '1.0',
      firmwareVersion: '1.0',
      token,
    },
    silent,
    ...(info ? { info } : {}),
  };
}

/**
 * Builds the `/pkcs11info` answer for every slot, reusing what `cache` kept
 * for readers whose card stayed in. With no reader at all the answer is
 * `ret_code 0x76100003` (無可用讀卡機) and an empty slot list. A card that did
 * not answer is an `"unknown token"`, and when no slot has a readable card
 * the answer is `ret_code 0x7600000D` (執行檔錯誤或逾時), `last_error 0x06`,
 * with a message asking to take the card out and put it back; the slots are
 * listed all the same.
 */
export async function pkcs11Info(slots: CardSlots, withCert: boolean, cache?: WarmCardCache): Promise<Pkcs11Info> {
  return (await pkcs11InfoAndCards(slots, withCert, cache)).answer;
}

/** A `/pkcs11info` answer and, per reader whose token it describes, the card read for it. */
export interface Pkcs11InfoAndCards {
  /** The answer, as {@link pkcs11Info} gives it. */
  readonly answer: Pkcs11Info;
  /** Reader name → what was read of the card its token describes (readers with a token object only). */
  readonly cards: ReadonlyMap<string, HiCOSCardInfo>;
}

/**
 * {@link pkcs11Info}, with the cards it describes: the agent records which card each reader was shown holding
 * (see shown-cards.ts), which the answer alone does not tell (no certificate hash without `withcert`).
 * @internal
 */
export async function pkcs11InfoAndCards(slots: CardSlots, withCert: boolean, cache?: WarmCardCache): Promise<Pkcs11InfoAndCards> {
  const list = await slots.list();
  // What was read from a card that has left since is dropped now, not when the next card in that reader is read.
  cache?.retain(new Set(list.filter((s) => s.cardPresent).map((s) => s.description)));
  let described: DescribedSlot[] = [];
  try {
    for (const slot of list) described.push(await describeSlot(slots, slot, withCert, cache));
  } catch (error) {
    if (!pcscServiceGone(error)) throw error;
    described = [];
  }
  const noReader = described.length === 0;
  // Pages stop at a non-zero ret_code, so it is only set when no other reader holds a card they could use; the
  // message names the silent card either way.
  const silent = described.filter((d) => d.silent).map((d) => d.slot.slotDescription);
  const usable = described.some((d) => typeof d.slot.token === 'object' && d.slot.token !== null);
  const failed = silent.length > 0 && !usable;
  let message = noReader ? 'no card reader is attached' : '';
  if (silent.length > 0) message = `${CARD_DID_NOT_ANSWER} (${silent.map((name) => `"${name}"`).join(', ')})`;
  const cards = new Map<string, HiCOSCardInfo>();
  for (const d of described) if (d.info) cards.set(d.slot.slotDescription, d.info);
  const answer = pkcs11InfoAnswer(
    noReader ? RetCode.NO_READER : failed ? RetCode.EXECUTION_ERROR : RetCode.OK,
    failed ? LastError.FUNCTION_FAILED : LastError.NONE,
    message,
    described.map((d) => d.slot),
  );
  return { answer, cards };
}

/**
 * A `/pkcs11info` answer with every field pages read, refusals included: a page that reads `serverVersion` or
 * `slots` before `ret_code` finds them on any answer (a refusal has no slots).
 * @internal
 */
export function pkcs11InfoAnswer(retCode: number, lastError: number, message: string, slots: Pkcs11SlotInfo[]): Pkcs11Info {
  return {
    func: 'pkcs11info',
    ret_code: retCode,
    last_error: lastError,
    message,
    version: AGENT_SERVER_VERSION,
    serverVersion: AGENT_SERVER_VERSION,
    cryptokiVersion: '2.20',
    manufacturerID: 'twpki',
    libraryDescription: 'twpki HiCOS local agent',
    libraryVersion: '0.1',
    flags: 0,
    slots,
  };
}
