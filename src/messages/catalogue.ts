import { HiCOSError, InvalidPinFormatError, PinRejectedError } from '../apdu/errors.js';
import { MoicaLifecycleError } from '../cert/lifecycle/errors.js';
import { CertificateParseError } from '../cert/profile/errors.js';
import { ChainValidationError, RevocationError } from '../cert/trust/errors.js';
import { DocumentFormatError } from '../cert/trust/documents/errors.js';
import { LoginVerificationError } from '../cert/trust/login/errors.js';
import type { CodeMessage } from '../component/codes.js';
import { EmsError } from '../ems/errors.js';
import { EnrollError, ManualReviewError, type FieldIssueCode } from '../enroll/errors.js';
import { retryDateOf } from '../enroll/flows/org-words.js';
import { PcscError } from '../pcsc/errors.js';
import { TwpkiError } from '../shared/twpki-error.js';
import type { Language } from './language.js';
import { CLI_MESSAGES, HTTP_MESSAGES } from './tables/application.js';
import { CARD_MESSAGES, PIN_RULE_MESSAGES } from './tables/card.js';
import { CERTIFICATE_MESSAGES, LIFECYCLE_MESSAGES } from './tables/certificate.js';
import { CHAIN_MESSAGES, REVOCATION_MESSAGES } from './tables/chain.js';
import { EMS_MESSAGES } from './tables/ems.js';
import { CARD_HOLDER_ID_ISSUES, CARD_HOLDER_ID_MESSAGES, ENROLL_MESSAGES, FIELD_ISSUE_MESSAGES, REFUSAL_MESSAGES, type CardHolderIdIssue } from './tables/enroll.js';
import { ID_MESSAGES, type IdFailureByKind } from './tables/identifiers.js';
import { DOCUMENT_MESSAGES, LOGIN_MESSAGES } from './tables/login.js';
import { PCSC_MESSAGES } from './tables/pcsc.js';
import { TEST_PKI_MESSAGES, VPCD_MESSAGES } from './tables/testing.js';
import { triesLeft } from '../shared/tries-left.js';

/**
 * Every code table, by domain. A message key is `domain.CODE`
 * (`login.CHALLENGE_USED`, `card.WRONG_PIN`), or `id.kind.REASON` for the
 * identifier validators (`id.nationalId.INVALID_CHECKSUM`). Domains keep
 * apart codes that two layers spell alike (`chain.CERT_EXPIRED`,
 * `login.CERT_EXPIRED`).
 */
export const MESSAGE_TABLES = {
  /** Reader and PC/SC service (`PcscError`). */
  pcsc: PCSC_MESSAGES,
  /** Card, PIN and HiCOS commands (`HiCOSError`). */
  card: CARD_MESSAGES,
  /** A PIN refused unsent by a rule with advice of its own (`InvalidPinFormatError.rule`), preferred to `card.INVALID_PIN_FORMAT`. */
  pin: PIN_RULE_MESSAGES,
  /** Certificate parsing (`CertificateParseError`). */
  certificate: CERTIFICATE_MESSAGES,
  /** MOICA lifecycle (`MoicaLifecycleError`). */
  lifecycle: LIFECYCLE_MESSAGES,
  /** Chain validation (`ChainValidationError`). */
  chain: CHAIN_MESSAGES,
  /** OCSP and CRL sources (`RevocationError`). */
  revocation: REVOCATION_MESSAGES,
  /** Card login verification (`LoginVerificationError`). */
  login: LOGIN_MESSAGES,
  /** The signed-document verifier's own format step (`DocumentFormatError`); its other steps use `login`. */
  document: DOCUMENT_MESSAGES,
  /** EMS comparison and data sources (`EmsError`). */
  ems: EMS_MESSAGES,
  /** Enrollment flows (`EnrollError`). */
  enroll: ENROLL_MESSAGES,
  /** A refused card's exact cause (`EnrollError.refusal`), preferred to its `enroll` code's message. */
  refusal: REFUSAL_MESSAGES,
  /** What is wrong with one field of an `INVALID_INPUT` (`FieldIssue.code`). */
  field: FIELD_ISSUE_MESSAGES,
  /** A 身分證統一編號 typed beside a citizen card, by `FieldIssue.code`: whole sentences (`cardHolderIdMessages`). */
  cardHolderId: CARD_HOLDER_ID_MESSAGES,
  /** The virtual card's vpcd bridge (`VpcdBridgeError`). */
  vpcd: VPCD_MESSAGES,
  /** The test PKI (`TestPkiError`). */
  'test-pki': TEST_PKI_MESSAGES,
  /** The command line's own codes. */
  cli: CLI_MESSAGES,
  /** The card-login routes' own codes. */
  http: HTTP_MESSAGES,
} as const;

/** A domain of {@link MESSAGE_TABLES}. */
export type MessageDomain = keyof typeof MESSAGE_TABLES;

