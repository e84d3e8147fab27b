import { MAX_TOKEN_CHARS } from '../cert/trust/login/login-token.js';
import { sessionIdProblem, type ChallengeIssuer } from '../cert/trust/login/challenge-issuer.js';
import { LoginConfigurationError, LoginVerificationError, type LoginErrorCode } from '../cert/trust/login/errors.js';
import type { DocumentFormatErrorCode } from '../cert/trust/documents/errors.js';
import { InMemoryChallengeStore } from '../cert/trust/login/challenge-store.js';
import { buildLoginMessage } from '../cert/trust/login/login-message.js';
import type { LoginVerifier, VerifiedLogin } from '../cert/trust/login/login-verifier.js';
import type { CodeMessage } from '../component/codes.js';
import { EnrollError } from '../enroll/errors.js';
import { ENROLL_RETRY_AFTER_SECONDS, enrollErrorStatus, type EnrollUnavailableCode } from '../enroll/http-status.js';
import { defaultMessages, type MessageCatalogue, type MessageKey } from '../messages/catalogue.js';
import { languageFromAcceptLanguage, type Language } from '../messages/language.js';
import type { HttpErrorCode } from '../messages/tables/application.js';
import { TwpkiError } from '../shared/twpki-error.js';

/**
 * Settings of the card-login routes, shared by the Fastify plugin and the
 * Express middleware. `Req` is the framework's request type.
 *
 * Session binding: the routes take the session id from `sessionId(request)`,
 * the application's own session (cookie session, JWT subject, server-side
 * store). twpki assumes no session library and sets no cookie of its own:
 * the challenge is bound to whatever id that function returns, and the
 * verifier refuses an answer posted under another one.
 */
export interface CardLoginOptions<Req> {
  /** The login verifier (built with the same challenge store as `challenges`). */
  readonly verifier: LoginVerifier;
  /** Issues the challenges; share its store with `verifier`. */
  readonly challenges: ChallengeIssuer;
  /** The site origin written into the message the card signs; one of the verifier's allowed origins. */
  readonly origin: string;
  /**
   * The current session's id, or `undefined` when the request has no
   * session (answered 401 `SESSION_REQUIRED`; so are `null` and `''`). Never
   * the challenge itself. Any other value (a numeric user or session key, an
   * object) is not converted: the routes answer 500 `INVALID_CONFIGURATION`
   * and `onError`'s detail names its type — return `String(id)` yourself.
   */
  readonly sessionId: (request: Req) => string | undefined | Promise<string | undefined>;
  /**
   * Called after a successful verification: log the user in (bind the
   * account to `login.profile` / `login.cardNumber`) and return the JSON body
   * to answer with (`undefined` → `{ ok: true }`). A twpki error thrown here
   * (e.g. an `EnrollError` `NOT_AUTHORIZED`) is answered like a login error.
   */
  readonly onLogin: (login: VerifiedLogin, request: Req) => unknown;
  /** Messages sent with errors; default the built-in catalogue. */
  readonly messages?: MessageCatalogue;
  /** The language of `error.message`; default from `Accept-Language`, zh-TW when none. */
  readonly language?: (request: Req) => Language;
  /** Sees every failure with its detail (for logs); the client gets only code and messages. */
  readonly onError?: (error: unknown, request: Req) => void;
}

/** What the challenge route answers. */
export interface CardLoginChallenge {
  /** The challenge (base64url). */
  readonly challenge: string;
  /** The exact text to have the local component sign (`tbs`). */
  readonly tbs: string;
  /** ISO time the challenge expires. */
  readonly expiresAt: string;
}

/** The body of every error answer. */
export interface CardLoginErrorBody {
  /** What failed. */
  readonly error: {
    /** Stable code (`CHALLENGE_USED`, `SESSION_REQUIRED`). */
    readonly code: string;
    /** The message in the request's language. */
    readonly message: string;
    /** The message in both languages. */
    readonly messages: CodeMessage;
  };
}

/** A framework-neutral HTTP answer. */
export interface CardLoginReply {
  /** HTTP status. */
  readonly status: number;
  /** JSON body. */
  readonly body: unknown;
  /**
   * Headers to send beside the body, names in lower case: `retry-after` on every 503 (see
   * {@link RETRY_AFTER_SECONDS}). Absent when there are none.
   */
  readonly headers?: Readonly<Record<string, string>>;
}

