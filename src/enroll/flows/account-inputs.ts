/**
 * Settings and inputs of the account flow (seed moenv-gps…) and their
 * parsers: the flow's dependencies, the card-binding form and the results a
 * reviewer's approval returns.
 */
import { parseCardHolder, type CardIdentity, type VerifiedCardHolder } from '../domain/card-holder.js';
import { isBlank, parseCardNumber, parseEmail, parsePhone, parseRequiredText, type CardNumber } from '../domain/identifiers.js';
import { InvalidInputError, IssueCollector } from '../errors.js';
import type { NoticeBranding } from '../mail/account-notices.js';
import type { Clock } from '../ports/clock.js';
import type { EmsRecordSource, EmsVerifier } from '../ports/ems.js';
import type { Mailer } from '../ports/mailer.js';
import type { EnrollStore } from '../store/store.js';
import type { RenewalPolicy } from './card-renewal.js';
import type { AccountApplication } from './account-records.js';
import { parseRecordId } from './secret-token.js';

/** Dependencies and settings of {@link AccountEnrollmentFlow}. */
export interface AccountEnrollmentOptions {
  /** Persistence. */
  readonly store: EnrollStore;
  /** Time source for audit, expiry. */
  readonly clock: Clock;
  /** Outgoing mail. */
  readonly mailer: Mailer;
  /** EMS comparison of basic data. */
  readonly ems: EmsVerifier;
  /** EMS facility e-mail lookup (activation and rejection notices go only there). */
  readonly emsRecords: EmsRecordSource;
  /** Builds the activation URL carrying `token`, e.g. `https://…/AccountActivate?key=${token}`. */
  readonly activationLink: (token: string) => string;
  /** Activation link lifetime; default 7 days. */
  readonly activationTtlMs?: number;
  /** Wording of the notices. */
  readonly branding?: NoticeBranding;
  /**
   * Builds the rejection mail's result-page URL carrying `key`, e.g.
   * `https://…/AccountApplyResult?key=${key}` (seed). When set, every rejection
   * mails a single-purpose key that only reads {@link AccountEnrollmentFlow.applicationResult}.
   */
  readonly resultLink?: (key: string) => string;
  /** Result key lifetime; default 30 days. */
  readonly resultTtlMs?: number;
  /**
   * How long an application that passed the EMS comparison but has no card
   * bound yet (自然人憑證綁定) keeps its control number from a new application;
   * default 24 hours. After it, a new `apply` replaces it (`abandoned`,
   * audited). A `draft` (基本資料 not yet submitted) proves nothing about the
   * company and never keeps the number: a new `apply` replaces it at once.
   */
  readonly unfinishedTtlMs?: number;
  /** What a renewed certificate on a bound card does at login: update the binding (`automatic`, default) or wait for a reviewer. */
  readonly renewal?: RenewalPolicy;
}

/** Contact data typed next to the card on the binding form (連絡電話, Email). */
export interface BindingContact {
  /** 自然人憑證姓名; defaults to the certificate's subject name. */
  readonly name?: string;
  /** 連絡電話 */
  readonly phone: string;
  /** Email */
  readonly email: string;
}

/** Input of {@link AccountEnrollmentFlow.bindCard} and {@link AccountEnrollmentFlow.addCard}. */
export interface BindCardInput {
  /** The verified login of the card to bind: `cardHolderFromLogin(login)` of the certificate layer's result. */
  readonly holder: VerifiedCardHolder;
  /** Contact data typed on the form. */
  readonly contact: BindingContact;
}

/**
 * A card login (自然人憑證登入), as a host keeps it in its session: the account
 * the card logged into and the card's binding then. `openCardSession` returns
 * it (`login`); pass it to `checkCardSession` on every request, and to the card
 * commands (設定自然人憑證, 刪除) as `options.login`.
 */
export interface AccountCardLogin {
  /** The account the card logged into: its application ID. */
  readonly applicationId: string;
  /** 卡號 of the card that logged in. */
  readonly cardNumber: string;
  /** `boundAt` of that card's binding at login: the same card removed and bound again is another binding. */
  readonly boundAt: string;
}

/**
 * Options of {@link AccountEnrollmentFlow.addCard}, {@link AccountEnrollmentFlow.removeCard} and
 * {@link AccountEnrollmentFlow.listCards} (which, a read, checks the login the same way but audits nothing).
 */
export interface CardCommandOptions {
  /**
   * The card login the command is made for. The command then runs only while that login stands, checked in its
   * own transaction: the account is still the active one of its 管制編號 and the card still `active` on it by the
   * same binding. Otherwise it is LOGIN_ENDED, refusal `LOGIN_CARD_NO_LONGER_BOUND` (audited), and changes nothing.
   * A key present with `undefined` is INVALID_INPUT (`options.login` REQUIRED), and any other key (the login itself
   * passed as the options, a misspelt `login`) INVALID_INPUT `NOT_AN_OPTION` naming it: never a command without the
   * check.
   */
  readonly login?: AccountCardLogin;
}

