/**
 * `twpki/messages`: one catalogue of what a person reads when twpki fails —
 * every error code of every layer and every identifier validator reason, in
 * Traditional Chinese (the government manuals' wording) and English. An
 * application overrides any message per key and per language.
 * @packageDocumentation
 */
export type { CodeMessage } from '../component/codes.js';
export {
  MESSAGE_KEYS,
  MESSAGE_TABLES,
  MessageCatalogue,
  defaultMessages,
  errorMessageKey,
  type DescribedError,
  type ErrorMessageKey,
  type IdMessageKey,
  type MessageDomain,
  type MessageKey,
  type MessageOverrides,
} from './catalogue.js';
export { LANGUAGES, languageFromAcceptLanguage, languageFromLocale, type Language } from './language.js';
export { ID_MESSAGES, type IdFailureByKind, type UnknownIdFailure } from './tables/identifiers.js';
export { CLI_ERROR_CODES, HTTP_ERROR_CODES, type CliErrorCode, type HttpErrorCode } from './tables/application.js';
