/**
 * Enrollment layer: the seeds' account, card-binding and organization flows as
 * explicit state machines with typed commands, persisted in PostgreSQL (embedded
 * PGlite or a server via pg) with the invariants enforced by the schema.
 *
 * ```ts
 * // import { PgliteStore } from 'twpki/enroll/pglite'; (or PgStore from 'twpki/enroll/pg')
 * // import { SmtpMailer } from 'twpki/enroll/smtp';
 * const store = await PgliteStore.open();            // or PgStore.open({ connectionString })
 * const ems = new EmsLayerAdapter(new JsonFileEmsSource('ems.json'));
 * const accounts = new AccountEnrollmentFlow({
 *   store, clock: systemClock, ems, emsRecords: ems,
 *   mailer: new SmtpMailer({ from: 'GPS 客服 <gps@example.gov.tw>', transport: 'smtps://…' }),
 *   activationLink: (token) => `https://gps.example.gov.tw/activate?key=${token}`,
 * });
 * const app = await accounts.apply({ controlNumber: 'H5600123' }, { role: 'applicant', id: 'web' });
 * await accounts.submitBasicData(app.id, form, actor);          // emsRejected carries the per-field result
 * await accounts.bindCard(app.id, { holder: cardHolderFromLogin(login), contact }, actor);  // 審核中
 * ```
 *
 * Every command validates its input (INVALID_INPUT), checks the transition
 * table (INVALID_TRANSITION), writes the change and its audit entry in one
 * transaction, and returns the new state; failures are {@link EnrollError}s.
 * State-machine definitions, the SQL migrations, the input parsers, the
 * authorization tables and the state-document format are in
 * `twpki/enroll/advanced`.
 * @packageDocumentation
 */
export {
  EnrollError,
  InvalidInputError,
  InvalidTransitionError,
  ManualReviewError,
  type EnrollErrorCode,
  type FieldIssue,
} from './errors.js';
export { ENROLL_ERROR_CODES, ENROLL_REFUSAL_REASONS, FIELD_ISSUE_CODES, type EnrollRefusalReason, type FieldIssueCode } from './errors.js';
export { ENROLL_REFUSALS, type EnrollRefusal } from './refusals.js';
export { toResult, type CommandResult } from './result.js';
export {
  ENROLL_ERROR_STATUS,
  ENROLL_RETRY_AFTER_SECONDS,
  enrollErrorStatus,
  enrollRetryAfter,
  type EnrollErrorStatus,
  type EnrollUnavailableCode,
} from './http-status.js';

export {
  type AgencyOid,
  type Branded,
  type BusinessId,
  type CardNumber,
  type CertificateSerial,
  type ControlNumber,
  type EmailAddress,
  type NationalId,
} from './domain/identifiers.js';
export {
  CITIZEN_AUTHORITIES,
  ORGANIZATION_AUTHORITIES,
  type CardAuthority,
  type CardIdentity,
  type VerifiedCardHolder,
} from './domain/card-holder.js';
export { ForbiddenError, type Actor, type ActorRole } from './domain/actor.js';
export { BASIC_DATA_FIELDS, BASIC_DATA_LABELS, type BasicData, type BasicDataField } from './domain/basic-data.js';
export { nextBusinessDayStart, type BusinessCalendar } from './domain/business-day.js';
export { TaiwanCalendar, type TaiwanCalendarOptions } from './domain/taiwan-calendar.js';
export { TAIWAN_ADJUSTMENTS, type CalendarAdjustment } from './domain/taiwan-adjustments.js';

export { ManualClock, systemClock, type Clock } from './ports/clock.js';
export type { MailMessage, Mailer } from './ports/mailer.js';
export type { EmsComparison, EmsRecordSource, EmsVerifier, FieldVerdict } from './ports/ems.js';
export { StaticAgencyDirectory, type Agency, type AgencyDirectory, type AgencyEntry } from './ports/agency-directory.js';

export { CapturingMailer } from './mail/capturing-mailer.js';
export { DEFAULT_BRANDING, activationNotice, rejectionNotice, type ActivationAccount, type ActivationCard, type NoticeBranding } from './mail/account-notices.js';

export { type FlowName } from './machine/machine.js';
export { type AccountEvent, type AccountStatus } from './machine/account-machine.js';
export {
  type LoginEnablementEvent,
  type LoginEnablementStatus,
  type LoginMethodEvent,
  type LoginMethodStatus,
} from './machine/login-machine.js';
export { type OrgEvent, type OrgStatus } from './machine/org-machine.js';
export { type OfficialEvent, type OfficialStatus } from './machine/official-machine.js';

export type { EnrollStore, Row, SqlSession } from './store/store.js';
export { readAuditTrail, type AuditEntry } from './store/audit.js';
export { joinTransaction } from './store/joined-store.js';
export type { QueuePage, QueueQuery } from './flows/review-queue.js';
export { type BoundCard, type PendingRenewal, type RenewalPolicy, type RenewalVerdict } from './flows/card-renewal.js';

