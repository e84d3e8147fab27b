import { ComponentError } from './component-error.js';
import { parseDistinguishedName, type DistinguishedName } from './distinguished-name.js';
import { isObject, numeric, parseReply, requireSuccess, text, type JsonObject } from './reply-fields.js';

/** The label the official component gives the card's CA certificate. */
export const CA_CERT_LABEL = 'CA Cert';

/** One certificate of a card, from the component's `certs` entry. */
export interface CardCertificateInfo {
  /** Label on the card: `cert1` (signing), `cert2` (encryption), or `CA Cert`. */
  readonly label: string;
  /** Whether this is the card's CA certificate entry (label `CA Cert`). */
  readonly isCA: boolean;
  /** Key usages, split from the component's `usage` (`digitalSignature`, `keyEncipherment`, …). */
  readonly usage: readonly string[];
  /** Subject name. */
  readonly subject: DistinguishedName;
  /** Issuer name. */
  readonly issuer: DistinguishedName;
  /** The holder's name (subject CN); undefined when the component left it empty. */
  readonly subjectName: string | undefined;
  /** MOICA's 4-digit ID hint (`subjectID`); undefined on other certificates. */
  readonly idHint: string | undefined;
  /** Certificate serial number as the component writes it (hex). */
  readonly serialNumber: string | undefined;
  /** Start of validity; undefined when the component sent none. */
  readonly notBefore: Date | undefined;
  /** End of validity; undefined when the component sent none. */
  readonly notAfter: Date | undefined;
  /** SHA-1 thumbprint (hex), when sent. */
  readonly thumbprint: string | undefined;
  /** E-mail address, when sent. */
  readonly email: string | undefined;
  /** PKCS#15 object id (hex), when sent. */
  readonly id: string | undefined;
  /** Base64 DER certificate; only when detected with `certificates: true`. */
  readonly certificate: string | undefined;
}

/** PIN state from the token's PKCS#11 flags (what the card last reported). */
export type PinState = 'ok' | 'countLow' | 'finalTry' | 'locked';

/** A card (PKCS#11 token) in a slot. */
export interface CardToken {
  /** Token label (`HiCOS PKI Smart Card`). */
  readonly label: string | undefined;
  /** Token manufacturer. */
  readonly manufacturer: string | undefined;
  /** Token model (card version), when sent. */
  readonly model: string | undefined;
  /** The card number (卡號): the token's `serialNumber`. */
  readonly serialNumber: string;
  /** Shortest PIN (6 on HiCOS). */
  readonly minPinLength: number;
  /** Longest PIN (8 on HiCOS). */
  readonly maxPinLength: number;
  /** PIN state from the token flags. */
  readonly pinState: PinState;
  /** Every listed certificate in the component's order (CA entry or `cert1` first). */
  readonly certificates: readonly CardCertificateInfo[];
  /** The user's certificate: the first entry whose label is not `CA Cert`, as pages pick it. */
  readonly userCertificate: CardCertificateInfo | undefined;
  /** The card's CA certificate entry (`CA Cert`), when listed. */
  readonly caCertificate: CardCertificateInfo | undefined;
}

/** One reader (PKCS#11 slot). */
export interface ComponentSlot {
  /** `slotID`. */
  readonly id: number;
  /** Reader name (`slotDescription`); the sign request names the reader with it. */
  readonly description: string;
  /** `card`: a readable card; `unknown`: a card the component cannot read (`"unknown token"`); `empty`: no card. */
  readonly state: 'card' | 'unknown' | 'empty';
  /** The card, when `state` is `card`. */
  readonly token: CardToken | null;
}

/** How the client reached the component. */
export type ComponentChannel = 'direct' | 'popup';

/** The component answered: version, readers, cards. */
export interface ComponentPresent {
  /** The component is there. */
  readonly present: true;
  /** Component version (`serverVersion`, else `version`); pages compare it as a plain string. */
  readonly version: string | undefined;
  /** PKCS#11 library description, when sent. */
  readonly libraryDescription: string | undefined;
  /** PKCS#11 (cryptoki) version, when sent. */
  readonly cryptokiVersion: string | undefined;
  /** Every reader. */
  readonly slots: readonly ComponentSlot[];
  /** The first reader holding a readable card, or null. */
  readonly slot: ComponentSlot | null;
  /** That reader's card, or null (no card anywhere). */
  readonly token: CardToken | null;
  /** How the component was reached; later calls use the same way. */
  readonly channel: ComponentChannel;
}

