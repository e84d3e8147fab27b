/**
 * What the reference portal answers the requests a deployment sees besides
 * the pages' own: unknown routes, writes without an Origin, bodies over the
 * limits, an oversized upload on the waste system. Each is a 4xx in the
 * portal's `{ error: { code, message } }` shape, never a 500.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Mailer } from 'twpki/enroll';
import { createTestPki } from 'twpki/testing';
import { DEMO_EMS_RECORDS, demoTrust } from '../../examples/portal/demo-setup.js';
import { gpsSystem } from '../../examples/portal/gps/index.js';
import { DEMO_COMPANIES } from '../../examples/portal/waste/demo.js';
import { wasteSystem } from '../../examples/portal/waste/index.js';
import { startPortal, type Portal } from '../../examples/portal/server.js';

const noMail: Mailer = { send: () => Promise.resolve() };
const FORM = {
  businessId: '12345675', controlNumber: '', companyName: '範例環保股份有限公司', representativeName: '王大明', representativeId: 'A123456789',
  regCounty: '臺北市', regDistrict: '中正區', regAddress: '重慶南路一段122號', sameAddress: true, contactName: '李小華', phone1: '02-2311-7722', ext1: '12',
  phone2: '', fax: '02-2311-7723', email: 'clerk@example.com.tw', citizenCard: 'enabled', companyCard: 'disabled', password: 'Waste#2026ok',
};

let portal: Portal;
beforeAll(async () => {
  const pki = await createTestPki();
  portal = await startPortal({
    port: 0,
    systems: [gpsSystem({ ems: DEMO_EMS_RECORDS }), wasteSystem({ companies: DEMO_COMPANIES })],
    ...demoTrust(pki),
    mailer: noMail,
    reviewerPassword: 'hygiene-reviewer',
    databaseUrl: '',
  });
}, 60_000);
afterAll(async () => portal?.close());

async function send(path: string, init: RequestInit & { cookie?: string } = {}): Promise<{ status: number; body: Record<string, unknown>; cookie: string }> {
  const headers = new Headers(init.headers);
  if (init.cookie) headers.set('Cookie', init.cookie);
  const res = await fetch(`${portal.url}${path}`, { ...init, headers, redirect: 'manual' });
  const text = await res.text();
  return { status: res.status, body: text.startsWith('{') ? (JSON.parse(text) as Record<string, unknown>) : { text }, cookie: res.headers.get('set-cookie')?.split(';')[0] ?? init.cookie ?? '' };
}

const errorOf = (reply: { body: Record<string, unknown> }): { code?: unknown; message?: unknown } => (reply.body.error ?? {}) as { code?: unknown; message?: unknown };

describe('request hygiene', () => {
  it('unknown routes are 404 in the portal error shape, GET or POST', async () => {
    for (const [method, path] of [['GET', '/nope'], ['GET', '/gps/nope'], ['POST', '/waste/api/nope']] as const) {
      const reply = await send(path, { method, headers: { Origin: portal.url } });
      expect(reply.status).toBe(404);
      expect(errorOf(reply)).toMatchObject({ code: 'NOT_FOUND' });
      expect(typeof errorOf(reply).message).toBe('string');
    }
  });

  it('a write without Origin, or from another site, is 403 FOREIGN_ORIGIN', async () => {
    const origins: Array<Record<string, string>> = [{}, { Origin: 'https://evil.example' }, { Origin: 'null' }];
    for (const headers of origins) {
      const reply = await send('/gps/api/applications', { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: '{"controlNumber":"E5600123"}' });
      expect(reply.status).toBe(403);
      expect(errorOf(reply)).toMatchObject({ code: 'FOREIGN_ORIGIN' });
    }
  });

  it('a JSON body over the limit is 413, and a malformed one 400', async () => {
    const big = await send('/gps/api/applications', { method: 'POST', headers: { Origin: portal.url, 'Content-Type': 'application/json' }, body: JSON.stringify({ controlNumber: 'x'.repeat(300 * 1024) }) });
    expect(big.status).toBe(413);
    const broken = await send('/gps/api/applications', { method: 'POST', headers: { Origin: portal.url, 'Content-Type': 'application/json' }, body: '{"controlNumber":' });
    expect(broken.status).toBe(400);
  });

  it('requests that put nothing in a session (assets, pages, crawlers, health checks) leave no session row', async () => {
    const count = async (): Promise<number> =>
      Number((await portal.store.transaction((tx) => tx.query<{ n: string | number }>('SELECT count(*) AS n FROM portal_sessions')))[0]?.n);
    const before = await count();
    for (const path of ['/', '/assets/style.css', '/gps/', '/api/config', '/healthz', '/nope']) {
      const reply = await send(path);
      expect(reply.status, path).toBeLessThan(500);
      expect(reply.cookie, path).toBe('');
    }
    expect(await count()).toBe(before);
    // A card step's challenge is bound to the session id, so that session is kept (and its cookie set).
    const challenge = await send('/gps/card/login/challenge');
    expect(challenge.status).toBe(200);
    expect(challenge.cookie).toMatch(/^portal_sid=/);
    expect(await count()).toBe(before + 1);
  });

  it('an upload over 5 MiB on the waste route is 413 saying the file is too large, and the application takes a good one after', async () => {
    const made = await send('/waste/api/applications', { method: 'POST', headers: { Origin: portal.url, 'Content-Type': 'application/json' }, body: JSON.stringify(FORM) });
    expect(made.status).toBe(201);
    const cookie = made.cookie;
    const upload = (content: Buffer, kind: string): Promise<{ status: number; body: Record<string, unknown>; cookie: string }> => {
      const form = new FormData();
      form.append('file', new Blob([content], { type: 'application/pdf' }), 'form.pdf');
      return send(`/waste/api/application/documents?kind=${kind}`, { method: 'POST', headers: { Origin: portal.url }, body: form, cookie });
    };
    expect((await upload(Buffer.from('%PDF-1.4\n%%EOF\n'), 'businessRegistration')).status).toBe(200);
    // Several times: whether the parser's own check sees the limit depends on how the chunks arrive, and a miss
    // handed back the first 5 MiB as the document.
    const oversized = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(5 * 1024 * 1024 + 1, 0x20)]);
    for (let i = 0; i < 6; i++) {
      const tooBig = await upload(oversized, 'applicationForm');
      expect(tooBig.status).toBe(413);
      expect(errorOf(tooBig)).toMatchObject({ code: 'FILE_TOO_LARGE' });
      expect(String(errorOf(tooBig).message)).toMatch(/5 ?MB/);
    }
    // No cut copy was kept: the 申請書 is still missing.
    const submit = await send('/waste/api/application/submit', { method: 'POST', headers: { Origin: portal.url, 'Content-Type': 'application/json' }, body: '{}', cookie });
    expect(errorOf(submit)).toMatchObject({ code: 'DOCUMENTS_MISSING' });
    expect((await upload(Buffer.from('%PDF-1.4\n%%EOF\n'), 'applicationForm')).status).toBe(200);
  });
});