/** HTTP status of each login verification failure. */
export const LOGIN_ERROR_STATUS: Readonly<Record<LoginErrorCode, number>> = {
  NO_TRUST_ANCHORS: 500,
  INVALID_CONFIGURATION: 500,
  TOKEN_MALFORMED: 400,
  ALGORITHM_NOT_ALLOWED: 400,
  SIGNATURE_INVALID: 401,
  CHALLENGE_NOT_SIGNED: 401,
  ORIGIN_MISMATCH: 401,
  CARD_NUMBER_MISMATCH: 401,
  CHALLENGE_UNKNOWN: 401,
  CHALLENGE_USED: 401,
  CHALLENGE_EXPIRED: 401,
  CHALLENGE_SESSION_MISMATCH: 401,
  CERT_EXPIRED: 403,
  CERT_NOT_YET_VALID: 403,
  CERT_UNTRUSTED: 403,
  CERT_REVOKED: 403,
  CERT_SUSPENDED: 403,
  CERT_WRONG_PURPOSE: 403,
  CERT_NOT_END_ENTITY: 403,
  CERT_POLICY_NOT_ALLOWED: 403,
  // Status unknown or responder down: the login may succeed later.
  REVOCATION_UNKNOWN: 503,
  REVOCATION_CHECK_FAILED: 503,
};

/**
 * The signed-document verifier's own codes. Its errors are `LoginVerificationError`s too (one class for both
 * verifiers), and an `onLogin` hook that verifies a document sent with the login throws them: the document the
 * request carried cannot be read, the request's to mend (it was 401 as any login code the table lacked; a code no
 * table has is now the server's 500, which these are not). Its other steps' codes are the login table's.
 */
const DOCUMENT_FORMAT_STATUS: Readonly<Record<DocumentFormatErrorCode, number>> = {
  DOCUMENT_MALFORMED: 400,
  CONTENT_MISSING: 400,
  SEVERAL_SIGNERS: 400,
};

/** Both verifiers' codes: the login's and the signed document's own (their errors are one class). */
const VERIFIER_STATUS: Readonly<Record<LoginErrorCode | DocumentFormatErrorCode, number>> = { ...LOGIN_ERROR_STATUS, ...DOCUMENT_FORMAT_STATUS };

/** HTTP status of the routes' own failures. */
export const HTTP_ERROR_STATUS: Readonly<Record<HttpErrorCode, number>> = {
  SESSION_REQUIRED: 401,
  BODY_INVALID: 400,
  INTERNAL: 500,
};

/** The codes the card-login routes answer 503: the service, or a service it depends on, is down for now. */
export type CardLoginUnavailableCode = Extract<LoginErrorCode, 'REVOCATION_UNKNOWN' | 'REVOCATION_CHECK_FAILED'> | EnrollUnavailableCode;

/**
 * Seconds each 503 asks the client to wait before trying again (`Retry-After`), by what is down: the enrollment
 * codes' waits are {@link ENROLL_RETRY_AFTER_SECONDS} (the same an application's own routes send), and the login's:
 * - the CA's OCSP or CRL source unreachable or failing (`REVOCATION_CHECK_FAILED`): someone else's service on the
 *   internet, restored by its operator, and a login checks it at every try; asking again within seconds only adds
 *   load to it: a minute.
 * - a source that answered but does not know the certificate (`REVOCATION_UNKNOWN`): nothing is down; the CA has
 *   not yet published the card (a newly issued one, a CRL not yet reissued), which takes minutes at least: 5 min.
 */
export const RETRY_AFTER_SECONDS: Readonly<Record<CardLoginUnavailableCode, number>> = {
  ...ENROLL_RETRY_AFTER_SECONDS,
  REVOCATION_CHECK_FAILED: 60,
  REVOCATION_UNKNOWN: 300,
};

/**
 * The HTTP status a card-login route answers `error` with; an enrollment error (from `onLogin`, or a challenge
 * store) is answered as `ENROLL_ERROR_STATUS` (`twpki/enroll`) says ({@link enrollErrorStatus}).
 */
export function cardLoginStatus(error: unknown): number {
  // Looked up as own keys: an error built with a cast code (`toString`) would otherwise read a function off the
  // prototype as its status. A code no table has is the server's mistake (500), as for enrollment codes.
  if (error instanceof CardLoginRequestError) return statusIn(HTTP_ERROR_STATUS, error.code);
  if (error instanceof LoginVerificationError) return statusIn(VERIFIER_STATUS, error.code);
  if (error instanceof EnrollError) return enrollErrorStatus(error.code);
  return 500;
}

/** `table[code]` when `code` is one of its own keys, else 500. */
function statusIn(table: Readonly<Record<string, number>>, code: string): number {
  return Object.hasOwn(table, code) ? (table[code] as number) : 500;
}