/** Nothing answered at the component's address. */
export interface ComponentAbsent {
  /** The component is not there (or the browser keeps the page from it). */
  readonly present: false;
  /** Why, as an error to show (`COMPONENT_ABSENT`). */
  readonly error: ComponentError;
}

/** What {@link detect} found. */
export type Detection = ComponentPresent | ComponentAbsent;

const CKF_USER_PIN_COUNT_LOW = 0x10000;
const CKF_USER_PIN_FINAL_TRY = 0x20000;
const CKF_USER_PIN_LOCKED = 0x40000;

function pinStateOf(flags: number | undefined): PinState {
  const f = flags ?? 0;
  if (f & CKF_USER_PIN_LOCKED) return 'locked';
  if (f & CKF_USER_PIN_FINAL_TRY) return 'finalTry';
  if (f & CKF_USER_PIN_COUNT_LOW) return 'countLow';
  return 'ok';
}

/** Epoch seconds (`notBeforeT`), else the text form, else undefined. */
function dateOf(cert: JsonObject, name: string): Date | undefined {
  const seconds = numeric(cert, `${name}T`);
  if (seconds !== undefined) return new Date(seconds * 1000);
  const t = text(cert, name);
  const d = t === undefined ? undefined : new Date(t);
  return d && !Number.isNaN(d.getTime()) ? d : undefined;
}

function parseCertificateEntry(cert: JsonObject): CardCertificateInfo {
  const label = text(cert, 'label') ?? '';
  const subjectID = text(cert, 'subjectID');
  return {
    label,
    isCA: label === CA_CERT_LABEL,
    usage: (text(cert, 'usage') ?? '').split('|').filter((u) => u !== ''),
    subject: parseDistinguishedName(text(cert, 'subjectDN') ?? ''),
    issuer: parseDistinguishedName(text(cert, 'issuerDN') ?? ''),
    subjectName: text(cert, 'subjectCN'),
    idHint: subjectID !== undefined && /^\d{4}$/.test(subjectID) ? subjectID : undefined,
    serialNumber: text(cert, 'sn'),
    notBefore: dateOf(cert, 'notBefore'),
    notAfter: dateOf(cert, 'notAfter'),
    thumbprint: text(cert, 'thumbprint'),
    email: text(cert, 'email'),
    id: text(cert, 'id'),
    certificate: text(cert, 'certb64'),
  };
}

function parseToken(token: JsonObject): CardToken | null {
  const serialNumber = text(token, 'serialNumber');
  // A token without a card number cannot be cross-checked at signing: treat it as unreadable.
  if (serialNumber === undefined) return null;
  const certs = Array.isArray(token.certs) ? token.certs.filter(isObject).map(parseCertificateEntry) : [];
  return {
    label: text(token, 'label'),
    manufacturer: text(token, 'manufacturerID'),
    model: text(token, 'model'),
    serialNumber,
    minPinLength: numeric(token, 'ulMinPinLen') ?? 6,
    maxPinLength: numeric(token, 'ulMaxPinLen') ?? 8,
    pinState: pinStateOf(numeric(token, 'flags')),
    certificates: certs,
    userCertificate: certs.find((c) => !c.isCA),
    caCertificate: certs.find((c) => c.isCA),
  };
}

function parseSlot(slot: JsonObject, index: number): ComponentSlot {
  const token = isObject(slot.token) ? parseToken(slot.token) : null;
  return {
    id: numeric(slot, 'slotID') ?? index,
    description: text(slot, 'slotDescription') ?? '',
    state: token ? 'card' : slot.token === null || slot.token === undefined || slot.token === '' ? 'empty' : 'unknown',
    token,
  };
}

/**
 * Reads a `/pkcs11info` answer (direct, or relayed by the popup as
 * `GetUserCert` / `CheckEnvir`), as parsed JSON or as its text. Throws
 * {@link ComponentError} for a non-zero `ret_code` or an answer that is not
 * the component's.
 */
export function parsePkcs11Info(answer: unknown, channel: ComponentChannel = 'direct'): ComponentPresent {
  const reply = parseReply(answer);
  requireSuccess(reply);
  if (!Array.isArray(reply.slots)) throw new ComponentError('COMPONENT_BAD_REPLY', { componentMessage: 'slots missing' });
  const slots = reply.slots.filter(isObject).map(parseSlot);
  const slot = slots.find((s) => s.token !== null) ?? null;
  return {
    present: true,
    version: text(reply, 'serverVersion') ?? text(reply, 'version'),
    libraryDescription: text(reply, 'libraryDescription'),
    cryptokiVersion: text(reply, 'cryptokiVersion'),
    slots,
    slot,
    token: slot?.token ?? null,
    channel,
  };
}