export {
  AccountEnrollmentFlow,
  type AccountCardLogin,
  type AccountEnrollmentOptions,
  type ApprovalResult,
  type BindCardInput,
  type BindingContact,
  type CardCommandOptions,
  type PendingActivation,
} from './flows/account-enrollment.js';
export type { AccountApplication, AccountCardSession, CardBinding } from './flows/account-records.js';
export {
  OrgRegistrationFlow,
  type AdministratorContact,
  type AdministratorSession,
  type FirstRegistrationStanding,
  type OperatorInput,
  type OrganizationCardCheck,
  type OrgCardHolder,
  type OrgCardRenewal,
  type OrgRegistrationOptions,
  type RegisterInput,
  type ReplaceInput,
  type ReviewRequestInput,
} from './flows/org-registration.js';
export type { Operator, OrgAdministrator, OrgRegistration, RegistrationItem, RegistrationRecord } from './flows/org-records.js';
export {
  LoginEnablementFlow,
  type CertificateLoginRequest,
  type EnableCertificateLoginInput,
  type LoginEnablementOptions,
  type VerificationCodeUse,
} from './flows/login-enablement.js';
export { LOGIN_METHOD_LABELS, type LoginAccount, type LoginBinding, type LoginMethod } from './flows/login-records.js';
export {
  OFFICIAL_ATTESTATION,
  OfficialAccountFlow,
  type OfficialAccountApplication,
  type OfficialAccountInput,
  type OfficialAccountOptions,
} from './flows/official-account.js';
export type {
  OfficialApplicationItem,
  OfficialCancelledBy,
  OfficialCard,
  OfficialFormReceipt,
  OfficialFormReceiptCorrection,
  OfficialFormReceiptInput,
  OfficialMember,
  OfficialMemberInput,
  OverdueQuery,
} from './flows/official-account.js';
export { OFFICIAL_CONFIRM_QUESTION, officialSubmitNotice, type OfficialApplicationPreview } from './flows/official-account.js';
export type {
  FollowPersonnelRecordOptions,
  NotListedPolicy,
  PersonnelRecordFollowed,
  PersonnelRecordOutcome,
  RecordDiffersPolicy,
} from './flows/official-personnel-sync.js';
export {
  OFFICIAL_FORM_CHANNEL_LABELS,
  OFFICIAL_MEMBER_TYPE_LABELS,
  type OfficialFormChannel,
  type OfficialMemberType,
} from './machine/official-machine.js';
export type { PersonnelCheckResult, PersonnelPerson, PersonnelQuery, PersonnelSystem, PersonnelVerdict } from './ports/personnel-system.js';
export {
  OFFICIAL_DEFAULT_BRANDING,
  officialApprovalNotice,
  officialRejectionNotice,
  type OfficialNoticeBranding,
  type OfficialNoticeFacts,
} from './mail/official-notices.js';
export {
  OFFICIAL_FORM_LABELS,
  renderOfficialApplicationForm,
  type OfficialApplicationForm,
  type OfficialFormOfficeRow,
  type OfficialFormLabels,
  type OfficialFormOptions,
} from './print/official-application-form.js';

export {
  WASTE_BOUND_NOTICE,
  WasteSystemFlow,
} from './flows/waste-system.js';
export type { DocumentLimits, WasteSystemOptions } from './flows/waste-shared.js';
export {
  WASTE_FORM_LABELS,
  WASTE_FORM_PROMPTS,
  type CompanyPrefill,
  type DistrictAddressInput,
  type PhoneInput,
  type PostalAddressInput,
  type PostalCodeMismatch,
  type PrefilledAddress,
  type TypedPostalAddressInput,
  type WasteApplicationInput,
} from './flows/waste-application.js';
export type { DocumentUpload } from './flows/waste-documents.js';
export type { CodeMailed } from './flows/waste-review.js';
export { renderWasteApplicationForm, type WasteFormOptions } from './flows/waste-form.js';
export {
  WASTE_DOCUMENT_LABELS,
  type PhoneNumber,
  type WasteApplication,
  type WasteApplicationForm,
  type WasteDocument,
  type WasteDocumentInfo,
  type WasteDocumentKind,
  type WasteDocumentMediaType,
} from './flows/waste-records.js';
export { StaticCompanyRegistry, type CompanyRecord, type CompanyRegistry, type PostalAddress } from './ports/company-registry.js';
export {
  StaticPostalCodeDirectory,
  foldPlaceName,
  type PostalAreaEntry,
  type PostalCodeDirectory,
  type PostalCounty,
  type PostalDistrict,
} from './ports/postal-code-directory.js';
export { twzipcodeDirectory } from './adapters/twzipcode.js';
export { WASTE_BRANDING, verificationCodeNotice, wasteRejectionNotice, type NoticeCompany } from './mail/waste-notices.js';
export { type WasteApplicationEvent, type WasteApplicationStatus } from './machine/waste-machine.js';

export { type EnrollState } from './state-document.js';
export { EmsLayerAdapter } from './adapters/ems.js';
export { cardHolderFromLogin, type CardHolderFromLoginOptions } from './adapters/cert.js';
export { HolderSeal, type HolderSealContext, type HolderSealOptions } from './adapters/holder-seal.js';
