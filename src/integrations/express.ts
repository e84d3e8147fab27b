/**
 * `twpki/express`: card login for Express 5 as one middleware.
 *
 * ```ts
 * app.use('/login/card', cardLogin({ verifier, challenges, origin, sessionId, onLogin }));
 * // GET  /login/card/challenge → { challenge, tbs, expiresAt }
 * // POST /login/card/verify    ← the local component's /sign answer plus { signatureType, tbs }
 * ```
 * @packageDocumentation
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { MAX_TOKEN_CHARS } from '../cert/trust/login/login-token.js';
import { CardLoginHandler, CardLoginRequestError, requestLanguage, type CardLoginOptions } from './card-login.js';

export * from './card-login.js';

/** Options of the {@link cardLogin} middleware: the shared settings plus route paths. */
export interface ExpressCardLoginOptions extends CardLoginOptions<Request> {
  /** Path of the challenge route, relative to where the middleware is mounted; default `/challenge`. */
  readonly challengePath?: string;
  /** Path of the verification route, relative to where the middleware is mounted; default `/verify`. */
  readonly verifyPath?: string;
}

/**
 * The request body: what a body parser mounted before this middleware left
 * in `req.body`, else the raw body read here (JSON or text, at most
 * {@link MAX_TOKEN_CHARS} bytes), so no parser needs to be mounted.
 */
async function bodyOf(req: Request): Promise<unknown> {
  // Express 5 leaves req.body undefined unless a parser handled the request.
  const parsed: unknown = req.body;
  if (parsed !== undefined) return parsed;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer | string>) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += buf.length;
    if (size > MAX_TOKEN_CHARS) throw new CardLoginRequestError('BODY_INVALID', `the body exceeds ${MAX_TOKEN_CHARS} bytes`);
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * A middleware answering `GET {mount}/challenge` and `POST {mount}/verify`;
 * every other request passes to `next()`.
 */
export function cardLogin(options: ExpressCardLoginOptions): RequestHandler {
  const handler = new CardLoginHandler<Request>({
    ...options,
    language: options.language ?? ((req) => requestLanguage(req.headers['accept-language'])),
  });
  const challengePath = options.challengePath ?? '/challenge';
  const verifyPath = options.verifyPath ?? '/verify';
  return (req: Request, res: Response, next: NextFunction): void => {
    const route = req.method === 'GET' && req.path === challengePath ? 'challenge' : req.method === 'POST' && req.path === verifyPath ? 'verify' : undefined;
    if (route === undefined) {
      next();
      return;
    }
    const answer =
      route === 'challenge'
        ? handler.challenge(req)
        : bodyOf(req).then(
            (body) => handler.verify(req, body),
            (error: unknown) => {
              options.onError?.(error, req);
              return handler.errorReply(error, req);
            },
          );
    answer.then(
      (reply) => {
        res.status(reply.status).set('cache-control', 'no-store').json(reply.body);
      },
      (error: unknown) => next(error),
    );
  };
}
