import { TwpkiError } from '../shared/twpki-error.js';

/** Stable codes of every error the enrollment layer throws. */
export const ENROLL_ERROR_CODES = [
  'INVALID_INPUT',
  'INVALID_TRANSITION',
  'NOT_FOUND',
  'APPLICATION_IN_PROGRESS',
  'CARD_ALREADY_BOUND',
  'WRONG_CARD_TYPE',
  'LAST_CARD',
  'TOKEN_INVALID',
  'TOKEN_EXPIRED',
  'TOKEN_USED',
  'EMS_RECORD_MISSING',
  'EMS_FAILURE',
  'MAIL_FAILED',
  'CONCURRENT_UPDATE',
  'MANUAL_REVIEW_PENDING',
  'RETRY_TOO_EARLY',
  'REVIEW_REJECTED',
  'REVIEW_CONTACT_REQUIRED',
  'REVIEW_NOT_NEEDED',
  'ORGANIZATION_MISMATCH',
  'NOT_AUTHORIZED',
  'FORBIDDEN',
  'LOGIN_ENDED',
  'RENEWAL_PENDING_REVIEW',
  'OPERATOR_EXISTS',
  'AGENCY_OID_UNKNOWN',
  'LOGIN_METHOD_DISABLED',
  'VERIFICATION_CODE_INVALID',
  'VERIFICATION_CODE_LOCKED',
  'INVALID_STATE_DOCUMENT',
  'COMPANY_REGISTRY_FAILURE',
  'POSTAL_CODES_UNAVAILABLE',
  'DOCUMENTS_MISSING',
  'PERSONNEL_SYSTEM_FAILURE',
  'AGENCY_SEARCH_UNAVAILABLE',
  'STORE_IN_USE',
  'NESTED_TRANSACTION',
  'STORE_CLOSED',
  'TRANSACTION_ENDED',
  'STORE_UNAVAILABLE',
] as const;

/** One of {@link ENROLL_ERROR_CODES}. */
export type EnrollErrorCode = (typeof ENROLL_ERROR_CODES)[number];

/**
 * Every reason a flow refuses a card, a step or a member for (`EnrollError.refusal`);
 * their wording is `ENROLL_REFUSALS` in `refusals.ts`.
 */
export const ENROLL_REFUSAL_REASONS = [
  'CARD_NOT_BOUND',
  'LOGIN_NOT_ENABLED',
  'COMPANY_ID_MISMATCH',
  'VERIFIED_LOGIN_REQUIRED',
  'MEMBER_NAME_MISMATCH',
  'MEMBER_ID_MISMATCH',
  'CERTIFICATE_NOT_UPLOADED',
  'OPERATOR_NOT_AUTHORIZED',
  'OPERATOR_ID_MISMATCH',
  'OPERATOR_PERMISSION_MISSING',
  'ORGANIZATION_NOT_REGISTERED',
  'AGENCY_CARD_MISMATCH',
  'ADMINISTRATOR_CARD_MISMATCH',
  'CITIZEN_CARD_LOGIN_DISABLED',
  'COMPANY_CARD_LOGIN_DISABLED',
  'CERTIFICATE_ENABLED_ELSEWHERE',
  'CARD_UPLOADED_BY_OTHER_MEMBER',
  'RENEWED_CERTIFICATE_BOUND_ELSEWHERE',
  'VERIFICATION_CODE_SPENT',
  'RENEWAL_MISMATCH',
  'ACCOUNT_NOT_YET_OPENED',
  'CITIZEN_CARD_REQUIRED',
  'LOGIN_CARD_NO_LONGER_BOUND',
  'APPLICATION_REPLACED',
  'APPLICANT_NOT_ACTIVATED',
  'MEMBER_NOT_ACTIVATED',
  'MEMBER_DEACTIVATED',
] as const;

/** One of {@link ENROLL_REFUSAL_REASONS}. */
export type EnrollRefusalReason = (typeof ENROLL_REFUSAL_REASONS)[number];

/** Base error of the enrollment layer; `code` says which rule or step failed. */
export class EnrollError extends TwpkiError<EnrollErrorCode> {
  /** For a refused card or member, the exact cause; the message catalogue words the error by it (`refusal.*`). */
  public readonly refusal: EnrollRefusalReason | undefined;

