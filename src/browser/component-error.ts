import { LastError, lastErrorMessage, retCodeMessage, RetCode, type CodeMessage } from '../component/codes.js';
import { TwpkiError } from '../shared/twpki-error.js';

/**
 * What went wrong talking to the local component:
 * - `COMPONENT_FAILED`: the component answered with a non-zero `ret_code`
 *   (wrong PIN, no card, untrusted site, …); see `retCode` and `lastError`.
 * - `COMPONENT_ABSENT`: nothing answers at the component's address (not
 *   installed, not running, or the browser refused the page access to localhost).
 * - `COMPONENT_DIRECT_REFUSED`: the component is there but the browser did not
 *   let this page read its answer directly (no CORS for this origin), or the
 *   browser's Local Network Access permission is denied for this page; use the popup.
 * - `COMPONENT_TIMEOUT`: the component did not answer in time.
 * - `COMPONENT_POPUP_BLOCKED`: the browser refused to open the `/popupForm` popup.
 * - `COMPONENT_POPUP_CLOSED`: the popup was closed before it answered.
 * - `COMPONENT_BAD_REPLY`: the answer is not the component's JSON.
 * - `COMPONENT_CARD_MISMATCH`: the card that signed is not the card detected
 *   (its `cardSN` differs from the token's `serialNumber`, or is missing).
 * - `COMPONENT_BAD_REQUEST`: the caller's request was refused before anything
 *   was sent; `field` names the culprit.
 * - `COMPONENT_CARD_CHANGED`: a `sign()` without a slot found a card other
 *   than the one the last detection showed (another card number, or other
 *   certificates), and did not send the PIN, which was typed for the card the
 *   page showed. Show the card now in the reader (`detect()`) and ask for its
 *   PIN; the next `sign()` goes to that card.
 */
export const COMPONENT_ERROR_CODES = [
  'COMPONENT_FAILED',
  'COMPONENT_ABSENT',
  'COMPONENT_DIRECT_REFUSED',
  'COMPONENT_TIMEOUT',
  'COMPONENT_POPUP_BLOCKED',
  'COMPONENT_POPUP_CLOSED',
  'COMPONENT_BAD_REPLY',
  'COMPONENT_CARD_MISMATCH',
  'COMPONENT_BAD_REQUEST',
  'COMPONENT_CARD_CHANGED',
] as const;

/** One of {@link COMPONENT_ERROR_CODES}. */
export type ComponentErrorCode = (typeof COMPONENT_ERROR_CODES)[number];

/** Details of a {@link ComponentError}. */
export interface ComponentErrorDetails {
  /** The component's `ret_code` (unsigned), when it answered or the failure maps to one. */
  readonly retCode?: number;
  /** The component's `last_error` (signed 32-bit, as the official tables write it). */
  readonly lastError?: number;
  /** The component's own `message` text, when it sent one. */
  readonly componentMessage?: string;
  /** The request field at fault (`COMPONENT_BAD_REQUEST`). */
  readonly field?: string;
  /** What the user can do about a refused request, when the client knows better than the code's own text. */
  readonly reason?: CodeMessage;
  /** The underlying failure (a network error, a parse error). */
  readonly cause?: unknown;
}

const KIND_MESSAGES: Readonly<Record<Exclude<ComponentErrorCode, 'COMPONENT_FAILED'>, CodeMessage>> = {
  COMPONENT_ABSENT: {
    zhTW: '無法連線至跨平台網頁元件，請確認已安裝並啟動',
    en: 'The local component does not answer: check that it is installed and running',
  },
  COMPONENT_DIRECT_REFUSED: {
    zhTW: '瀏覽器不允許本網頁直接存取跨平台網頁元件',
    en: 'The browser does not let this page read the local component directly',
  },
  COMPONENT_TIMEOUT: { zhTW: '跨平台網頁元件回應逾時', en: 'The local component did not answer in time' },
  COMPONENT_POPUP_BLOCKED: {
    zhTW: '瀏覽器封鎖了彈出視窗，請允許本網站開啟彈出視窗後再試一次',
    en: 'The browser blocked the popup: allow popups for this site and try again',
  },
  COMPONENT_POPUP_CLOSED: { zhTW: '元件視窗已被關閉', en: 'The component window was closed before it answered' },
  COMPONENT_BAD_REPLY: { zhTW: '跨平台網頁元件回應格式錯誤', en: 'The local component sent an answer that cannot be read' },
  COMPONENT_CARD_MISMATCH: {
    zhTW: '簽章卡片的卡號與偵測到的卡片不符，請重新偵測卡片',
    en: 'The card that signed is not the card that was detected: detect the card again',
  },
  COMPONENT_BAD_REQUEST: { zhTW: '參數錯誤', en: 'The request is invalid' },
  COMPONENT_CARD_CHANGED: {
    zhTW: '讀卡機中的卡片不是網頁先前顯示的卡片，PIN碼未送出：請重新讀取並顯示卡片，再輸入該卡片的PIN碼',
    en: 'The card in the reader is not the card the page showed, and the PIN was not sent: show the card again and ask for its PIN',
  },
};

