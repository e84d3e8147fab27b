/** Browser sessions of the example: an opaque cookie naming server-side state. */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CardHolderView } from './card-holder.js';
import { cookie } from './http.js';

/** What the server remembers for one browser. */
export interface SessionState {
  /** Opaque id; also the session the login challenges are bound to. */
  readonly id: string;
  /** The application this browser is filling in. */
  applicationId?: string;
  /** A card whose login signature was verified, waiting for 確認送出. */
  verifiedCard?: CardHolderView;
  /** Control number of the account this browser logged into with a card. */
  loggedInAs?: string;
  /** Last use, for expiry. */
  touchedAt: number;
}

const COOKIE = 'enroll_sid';
const IDLE_MS = 30 * 60_000;

/** In-memory session table (a deployment would use its own session store). */
export class Sessions {
  private readonly table = new Map<string, SessionState>();

  /** The caller's session, created (and its cookie set) when missing or expired. */
  public of(req: IncomingMessage, res: ServerResponse): SessionState {
    const now = Date.now();
    for (const [id, s] of this.table) if (now - s.touchedAt > IDLE_MS) this.table.delete(id);
    const id = cookie(req, COOKIE);
    const existing = id === undefined ? undefined : this.table.get(id);
    if (existing) {
      existing.touchedAt = now;
      return existing;
    }
    const fresh: SessionState = { id: randomBytes(24).toString('base64url'), touchedAt: now };
    this.table.set(fresh.id, fresh);
    // SameSite=Strict: the card-binding and review calls cannot be triggered from other sites.
    res.setHeader('Set-Cookie', `${COOKIE}=${fresh.id}; Path=/; HttpOnly; SameSite=Strict`);
    return fresh;
  }
}