  public constructor(code: EnrollErrorCode, message: string, options?: { cause?: unknown; refusal?: EnrollRefusalReason }) {
    super(code, message, options);
    this.refusal = options?.refusal;
  }
}

/**
 * What is wrong with one field, as a code a page can word (`field.*` in the
 * message catalogue, Traditional Chinese and English); the issue's `reason`
 * keeps the developer's detail.
 */
export const FIELD_ISSUE_CODES = [
  'REQUIRED',
  'NOT_TEXT',
  'TOO_LONG',
  'UNSTORABLE_TEXT',
  'INVALID_FORMAT',
  'INVALID_ID',
  'NOT_AN_OPTION',
  'OUT_OF_RANGE',
  'MISMATCH',
  'NOT_ON_RECORD',
  'WRONG_CERTIFICATE',
  'NOT_VERIFIED',
  'FILE_EMPTY',
  'FILE_TOO_LARGE',
  'FILE_TYPE',
  'NOT_CONFIRMED',
  'NOT_KEPT',
] as const;

/** One of {@link FIELD_ISSUE_CODES}. */
export type FieldIssueCode = (typeof FIELD_ISSUE_CODES)[number];

/** One rejected input field: which field and why (never echoes secrets). */
export interface FieldIssue {
  /** Field key as the command's input names it, e.g. `basicData.facilityEmail`. */
  readonly field: string;
  /** What is wrong, for a page to word in the user's language (`MessageCatalogue.fieldIssueMessages`). */
  readonly code: FieldIssueCode;
  /** The developer's detail (English, sometimes with the seed's term). */
  readonly reason: string;
}

/** A command's input failed validation; `issues` lists every bad field at once. */
export class InvalidInputError extends EnrollError {
  /** Every offending field, so a form can mark all of them in one round trip. */
  public readonly issues: readonly FieldIssue[];

  public constructor(issues: readonly FieldIssue[]) {
    super('INVALID_INPUT', `invalid input: ${issues.map((i) => `${i.field} (${i.reason})`).join('; ')}`);
    this.issues = issues;
  }
}

/**
 * The event is not allowed from the record's current state. When the state
 * has a cause a person should be told (an application replaced by a newer
 * one), `refusal` names it and the message catalogue words the error by it.
 */
export class InvalidTransitionError extends EnrollError {
  /** Flow whose table refused the event. */
  public readonly flow: string;
  /** State the record was in. */
  public readonly from: string;
  /** Event that was refused. */
  public readonly event: string;

  /**
   * @param refusal the cause, with its sentence (`ENROLL_REFUSALS`), which leads the message; the flow, state and
   *   event follow it for the log.
   */
  public constructor(flow: string, from: string, event: string, refusal?: { readonly reason: EnrollRefusalReason; readonly sentence: string }) {
    const detail = `${flow}: event "${event}" is not allowed in state "${from}"`;
    super('INVALID_TRANSITION', refusal === undefined ? detail : `${refusal.sentence} (${detail})`, refusal === undefined ? undefined : { refusal: refusal.reason });
    this.flow = flow;
    this.from = from;
    this.event = event;
  }
}

/**
 * An organization registration waits for manual review (agency OID mismatch);
 * registration may be retried from `retryNotBefore` (the next business day).
 */
export class ManualReviewError extends EnrollError {
  /** ISO instant from which a new registration attempt is accepted. */
  public readonly retryNotBefore: string;

  public constructor(code: 'MANUAL_REVIEW_PENDING' | 'RETRY_TOO_EARLY', retryNotBefore: string, message: string) {
    super(code, message);
    this.retryNotBefore = retryNotBefore;
  }
}

/** Collects field issues and throws them together. */
export class IssueCollector {
  private readonly issues: FieldIssue[] = [];

  /** Records one bad field. */
  public add(field: string, code: FieldIssueCode, reason: string): void {
    this.issues.push({ field, code, reason });
  }

  /** Runs `parse`, turning an {@link InvalidInputError} into issues of this collector. */
  public take<T>(parse: () => T): T | undefined {
    try {
      return parse();
    } catch (err) {
      if (err instanceof InvalidInputError) {
        this.issues.push(...err.issues);
        return undefined;
      }
      throw err;
    }
  }

  /** Throws an {@link InvalidInputError} if any issue was recorded. */
  public throwIfAny(): void {
    if (this.issues.length > 0) throw new InvalidInputError(this.issues);
  }
}
