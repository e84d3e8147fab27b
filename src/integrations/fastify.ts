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

/**
 * Sends `answer` as JSON text, written by the application's reply serializer (`setReplySerializer`, one that
 * writes BigInt ids for instance), so that an `onLogin` answer that is a string is JSON too (as Express's
 * `res.json` sends it), not text/plain. An answer the serializer cannot write (a BigInt or a cycle by default) is
 * answered 500 `INTERNAL`, its `TypeError` to `onError`.
 */
function send(reply: FastifyReply, answer: CardLoginReply, unsendable: (error: unknown) => CardLoginReply): FastifyReply {
  let text: string;
  let sent = answer;
  try {
    text = serialized(reply, answer.body);
  } catch (error) {
    sent = unsendable(error);
    text = JSON.stringify(sent.body);
  }
  // Challenges and login results are per user and per moment: never cache.
  return reply
    .code(sent.status)
    .headers({ ...sent.headers, 'cache-control': 'no-store' })
    .type('application/json; charset=utf-8')
    .send(text);
}

function serialized(reply: FastifyReply, body: unknown): string {
  const text: unknown = reply.serialize(body);
  if (typeof text !== 'string') throw new TypeError(`the reply serializer gave ${typeof text}, not JSON text`);
  return text;
}

/** A 4xx status an error carries (a rate limiter's 429, an auth hook's 401), else `undefined`. */
function clientStatus(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' && status >= 400 && status < 500 ? status : undefined;
}

/**
 * Whether Fastify's JSON parser read the body (`application/json`, any parameters): a string it leaves is a JSON
 * string. Its text parser's string (`text/plain`) is the raw body, parsed by the handler.
 */
function jsonBody(request: FastifyRequest): boolean {
  const type = request.headers['content-type'];
  return typeof type === 'string' && type.split(';')[0]?.trim().toLowerCase() === 'application/json';
}

/** Whether a request carries a body for Fastify to read: a type, a chunked body, or a length other than 0. */
function hasBody(request: FastifyRequest): boolean {
  const length = request.headers['content-length'];
  return request.headers['content-type'] !== undefined || request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/** The statuses Fastify gives its own failures to read a body (bad JSON, too large, unsupported type). */
const BODY_STATUSES: ReadonlySet<number> = new Set([400, 413, 415]);

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
  // run first), for a request that has a body, cleared by this plugin's preValidation. An error of such a
  // request that left no body, with one of the statuses Fastify gives a body it cannot read, is the body's. A
  // request without a body is never marked: the application's preValidation hooks (which run before this
  // plugin's) refuse it with their own status.
  const parsing = new WeakSet<FastifyRequest>();
  app.addHook('preParsing', async (request, _reply, payload) => {
    if (request.method !== 'GET' && request.method !== 'HEAD' && hasBody(request)) parsing.add(request);
    return payload;
  });
  app.addHook('preValidation', async (request) => {
    parsing.delete(request);
  });
  const unsendable = (request: FastifyRequest) => (error: unknown): CardLoginReply =>
    handler.unsendable(error, request);
  app.setErrorHandler(async (error, request, reply) => {
    const status = clientStatus(error);
    const bodyError = parsing.has(request) && request.body === undefined && status !== undefined && BODY_STATUSES.has(status);
    if (!bodyError && status !== undefined) {
      // The application's own refusal in a hook (a rate limiter's 429, which the login guide asks for; an auth
      // hook's 401): its status and wording are the application's, so its error handler answers it.
      throw error;
    }
    // Fastify's body errors are the request's fault (BODY_INVALID); anything else reaching here (a hook or the
    // reply failing) is the server's: 500 INTERNAL, without its detail.
    const refused = bodyError ? new CardLoginRequestError('BODY_INVALID', (error as Error).message, { cause: error }) : error;
    return send(reply, handler.failure(refused, request), unsendable(request));
  });
  // No HEAD route (Fastify adds one to every GET by default): a HEAD would issue a challenge nobody receives, a
  // stored row for nothing. Express's middleware answers GET only, too.
  app.get(options.challengePath ?? '/challenge', { exposeHeadRoute: false }, async (request, reply) => send(reply, await handler.challenge(request), unsendable(request)));
  app.post(options.verifyPath ?? '/verify', { bodyLimit: MAX_TOKEN_CHARS }, async (request, reply) =>
    send(reply, await handler.verify(request, request.body, jsonBody(request)), unsendable(request)),
  );
};
