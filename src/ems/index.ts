/**
 * EMS comparison and Taiwan identifier validation: a pure layer (no card,
 * no network) that compares an application with its EMS basic-data record
 * the way the MOENV account application does, and validates 管制編號,
 * 統一編號, 身分證字號, resident certificate numbers, card numbers and e-mail.
 *
 * @module
 */
export { EmsError, type EmsErrorCode } from './errors.js';
export { EMS_ERROR_CODES } from './errors.js';

export {
  DEFAULT_MAX_FIELD_LENGTH,
  FIELD_KINDS,
  defineFieldSet,
  extendFieldSet,
  type FieldDefinition,
  type FieldKind,
  type FieldSet,
} from './fields/field-definition.js';
export { DEFAULT_FIELDS } from './fields/default-fields.js';
export { parseFieldValues, type FieldValues, type ParseFieldValuesOptions } from './record.js';

export { parseChineseNumeral } from './normalize/chinese-numerals.js';
export { foldWidth } from './normalize/width-forms.js';
export type { NormalizationRule, NormalizationStep } from './normalize/normalization-rule.js';
export {
  compareNormalized,
  normalizeAddress,
  normalizeAs,
  normalizeEmail,
  normalizeName,
  type NormalizationComparison,
} from './normalize/pipeline.js';

export {
  COMPARISON_POLICIES,
  DEFAULT_POLICY,
  parsePolicy,
  type ComparisonPolicy,
} from './compare/policy.js';
export { findDifferingSpan, type DifferingSpan } from './compare/differing-span.js';
export type {
  ComparedFieldResult,
  ComparisonResult,
  DifferentReason,
  EmptyReason,
  FieldReason,
  FieldResult,
  FormattingOnlyReason,
  UncomparedFieldResult,
} from './compare/field-result.js';
export { compareField } from './compare/compare-field.js';
export { compareFieldValues, compareWithEms, type CompareOptions } from './compare/compare-with-ems.js';

export {
  EMS_CORRECTION_NOTE,
  EMS_RULE_NOTE,
  RULE_LABELS_ZH,
  describeReasonZh,
  type RenderOptions,
} from './render/messages.js';
export { renderResultText } from './render/render-text.js';
export { renderResultHtml } from './render/render-html.js';
export { escapeHtml } from './render/escape-html.js';
export {
  resultToJson,
  type ComparisonResultJson,
  type DifferentReasonJson,
  type DifferingSpanJson,
  type EmptyReasonJson,
  type FormattingOnlyReasonJson,
  type FieldReasonJson,
  type FieldResultJson,
} from './render/render-json.js';

export type { EmsLookupResult, EmsRecord, EmsRecordFound, EmsRecordNotFound, EmsSource } from './source/ems-source.js';
export { InMemoryEmsSource } from './source/in-memory-source.js';
export { JsonFileEmsSource, type JsonFileEmsSourceOptions } from './source/json-file-source.js';
export { verifyApplication, type ApplicationVerification } from './source/verify-application.js';

export type { CommonIdFailure, IdValidation } from './id/id-validation.js';
export {
  normalizeControlNumber,
  validateControlNumber,
  type ControlNumberFailure,
} from './id/control-number.js';
export {
  validateBusinessId,
  type BusinessIdFailure,
  type BusinessIdOptions,
  type BusinessIdRule,
} from './id/business-id.js';
export {
  validateNationalId,
  validateResidentId,
  type PersonalIdFailure,
  type ResidentIdFacts,
  type ResidentIdFormat,
} from './id/personal-id.js';
export { AREA_LETTER_CODES } from './id/letter-codes.js';
export { validateCardNumber, type CardNumberFailure } from './id/card-number.js';
export { validateEmail, type EmailFailure } from './id/email.js';
export { identify, type Identification, type IdentifierKind, type IdentifyOptions } from './id/identify.js';
