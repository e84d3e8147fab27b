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
  if (/^https?:\/\//i.test(trimmed)) {
    const url = new URL(trimmed);
    return url.origin;
  }
  if (!/^[a-z0-9.-]+$/i.test(trimmed) || trimmed.length > 253) {
    throw new TypeError(`not a host name or origin: ${JSON.stringify(entry.slice(0, 80))}`);
  }
  return trimmed.toLowerCase();
}
