import type { IncomingMessage } from 'node:http';
import { RetCode } from './codes.js';
import { entryRefusal, TrustedOrigins } from './trusted-origins.js';

/** What a page's `/addDomain` request asks, as the host deciding it is told. */
export interface DomainRequest {
  /**
   * The entry the trusted list would hold (`gov.example`, `gov.example:8443`, `https://gov.example`): what
   * approving trusts. ASCII only (host names as the list holds them, origins as the URL parser writes them).
   */
  readonly entry: string;
  /**
   * The origin of the page that opened the request, as the browser named it (the `Origin` header, else the
   * `Referer`'s origin; `'null'` for an opaque one), or undefined when it named none. The `domain` is whatever that
   * page wrote: it need not be the page's own site. ASCII only.
   */
  readonly askedBy: string | undefined;
}

/**
 * A host's decision on an `/addDomain` request: `true` trusts the entry, `false` refuses it, `{ refused }` refuses
 * it with a reason shown on the popup page (plain text: the page escapes it).
 */
export type DomainDecision =
  | boolean
  | {
      /** Why the entry was not trusted, for the user who opened the popup. */
      readonly refused: string;
    };

/** Decides a page's `/addDomain` request (see `AgentOptions.confirmDomain`). */
export type ConfirmDomain = (domain: string, request: DomainRequest) => Promise<DomainDecision>;

/** What the `/addDomain` popup shows and posts: `retCode` 0 when the entry was added. */
export interface AddDomainOutcome {
  readonly retCode: number;
  readonly message: string;
}

/**
 * Answers `/addDomain?domain=…`: the entry is checked first (one the list cannot hold is refused with its reason,
 * and nobody is asked), then `confirm` decides. Without `confirm` every entry is refused. A request the browser
 * says is not a window's document (an `<img>`, a `fetch`, a frame) is refused without asking: real pages open
 * `/addDomain` as a popup, which browsers allow only on a user's click, so no page can raise the host's question
 * (a dialog, a terminal prompt) by merely loading.
 */
export async function addDomain(req: IncomingMessage, url: URL, trusted: TrustedOrigins, confirm: ConfirmDomain | undefined): Promise<AddDomainOutcome> {
  const refused = (message: string): AddDomainOutcome => ({ retCode: RetCode.UNTRUSTED_DOMAIN, message });
  const domain = url.searchParams.get('domain') ?? '';
  if (domain === '') return refused('no domain given: nothing was trusted');
  const invalid = entryRefusal(domain);
  if (invalid !== undefined) return refused(invalid);
  const dest = req.headers['sec-fetch-dest'];
  if (dest !== undefined && dest !== 'document') {
    return refused('refused: /addDomain is answered only to a page opened in a window (a popup), not to an image, a script\'s request or a frame');
  }
  // What the list will hold (checked above, so this does not throw); shown to whoever decides.
  const entry = new TrustedOrigins().add(domain);
  if (confirm === undefined) return refused(`${entry} was not trusted: this agent trusts only the sites its operator configures`);
  let decision: DomainDecision;
  try {
    decision = await confirm(domain, { entry, askedBy: askedBy(req) });
  } catch {
    // The host's failure is not the page's business (it could name files or users): only that it failed.
    return refused(`the confirmation failed: ${entry} was not trusted`);
  }
  // Only `true` trusts (fails closed): a JavaScript host's truthy 1 or "yes" is not taken for a yes.
  if (decision === true) return { retCode: 0, message: `trusted: ${trusted.add(domain)}` };
  const reason = typeof decision === 'object' && decision !== null && typeof decision.refused === 'string' ? decision.refused : undefined;
  return refused(reason ?? `${entry} was not trusted: the request was refused`);
}

/**
 * The origin of the page that asked: `Origin` when sent (a script's request), else the `Referer`'s (a navigation:
 * a popup sends no `Origin`). Serialised by the URL parser, so a host is written in ASCII (punycode) whatever the
 * header held; a value that does not parse names nobody.
 */
function askedBy(req: IncomingMessage): string | undefined {
  for (const value of [req.headers.origin, req.headers.referer]) {
    if (value === undefined || value === '') continue;
    if (value === 'null') return 'null';
    try {
      return new URL(value).origin;
    } catch {
      return undefined;
    }
  }
  return undefined;
}