/** The key of one error code's message. */
export type ErrorMessageKey = { [D in MessageDomain]: `${D}.${keyof (typeof MESSAGE_TABLES)[D] & string}` }[MessageDomain];

/** The key of one identifier validator reason's message. */
export type IdMessageKey = { [K in keyof IdFailureByKind]: `id.${K}.${IdFailureByKind[K]}` }[keyof IdFailureByKind];

/** Any message key of the catalogue. */
export type MessageKey = ErrorMessageKey | IdMessageKey;

/** Replacement wording for some keys, in one or both languages. */
export type MessageOverrides = Readonly<Partial<Record<MessageKey, Partial<CodeMessage>>>>;

/** An error explained for a person: its code, its key and both messages. */
export interface DescribedError {
  /** The error's own code (`CHALLENGE_USED`), as `err.code` has it. */
  readonly code: string;
  /** The catalogue key (`login.CHALLENGE_USED`); `cli.INTERNAL` for an error of no known domain. */
  readonly key: MessageKey;
  /** The message in both languages, placeholders filled. */
  readonly messages: CodeMessage;
  /** The error's own English detail (for logs; may name files or URLs, never a PIN). */
  readonly detail: string;
}

const DEFAULT_MESSAGES: ReadonlyMap<string, CodeMessage> = new Map([
  ...Object.entries(MESSAGE_TABLES).flatMap(([domain, table]) =>
    Object.entries(table as Record<string, CodeMessage>).map(([code, m]) => [`${domain}.${code}`, m] as const),
  ),
  ...Object.entries(ID_MESSAGES).flatMap(([kind, table]) =>
    Object.entries(table as Record<string, CodeMessage>).map(([reason, m]) => [`id.${kind}.${reason}`, m] as const),
  ),
]);

/** Every key of the built-in catalogue. */
export const MESSAGE_KEYS: readonly MessageKey[] = [...DEFAULT_MESSAGES.keys()] as MessageKey[];

// Most specific class first: each class belongs to exactly one domain.
const ERROR_DOMAINS: ReadonlyArray<readonly [abstract new (...args: never[]) => TwpkiError, MessageDomain]> = [
  [DocumentFormatError, 'document'],
  [LoginVerificationError, 'login'],
  [PcscError, 'pcsc'],
  [HiCOSError, 'card'],
  [CertificateParseError, 'certificate'],
  [MoicaLifecycleError, 'lifecycle'],
  [ChainValidationError, 'chain'],
  [RevocationError, 'revocation'],
  [EmsError, 'ems'],
  [EnrollError, 'enroll'],
];

// The test kit's errors are told by name, so production bundles need not load the test kit.
const TEST_KIT_DOMAINS: Readonly<Record<string, MessageDomain | undefined>> = { VpcdBridgeError: 'vpcd', TestPkiError: 'test-pki' };

/**
 * The catalogue key of `error`: its refusal's (`refusal.COMPANY_ID_MISMATCH`)
 * when a flow refused a card, a PIN rule's (`pin.DATE_SHAPED`) when the card
 * layer refused a PIN by it, else its code's; `undefined` for an error twpki
 * did not throw.
 */
export function errorMessageKey(error: unknown): ErrorMessageKey | undefined {
  if (!(error instanceof TwpkiError)) return undefined;
  if (error instanceof EnrollError && error.refusal !== undefined) return `refusal.${error.refusal}`;
  if (error instanceof InvalidPinFormatError && error.rule === 'date-shaped') return 'pin.DATE_SHAPED';
  const domain =
    ERROR_DOMAINS.find(([cls]) => error instanceof cls)?.[1] ?? TEST_KIT_DOMAINS[error.name];
  if (domain === undefined) return undefined;
  const key = `${domain}.${error.code}`;
  return DEFAULT_MESSAGES.has(key) ? (key as ErrorMessageKey) : undefined;
}

/** Values the catalogue fills into `{name}` placeholders, taken from the error. */
function placeholdersOf(error: unknown): Record<string, string> {
  // A bare 6300 with no count known leaves the tries unknown: '?' as the doctor shows it, never "undefined".
  if (error instanceof PinRejectedError) return { retriesLeft: String(error.retriesLeft ?? '?'), triesLeft: triesLeft(error.retriesLeft) };
  // RETRY_TOO_EARLY names the day registration opens, as the flow's own message does: the Taiwan date.
  if (error instanceof ManualReviewError) {
    const retryDate = retryDateOf(error.retryNotBefore);
    return retryDate === undefined ? {} : { retryDate };
  }
  return {};
}

function fill(text: string, values: Readonly<Record<string, string>>): string {
  return text.replace(/\{([A-Za-z]+)\}/g, (whole, name: string) => values[name] ?? whole);
}

/**
 * The messages a person sees for twpki's error codes, in Traditional Chinese
 * (in the wording of the government manuals) and English. An application
 * replaces any message, per key and per language, with `overrides`.
 *
 * @example
 * const messages = new MessageCatalogue({ 'login.CHALLENGE_EXPIRED': { zhTW: '閒置過久，請重新登入' } });
 * messages.describe(err).messages.zhTW;
 */