/**
 * The `Retry-After` seconds of a card-login route's answer to `error`: {@link RETRY_AFTER_SECONDS} for an error
 * answered 503, `undefined` for every other answer (a 4xx is the request's to mend, a 500 the server's code).
 */
export function cardLoginRetryAfter(error: unknown): number | undefined {
  if (cardLoginStatus(error) !== 503) return undefined;
  // Only a LoginVerificationError or an EnrollError is answered 503 (cardLoginStatus), both with a string code.
  const code = (error as { code: string }).code;
  return Object.hasOwn(RETRY_AFTER_SECONDS, code) ? RETRY_AFTER_SECONDS[code as CardLoginUnavailableCode] : undefined;
}

/** A request the card-login routes refuse before verification (no session, unreadable body). */
export class CardLoginRequestError extends TwpkiError<HttpErrorCode> {}

/**
 * The card-login routes without a framework: the Fastify plugin and the
 * Express middleware are thin adapters over it.
 */
export class CardLoginHandler<Req> {
  private readonly messages: MessageCatalogue;

  /** @param options see {@link CardLoginOptions}. */
  public constructor(private readonly options: CardLoginOptions<Req>) {
    if (!/^https?:\/\/[^/\s]+$/.test(options.origin)) {
      throw new RangeError(`card login: origin must be a scheme and host without a path, not "${options.origin}"`);
    }
    // Mistakes that would otherwise surface only as every user's login failing, reported to users as theirs.
    if (!options.verifier.origins.includes(options.origin)) {
      throw new LoginConfigurationError(
        'INVALID_CONFIGURATION',
        `card login: origin "${options.origin}" is not one of the verifier's allowed origins (${options.verifier.origins.join(', ')}); ` +
          'every login would fail ORIGIN_MISMATCH',
      );
    }
    const issued = options.challenges.store;
    const consumed = options.verifier.challengeStore;
    if (issued !== consumed && (issued instanceof InMemoryChallengeStore || consumed instanceof InMemoryChallengeStore)) {
      throw new LoginConfigurationError(
        'INVALID_CONFIGURATION',
        "card login: challenges are issued into another store than the verifier's, and an in-memory store is seen by " +
          'no other: every login would fail CHALLENGE_UNKNOWN (build the verifier withChallenges(challenges))',
      );
    }
    if (typeof (options.sessionId as unknown) !== 'function') {
      throw new LoginConfigurationError('INVALID_CONFIGURATION', `card login: sessionId must be a function of the request returning its session id, not ${kindOf(options.sessionId)}`);
    }
    this.messages = options.messages ?? defaultMessages;
  }

  /** `GET …/challenge`: a fresh challenge bound to the session and the text to sign. */
  public async challenge(request: Req): Promise<CardLoginReply> {
    try {
      const sessionId = await this.session(request);
      const issued = await this.options.challenges.issue(sessionId);
      const body: CardLoginChallenge = {
        challenge: issued.value,
        tbs: buildLoginMessage({ origin: this.options.origin, challenge: issued.value }),
        expiresAt: issued.expiresAt.toISOString(),
      };
      return { status: 200, body };
    } catch (error) {
      return this.failure(error, request);
    }
  }

  /**
   * `POST …/verify`: checks the local component's `/sign` answer plus
   * `{ signatureType, tbs }` (an object or its JSON text) and calls `onLogin`.
   * `parsedJson`: the framework has already parsed `body` as JSON (Fastify's `application/json` parser), so a
   * string there is a JSON string, `BODY_INVALID` as any other body that is not a JSON object, never text to
   * parse once more.
   */
  public async verify(request: Req, body: unknown, parsedJson = false): Promise<CardLoginReply> {
    try {
      const sessionId = await this.session(request);
      const login = await this.options.verifier.verify(requestObject(body, parsedJson), { sessionId });
      const answer: unknown = await this.options.onLogin(login, request);
      // Written by the framework's own serializer (which may know BigInt ids); one it cannot write is answered
      // through `unsendable` by the adapter.
      return { status: 200, body: answer ?? { ok: true } };
    } catch (error) {
      return this.failure(error, request);
    }
  }

  /**
   * The answer when the framework cannot write a reply as JSON (`error`, from its serializer: an `onLogin`
   * answer with a BigInt or a cycle): 500 `INTERNAL`, and a `TypeError` saying so to `onError`.
   */
  public unsendable(error: unknown, request: Req): CardLoginReply {
    const reason = error instanceof Error ? error.message : String(error);
    return this.failure(new TypeError(`card login: the answer is not JSON the framework can write (${reason})`, { cause: error }), request);
  }

