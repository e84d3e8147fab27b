/**
 * The text a card signs to log in (the `tbs` sent to the local component's
 * `/sign`):
 *
 * ```
 * twpki-login/1
 * origin=https://service.example.gov.tw
 * challenge=<base64url challenge>
 * ```
 *
 * Lines end with `\n`; nothing else is allowed. The origin line binds the
 * signature to the site that asked for it (a phishing site relaying the
 * challenge gets a signature that names itself), the challenge line to one
 * login attempt. Plain text because the HiCOS local component signs the
 * `tbs` string as given and users of legacy pages may see it.
 */
export interface LoginMessage {
  /** Web origin, `scheme://host[:port]`. */
  readonly origin: string;
  /** The challenge value. */
  readonly challenge: string;
}

/** First line of every login message. */
export const LOGIN_MESSAGE_HEADER = 'twpki-login/1';

/** Builds the text to sign; the browser side uses it to form the `/sign` request. */
export function buildLoginMessage(message: LoginMessage): string {
  if (/[\r\n]/.test(message.origin) || /[\r\n]/.test(message.challenge)) {
    throw new RangeError('origin and challenge must be single-line');
  }
  return `${LOGIN_MESSAGE_HEADER}\norigin=${message.origin}\nchallenge=${message.challenge}`;
}

/** Parses a login message; `undefined` when the text is not exactly that shape. */
export function parseLoginMessage(text: string): LoginMessage | undefined {
  const m = /^twpki-login\/1\norigin=([^\n]+)\nchallenge=([A-Za-z0-9_-]+)\n?$/.exec(text);
  if (m === null) return undefined;
  return { origin: m[1] as string, challenge: m[2] as string };
}
