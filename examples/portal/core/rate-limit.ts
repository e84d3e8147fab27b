/**
 * How the portal counts requests per client: the card challenge routes (each
 * call makes a session row and a challenge row) and the anonymous application
 * routes (each makes or compares an application), through
 * `@fastify/rate-limit` with its in-memory store, so per instance; and the
 * helpers the reviewer login's own count (kept in the database) shares with
 * them.
 *
 * Clients are told apart by {@link clientKey} of Fastify's `request.ip`: the
 * socket's address, or behind a trusted proxy (`trustProxy`) the forwarded
 * one. An untrusted `X-Forwarded-For` is never read, so it cannot be used to
 * pick a fresh key per request.
 */
import fastifyRateLimit, { normalizeIP } from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { PageError } from './portal.js';

/**
 * The key a client is counted under: an IPv4 address as is (also when written
 * as IPv4-mapped IPv6, `::ffff:192.0.2.1`), an IPv6 address by its /64
 * network, the block one subscriber is usually given (one host can use any
 * of its 2^64 addresses, so counting per address would limit nothing).
 */
export function clientKey(ip: string): string {
  return normalizeIP(ip, 64);
}

/** A limit of `limit` requests per client in each window of `windowMs`. */
export interface RateLimit {
  readonly limit: number;
  readonly windowMs: number;
}

/** A hook counting one request per client against a limit; a refusal is thrown as a 429 {@link PageError}. */
export type LimitHook = (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;

/**
 * Registers `@fastify/rate-limit` on `app` for no route by itself (once, whatever the number of limits) and
 * returns a maker of hooks: each hook counts one request against its own `limit`, and every route it is added to
 * shares that count per client (at most 10 000 clients remembered per limit; a flood of addresses makes a limit
 * forgetful, never the memory unbounded). A refusal is thrown as a 429 {@link PageError} with the `code` given,
 * which the app's error handler answers in its usual shape; the plugin has set `Retry-After` by then.
 */
export async function rateLimits(app: FastifyInstance): Promise<(limit: RateLimit, code: string) => LimitHook> {
  await app.register(fastifyRateLimit, {
    global: false,
    cache: 10_000,
    keyGenerator: (request) => clientKey(request.ip),
    // Only Retry-After: the x-ratelimit-* headers would tell a client how much it has left.
    addHeaders: { 'x-ratelimit-limit': false, 'x-ratelimit-remaining': false, 'x-ratelimit-reset': false, 'retry-after': true },
    addHeadersOnExceeding: { 'x-ratelimit-limit': false, 'x-ratelimit-remaining': false, 'x-ratelimit-reset': false },
  });
  // Each call's options make a store of its own (the plugin's `child`): limits never share a count.
  return (limit, code) =>
    app.rateLimit({
      max: limit.limit,
      timeWindow: limit.windowMs,
      errorResponseBuilder: (_request, context) => new PageError(context.statusCode, code, `操作過於頻繁，請於 ${waitText(context.ttl)}後再試`),
    });
}

/** Seconds for a `Retry-After` header and the message (at least 1). */
export function retryAfterSeconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}

/** `N 秒` or `N 分鐘`, for messages saying when to try again. */
export function waitText(ms: number): string {
  const seconds = retryAfterSeconds(ms);
  return seconds < 120 ? `${seconds} 秒` : `${Math.ceil(seconds / 60)} 分鐘`;
}