export class MessageCatalogue {
  private readonly messages: ReadonlyMap<string, CodeMessage>;

  /**
   * @param overrides replacement wording by key.
   * @throws RangeError naming a key the catalogue does not have (a typo would otherwise be ignored silently),
   *   or an override whose text is empty.
   */
  public constructor(overrides: MessageOverrides = {}) {
    const merged = new Map(DEFAULT_MESSAGES);
    for (const [key, override] of Object.entries(overrides) as Array<[string, Partial<CodeMessage> | undefined]>) {
      const base = merged.get(key);
      if (base === undefined) throw new RangeError(`message override "${key}": no such message key`);
      for (const lang of ['zhTW', 'en'] as const) {
        const text = override?.[lang];
        if (text !== undefined && (typeof text !== 'string' || text.trim() === '')) {
          throw new RangeError(`message override "${key}".${lang}: must be a non-empty string`);
        }
      }
      merged.set(key, { zhTW: override?.zhTW ?? base.zhTW, en: override?.en ?? base.en });
    }
    this.messages = merged;
  }

  /** Both messages of `key`, or `undefined` for a key the catalogue does not have. */
  public lookup(key: string): CodeMessage | undefined {
    return this.messages.get(key);
  }

  /** The message of `key` in `language`, `{name}` placeholders filled from `values`. */
  public message(key: MessageKey, language: Language, values: Readonly<Record<string, string>> = {}): string {
    const m = this.messages.get(key) ?? this.messages.get('cli.INTERNAL');
    return fill((language === 'zh-TW' ? m?.zhTW : m?.en) ?? key, values);
  }

  /**
   * Explains any thrown value: twpki errors by their code, anything else as
   * `cli.INTERNAL` (an unexpected error; its detail stays for the log).
   */
  public describe(error: unknown): DescribedError {
    const key: MessageKey = errorMessageKey(error) ?? 'cli.INTERNAL';
    const code = error instanceof TwpkiError ? error.code : 'INTERNAL';
    const values = placeholdersOf(error);
    return {
      code,
      key,
      messages: { zhTW: this.message(key, 'zh-TW', values), en: this.message(key, 'en', values) },
      detail: error instanceof Error ? error.message : String(error),
    };
  }

  /**
   * Both messages for one field of an `INVALID_INPUT` error (`err.issues[i]`),
   * without the field's name: the page puts its own label in front.
   */
  public fieldIssueMessages(issue: { readonly code: FieldIssueCode }): CodeMessage {
    const key = `field.${issue.code}` as MessageKey;
    return { zhTW: this.message(key, 'zh-TW'), en: this.message(key, 'en') };
  }

  /**
   * Both messages, as whole sentences, for the issue of a 身分證統一編號 typed beside a citizen card (the GEPI
   * 授權管理者's `administratorNationalId`, `session.administratorNationalId`, `administrator.nationalId`; the
   * `nationalId` of 查詢自然人憑證序號): 與自然人憑證不符 (`MISMATCH`, not the card's) told from 與註冊之授權管理者不符
   * (`NOT_ON_RECORD`, the card's but not the registered administrator's), an empty box, and any other code as no
   * valid ID. Keys `cardHolderId.*`; overrides apply.
   */
  public cardHolderIdMessages(issue: { readonly code: FieldIssueCode }): CodeMessage {
    const cause: CardHolderIdIssue = (CARD_HOLDER_ID_ISSUES as readonly FieldIssueCode[]).includes(issue.code) ? (issue.code as CardHolderIdIssue) : 'INVALID_ID';
    const key: MessageKey = `cardHolderId.${cause}`;
    return { zhTW: this.message(key, 'zh-TW'), en: this.message(key, 'en') };
  }

  /** Both messages for a failed identifier validation (`validateNationalId(x).reason`). */
  public idMessages<K extends keyof IdFailureByKind>(kind: K, reason: IdFailureByKind[K]): CodeMessage {
    const key = `id.${kind}.${reason}` as MessageKey;
    return { zhTW: this.message(key, 'zh-TW'), en: this.message(key, 'en') };
  }

  /**
   * Both messages for what `identify` (or a validator, with its kind) found,
   * or `undefined` when the value is valid.
   */
  public identificationMessages(result: {
    readonly kind: keyof IdFailureByKind;
    readonly valid: boolean;
    readonly reason: string | null;
  }): CodeMessage | undefined {
    if (result.valid || result.reason === null) return undefined;
    const key = `id.${result.kind}.${result.reason}`;
    return this.messages.has(key) ? this.idMessages(result.kind, result.reason as never) : undefined;
  }
}

/** The catalogue with the built-in wording. */
export const defaultMessages: MessageCatalogue = new MessageCatalogue();
