import type { CodeMessage } from '../../component/codes.js';
import type { TestPkiErrorCode } from '../../testing/pki/errors.js';
import type { VpcdBridgeErrorCode } from '../../testing/vpcd/vpcd-bridge.js';

/** Virtual card bridge failures (`twpki virtual-card`, `twpki/testing`). */
export const VPCD_MESSAGES: Readonly<Record<VpcdBridgeErrorCode, CodeMessage>> = {
  CONNECT_FAILED: { zhTW: '無法連線至虛擬讀卡機（vpcd），請確認讀卡機服務已啟動', en: 'Cannot reach the virtual reader (vpcd); check that the smart-card service is running' },
  READER_BUSY: { zhTW: '虛擬讀卡機已有其他卡片，請待其移除後再試', en: 'Another card is in the virtual reader; retry once it is removed' },
  BRIDGE_CLOSED: { zhTW: '虛擬讀卡機連線已關閉', en: 'The virtual reader connection is closed' },
  NOT_A_CARD: { zhTW: '未提供虛擬卡片，無法插入虛擬讀卡機', en: 'No card emulator was given to insert into the virtual reader' },
  BAD_BRIDGE_OPTIONS: { zhTW: '虛擬讀卡機連線參數錯誤', en: 'Invalid virtual reader connection options' },
};

/** Test PKI misuse (`twpki/testing`). */
export const TEST_PKI_MESSAGES: Readonly<Record<TestPkiErrorCode, CodeMessage>> = {
  UNKNOWN_AUTHORITY: { zhTW: '測試憑證管理中心不存在', en: 'Unknown test certificate authority' },
  BAD_SUBJECT_NAME: { zhTW: '測試憑證名稱格式錯誤', en: 'The test certificate name is malformed' },
  BAD_OPTIONS: { zhTW: '測試憑證參數錯誤', en: 'Invalid test certificate options' },
  TEST_KIT_DEPENDENCY_MISSING: {
    zhTW: 'twpki/testing 或 twpki demo 所需的選用套件尚未安裝，請依訊息所列套件安裝後再試',
    en: 'An optional peer that twpki/testing or twpki demo needs is not installed; install the packages the message names and retry',
  },
};
