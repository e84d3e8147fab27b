/**
 * The agent's trusted-domain list. Pages from other origins get
 * `ret_code 0x76000031`, as the official component answers.
 *
 * Entries are origins (`https://gpkiapi.nat.gov.tw`) or bare host names,
 * which then match on any scheme and port.
 */
export class TrustedOrigins {
  private readonly entries = new Set<string>();

  public constructor(initial: Iterable<string> = []) {
    for (const e of initial) this.add(e);
  }

  /** Adds an origin or host name; returns the normalised entry. */
  public add(entry: string): string {
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
    return this.entries.has(url.origin) || this.entries.has(url.hostname.toLowerCase());
  }

  /** The entries, sorted. */
  public list(): string[] {
    return [...this.entries].sort();
  }
}

function normaliseEntry(entry: string): string {
  const trimmed = entry.trim();
  return /^https?:\/\//i.test(trimmed) ? originEntry(entry, trimmed) : hostEntry(entry, trimmed);
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
 * A bare host name, matched on any scheme and port. It must be the host a browser names in the Origin header
 * for it: the URL parser reads `48151623`, `127.1` or `0x7f.0.0.1` as IPv4 addresses (2.222.188.71, 127.0.0.1),
 * so such an entry would never match a page, and it is refused naming the address to write instead.
 */
function hostEntry(entry: string, trimmed: string): string {
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
    throw new TypeError(`not a host name as browsers write it: ${quoted(entry)} is read as ${parsed}; trust ${parsed} instead`);
  }
  return lower;
}