  /** The error answer for `error` (status, code and catalogue messages, `Retry-After` on a 503; no internal detail). */
  public errorReply(error: unknown, request: Req): CardLoginReply {
    const described = this.messages.describe(error);
    const key: MessageKey = error instanceof CardLoginRequestError ? `http.${error.code}` : described.key;
    const code = key === 'cli.INTERNAL' ? 'INTERNAL' : described.code;
    const messages = key === 'cli.INTERNAL' ? this.both('http.INTERNAL') : key === described.key ? described.messages : this.both(key);
    const language = this.options.language?.(request) ?? 'zh-TW';
    const body: CardLoginErrorBody = { error: { code, message: language === 'zh-TW' ? messages.zhTW : messages.en, messages } };
    const retryAfter = cardLoginRetryAfter(error);
    return { status: cardLoginStatus(error), body, ...(retryAfter === undefined ? {} : { headers: { 'retry-after': String(retryAfter) } }) };
  }

  private both(key: MessageKey): CodeMessage {
    return { zhTW: this.messages.message(key, 'zh-TW'), en: this.messages.message(key, 'en') };
  }

  /**
   * Tells `onError` about `error` and gives its error answer ({@link errorReply}). A hook that throws is
   * ignored: a logging hook must not change the answer, nor let its own message reach the client through the
   * framework's default error handler.
   */
  public failure(error: unknown, request: Req): CardLoginReply {
    try {
      this.options.onError?.(error, request);
    } catch {
      // See above: the answer stays the one for `error`.
    }
    return this.errorReply(error, request);
  }

  private async session(request: Req): Promise<string> {
    const id: unknown = await this.options.sessionId(request);
    if (id === undefined || id === null || id === '') {
      throw new CardLoginRequestError('SESSION_REQUIRED', `the request has no session (sessionId(request) returned ${id === '' ? 'an empty string' : String(id)})`);
    }
    // A number or an object is the application's wiring, not the user's missing session: a 401 would send every
    // user to log in again, in a loop. Not converted either: String(12345) and the id the application uses
    // elsewhere could differ (a BigInt, an object's toString). The value is not echoed: it may be a session secret.
    if (typeof id !== 'string') {
      throw new LoginConfigurationError(
        'INVALID_CONFIGURATION',
        `card login: sessionId(request) returned ${kindOf(id)}, not a string; return the session id as a string (convert it yourself), or undefined when the request has no session`,
      );
    }
    // An oversized cookie, or one decoded to NUL or a lone surrogate, is the request's fault: a 401 like no session,
    // not the store's 500.
    const problem = sessionIdProblem(id);
    if (problem !== undefined) throw new CardLoginRequestError('SESSION_REQUIRED', `the session id cannot be used (${problem})`);
    return id;
  }
}

/** The language of a request from its `Accept-Language` header (zh-TW when absent). */
export function requestLanguage(acceptLanguage: string | string[] | undefined): Language {
  return languageFromAcceptLanguage(Array.isArray(acceptLanguage) ? acceptLanguage.join(',') : acceptLanguage);
}

/**
 * The verify route's body as an object: a framework's parsed JSON, or raw
 * text parsed here. Unparsable text is the request's fault (`BODY_INVALID`),
 * as a framework's own JSON parser reports it, whichever parsed it; a JSON
 * object of the wrong shape is then the token's (`TOKEN_MALFORMED`).
 */
function requestObject(body: unknown, parsedJson: boolean): object {
  let value = body;
  if (typeof body === 'string' && parsedJson) throw bodyInvalid("the body is a JSON string, not the component's answer as a JSON object (encoded twice?)");
  if (typeof body === 'string') {
    // One leading byte order mark, as express.json() and Fastify's parser allow: some HTTP clients on Windows write it.
    const text = body.charCodeAt(0) === 0xfeff ? body.slice(1) : body;
    if (text.length === 0 || text.length > MAX_TOKEN_CHARS) throw bodyInvalid(`the body must be 1 to ${MAX_TOKEN_CHARS} characters of JSON`);
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw bodyInvalid(`the body is not JSON (${(error as Error).message})`);
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw bodyInvalid("the body must be the component's answer as a JSON object");
  return value;
}

/** What a value is, for a message that must not show it: `a number`, `an object`, `an array`. */
function kindOf(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  const type = typeof value;
  return type === 'object' || type === 'undefined' ? `an ${type}` : `a ${type}`;
}

function bodyInvalid(message: string): CardLoginRequestError {
  return new CardLoginRequestError('BODY_INVALID', message);
}
