export {
  VpcdBridge,
  VpcdBridgeError,
  VPCD_DEFAULT_PORT,
  type VpcdBridgeOptions,
  type VpcdBridgeErrorCode,
} from './vpcd-bridge.js';