function hex(code: number): string {
  return `0x${(code >>> 0).toString(16).toUpperCase()}`;
}

/** The reason for a code, or a readable "unknown code" line instead of bare hex. */
function reasonOf(code: number, lookUp: (code: number) => CodeMessage | undefined): CodeMessage {
  return lookUp(code) ?? { zhTW: `未知的錯誤碼 ${hex(code)}`, en: `Unknown code ${hex(code)}` };
}

/** Tries left as the card reported them through `last_error`; undefined when it did not say. */
export function triesLeftOf(lastError: number | undefined): number | undefined {
  if (lastError === undefined) return undefined;
  switch (lastError | 0) {
    case LastError.PIN_INCORRECT_1_LEFT:
      return 1;
    case LastError.PIN_INCORRECT_2_LEFT:
      return 2;
    case LastError.PIN_LOCKED:
      return 0;
    default:
      return undefined;
  }
}

function composeMessages(code: ComponentErrorCode, details: ComponentErrorDetails): CodeMessage {
  const parts: CodeMessage[] = [];
  if (code !== 'COMPONENT_FAILED') parts.push(KIND_MESSAGES[code]);
  if (details.reason !== undefined) parts.push(details.reason);
  // Unsigned: a component that writes ret_code as a signed 32-bit number (as the official tables write last_error)
  // still gets its code's text, not "unknown code".
  if (details.retCode !== undefined && details.retCode !== RetCode.OK) parts.push(reasonOf(details.retCode >>> 0, retCodeMessage));
  if (details.lastError !== undefined && details.lastError !== LastError.NONE) parts.push(reasonOf(details.lastError, lastErrorMessage));
  if (parts.length === 0) parts.push(reasonOf(details.retCode ?? 0, retCodeMessage));
  const unique = parts.filter((p, i) => parts.findIndex((q) => q.zhTW === p.zhTW) === i);
  return { zhTW: unique.map((p) => p.zhTW).join('：'), en: unique.map((p) => p.en).join(': ') };
}

/**
 * The one error the browser client throws. It carries the official
 * `ret_code` and `last_error` when the component gave them, the tries left
 * when the card said so, and the reason in Traditional Chinese and English
 * for every code in the official tables (unknown codes are named as such,
 * with their hex value). It never holds the PIN.
 */
export class ComponentError extends TwpkiError<ComponentErrorCode> {
  /** The component's `ret_code` (unsigned), when known. */
  public readonly retCode: number | undefined;
  /** The component's `last_error` (signed 32-bit), when known. */
  public readonly lastError: number | undefined;
  /** PIN tries left (`0` = locked) when the card said so, otherwise undefined. */
  public readonly triesLeft: number | undefined;
  /** The reason, in the two languages: show `messages.zhTW` to users of government pages. */
  public readonly messages: CodeMessage;
  /** The component's own `message` text, when it sent one. */
  public readonly componentMessage: string | undefined;
  /** The request field at fault (`COMPONENT_BAD_REQUEST`). */
  public readonly field: string | undefined;

  public constructor(code: ComponentErrorCode, details: ComponentErrorDetails = {}) {
    const messages = composeMessages(code, details);
    const codes = [
      details.retCode !== undefined ? `ret_code ${hex(details.retCode)}` : '',
      details.lastError !== undefined && details.lastError !== 0 ? `last_error ${hex(details.lastError)}` : '',
      details.field !== undefined ? `field ${details.field}` : '',
    ].filter((s) => s !== '');
    super(code, codes.length > 0 ? `${messages.en} (${codes.join(', ')})` : messages.en, details.cause === undefined ? undefined : { cause: details.cause });
    this.retCode = details.retCode === undefined ? undefined : details.retCode >>> 0;
    this.lastError = details.lastError === undefined ? undefined : details.lastError | 0;
    this.triesLeft = triesLeftOf(this.lastError);
    this.messages = messages;
    this.componentMessage = details.componentMessage === '' ? undefined : details.componentMessage;
    this.field = details.field;
  }
}
