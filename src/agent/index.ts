/**
 * A local agent compatible with MOICA's official local component
 * (HiPKILocalSignServer, http://localhost:61161), built on twpki's PC/SC,
 * HiCOS and certificate layers, so existing government pages work with it
 * on Linux and in test harnesses.
 * @packageDocumentation
 */
export { startAgent, AGENT_DEFAULT_PORT, type AgentOptions, type AgentServer } from './agent-server.js';
export { PcscCardSlots, EmulatorCardSlots, type CardSlots, type CardSlotsOptions, type SlotInfo } from './card-slots.js';
export { TrustedOrigins } from './trusted-origins.js';
export type { ConfirmDomain, DomainDecision, DomainRequest } from './add-domain.js';
export { RetCode, LastError, retCodeMessage, lastErrorMessage, type RetCodeValue, type LastErrorValue, type CodeMessage } from './codes.js';
export { wrongPinLastError } from './codes.js';
export {
  pkcs11Info,
  AGENT_SERVER_VERSION,
  CA_CERT_LABEL,
  type Pkcs11Info,
  type Pkcs11SlotInfo,
  type Pkcs11TokenInfo,
  type Pkcs11CertInfo,
} from './pkcs11-info.js';
export { parseSignRequest, SignRequestError, type SignRequest } from './sign-request.js';
export { SIGN_REQUEST_ERROR_CODES, type SignRequestErrorCode } from './sign-request.js';
export type { SignResponse } from './make-signature.js';
export { buildCmsSignature, type CmsSignatureInput } from './cms-signature.js';
export { WarmCardCache, type WarmCardEntry } from './warm-card-cache.js';
