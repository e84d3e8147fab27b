import type { CodeMessage } from '../../component/codes.js';
import type { PcscErrorCode } from '../../pcsc/errors.js';

/** Reader and PC/SC service failures (`twpki/pcsc`). */
export const PCSC_MESSAGES: Readonly<Record<PcscErrorCode, CodeMessage>> = {
  BINDING_UNAVAILABLE: { zhTW: '無法載入讀卡機元件，請確認已安裝讀卡機驅動程式', en: 'The smart-card library could not be loaded; check that the reader driver is installed' },
  WRONG_THREAD: { zhTW: '讀卡機元件只能在程式的主執行緒使用', en: 'The smart-card library can only be used from the program\'s main thread' },
  SERVICE_UNAVAILABLE: { zhTW: '讀卡機服務未啟動，請確認讀卡機驅動程式已安裝', en: 'The smart-card service is not running; check that the reader driver is installed' },
  SERVICE_UNRESPONSIVE: { zhTW: '讀卡機服務沒有回應，請重新啟動讀卡機服務（pcscd）後重試', en: 'The smart-card service (pcscd) does not respond; restart it and try again' },
  NO_READER: { zhTW: '無可用讀卡機，請確認已備妥讀卡機', en: 'No card reader is available; connect a reader' },
  UNKNOWN_READER: { zhTW: '找不到指定的讀卡機', en: 'The selected card reader was not found' },
  READER_UNAVAILABLE: { zhTW: '讀卡機無法使用，請重新插入讀卡機', en: 'The card reader is not available; reconnect it' },
  NO_CARD: { zhTW: '未插入IC卡，請將您的憑證插入讀卡機', en: 'No card is inserted; insert your card into the reader' },
  CARD_REMOVED: { zhTW: 'IC卡已被移除，請重新插入憑證', en: 'The card was removed; insert it again' },
  CARD_RESET: { zhTW: 'IC卡已被重置，請重新操作', en: 'The card was reset; please try again' },
  CARD_UNRESPONSIVE: { zhTW: 'IC卡無回應，請確認卡片插入方向正確', en: 'The card does not respond; check that it is inserted the right way' },
  SHARING_VIOLATION: { zhTW: 'IC卡正由其他程式使用中，請關閉其他憑證程式後重試', en: 'The card is in use by another program; close it and try again' },
  TIMEOUT: { zhTW: '讀卡逾時，請重新操作', en: 'The card reader timed out; please try again' },
  PROTOCOL_ERROR: { zhTW: '與IC卡通訊發生錯誤，請重新插入憑證', en: 'Communication with the card failed; insert it again' },
  CANCELLED: { zhTW: '使用者已取消動作', en: 'The operation was cancelled' },
  CLOSED: { zhTW: '讀卡機連線已關閉，請重新操作', en: 'The connection to the reader was closed; please try again' },
  INVALID_APDU: { zhTW: '送往IC卡的指令格式錯誤', en: 'A command for the card was malformed' },
  UNKNOWN: { zhTW: '讀卡機發生未知錯誤', en: 'An unknown card reader error occurred' },
};
