/**
 * How the 帳號申請 page words a refused field: the form's own label, then the
 * manual's prompt where 圖 1-1 prints one beside the field (請輸入統一編號,
 * 有管制編號請輸入, 沒有就請空白, 請輸入英文及數字及特殊字元), else the message
 * catalogue's general text (必填, 格式不正確…).
 */
import { LOGIN_METHOD_LABELS, WASTE_FORM_LABELS, WASTE_FORM_PROMPTS, type FieldIssue, type LoginMethod } from 'twpki/enroll';
import { defaultMessages } from 'twpki/messages';

/** 自訂密碼's prompt on 圖 1-1; the password is the site's, so is its prompt. */
export const PASSWORD_PROMPT = '請輸入英文及數字及特殊字元';

/** One refused field as the page lists it (`label：message`) and marks it (`field`). */
export interface PageIssue {
  /** The SDK's field key, e.g. `registeredAddress.postalCode`, or `password`. */
  readonly field: string;
  /** The form's label of the field. */
  readonly label: string;
  /** What is wrong, in the manual's words where it has some. */
  readonly message: string;
}

/**
 * 自訂密碼 (請輸入英文及數字及特殊字元): the host's, never the SDK's. At least
 * eight characters with a letter, a digit and a special character; the message
 * is the manual's prompt, with the length rule when that is what failed.
 */
export function passwordProblem(password: unknown): string | undefined {
  if (typeof password !== 'string' || password === '') return PASSWORD_PROMPT;
  if (password.length < 8 || password.length > 64) return `長度須為 8 至 64 字元（${PASSWORD_PROMPT}）`;
  if (!/[A-Za-z]/.test(password) || !/[0-9]/.test(password) || !/[^A-Za-z0-9]/.test(password)) return PASSWORD_PROMPT;
  return undefined;
}

function labelOf(field: string): string {
  const [top, sub] = field.split('.');
  // A login method's row has its own label (自然人憑證登入 / 工商憑證登入).
  if (top === 'methods' && sub !== undefined && sub in LOGIN_METHOD_LABELS) return LOGIN_METHOD_LABELS[sub as LoginMethod];
  return WASTE_FORM_LABELS[top as keyof typeof WASTE_FORM_LABELS] ?? field;
}

/** An SDK issue of `WasteSystemFlow.apply` as the page shows it. */
export function pageIssue(issue: FieldIssue): PageIssue {
  const prompt = WASTE_FORM_PROMPTS[issue.field.split('.')[0] as keyof typeof WASTE_FORM_PROMPTS];
  const general = defaultMessages.fieldIssueMessages(issue).zhTW;
  // Empty: the prompt says what to type. Wrong: what is wrong, then the prompt.
  const message = prompt === undefined ? general : issue.code === 'REQUIRED' ? prompt : `${general}（${prompt}）`;
  return { field: issue.field, label: labelOf(issue.field), message };
}
