/**
 * The reviewer login (審核人員登入): one configured password, kept only as a
 * scrypt hash, checked in constant time. A deployment replaces this with its
 * staff single sign-on.
 */
import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { escapeHtml } from './portal.js';

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

/** Adds `GET/POST /review/login` and `POST /review/logout`. */
export function registerReviewerLogin(app: FastifyInstance, passwordHash: string, page: (title: string, body: string) => string): void {
  const form = (next: string, failed: boolean): string =>
    page(
      '審核人員登入',
      `<h2>審核人員登入</h2>${failed ? '<p class="message error" id="login-error">密碼錯誤</p>' : ''}
<form method="post" action="/review/login"><input type="hidden" name="next" value="${escapeHtml(next)}">
<label>審核人員密碼 <input type="password" name="password" id="reviewer-password" autocomplete="current-password"></label>
<button type="submit" id="reviewer-login">登入</button></form>`,
    );
  app.get('/review/login', async (request, reply) =>
    reply.type('text/html; charset=utf-8').send(form(localPath((request.query as Record<string, unknown>).next), false)),
  );
  app.post('/review/login', async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const next = localPath(body.next);
    if (typeof body.password !== 'string' || !checkReviewerPassword(body.password, passwordHash)) {
      return reply.code(401).type('text/html; charset=utf-8').send(form(next, true));
    }
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
