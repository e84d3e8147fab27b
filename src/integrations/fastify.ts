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
  // Challenges and login results are per user and per moment: never cache. Serialized here, so that an onLogin
  // answer that is a string is sent as JSON (as Express's res.json sends it), not as text/plain.
  return reply
    .code(answer.status)
    .header('cache-control', 'no-store')
    .type('application/json; charset=utf-8')
    .send(JSON.stringify(answer.body));
}

/** A 4xx status an error carries (a rate limiter's 429, an auth hook's 401), else `undefined`. */
function clientStatus(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' && status >= 400 && status < 500 ? status : undefined;
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
  // Requests whose body is being read: set once every onRequest and preParsing hook passed (the application's
  // run first), cleared by this plugin's preValidation. An error of such a request that left no body is the
  // body's (the application's preValidation hooks, which run before this one, see a parsed body).
  const parsing = new WeakSet<FastifyRequest>();
  app.addHook('preParsing', async (request, _reply, payload) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') parsing.add(request);
    return payload;
  });
  app.addHook('preValidation', async (request) => {
    parsing.delete(request);
  });
  app.setErrorHandler(async (error, request, reply) => {
    const bodyError = parsing.has(request) && request.body === undefined;
    if (!bodyError && clientStatus(error) !== undefined) {
      // The application's own refusal in a hook (a rate limiter's 429, which the login guide asks for; an auth
      // hook's 401): its status and wording are the application's, so its error handler answers it.
      throw error;
    }
    // Fastify's body errors are the request's fault (BODY_INVALID); anything else reaching here (a hook or the
    // reply failing) is the server's: 500 INTERNAL, without its detail.
    const refused = bodyError ? new CardLoginRequestError('BODY_INVALID', (error as Error).message, { cause: error }) : error;
    options.onError?.(refused, request);
    return send(reply, handler.errorReply(refused, request));
  });
  // No HEAD route (Fastify adds one to every GET by default): a HEAD would issue a challenge nobody receives, a
  // stored row for nothing. Express's middleware answers GET only, too.
  app.get(options.challengePath ?? '/challenge', { exposeHeadRoute: false }, async (request, reply) => send(reply, await handler.challenge(request)));
  app.post(options.verifyPath ?? '/verify', { bodyLimit: MAX_TOKEN_CHARS }, async (request, reply) =>
    send(reply, await handler.verify(request, request.body)),
  );
};
