/**
 * `twpki/fastify`: card login for Fastify 5 in one `register` call.
 *
 * ```ts
 * app.register(cardLogin, { prefix: '/login/card', verifier, challenges, origin, sessionId, onLogin });
 * // GET  /login/card/challenge → { challenge, tbs, expiresAt }
 * // POST /login/card/verify    ← the local component's /sign answer plus { signatureType, tbs }
 * ```
 * @packageDocumentation
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { MAX_TOKEN_CHARS } from '../cert/trust/login/login-token.js';
import {
  CardLoginHandler,
  CardLoginRequestError,
  requestLanguage,
  type CardLoginOptions,
  type CardLoginReply,
} from './card-login.js';

export * from './card-login.js';

/** Options of the {@link cardLogin} plugin: the shared settings plus route paths. */
export interface FastifyCardLoginOptions extends CardLoginOptions<FastifyRequest> {
  /** Path of the challenge route, under the plugin's prefix; default `/challenge`. */
  readonly challengePath?: string;
  /** Path of the verification route, under the plugin's prefix; default `/verify`. */
  readonly verifyPath?: string;
}

function send(reply: FastifyReply, answer: CardLoginReply): FastifyReply {
  // Challenges and login results are per user and per moment: never cache.
  return reply.code(answer.status).header('cache-control', 'no-store').send(answer.body);
}

/**
 * Registers the two card-login routes. Register it with a `prefix`; it is
 * encapsulated (its error handler covers only its own routes, so an
 * unparsable body is answered in the same `{ error: { code, message,
 * messages } }` shape as a failed login).
 */
export const cardLogin: FastifyPluginAsync<FastifyCardLoginOptions> = async (app, options) => {
  const handler = new CardLoginHandler<FastifyRequest>({
    ...options,
    language: options.language ?? ((request) => requestLanguage(request.headers['accept-language'])),
  });
  app.setErrorHandler(async (error, request, reply) => {
    // Only Fastify's own body errors reach here (the handler answers the rest).
    const refused = new CardLoginRequestError('BODY_INVALID', (error as Error).message, { cause: error });
    options.onError?.(refused, request);
    return send(reply, handler.errorReply(refused, request));
  });
  app.get(options.challengePath ?? '/challenge', async (request, reply) => send(reply, await handler.challenge(request)));
  app.post(options.verifyPath ?? '/verify', { bodyLimit: MAX_TOKEN_CHARS }, async (request, reply) =>
    send(reply, await handler.verify(request, request.body)),
  );
};
