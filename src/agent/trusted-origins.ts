import { describeValue } from '../shared/describe-value.js';

/**
 * The agent's trusted-domain list. Pages from other origins get
 * `ret_code 0x76000031`, as the official component answers.
 *
 * Entries are origins (`https://gpkiapi.nat.gov.tw`), bare host names,
 * which then match on any scheme and port, or a host with a port
 * (`gov.example:8443`, what a page's `location.host` gives on a non-default
 * port), which matches that host on that port only, over http or https;
 * on a scheme's default port, that scheme only (`gov.example:443` is
 * `https://gov.example`, not `http://gov.example:443`).
 */
export class TrustedOrigins {
  private readonly entries = new Set<string>();

  /**
   * @param initial the origins and host names to trust, a list.
   * @throws TypeError for `initial` that is a single string or no list, or an entry that cannot be one (as {@link add})
   */
  public constructor(initial: Iterable<string> = []) {
    // A string is iterable too: 'gov.example' was read as the hosts g, o, v, e, x, a, m, p and l, trusted in its place.
    const given: unknown = initial;
    if (typeof given === 'string' || typeof (given as { [Symbol.iterator]?: unknown } | null)?.[Symbol.iterator] !== 'function') {
      const shown = typeof given === 'string' ? `the string ${quoted(given)} (write [${quoted(given)}])` : describeValue(given);
      throw new TypeError(`trusted origins must be a list (an array) of origins or host names, not ${shown}`);
    }
    for (const e of initial) this.add(e);
  }

  /**
   * Adds an origin or host name; returns the normalised entry.
   * @throws TypeError for an entry that is not a string, or not an origin or host name as browsers write them
   */
  public add(entry: string): string {
    if (typeof entry !== 'string') throw new TypeError(`a trusted entry is an origin or host name (a string), not ${describeValue(entry)}`);
    const normalised = normaliseEntry(entry);
    this.entries.add(normalised);
    return normalised;
  }

  /** Whether `origin` (an Origin header value) is trusted. */
  public isTrusted(origin: string): boolean {
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      return false;
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return false;
    const host = url.hostname.toLowerCase();
    // The port the page is served on: the URL parser leaves a scheme's default port out.
    const https = url.protocol === 'https:';
    const port = url.port === '' ? (https ? '443' : '80') : url.port;
    // A host:port entry on the other scheme's default port names that scheme's site (`h:443` is https://h): plain
    // http on 443, which a network attacker can serve, or https on 80 is not what it named.
    const otherDefault = https ? '80' : '443';
    return this.entries.has(url.origin) || this.entries.has(host) || (port !== otherDefault && this.entries.has(`${host}:${port}`));
  }

  /** The entries, sorted. */
  public list(): string[] {
    return [...this.entries].sort();
  }
}

/**
 * Why `entry` cannot be a trusted entry (the TypeError's message), or undefined when it can: `/addDomain` says so
 * before the operator is asked about it.
 * @internal
 */
export function entryRefusal(entry: string): string | undefined {
  try {
    normaliseEntry(entry);
    return undefined;
  } catch (error) {
    return error instanceof TypeError ? error.message : 'not a valid domain';
  }
}

function normaliseEntry(entry: string): string {
  const trimmed = entry.trim();
  if (/^https?:\/\//i.test(trimmed)) return originEntry(entry, trimmed);
  // Another scheme's URL (ftp://x) is no origin a page has; read as a host:port it would be refused for its port.
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed)) throw new TypeError(`not a host name or origin (http or https): ${quoted(entry)}`);
  // An IPv6 address is written in brackets, with colons inside: read as a host:port, it would be cut at the wrong
  // colon. Its origin form (`https://[2001:db8::1]:8443`) is exact and already supported.
  if (trimmed.startsWith('[') || (/^[0-9a-f:.]+$/i.test(trimmed) && trimmed.indexOf(':') !== trimmed.lastIndexOf(':'))) {
    throw new TypeError(`an IPv6 address is trusted by its origin only (such as https://[2001:db8::1]:8443), not as a host or host:port: ${quoted(entry)}`);
  }
  const hostPort = /^([^:]*):([^:]*)$/.exec(trimmed);
  return hostPort ? hostPortEntry(entry, hostPort[1] ?? '', hostPort[2] ?? '') : hostEntry(entry, trimmed);
}

/**
 * A host with a port, as a page's `location.host` names it (`gov.example:8443`): it matches that host on that port
 * only, over http or https, and not the bare host on another port. The port is written as browsers write it
 * (digits, no leading zero, 1–65535), so the entry shown back is the one matched.
 */
function hostPortEntry(entry: string, host: string, port: string): string {
  if (!/^[1-9][0-9]{0,4}$/.test(port) || Number(port) > 65535) {
    throw new TypeError(`the port of a host:port entry is a number from 1 to 65535 written in digits without a leading zero: ${quoted(entry)}`);
  }
  return `${hostEntry(entry, host, `:${port}`)}:${port}`;
}

/** How a refused entry is quoted: at most 80 characters of it, as JSON. */
function quoted(entry: string): string {
  return JSON.stringify(entry.slice(0, 80));
}

/**
 * An origin entry, as the Origin header names it. A URL with more than an origin (a page's address pasted in, a
 * user name) is refused rather than cut down to its origin: the list would then trust a whole site where the
 * user may have meant one page, and the entry shown back would not be what was typed.
 */
function originEntry(entry: string, trimmed: string): string {
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    throw new TypeError(`not a host name or origin: ${quoted(entry)}`);
  }
  if (url.username !== '' || url.password !== '' || url.pathname !== '/' || url.search !== '' || url.hash !== '') {
    throw new TypeError(`an origin is a scheme, a host and a port only, without a path, query or user name: ${quoted(entry)} (its origin is ${url.origin})`);
  }
  return url.origin;
}

/**
 * A host name: bare, it matches on any scheme and port; `port` is the `:port` of a host:port entry, for the
 * message. It must be the host a browser names in the Origin header
 * for it: the URL parser reads `48151623`, `127.1` or `0x7f.0.0.1` as IPv4 addresses (2.222.188.71, 127.0.0.1),
 * so such an entry would never match a page, and it is refused naming the address to write instead.
 */
function hostEntry(entry: string, trimmed: string, port = ''): string {
  if (!/^[a-z0-9.-]+$/i.test(trimmed) || trimmed.length > 253) {
    throw new TypeError(`not a host name or origin: ${quoted(entry)}`);
  }
  const lower = trimmed.toLowerCase();
  let parsed: string;
  try {
    parsed = new URL(`http://${lower}/`).hostname;
  } catch {
    throw new TypeError(`not a host name or origin: ${quoted(entry)}`);
  }
  if (parsed !== lower) {
    throw new TypeError(`not a host name as browsers write it: ${quoted(entry)} is read as ${parsed}; trust ${parsed}${port} instead`);
  }
  return lower;
}
