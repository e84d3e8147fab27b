/**
 * The portal's deployment settings, checked before anything starts: a
 * mistake stops the start with a {@link PortalConfigError} naming the
 * setting, never a stack from a library deep inside or a silent default
 * that only fails later (every login refused, sessions lost on the other
 * instance).
 */
import { randomBytes } from 'node:crypto';

/** A deployment setting that cannot work; `setting` is the environment variable (or option) to fix. */
export class PortalConfigError extends Error {
  public readonly code = 'PORTAL_CONFIG';

  /** @param setting the variable or option at fault @param message what is wrong and what is expected */
  public constructor(
    public readonly setting: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${setting}: ${message}`, options);
    this.name = 'PortalConfigError';
  }
}

/** Where a value came from, for the error: the option name or the environment variable. */
export interface Source<T> {
  readonly value: T | undefined;
  readonly setting: string;
}

/** The option when given, else the environment variable (an empty variable counts as unset). */
export function fromOptionOrEnv<T>(option: T | undefined, optionName: string, variable: string): Source<T | string> {
  if (option !== undefined) return { value: option, setting: optionName };
  const text = process.env[variable];
  return { value: text === undefined || text === '' ? undefined : text, setting: variable };
}

/**
 * The public origin (`https://portal.example.gov.tw`): scheme and host, an
 * optional port, nothing else. It is what cards sign and what every POST's
 * `Origin` must be, so a path or a trailing slash is refused rather than
 * made to fail every login.
 */
export function parsePublicOrigin(source: Source<string>): string | undefined {
  const text = source.value;
  if (text === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(text);
  } catch (cause) {
    throw new PortalConfigError(source.setting, `must be an origin such as https://portal.example.gov.tw, not ${JSON.stringify(text)}`, { cause });
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.origin !== text) {
    throw new PortalConfigError(
      source.setting,
      `must be exactly the origin browsers see, scheme and host (and port) with no path or trailing slash, such as ${url.origin === 'null' ? 'https://portal.example.gov.tw' : url.origin}; not ${JSON.stringify(text)}`,
    );
  }
  return text;
}

/**
 * A shared secret (session cookie signing, holder sealing). Given: at least
 * `minBytes` after decoding. Missing: a random one for this process, unless
 * `required` (a deployment, where two instances or a restart would each
 * have their own and silently disagree).
 */
export function secretOf(
  source: Source<string | Uint8Array>,
  options: { minBytes: number; required: false | string; decode: 'utf8' | 'base64url' },
): Buffer {
  const { value, setting } = source;
  if (value === undefined) {
    if (options.required !== false) {
      throw new PortalConfigError(
        setting,
        `is required ${options.required}: without it each instance and each start picks its own, and sessions or verified cards made by one are refused by the others (set it to ${options.decode === 'base64url' ? 'base64url of ' : ''}at least ${options.minBytes} random bytes, the same on every instance)`,
      );
    }
    return randomBytes(options.minBytes);
  }
  const bytes = typeof value === 'string' ? Buffer.from(value, options.decode) : Buffer.from(value);
  if (bytes.length < options.minBytes) {
    throw new PortalConfigError(
      setting,
      `must be ${options.decode === 'base64url' ? 'base64url of ' : ''}at least ${options.minBytes} random bytes (it ${options.decode === 'base64url' ? 'decodes to' : 'has'} ${bytes.length})`,
    );
  }
  return bytes;
}

/** Most previous secrets a rotation setting takes: each is tried on every cookie or sealed card it did not sign. */
const MAX_PREVIOUS_SECRETS = 4;

/**
 * The secrets a setting's rotation still accepts (`PORTAL_SESSION_SECRET_PREVIOUS`, `PORTAL_HOLDER_KEY_PREVIOUS`):
 * comma-separated in the environment, newest first, each checked as {@link secretOf} checks the current one; none
 * when unset.
 */
export function previousSecretsOf(
  source: Source<readonly (string | Uint8Array)[] | string>,
  options: { minBytes: number; decode: 'utf8' | 'base64url' },
): Buffer[] {
  const { value, setting } = source;
  if (value === undefined) return [];
  // Not trimmed: the current secret is used as given, and a space in it must still match once it moves here. So a
  // space around a comma (`old1, old2`) would quietly make a secret that never matches: refused, naming the entry.
  let list: readonly (string | Uint8Array)[];
  if (typeof value === 'string') {
    const entries = value.split(',').filter((v) => v !== '');
    const spaced = entries.findIndex((v) => v.trim() !== v);
    if (spaced !== -1) {
      throw new PortalConfigError(setting, `entry ${spaced + 1} starts or ends with a space: write the list without spaces around the commas (a secret with such a space goes through the option)`);
    }
    list = entries;
  } else {
    list = value;
  }
  if (!Array.isArray(list) || list.length > MAX_PREVIOUS_SECRETS) {
    throw new PortalConfigError(setting, `must list at most ${MAX_PREVIOUS_SECRETS} earlier secrets, newest first (comma-separated in the environment)`);
  }
  return list.map((entry, i) => {
    try {
      return secretOf({ value: entry, setting }, { ...options, required: false });
    } catch (error) {
      // The same check as the current secret's, naming which entry failed.
      if (!(error instanceof PortalConfigError)) throw error;
      throw new PortalConfigError(setting, `entry ${i + 1} ${error.message.slice(setting.length + 2)}`);
    }
  });
}

/**
 * A whole-number setting (a count, seconds, milliseconds): `fallback` when unset; otherwise a whole number from
 * `min` to `max`, or a {@link PortalConfigError} naming the setting. A typo (`15m`, `-1`, `1e3`) must stop the
 * start, not quietly become no limit at all.
 */
export function wholeNumberOf(
  source: Source<number | string>,
  options: { fallback: number; min: number; max: number; what: string },
): number {
  const { value, setting } = source;
  if (value === undefined) return options.fallback;
  const n = typeof value === 'number' ? value : /^\d+$/.test(value.trim()) ? Number(value.trim()) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < options.min || n > options.max) {
    throw new PortalConfigError(setting, `must be ${options.what}, a whole number from ${options.min} to ${options.max}; not ${JSON.stringify(value)}`);
  }
  return n;
}

/** pino's levels, most severe first; `silent` logs nothing. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** One of {@link LOG_LEVELS}. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * A log level setting (`PORTAL_LOG_LEVEL`): `undefined` when unset (nothing is logged), else one of pino's
 * {@link LOG_LEVELS} exactly as pino spells it. Anything else (`verbose`, `INFO`, `warning`) stops the start: taken
 * as "off" or as some other level, the errors an operator turned logging on to see would go unseen.
 */
export function logLevelOf(source: Source<string>): LogLevel | undefined {
  const { value, setting } = source;
  if (value === undefined) return undefined;
  const level = LOG_LEVELS.find((l) => l === value);
  if (level === undefined) throw new PortalConfigError(setting, `must be one of pino's levels (${LOG_LEVELS.join(', ')}), not ${JSON.stringify(value)}`);
  return level;
}
