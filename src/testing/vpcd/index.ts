export {
  VpcdBridge,
  VpcdBridgeError,
  VPCD_DEFAULT_PORT,
  vpcdReaderName,
  type VpcdBridgeOptions,
  type VpcdBridgeErrorCode,
} from './vpcd-bridge.js';
export { VPCD_BRIDGE_ERROR_CODES } from './vpcd-bridge.js';
