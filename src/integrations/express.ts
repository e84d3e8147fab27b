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
 * in `req.body` (a raw parser's Buffer is read as UTF-8 text), else the raw
 * body read here (JSON or text, at most {@link MAX_TOKEN_CHARS} bytes), so no
 * parser needs to be mounted.
 *
 * A body over the limit (declared or sent) is refused without reading the
 * rest, and the answer closes the connection (`Connection: close`): the
 * unread bytes would otherwise be taken for the next request on a kept-alive
 * connection, and destroying the socket under a keep-alive answer resets it
 * for the client or proxy that reuses it. A client that aborts its body is
 * `BODY_INVALID` too, not a server error in the log.
 */
function bodyOf(req: Request, res: Response): Promise<unknown> {
  // Express 5 leaves req.body undefined unless a parser handled the request.
  const parsed: unknown = req.body;
  if (Buffer.isBuffer(parsed)) return Promise.resolve(parsed.toString('utf8'));
  if (parsed !== undefined) return Promise.resolve(parsed);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    const refuse = (message: string, cause?: unknown, close = false): void => {
      cleanup();
      if (close) res.set('connection', 'close');
      reject(new CardLoginRequestError('BODY_INVALID', message, cause === undefined ? undefined : { cause }));
    };
    const tooLarge = (): void => refuse(`the body exceeds ${MAX_TOKEN_CHARS} bytes`, undefined, true);
    const onData = (chunk: Buffer | string): void => {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      size += buf.length;
      if (size > MAX_TOKEN_CHARS) tooLarge();
      else chunks.push(buf);
    };
    const onEnd = (): void => {
      cleanup();
      resolve(Buffer.concat(chunks).toString('utf8'));
    };
    const onError = (error: Error): void => refuse(`the body could not be read (${error.message})`, error);
    const onClose = (): void => refuse('the request was closed before its body ended');
    if (Number(req.headers['content-length']) > MAX_TOKEN_CHARS) {
      tooLarge();
      return;
    }
    // Already read by other middleware, with nothing left in req.body: no 'end' would come.
    if (req.readableEnded) {
      resolve('');
      return;
    }
    // Aborted while earlier middleware ran: its 'close' has come and gone.
    if (req.destroyed) {
      refuse('the request was closed before its body ended');
      return;
    }
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
    // Paused by earlier middleware (an async check that called req.pause()): a 'data' listener does not restart it.
    if (req.isPaused()) req.resume();
  });
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
        : bodyOf(req, res).then(
            (body) => handler.verify(req, body),
            (error: unknown) => handler.failure(error, req),
          );
    answer
      .then((reply) => {
        res.set('cache-control', 'no-store');
        try {
          // res.json writes with the application's `json replacer` (one that knows BigInt ids, say) before it
          // sends anything, so an answer it cannot write can still be answered.
          res.set(reply.headers ?? {}).status(reply.status).json(reply.body);
        } catch (error) {
          const refused = handler.unsendable(error, req);
          res.set(refused.headers ?? {}).status(refused.status).json(refused.body);
        }
      })
      // Whatever the answer or the hooks throw goes to Express's error handling, never an unhandled rejection
      // (which ends the process).
      .catch((error: unknown) => next(error));
  };
}