/** {@link AccountCardLogin} after {@link parseCardCommandOptions}. */
export interface ParsedCardLogin {
  /** Application ID, lower-case. */
  readonly applicationId: string;
  /** 卡號, normalized. */
  readonly cardNumber: CardNumber;
  /** `boundAt` as milliseconds since the epoch, compared as an instant whatever its ISO spelling. */
  readonly boundAtMs: number;
}

/**
 * Parses a card command's options; `undefined` login when none was asked for.
 * INVALID_INPUT names `options.login.*`.
 */
export function parseCardCommandOptions(options: unknown): ParsedCardLogin | undefined {
  if (options === undefined) return undefined;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new InvalidInputError([{ field: 'options', code: 'INVALID_FORMAT', reason: 'must be an object such as { login }' }]);
  }
  // A key the options do not have is refused, not skipped: the login itself passed as the options, or `login`
  // misspelt, would otherwise run the command without the check the caller asked for.
  const unknown = Object.keys(options).filter((key) => key !== 'login');
  if (unknown.length > 0) {
    const loginItself = unknown.some((key) => key === 'applicationId' || key === 'cardNumber' || key === 'boundAt');
    const hint = loginItself ? 'pass the card login as { login: { applicationId, cardNumber, boundAt } }' : 'the only option is login';
    throw new InvalidInputError(unknown.map((key) => ({ field: `options.${key}`, code: 'NOT_AN_OPTION', reason: `not an option of a card command: ${hint}` })));
  }
  if (!('login' in options)) return undefined;
  return parseCardLogin((options as { login?: unknown }).login, 'options.login');
}

/** Parses an {@link AccountCardLogin}; INVALID_INPUT names `field` (REQUIRED when not an object) or `field.*`. */
export function parseCardLogin(login: unknown, field: string): ParsedCardLogin {
  if (typeof login !== 'object' || login === null || Array.isArray(login)) {
    throw new InvalidInputError([{ field, code: 'REQUIRED', reason: 'a card login { applicationId, cardNumber, boundAt } is required' }]);
  }
  const v = login as Record<string, unknown>;
  const issues = new IssueCollector();
  const applicationId = issues.take(() => parseApplicationId(v.applicationId, `${field}.applicationId`));
  const cardNumber = issues.take(() => parseCardNumber(v.cardNumber, `${field}.cardNumber`));
  const boundAtMs = typeof v.boundAt === 'string' ? Date.parse(v.boundAt) : Number.NaN;
  if (Number.isNaN(boundAtMs)) issues.add(`${field}.boundAt`, 'INVALID_FORMAT', 'must be an ISO instant (CardBinding.boundAt)');
  issues.throwIfAny();
  return { applicationId: applicationId as string, cardNumber: cardNumber as CardNumber, boundAtMs };
}

/** Outcome of approval: the new state and where the link went. */
export interface ApprovalResult {
  /** The application, now `approved`. */
  readonly application: AccountApplication;
  /** The EMS-registered facility e-mail the link was sent to. */
  readonly sentTo: string;
  /** Link expiry (ISO). */
  readonly expiresAt: string;
}

/** A binding form after {@link parseBinding}: a citizen card with its 卡號, and the contact data. */
export interface ParsedBinding {
  /** The card (MOICA, 卡號 present). */
  readonly card: CardIdentity & {
    /** 卡號, always present here. */
    cardNumber: CardNumber;
  };
  /** 姓名 */
  readonly name: string;
  /** 連絡電話 */
  readonly phone: string;
  /** Email */
  readonly email: string;
}

/** Parses an application ID (UUID); INVALID_INPUT names `field`. */
export function parseApplicationId(value: unknown, field = 'applicationId'): string {
  return parseRecordId(value, field);
}

/** Parses the binding form (the input of `bindCard` and `addCard`); throws INVALID_INPUT listing every bad field. */
export function parseBinding(input: unknown): ParsedBinding {
  const issues = new IssueCollector();
  const v = (typeof input === 'object' && input !== null ? input : {}) as Record<string, unknown>;
  const card = issues.take(() => parseCardHolder(v.holder, 'holder', { requireCardNumber: true }));
  const c = (typeof v.contact === 'object' && v.contact !== null ? v.contact : {}) as Record<string, unknown>;
  const phone = issues.take(() => parsePhone(c.phone, 'contact.phone'));
  const email = issues.take(() => parseEmail(c.email, 'contact.email'));
  // Left out, null or left empty: the certificate's name, as the guide says (a form's empty box is no name).
  const name = isBlank(c.name) ? card?.subjectName : issues.take(() => parseRequiredText(c.name, 'contact.name'));
  if (card !== undefined && card.authority !== 'MOICA') {
    issues.add('holder.authority', 'WRONG_CERTIFICATE', 'a citizen certificate (自然人憑證, MOICA) is required');
  }
  issues.throwIfAny();
  return { card: card as CardIdentity & { cardNumber: CardNumber }, name: name as string, phone: phone as string, email: email as string };
}
