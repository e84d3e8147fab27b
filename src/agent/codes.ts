/**
 * The official component's codes, re-exported for the agent (the table itself
 * lives in `src/component/codes.ts`, shared with the browser client).
 */
export {
  RetCode,
  LastError,
  retCodeMessage,
  lastErrorMessage,
  wrongPinLastError,
  type RetCodeValue,
  type LastErrorValue,
  type CodeMessage,
} from '../component/codes.js';
