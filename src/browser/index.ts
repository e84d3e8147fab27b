/**
 * A browser client for the local component: MOICA's official
 * HiPKILocalSignServer on `http://localhost:61161`, or `twpki agent`.
 * No runtime dependencies; works from a bundler or as a plain
 * `<script type="module">`.
 *
 * ```js
 * import { detect, sign } from 'twpki/browser';
 * const found = await detect();
 * if (found.present && found.slot) {
 *   const result = await sign({ tbs: challenge, pin, slot: found.slot });
 * }
 * ```
 * @packageDocumentation
 */
export { detect, type DetectOptions } from './detect.js';
export { sign, type SignRequest, type SignResult, type SignatureType, type HashAlgorithm } from './sign.js';
export { COMPONENT_ERROR_CODES, ComponentError, type ComponentErrorCode, type ComponentErrorDetails } from './component-error.js';
export {
  parsePkcs11Info,
  CA_CERT_LABEL,
  type Detection,
  type ComponentPresent,
  type ComponentAbsent,
  type ComponentSlot,
  type ComponentChannel,
  type CardToken,
  type CardCertificateInfo,
  type PinState,
} from './component-info.js';
export { parseDistinguishedName, nameValue, type DistinguishedName, type NameAttribute } from './distinguished-name.js';
export { OFFICIAL_COMPONENT_URL, type ComponentOptions, type ComponentMode } from './options.js';
export { RetCode, LastError, retCodeMessage, lastErrorMessage, type RetCodeValue, type LastErrorValue, type CodeMessage } from '../component/codes.js';
