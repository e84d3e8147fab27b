/**
 * What every system folder of the portal gets from the core: the site, the
 * store, the mailer, card steps (challenge → local agent → verification, on
 * `twpki/fastify`), the reviewer guard and the page layout. A system is a
 * {@link PortalSystem}: one `register` call that adds its routes under its own
 * path prefix.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { VerifiedLogin } from 'twpki/cert';
import type { Actor, Clock, EnrollStore, Mailer } from 'twpki/enroll';
import type { VerifiedCards } from './card-view.js';

/** A verified card step's outcome, as the page shows it. */
export type CardStepAnswer = Record<string, unknown>;

/** Shared services handed to each system's `register`. */
export interface PortalContext {
  /** The site's public origin (`http://127.0.0.1:8009`, or `https://portal.example.gov.tw` behind a proxy): what card logins name, what POSTs must come from. */
  readonly origin: string;
  /** Where pages find the local agent. */
  readonly agentUrl: string;
  /** The enrollment store (PGlite or PostgreSQL), migrated. */
  readonly store: EnrollStore;
  /** Time source of the flows. */
  readonly clock: Clock;
  /** Outgoing notices (the SDK's `SmtpMailer` in the demo). */
  readonly mailer: Mailer;
  /** Verified cards waiting for the step that uses them. */
  readonly cards: VerifiedCards;
  /** The reviewer every reviewer page acts as once logged in. */
  readonly reviewer: Actor;
  /**
   * Adds a card step at `prefix`: `GET {prefix}/challenge` and `POST {prefix}/verify`
   * (the `twpki/fastify` plugin). `guard` runs first on both routes (a
   * {@link PageError} it throws is the answer: wrong page state, not logged in);
   * `onVerified` runs after the signature, chain and challenge checked, and what
   * it returns is the page's answer. Refusals in `onVerified` must be twpki
   * errors (`EnrollError`), which the plugin answers with their catalogue message.
   */
  cardStep(
    app: FastifyInstance,
    prefix: string,
    onVerified: (login: VerifiedLogin, request: FastifyRequest) => Promise<CardStepAnswer>,
    guard?: (request: FastifyRequest) => void,
  ): void;
  /** preHandler for reviewer pages and APIs: a reviewer login is required. */
  requireReviewer(request: FastifyRequest, reply: FastifyReply): Promise<void>;
  /**
   * A `preHandler` for anonymous routes that make an application or compare typed values with a record: counts the
   * request against the client's application allowance and refuses it 429 `APPLICATION_RATE_LIMITED` past it.
   */
  limitApplications(request: FastifyRequest, reply: FastifyReply): Promise<void>;
  /** A server-rendered page in the portal's layout (`body` is HTML, already escaped). */
  page(title: string, body: string): string;
}

/** One seed system of the portal: a folder with its routes and pages. */
export interface PortalSystem {
  /** Path prefix and id, e.g. `gps` (pages under `/gps/`). */
  readonly id: string;
  /** The system's name on the portal's home page. */
  readonly title: string;
  /** Links shown on the home page: label → path. */
  readonly links: ReadonlyArray<readonly [label: string, path: string]>;
  /**
   * Adds the system's routes. An `onListen` hook is refused (the start fails): Fastify would never run it, as the
   * portal binds its own server; an `onReady` hook runs just before the routes open.
   */
  register(app: FastifyInstance, context: PortalContext): Promise<void>;
}

/** An error answered as `{ error: { code, message } }` with an HTTP status. */
export class PageError extends Error {
  /** @param status HTTP status @param code stable code @param message shown to the user (Chinese) */
  public constructor(
    public readonly status: number,
    public readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A field of a JSON body, or undefined. */
export function field(body: unknown, name: string): unknown {
  return typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[name] : undefined;
}

/** A typed text field of a JSON body, trimmed; `''` when absent or not text. */
export function textField(body: unknown, name: string): string {
  const v = field(body, name);
  return typeof v === 'string' ? v.trim() : '';
}
