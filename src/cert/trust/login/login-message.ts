import { describeValue } from '../../../shared/describe-value.js';

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

/** A challenge as a login message carries it: base64url, at least one character (what `ChallengeIssuer` hands out). */
const CHALLENGE_TEXT = /^[A-Za-z0-9_-]+$/;

/**
 * Why `value` is not a web origin as login messages and `withAllowedOrigins`
 * take it (exactly `scheme://host[:port]`, as `new URL(value).origin` writes
 * it: no path, no trailing slash, no upper case), as text to follow the word
 * "origin"; `undefined` when it is one.
 */
export function originProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return `must be a string such as 'https://service.example.gov.tw', got ${describeValue(value)}`;
  let normal: string;
  try {
    normal = new URL(value).origin;
  } catch {
    return `is not a URL: ${JSON.stringify(value)}`;
  }
  if (normal !== value) return `must be exactly scheme://host[:port] (${JSON.stringify(normal)}), got ${JSON.stringify(value)}`;
  return undefined;
}

/**
 * Builds the text to sign; the browser side uses it to form the `/sign` request.
 * @throws RangeError naming `message`, `origin` or `challenge` when one is not usable: the origin must be
 * exactly `scheme://host[:port]` (the rule of `withAllowedOrigins`), the challenge the base64url text
 * `ChallengeIssuer` hands out. A message a verifier could never accept is not built.
 */
export function buildLoginMessage(message: LoginMessage): string {
  if (typeof message !== 'object' || message === null) {
    throw new RangeError(`buildLoginMessage needs { origin, challenge }, got ${describeValue(message)}`);
  }
  const origin: unknown = message.origin;
  const challenge: unknown = message.challenge;
  const problem = originProblem(origin);
  if (problem !== undefined) throw new RangeError(`buildLoginMessage: origin ${problem}`);
  if (typeof challenge !== 'string' || !CHALLENGE_TEXT.test(challenge)) {
    throw new RangeError(
      `buildLoginMessage: challenge must be the base64url text ChallengeIssuer.issue returned (A–Z, a–z, 0–9, '-', '_'), got ${describeValue(challenge)}`,
    );
  }
  return `${LOGIN_MESSAGE_HEADER}\norigin=${origin as string}\nchallenge=${challenge}`;
}

/** Parses a login message; `undefined` when the text is not exactly that shape. */
export function parseLoginMessage(text: string): LoginMessage | undefined {
  const m = /^twpki-login\/1\norigin=([^\n]+)\nchallenge=([A-Za-z0-9_-]+)\n?$/.exec(text);
  if (m === null) return undefined;
  return { origin: m[1] as string, challenge: m[2] as string };
}
