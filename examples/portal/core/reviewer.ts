/**
 * The reviewer login (審核人員登入): one configured password, kept only as a
 * scrypt hash, checked in constant time. A deployment replaces this with its
 * staff single sign-on.
 */
import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { PortalConfigError } from './config.js';
import type { LoginAttempts } from './login-attempts.js';
import { escapeHtml } from './portal.js';
import { clientKey, retryAfterSeconds, waitText } from './rate-limit.js';

declare module 'fastify' {
  interface Session {
    /** Set after the reviewer password was given. */
    reviewer?: boolean;
  }
}

/** `scrypt$<salt b64>$<hash b64>` of `password` (N=2^14, r=8, p=1, 32 bytes). */
export function hashReviewerPassword(password: string, salt: Buffer = randomBytes(16)): string {
  return `scrypt$${salt.toString('base64')}$${scryptSync(password, salt, 32).toString('base64')}`;
}

/** Strict base64: decodes and re-encodes to the same text (Node's decoder skips what it cannot read). */
function strictBase64(text: string | undefined): Buffer | undefined {
  if (text === undefined || text === '') return undefined;
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? bytes : undefined;
}

/**
 * `hash` when it is one {@link hashReviewerPassword} makes (`scrypt$<salt>$<hash>`, a salt of 16 bytes or more
 * and a 32-byte hash); otherwise a {@link PortalConfigError} naming `setting`. A malformed hash would not fail:
 * it would silently refuse every password, and the review queues would fill with no one able to log in.
 */
export function checkReviewerPasswordHash(hash: string, setting: string): string {
  const [scheme, salt, expected, ...rest] = hash.split('$');
  const saltBytes = strictBase64(salt);
  const hashBytes = strictBase64(expected);
  if (scheme !== 'scrypt' || rest.length > 0 || saltBytes === undefined || saltBytes.length < 16 || hashBytes?.length !== 32) {
    throw new PortalConfigError(
      setting,
      'must be `scrypt$<salt>$<hash>` as hashReviewerPassword (examples/portal/core/reviewer.ts) prints it: base64 of a salt of 16 bytes or more and of the 32-byte scrypt hash',
    );
  }
  return hash;
}

/** Whether `password` matches a hash made by {@link hashReviewerPassword}. */
export function checkReviewerPassword(password: string, hash: string): boolean {
  const [scheme, salt, expected] = hash.split('$');
  if (scheme !== 'scrypt' || salt === undefined || expected === undefined) return false;
  const want = Buffer.from(expected, 'base64');
  const got = scryptSync(password, Buffer.from(salt, 'base64'), want.length);
  return want.length > 0 && timingSafeEqual(got, want);
}

/** A path on this site to return to after login (never another host). */
function localPath(value: unknown): string {
  return typeof value === 'string' && /^\/(?![/\\])[\x21-\x7e]*$/.test(value) ? value : '/';
}

/** preHandler: pages redirect to the login, APIs answer 401. */
export async function requireReviewer(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  if (request.session.get('reviewer') === true) return;
  if (request.method === 'GET' && !request.url.includes('/api/')) {
    await reply.redirect(`/review/login?next=${encodeURIComponent(request.url)}`);
    return;
  }
  await reply.code(401).send({ error: { code: 'REVIEWER_LOGIN_REQUIRED', message: '請先以審核人員身分登入' } });
}

/** The stable code of the lockout answer (429). */
export const REVIEWER_LOGIN_LOCKED = 'REVIEWER_LOGIN_LOCKED';

/**
 * Adds `GET/POST /review/login` and `POST /review/logout`. With `attempts`, wrong passwords are counted per
 * client address (`request.ip`: the forwarded one behind a trusted proxy) and a client that used up its
 * allowance is answered 429 {@link REVIEWER_LOGIN_LOCKED} without its password being compared.
 */
export function registerReviewerLogin(
  app: FastifyInstance,
  passwordHash: string,
  page: (title: string, body: string) => string,
  attempts?: LoginAttempts,
): void {
  const form = (next: string, error: string | undefined, code?: string): string =>
    page(
      '審核人員登入',
      `<h2>審核人員登入</h2>${error === undefined ? '' : `<p class="message error" id="login-error"${code === undefined ? '' : ` data-code="${code}"`}>${escapeHtml(error)}</p>`}
<form method="post" action="/review/login"><input type="hidden" name="next" value="${escapeHtml(next)}">
<label>審核人員密碼 <input type="password" name="password" id="reviewer-password" autocomplete="current-password"></label>
<button type="submit" id="reviewer-login">登入</button></form>`,
    );
  app.get('/review/login', async (request, reply) =>
    reply.type('text/html; charset=utf-8').send(form(localPath((request.query as Record<string, unknown>).next), undefined)),
  );
  app.post('/review/login', async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const next = localPath(body.next);
    const client = clientKey(request.ip);
    // Counted before the (deliberately slow) comparison, so a burst of guesses gets no more comparisons than a slow one.
    const waitMs = attempts === undefined ? undefined : await attempts.begin(client);
    if (waitMs !== undefined) {
      const message = `密碼錯誤次數過多，請於 ${waitText(waitMs)}後再試`;
      reply.code(429).header('retry-after', String(retryAfterSeconds(waitMs))).header('cache-control', 'no-store');
      // The login form is a page (a browser's form post asks for HTML); anything else gets the portal's JSON shape.
      if ((request.headers.accept ?? '').includes('text/html')) {
        return reply.type('text/html; charset=utf-8').send(form(next, message, REVIEWER_LOGIN_LOCKED));
      }
      return reply.send({ error: { code: REVIEWER_LOGIN_LOCKED, message } });
    }
    if (typeof body.password !== 'string' || !checkReviewerPassword(body.password, passwordHash)) {
      await attempts?.failed(client);
      return reply.code(401).type('text/html; charset=utf-8').send(form(next, '密碼錯誤'));
    }
    await attempts?.succeeded(client);
    // A new session id on privilege change (session fixation).
    await request.session.regenerate();
    request.session.set('reviewer', true);
    return reply.redirect(next);
  });
  app.post('/review/logout', async (request, reply) => {
    await request.session.destroy();
    return reply.redirect('/');
  });
}
